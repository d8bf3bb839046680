import type { proto } from '@whiskeysockets/baileys';

/**
 * The files we sent lately, as WhatsApp messages, by message id. When a resident's phone could not
 * decrypt a message it asks for it again, and Baileys re-encrypts what `getMessage` returns; a text is
 * rebuilt from the database, but a file's message holds the upload (its url and media key), which only
 * the send returned. Kept in memory, for a day and a few hundred files at most: such a retry comes within
 * seconds. After a restart a file is not sent again this way (the phone shows it as waiting).
 */
export class SentMedia {
  readonly #byId = new Map<string, { message: proto.IMessage; at: number }>();

  constructor(
    private readonly max = 200,
    private readonly keepMs = 24 * 3600_000,
  ) {}

  remember(id: string, message: proto.IMessage): void {
    this.#byId.delete(id);
    this.#byId.set(id, { message, at: Date.now() });
    for (const oldest of this.#byId.keys()) {
      if (this.#byId.size <= this.max) break;
      this.#byId.delete(oldest);
    }
  }

  get(id: string): proto.IMessage | undefined {
    const entry = this.#byId.get(id);
    return entry && Date.now() - entry.at <= this.keepMs ? entry.message : undefined;
  }
}

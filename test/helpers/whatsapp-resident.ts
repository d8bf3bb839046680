import type { proto, WAMessage } from '@whiskeysockets/baileys';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database.js';
import { outbox, residents } from '../../src/db/schema.js';
import { waitFor, type FakeWhatsApp, type SentWhatsApp } from './fake-whatsapp.js';

export interface WhatsAppResidentOptions {
  /** International digits, no plus: 31612345678. */
  phone: string;
  /** When set, WhatsApp addresses the chat by this LID (v7), with the phone number in remoteJidAlt. */
  lid?: string;
  name?: string;
}

/**
 * One resident writing to the organisation's WhatsApp number. Sends messages through the fake's open
 * socket shaped as Baileys delivers them, and reads the bot's answers the way the phone shows them.
 */
export class WhatsAppResident {
  readonly phone: string;
  /** The phone-number JID: what the app keeps as the resident's id and sends to. */
  readonly jid: string;
  readonly lid: string | undefined;
  readonly name: string;
  /** How many of the chat's messages the resident has read. */
  seen = 0;
  #seq = 0;

  constructor(
    readonly fake: FakeWhatsApp,
    readonly database: Database,
    options: WhatsAppResidentOptions,
  ) {
    this.phone = options.phone;
    this.jid = `${options.phone}@s.whatsapp.net`;
    this.lid = options.lid ? `${options.lid}@lid` : undefined;
    this.name = options.name ?? 'Resident';
  }

  /** The key of a message from this resident, addressed by LID when the resident has one (v7). */
  key(id: string): WAMessage['key'] {
    return this.lid
      ? { remoteJid: this.lid, remoteJidAlt: this.jid, fromMe: false, id, addressingMode: 'lid' }
      : { remoteJid: this.jid, fromMe: false, id, addressingMode: 'pn' };
  }

  /** A message as Baileys hands it to `messages.upsert`. */
  message(content: proto.IMessage, id = this.nextId()): WAMessage {
    return { key: this.key(id), message: content, pushName: this.name, messageTimestamp: Math.floor(Date.now() / 1000) };
  }

  nextId(): string {
    this.#seq += 1;
    return `3EB0${this.phone.slice(-4)}${String(this.#seq).padStart(6, '0')}`;
  }

  /** Delivers on the open socket and waits until the app has handled it (it marks it read after storing). */
  async deliver(message: WAMessage): Promise<void> {
    const socket = this.fake.current;
    if (!socket) throw new Error('no open fake socket to deliver on');
    const readsBefore = this.fake.reads.filter((k) => k.id === message.key.id).length;
    socket.deliver([message]);
    await waitFor(
      () => this.fake.reads.filter((k) => k.id === message.key.id).length > readsBefore,
      10_000,
      () => `message ${message.key.id} to be stored and marked read`,
    );
  }

  async say(text: string): Promise<SentWhatsApp[]> {
    return this.send(this.message({ conversation: text }));
  }

  async send(message: WAMessage): Promise<SentWhatsApp[]> {
    await this.deliver(message);
    return this.replies();
  }

  /** Waits until every reply for this resident has left the outbox, then returns the ones not seen yet. */
  async replies(timeoutMs = 15_000): Promise<SentWhatsApp[]> {
    await waitFor(
      async () => (await this.pendingReplies()) === 0,
      timeoutMs,
      () => `the replies to ${this.phone} to be sent`,
    );
    const all = this.fake.messagesTo(this.jid);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }

  async pendingReplies(): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .innerJoin(residents, eq(residents.id, outbox.residentId))
      .where(and(eq(residents.channel, 'whatsapp'), eq(residents.externalId, this.jid), eq(outbox.status, 'pending')));
    return Number(row?.n ?? 0);
  }
}

/** The number shown before `label` in a reply's numbered list ("2. School" → 2), as a resident reads it. */
export function numberOf(reply: SentWhatsApp | undefined, label: string): number {
  const line = reply?.text.split('\n').find((l) => new RegExp(`^\\d+\\. ${escapeRegExp(label)}$`).test(l));
  if (!line) throw new Error(`no numbered option "${label}" in: ${reply?.text}`);
  return Number(line.split('.')[0]);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Arabic-Indic digits, as an Arabic keyboard types them. */
export const arabicIndic = (n: number) => String(n).replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)]!);
/** A keycap emoji (2️⃣), as some residents answer. */
export const keycap = (n: number) => `${n}\uFE0F\u20E3`;

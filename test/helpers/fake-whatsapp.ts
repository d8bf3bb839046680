import { EventEmitter } from 'node:events';
import type { Contact, WAMessage, WAMessageKey, WAPresence } from '@whiskeysockets/baileys';
import { MediaTooLarge, type MediaDownloader } from '../../src/channels/whatsapp/download-media.js';
import type {
  WhatsAppContent,
  WhatsAppEventName,
  WhatsAppEvents,
  WhatsAppSocket,
  WhatsAppSocketConfig,
  WhatsAppSocketFactory,
} from '../../src/channels/whatsapp/whatsapp-socket.js';

/**
 * A stand-in for WhatsApp, for tests: hands the app fake sockets that implement the part of a Baileys
 * socket the channel uses, records what the bot did (messages, read receipts, typing), and lets a
 * test play WhatsApp's side: show a QR, complete a pairing, open, close with a status code, deliver
 * messages and receipts. Media bytes come from `files` by message id instead of WhatsApp's servers.
 */

/** The Boom Baileys closes a connection with: the status code is in `output.statusCode`. */
export function boom(statusCode: number, message = `closed with ${statusCode}`): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode } });
}

export interface SentWhatsApp {
  jid: string;
  /** The text; for a photo or document its caption ('' without one). */
  text: string;
  id: string;
  at: number;
  /** Which socket sent it. */
  socket: number;
  /** A photo or document, as Baileys was asked to send it. */
  file?: { kind: 'image' | 'document'; bytes: Uint8Array; mimetype: string; fileName?: string | undefined } | undefined;
}

export interface FakeWhatsAppOptions {
  /**
   * What a new socket does by itself: `auto` opens when the credentials are paired and shows a QR when
   * not (as WhatsApp does); `manual` does nothing until the test says.
   */
  behaviour?: 'auto' | 'manual';
  /** The account a completed pairing links (international digits). */
  account?: string;
}

export class FakeWhatsApp {
  readonly sockets: FakeSocket[] = [];
  readonly sent: SentWhatsApp[] = [];
  readonly sendAttempts: { jid: string; at: number; ok: boolean }[] = [];
  readonly reads: WAMessageKey[] = [];
  /** "Delete for everyone" requests the bot sent: the key of each message it revoked. */
  readonly deletions: { jid: string; key: WAMessageKey; at: number }[] = [];
  /** Ids of our messages revoked (the resident's phone shows "This message was deleted" instead). */
  readonly revoked = new Set<string>();
  /** Errors the next deletions throw, in order (a send's failures are in `sendFailures`). */
  deleteFailures: Error[] = [];
  readonly presences: { type: WAPresence; jid: string | undefined; at: number }[] = [];
  readonly pairingCodeRequests: string[] = [];
  /** Media by message id, for the downloader. */
  readonly files = new Map<string, Uint8Array>();
  readonly downloads: string[] = [];
  /** Errors the next sendMessage calls throw, in order. */
  sendFailures: Error[] = [];
  /** When set, the factory throws this many times before it hands out a socket. */
  factoryFailures = 0;
  behaviour: 'auto' | 'manual';
  readonly account: string;
  #messageSeq = 0;

  constructor(options: FakeWhatsAppOptions = {}) {
    this.behaviour = options.behaviour ?? 'auto';
    this.account = options.account ?? '31850001234';
  }

  readonly factory: WhatsAppSocketFactory = (config) => {
    if (this.factoryFailures > 0) {
      this.factoryFailures -= 1;
      throw new Error('the fake factory failed on purpose');
    }
    const socket = new FakeSocket(this, config, this.sockets.length);
    this.sockets.push(socket);
    if (this.behaviour === 'auto') setTimeout(() => socket.autoStart(), 5);
    return socket;
  };

  readonly downloadMedia: MediaDownloader = async (message, { maxBytes }) => {
    const id = message.key.id ?? '';
    const bytes = this.files.get(id);
    if (!bytes) throw new Error(`the fake has no file for message ${id}`);
    this.downloads.push(id);
    if (bytes.byteLength > maxBytes) throw new MediaTooLarge();
    return bytes;
  };

  /** The socket handed out last that has not been ended. */
  get current(): FakeSocket | undefined {
    const last = this.sockets.at(-1);
    return last && !last.ended ? last : undefined;
  }

  nextMessageId(prefix = 'OUT'): string {
    this.#messageSeq += 1;
    return `${prefix}${String(this.#messageSeq).padStart(8, '0')}`;
  }

  messagesTo(jid: string): SentWhatsApp[] {
    return this.sent.filter((m) => m.jid === jid);
  }

  /** What the resident's chat still shows of our messages (revoked ones are a "deleted" placeholder). */
  visibleTo(jid: string): SentWhatsApp[] {
    return this.messagesTo(jid).filter((m) => !this.revoked.has(m.id));
  }

  presencesIn(jid: string): WAPresence[] {
    return this.presences.filter((p) => p.jid === jid).map((p) => p.type);
  }
}

export class FakeSocket implements WhatsAppSocket {
  readonly #emitter = new EventEmitter();
  readonly ev = {
    on: <E extends WhatsAppEventName>(event: E, listener: (payload: WhatsAppEvents[E]) => void) => {
      this.#emitter.on(event, listener);
    },
    off: <E extends WhatsAppEventName>(event: E, listener: (payload: WhatsAppEvents[E]) => void) => {
      this.#emitter.off(event, listener);
    },
  };
  user: Contact | undefined;
  ended = false;
  #qrSeq = 0;

  constructor(
    readonly fake: FakeWhatsApp,
    readonly config: WhatsAppSocketConfig,
    readonly index: number,
  ) {}

  emit<E extends WhatsAppEventName>(event: E, payload: WhatsAppEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  listenerCount(event: WhatsAppEventName): number {
    return this.#emitter.listenerCount(event);
  }

  /** As WhatsApp: paired credentials connect, unpaired ones get a QR to scan. */
  autoStart(): void {
    if (this.ended) return;
    if (this.config.auth.creds.me?.id) this.open();
    else this.showQr();
  }

  showQr(qr = `2@fake-qr-${this.index}-${++this.#qrSeq},noise,identity,adv`): void {
    this.emit('connection.update', { qr });
  }

  open(): void {
    this.user = { id: `${this.fake.account}:7@s.whatsapp.net`, name: 'Al Amal' };
    this.emit('connection.update', { connection: 'open' });
  }

  /** WhatsApp ends the connection with a status code (401 logged out, 440 replaced, 515 restart, ...). */
  close(statusCode: number): void {
    this.ended = true;
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error: boom(statusCode), date: new Date() } });
  }

  /**
   * The phone scanned the QR: Baileys fills in the credentials and asks to save them, then WhatsApp
   * closes with 515 "restart required" and expects a new socket.
   */
  completePairing(): void {
    const me = { id: `${this.fake.account}:7@s.whatsapp.net`, name: 'Al Amal' };
    Object.assign(this.config.auth.creds, { me, registered: true, platform: 'android' });
    this.emit('creds.update', { me, registered: true, platform: 'android' });
    this.close(515);
  }

  deliver(messages: WAMessage[], type: 'notify' | 'append' = 'notify'): void {
    this.emit('messages.upsert', { messages, type });
  }

  receipt(id: string, jid: string, status: number): void {
    this.emit('messages.update', [{ key: { id, remoteJid: jid, fromMe: true }, update: { status } }]);
  }

  async sendMessage(jid: string, content: WhatsAppContent): Promise<WAMessage | undefined> {
    const at = Date.now();
    if ('delete' in content) return this.#revoke(jid, content.delete, at);
    if (this.ended) {
      this.fake.sendAttempts.push({ jid, at, ok: false });
      throw boom(428, 'Connection Closed');
    }
    const failure = this.fake.sendFailures.shift();
    if (failure) {
      this.fake.sendAttempts.push({ jid, at, ok: false });
      throw failure;
    }
    this.fake.sendAttempts.push({ jid, at, ok: true });
    const id = this.fake.nextMessageId();
    if ('image' in content || 'document' in content) {
      // As Baileys: the file is uploaded (here: kept) and the message carries its caption and type.
      const caption = content.caption ?? '';
      const file =
        'image' in content
          ? { kind: 'image' as const, bytes: new Uint8Array(content.image), mimetype: content.mimetype }
          : {
              kind: 'document' as const,
              bytes: new Uint8Array(content.document),
              mimetype: content.mimetype,
              fileName: content.fileName,
            };
      this.fake.sent.push({ jid, text: caption, id, at, socket: this.index, file });
      const message =
        'image' in content
          ? {
              imageMessage: {
                caption,
                mimetype: content.mimetype,
                url: `https://mmg.example/${id}`,
                mediaKey: new Uint8Array(32),
              },
            }
          : {
              documentMessage: {
                caption,
                mimetype: content.mimetype,
                fileName: content.fileName,
                url: `https://mmg.example/${id}`,
                mediaKey: new Uint8Array(32),
              },
            };
      return { key: { remoteJid: jid, fromMe: true, id }, message, status: 1 };
    }
    this.fake.sent.push({ jid, text: content.text, id, at, socket: this.index });
    return { key: { remoteJid: jid, fromMe: true, id }, message: { conversation: content.text }, status: 1 };
  }

  /** Baileys' "delete for everyone": a protocol message that revokes one of our own messages in that chat. */
  async #revoke(jid: string, key: WAMessageKey, at: number): Promise<WAMessage> {
    if (this.ended) throw boom(428, 'Connection Closed');
    const failure = this.fake.deleteFailures.shift();
    if (failure) throw failure;
    const ours = this.fake.sent.find((m) => m.id === key.id && m.jid === jid);
    if (!ours || key.fromMe !== true || key.remoteJid !== jid) throw boom(400, 'not a message of ours in this chat');
    this.fake.deletions.push({ jid, key, at });
    this.fake.revoked.add(ours.id);
    const id = this.fake.nextMessageId('REV');
    return { key: { remoteJid: jid, fromMe: true, id }, message: { protocolMessage: { key, type: 0 } }, status: 1 };
  }

  async readMessages(keys: WAMessageKey[]): Promise<void> {
    this.fake.reads.push(...keys);
  }

  async sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void> {
    this.fake.presences.push({ type, jid, at: Date.now() });
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.fake.pairingCodeRequests.push(phoneNumber);
    return 'TSSN4321';
  }

  async end(error: Error | undefined): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }

  async logout(): Promise<void> {
    await this.end(boom(401, 'Intentional Logout'));
  }
}

/** Polls until `condition` holds, or fails with `what()` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = () => 'a condition') {
  const started = Date.now();
  for (;;) {
    if (await condition()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

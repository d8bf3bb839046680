import type { Texts } from '../../engine/texts.js';
import type { OutboundFile, OutboundMessage } from '../../engine/types.js';
import {
  tooOldToDelete,
  type ChannelAdapter,
  type DeleteResult,
  type Recipient,
  type SendResult,
  type SentMessageRef,
} from '../../outbox/channel-adapter.js';
import { retryLater } from '../../retry/outcome.js';
import { whatsappFailure, whatsappNotConnected as notConnected } from '../../retry/classify.js';
import { renderForWhatsApp } from './render-whatsapp.js';
import type { SendPacer } from './send-pacer.js';
import type { SentMedia } from './sent-media.js';
import type { WhatsAppContent, WhatsAppSocket } from './whatsapp-socket.js';

/** WhatsApp shows JPEG and PNG as photos; anything else (WebP is a sticker format there) goes as a document. */
const PHOTO_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png']);

/** A staff member's file as WhatsApp content: a photo in the chat, or a document with its name; the caption with it. */
export function whatsappFileContent(file: OutboundFile, caption: string): WhatsAppContent {
  const withCaption = caption ? { caption } : {};
  const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  return file.kind === 'image' && PHOTO_TYPES.has(file.contentType)
    ? { image: bytes, mimetype: file.contentType, ...withCaption }
    : { document: bytes, mimetype: file.contentType, fileName: file.name, ...withCaption };
}

/**
 * Sends outbox rows over the WhatsApp socket this instance holds. Shows "typing…" while the pacer
 * holds the message back, then "paused". Every failure is classified by `whatsappFailure` (retry/classify.ts): no socket (connecting,
 * standby, logged out) → try later; a closed connection or a timeout → retry with backoff; a
 * refusal of the request itself → give up. Never throws.
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;

  constructor(
    private readonly connection: { socket(): WhatsAppSocket | null },
    private readonly pacer: SendPacer,
    private readonly texts: Texts,
    /** Where a sent file's message is kept for a resident's retry (Baileys' getMessage). */
    private readonly sentMedia?: SentMedia,
  ) {}

  /** Only an instance with an open socket takes WhatsApp rows from the outbox (see the dispatcher). */
  isReady(): boolean {
    return this.connection.socket() !== null;
  }

  async send(recipient: Recipient, message: OutboundMessage): Promise<SendResult> {
    const jid = recipient.externalUserId;
    if (!this.connection.socket()) return notConnected();
    void this.connection
      .socket()
      ?.sendPresenceUpdate('composing', jid)
      .catch(() => undefined);
    await this.pacer.wait(jid);
    // The connection may have closed while we waited for our slot.
    const socket = this.connection.socket();
    if (!socket) return notConnected();
    try {
      const content = message.file
        ? whatsappFileContent(message.file, message.text)
        : { text: renderForWhatsApp(message, this.texts) };
      const sent = await socket.sendMessage(jid, content);
      const id = sent?.key?.id;
      if (!id) return retryLater('WhatsApp returned no message id');
      if (message.file && sent.message) this.sentMedia?.remember(id, sent.message);
      return { ok: true, channelMessageId: id };
    } catch (error) {
      return whatsappFailure(error);
    } finally {
      void socket.sendPresenceUpdate('paused', jid).catch(() => undefined);
    }
  }

  /**
   * "Delete for everyone" of one message we sent: Baileys' `sendMessage(jid, { delete: key })` with the
   * key the send returned (we store its id; the chat is the resident's JID and it is ours: fromMe).
   * Paced like a send. WhatsApp allows it for about 60 hours; older ones are not even tried. The
   * resident's phone then shows "This message was deleted" in its place.
   */
  async deleteMessage(recipient: Recipient, message: SentMessageRef): Promise<DeleteResult> {
    const jid = recipient.externalUserId;
    if (tooOldToDelete('whatsapp', message.sentAt)) {
      return { ok: false, retry: false, reason: 'sent more than 60 hours ago: WhatsApp no longer deletes it for everyone' };
    }
    if (!this.connection.socket()) return notConnected();
    await this.pacer.wait(jid);
    const socket = this.connection.socket();
    if (!socket) return notConnected();
    try {
      await socket.sendMessage(jid, { delete: { remoteJid: jid, fromMe: true, id: message.channelMessageId } });
      return { ok: true };
    } catch (error) {
      return whatsappFailure(error);
    }
  }
}

import type { Texts } from '../../engine/texts.js';
import type { OutboundMessage } from '../../engine/types.js';
import {
  tooOldToDelete,
  type ChannelAdapter,
  type DeleteResult,
  type Recipient,
  type SendResult,
  type SentMessageRef,
} from '../channel-adapter.js';
import { renderForWhatsApp } from './render-whatsapp.js';
import type { SendPacer } from './send-pacer.js';
import type { WhatsAppSocket } from './whatsapp-socket.js';

/** How long the dispatcher waits before trying a reply again while WhatsApp is not connected. */
export const NOT_CONNECTED_RETRY_MS = 30_000;

/**
 * Sends outbox rows over the WhatsApp socket this instance holds. Shows "typing…" while the pacer
 * holds the message back, then "paused". Every outcome becomes a SendResult: no socket (connecting,
 * standby, logged out) → try later; a closed connection or a timeout → retry with backoff; a
 * refusal of the request itself → give up. Never throws.
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;

  constructor(
    private readonly connection: { socket(): WhatsAppSocket | null },
    private readonly pacer: SendPacer,
    private readonly texts: Texts,
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
      const sent = await socket.sendMessage(jid, { text: renderForWhatsApp(message, this.texts) });
      const id = sent?.key?.id;
      if (!id) return { ok: false, retry: true, reason: 'WhatsApp returned no message id' };
      return { ok: true, channelMessageId: id };
    } catch (error) {
      return sendFailure(error);
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
      const { retry, retryAfterMs, reason } = sendFailure(error);
      return { ok: false, retry, retryAfterMs, reason };
    }
  }
}

function notConnected(): SendResult & DeleteResult & { ok: false } {
  return { ok: false, retry: true, retryAfterMs: NOT_CONNECTED_RETRY_MS, reason: 'WhatsApp is not connected' };
}

/**
 * Baileys fails with a Boom: 408 timed out or connection lost, 428 connection closed, 440 replaced,
 * 5xx the server: all worth another try. 400/404/406 mean the request itself is wrong (no such
 * account, a refused message): trying again would not help.
 */
export function sendFailure(error: unknown): SendResult & { ok: false } {
  const boom = error as { output?: { statusCode?: number }; message?: string };
  const code = boom?.output?.statusCode;
  const reason = `WhatsApp${code ? ` ${code}` : ''}: ${boom?.message ?? String(error)}`;
  if (code === 400 || code === 404 || code === 406) return { ok: false, retry: false, reason };
  if (code === 401 || code === 403) return { ok: false, retry: true, retryAfterMs: NOT_CONNECTED_RETRY_MS, reason };
  return { ok: false, retry: true, reason };
}

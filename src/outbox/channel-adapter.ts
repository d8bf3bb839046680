import type { ChannelName } from '../conversation/inbound-message.js';
import type { OutboundMessage } from '../engine/types.js';
import type { Outcome } from '../retry/outcome.js';

/** The contract every channel (Telegram, WhatsApp, the web chat) fulfils for the outbox: a port the channels implement. */

export interface Recipient {
  residentId: string;
  externalUserId: string;
}

/** What happened to one send. Adapters never throw for channel trouble; they say whether to try again (retry/outcome.ts). */
export type SendResult = Outcome<{ channelMessageId: string }>;

/** What happened to one deletion of a sent message (discreet mode). */
export type DeleteResult = Outcome;

/** A message we sent, as far as deleting it goes: the channel's id(s) of it, and when it was sent. */
export interface SentMessageRef {
  /** `outbox.channel_message_id`: Telegram's ids comma-joined when a text was split, WhatsApp's key id. */
  channelMessageId: string;
  sentAt: Date | null;
}

/**
 * How long after sending a channel still lets the sender delete a message for both sides: Telegram
 * 48 hours (Bot API deleteMessage), WhatsApp "delete for everyone" about 2 days and 12 hours. The web
 * chat has no such limit (absent).
 */
export const DELETE_WINDOW_MS: Partial<Record<ChannelName, number>> = {
  telegram: 48 * 3600_000,
  whatsapp: 60 * 3600_000,
};

/** True when `sentAt` is past the channel's window (then deleting is not even tried). */
export function tooOldToDelete(channel: ChannelName, sentAt: Date | null, now = Date.now()): boolean {
  const window = DELETE_WINDOW_MS[channel];
  return window !== undefined && sentAt !== null && now - sentAt.getTime() > window;
}

/** The one interface Telegram, WhatsApp and the web chat implement. */
export interface ChannelAdapter {
  readonly channel: ChannelName;
  send(recipient: Recipient, message: OutboundMessage, meta: { messageId: number }): Promise<SendResult>;
  /**
   * Takes a message we sent off the resident's screen (discreet mode): Telegram deletes it for both
   * sides, WhatsApp "deletes for everyone", the web chat stops showing it. Absent: the channel cannot.
   */
  deleteMessage?(recipient: Recipient, message: SentMessageRef): Promise<DeleteResult>;
  /**
   * False while this process cannot send on the channel at all (WhatsApp: not connected, or another
   * instance holds the socket). The dispatcher then leaves the channel's rows for later (or for the
   * instance that can), without counting an attempt. Absent means always ready.
   */
  isReady?(): boolean;
}

import type { MediaKind, Notice, OutboundMessage } from '../engine/types.js';

/** Channel names as stored in the database; a resident's address is `<channel>:<externalId>`. */
export type ChannelName = 'web' | 'telegram' | 'whatsapp';

/** One inbound message as every channel adapter hands it in. Nothing past the adapter knows the channel's types. */
export interface InboundMessage {
  channel: ChannelName;
  /** The resident on that channel (Telegram chat id, WhatsApp JID, web visitor id). */
  externalUserId: string;
  /** The channel's own id of this message: the deduplication key together with the channel. */
  externalMessageId: string;
  text?: string | undefined;
  /** A button payload the resident pressed. */
  choice?: string | undefined;
  /** Media already stored by the adapter (media table id). */
  media?: { kind: MediaKind; mediaId: string | null } | undefined;
  /**
   * A textual record of content that is not text (a location as geo:lat,lon, a shared contact, an
   * edited text), kept for the trust person; the engine does not read it.
   */
  summary?: string | undefined;
  /** Content the channel received but cannot pass on (sticker, edit, oversized or failed media). */
  notice?: Notice | undefined;
  /** A language the channel suggests (language_code, phone country code, browser language). */
  localeHint?: string | undefined;
  displayName?: string | undefined;
  /** The resident's phone number when the channel has it (WhatsApp): offered when they choose a call. */
  knownPhone?: string | undefined;
}

export interface Recipient {
  residentId: string;
  externalUserId: string;
}

/** What happened to one send. Adapters never throw for channel trouble; they say whether to try again. */
export type SendResult =
  | { ok: true; channelMessageId: string }
  | {
      ok: false;
      /** Worth another attempt later (network, 5xx, rate limit). */
      retry: boolean;
      /** The channel said how long to wait (Telegram retry_after). */
      retryAfterMs?: number | undefined;
      /** The resident cannot be reached on this channel any more (blocked the bot). */
      unreachable?: boolean | undefined;
      reason: string;
    };

/** What happened to one deletion of a sent message (discreet mode). Like SendResult, never thrown. */
export type DeleteResult =
  | { ok: true }
  | {
      ok: false;
      /** Worth another attempt later (network, 5xx, rate limit, not connected). */
      retry: boolean;
      retryAfterMs?: number | undefined;
      reason: string;
    };

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

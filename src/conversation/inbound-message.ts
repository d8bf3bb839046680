import type { MediaKind, Notice } from '../engine/types.js';

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

import {
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  makeWASocket,
  type AuthenticationCreds,
  type AuthenticationState,
  type ConnectionState,
  type Contact,
  type MessageUpsertType,
  type proto,
  type WAMessage,
  type WAMessageKey,
  type WAMessageUpdate,
  type WAPresence,
} from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';

/** The Baileys events the channel listens to, with Baileys' own payload types. */
export interface WhatsAppEvents {
  'connection.update': Partial<ConnectionState>;
  'creds.update': Partial<AuthenticationCreds>;
  'messages.upsert': { messages: WAMessage[]; type: MessageUpsertType; requestId?: string };
  'messages.update': WAMessageUpdate[];
}

export type WhatsAppEventName = keyof WhatsAppEvents;

/**
 * The part of a Baileys socket the channel uses, and all a test's fake socket must implement.
 * Production gets a real `makeWASocket`; nothing else in the channel imports Baileys' socket.
 */
export interface WhatsAppSocket {
  ev: {
    on<E extends WhatsAppEventName>(event: E, listener: (payload: WhatsAppEvents[E]) => void): void;
    off<E extends WhatsAppEventName>(event: E, listener: (payload: WhatsAppEvents[E]) => void): void;
  };
  /** The paired account once connected (`31612345678:12@s.whatsapp.net`). */
  readonly user: Contact | undefined;
  /**
   * A text; a photo or a document (a staff member's file, uploaded by Baileys from its bytes); or
   * `{ delete: key }`: "delete for everyone" of a message we sent (Baileys' revoke).
   */
  sendMessage(jid: string, content: WhatsAppContent): Promise<WAMessage | undefined>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void>;
  /** Pairing by code: the phone number in international digits, no plus. */
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** Asks the sender's phone to upload expired media again (used by the media download). */
  updateMediaMessage?(message: WAMessage): Promise<WAMessage>;
  end(error: Error | undefined): Promise<void> | void;
  logout(message?: string): Promise<void>;
  /** v7's LID ↔ phone number store, when the socket has one. */
  readonly signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } };
}

/** What the channel sends: the part of Baileys' `AnyMessageContent` it uses. */
export type WhatsAppContent =
  | { text: string }
  | { delete: WAMessageKey }
  | { image: Buffer; mimetype: string; caption?: string }
  | { document: Buffer; mimetype: string; fileName: string; caption?: string };

/** What the channel gives a socket: the auth state from the database, a logger, and the message store. */
export interface WhatsAppSocketConfig {
  auth: AuthenticationState;
  logger: ILogger;
  getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
}

export type WhatsAppSocketFactory = (config: WhatsAppSocketConfig) => WhatsAppSocket | Promise<WhatsAppSocket>;

/**
 * The real socket. Not shown online on connect (the phone keeps its notifications), no history sync
 * (we answer new messages only), and groups, broadcasts and channels are not even decrypted.
 */
export const baileysSocketFactory: WhatsAppSocketFactory = (config) =>
  makeWASocket({
    auth: config.auth,
    logger: config.logger,
    getMessage: config.getMessage,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    shouldIgnoreJid: (jid) => Boolean(isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid)),
  });

import type { WAMessageUpdate } from '@whiskeysockets/baileys';
import type { ConversationService } from '../../conversation/conversation-service.js';
import type { Database } from '../../db/database.js';
import type { Texts } from '../../engine/texts.js';
import type { Logger } from '../../logging/logger.js';
import { createAuthStateStore, type AuthStateStore } from './auth-state-store.js';
import { recordDeliveryStatuses } from './delivery-status.js';
import { baileysMediaDownloader, type MediaDownloader } from './download-media.js';
import { createLease } from './lease.js';
import { createMessageLookup } from './message-store.js';
import { printQrToTerminal } from './qr-code.js';
import { SendPacer } from './send-pacer.js';
import { SentMedia } from './sent-media.js';
import { WhatsAppAdapter } from './whatsapp-adapter.js';
import { createWhatsAppConnection, type WhatsAppConnection, type WhatsAppStatus } from './whatsapp-connection.js';
import { createInboundHandler } from './whatsapp-inbound.js';
import { baileysSocketFactory, type WhatsAppSocketFactory } from './whatsapp-socket.js';

export const WHATSAPP_LEASE_NAME = 'whatsapp';
/** A receipt that came before the dispatcher stored the message id is tried once more after this. */
const RECEIPT_RETRY_MS = 2000;

export interface WhatsAppChannelOptions {
  maxMediaBytes: number;
  messagesPerMinute: number;
  chatMessagesPerMinute: number;
  /** Messages to one chat that may go close together before its pace applies (WHATSAPP_CHAT_BURST). */
  chatBurst?: number;
  jitterMs: number;
  leaseMs: number;
  /** This process's name in the lease (unique per instance). */
  instanceId: string;
  /** Tests pass a fake; production opens a real Baileys socket. */
  socketFactory?: WhatsAppSocketFactory;
  /** Tests pass a fake; production downloads from WhatsApp's media servers. */
  downloadMedia?: MediaDownloader;
  /** Where a QR is shown besides the staff page; the terminal by default. */
  printQr?: (qr: string) => void;
  /** First reconnect delay after a transient close (tests make it short). */
  reconnectBackoffMs?: number;
}

export interface WhatsAppChannelDeps {
  conversations: ConversationService;
  database: Database;
  texts: Texts;
  logger: Logger;
  /** The socket opened: the dispatcher can send what waited. */
  onReady?: () => void;
  /** WhatsApp logged the number out: alert staff (the inbox's notifiers). */
  onLoggedOut?: () => void;
}

export interface WhatsAppChannel {
  adapter: WhatsAppAdapter;
  connection: WhatsAppConnection;
  authStore: AuthStateStore;
  status(): WhatsAppStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The WhatsApp channel on Baileys: the connection (lease, socket, reconnects), inbound messages to
 * the conversation service, replies through the adapter, receipts onto the outbox rows.
 */
export function createWhatsAppChannel(options: WhatsAppChannelOptions, deps: WhatsAppChannelDeps): WhatsAppChannel {
  const { conversations, database, texts } = deps;
  const logger = deps.logger.child({ channel: 'whatsapp' });
  const authStore = createAuthStateStore(database);
  const receiptTimers = new Set<NodeJS.Timeout>();
  const sentMedia = new SentMedia();
  let qrLoggedAt = 0;

  const onMessages = createInboundHandler({
    conversations,
    database,
    logger,
    maxMediaBytes: options.maxMediaBytes,
    downloadMedia: options.downloadMedia ?? baileysMediaDownloader,
  });

  async function onMessageUpdates(updates: WAMessageUpdate[]): Promise<void> {
    const unmatched = await recordDeliveryStatuses(database, updates);
    if (unmatched.length === 0) return;
    const timer = setTimeout(() => {
      receiptTimers.delete(timer);
      void recordDeliveryStatuses(database, unmatched).catch((error) =>
        logger.warn({ err: error }, 'recording WhatsApp receipts failed'),
      );
    }, RECEIPT_RETRY_MS);
    receiptTimers.add(timer);
  }

  const connection = createWhatsAppConnection({
    authStore,
    lease: createLease(database, WHATSAPP_LEASE_NAME, options.instanceId, options.leaseMs),
    socketFactory: options.socketFactory ?? baileysSocketFactory,
    getMessage: createMessageLookup(database, texts, sentMedia),
    handlers: { onMessages, onMessageUpdates, onOpen: () => deps.onReady?.(), onLoggedOut: () => deps.onLoggedOut?.() },
    logger,
    leaseMs: options.leaseMs,
    ...(options.reconnectBackoffMs !== undefined ? { backoffMs: options.reconnectBackoffMs } : {}),
    printQr:
      options.printQr ??
      ((qr) => {
        void printQrToTerminal(qr).then((printed) => {
          // A new QR comes every ~20 s; without a terminal, say so once a minute, not every time.
          if (printed || Date.now() - qrLoggedAt < 60_000) return;
          qrLoggedAt = Date.now();
          logger.info('WhatsApp is waiting to be paired: open GET /whatsapp with the staff token to scan the QR code');
        });
      }),
  });

  const pacer = new SendPacer({
    perChatPerMinute: options.chatMessagesPerMinute,
    ...(options.chatBurst !== undefined ? { perChatBurst: options.chatBurst } : {}),
    globalPerMinute: options.messagesPerMinute,
    jitterMs: options.jitterMs,
  });
  const adapter = new WhatsAppAdapter(connection, pacer, texts, sentMedia);

  return {
    adapter,
    connection,
    authStore,
    status: () => connection.status(),
    start: () => connection.start(),
    async stop() {
      for (const timer of receiptTimers) clearTimeout(timer);
      receiptTimers.clear();
      await connection.stop();
    },
  };
}

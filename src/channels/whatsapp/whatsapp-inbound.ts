import type { WAMessage } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { ConversationService, InboundOutcome } from '../../conversation/conversation-service.js';
import { KeyedQueue } from '../../conversation/keyed-queue.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import { attachReceivedFile, inboundAlreadyStored } from '../../media/store-media.js';
import type { InboundMessage } from '../../conversation/inbound-message.js';
import { STORE_INBOUND_ATTEMPTS, STORE_INBOUND_BACKOFF } from '../../retry/backoff.js';
import { withRetries } from '../../retry/with-retries.js';
import { MediaTooLarge, type MediaDownloader } from './download-media.js';
import { normalizeMessage, senderOf, type WhatsAppMedia } from './normalize-message.js';
import type { WhatsAppEvents, WhatsAppSocket } from './whatsapp-socket.js';

export interface InboundDeps {
  conversations: ConversationService;
  database: Database;
  logger: Logger;
  maxMediaBytes: number;
  downloadMedia: MediaDownloader;
}

/**
 * `messages.upsert` → stored messages. Only `notify` (new messages; `append` is history and our own
 * sends). One chat's messages are handled one after another in arrival order, so a voice note that
 * takes a while to download is not overtaken by the text after it. Each is stored (media first,
 * deduplicated on the message key) and only then marked read.
 */
export function createInboundHandler(deps: InboundDeps) {
  const { conversations, database, logger } = deps;
  const queue = new KeyedQueue();
  const mediaLogger = logger.child({ module: 'whatsapp-media' }) as unknown as ILogger;

  async function fetchMedia(
    message: WAMessage,
    file: WhatsAppMedia,
    inbound: InboundMessage,
    socket: WhatsAppSocket,
  ): Promise<InboundMessage> {
    if (file.declaredBytes !== undefined && file.declaredBytes > deps.maxMediaBytes) return { ...inbound, notice: 'tooLarge' };
    try {
      const bytes = await deps.downloadMedia(message, { socket, maxBytes: deps.maxMediaBytes, logger: mediaLogger });
      if (bytes.byteLength > deps.maxMediaBytes) throw new MediaTooLarge();
      return await attachReceivedFile(database, inbound, { kind: file.kind, contentType: file.contentType, bytes });
    } catch (error) {
      if (error instanceof MediaTooLarge) return { ...inbound, notice: 'tooLarge' };
      logger.warn({ err: error, kind: file.kind }, 'could not fetch a WhatsApp file');
      return { ...inbound, notice: 'mediaFailed', media: { kind: file.kind, mediaId: null } };
    }
  }

  /** v7: a chat addressed only by LID; ask the socket's LID store for the phone number behind it. */
  async function withPhoneNumber(message: WAMessage, socket: WhatsAppSocket): Promise<WAMessage> {
    const sender = senderOf(message.key);
    const lidMapping = socket.signalRepository?.lidMapping;
    if (!sender || sender.phone !== undefined || !lidMapping) return message;
    const pn = await lidMapping.getPNForLID(sender.jid).catch(() => null);
    return pn ? { ...message, key: { ...message.key, remoteJidAlt: pn } } : message;
  }

  /** Baileys has acknowledged the message already: a database that is briefly away must not lose it. */
  function store(inbound: InboundMessage): Promise<InboundOutcome> {
    return withRetries(() => conversations.handleInbound(inbound), {
      attempts: STORE_INBOUND_ATTEMPTS,
      backoff: STORE_INBOUND_BACKOFF,
      onRetry: (error, attempt, retryInMs) =>
        logger.warn({ err: error, attempt, retryInMs }, 'storing a WhatsApp message failed; retrying'),
    });
  }

  async function handleOne(original: WAMessage, socket: WhatsAppSocket): Promise<void> {
    const message = await withPhoneNumber(original, socket);
    const normalized = normalizeMessage(message);
    if (normalized.kind === 'ignore') {
      logger.debug({ reason: normalized.reason }, 'WhatsApp message ignored');
      return;
    }
    const { jid, media } = normalized;
    // "typing…" while we fetch, store and think; only a hint, so a failure is not worth a word.
    void socket.sendPresenceUpdate('composing', jid).catch(() => undefined);
    let inbound = normalized.inbound;
    // A message delivered again must not store its file twice: fetch only what we have not seen.
    if (media && !(await inboundAlreadyStored(database, inbound))) inbound = await fetchMedia(message, media, inbound, socket);
    const outcome = await store(inbound);
    await socket.readMessages([original.key]).catch((error) => logger.debug({ err: error }, 'read receipt failed'));
    if (outcome.status === 'duplicate' || outcome.replies === 0)
      void socket.sendPresenceUpdate('paused', jid).catch(() => undefined);
  }

  return async function onMessages(payload: WhatsAppEvents['messages.upsert'], socket: WhatsAppSocket): Promise<void> {
    if (payload.type !== 'notify') return;
    await Promise.all(
      payload.messages.map((message) => {
        const chat = senderOf(message.key)?.jid ?? message.key.remoteJid ?? '';
        return queue
          .run(chat, () => handleOne(message, socket))
          .catch((error) => {
            // Baileys acknowledged it already: this message is lost unless the resident sends it again.
            logger.error({ err: error, messageId: message.key.id }, 'a WhatsApp message could not be stored');
          });
      }),
    );
  };
}

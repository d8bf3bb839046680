import type { InboundOutcome } from '../../conversation/conversation-service.js';
import type { InboundMessage } from '../../conversation/inbound-message.js';
import { KeyedQueue } from '../../conversation/keyed-queue.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import { attachReceivedFile, inboundAlreadyStored } from '../../media/store-media.js';
import { describeGraphError } from './classify-cloud-error.js';
import type { GraphApi } from './graph-api.js';
import { normalizeCloudMessage, type CloudMedia } from './normalize-cloud-message.js';
import type { CloudStatus, InboundItem } from './webhook-payload.js';

/** Where a resident's files go: the media table, unless a test says otherwise. */
export interface MediaStore {
  /** True when this message was stored before (a re-delivery): its file is not fetched again. */
  alreadyStored(inbound: InboundMessage): Promise<boolean>;
  attach(
    inbound: InboundMessage,
    file: { kind: CloudMedia['kind']; contentType: string; bytes: Uint8Array },
  ): Promise<InboundMessage>;
}

export function databaseMediaStore(database: Database): MediaStore {
  return {
    alreadyStored: (inbound) => inboundAlreadyStored(database, inbound),
    attach: (inbound, file) => attachReceivedFile(database, inbound, file),
  };
}

export interface CloudInboundDeps {
  graph: Pick<GraphApi, 'downloadMedia' | 'markRead'>;
  /** ConversationService.handleInbound: stores (deduplicated on externalMessageId) and runs the step. */
  handleInbound: (message: InboundMessage) => Promise<InboundOutcome>;
  media: MediaStore;
  /** Records delivery statuses (cloud-statuses.ts); throws when it could not. */
  recordStatuses: (statuses: readonly CloudStatus[]) => Promise<void>;
  maxMediaBytes: number;
  logger: Logger;
  /** The resident wrote (the window is open again): replies held back for them may go now. */
  onResidentWrote?: (residentId: string) => Promise<unknown>;
}

export interface CloudInbound {
  /**
   * Stores every message of one webhook body (files first), then records its statuses. Resolves once
   * all of it is stored; rejects when any of it could not be (Meta then delivers the body again, and
   * what was stored is deduplicated).
   */
  receive(content: { messages: readonly InboundItem[]; statuses: readonly CloudStatus[] }): Promise<void>;
}

/**
 * A webhook's messages → stored messages. One resident's messages are handled one after another in
 * the order they came, also across webhook calls, so a voice note that takes a while to download is
 * not overtaken by the text after it; different residents at the same time. Each message is marked
 * read once stored (a hint to the resident: a failure is only logged).
 */
export function createCloudInbound(deps: CloudInboundDeps): CloudInbound {
  const { graph, media, logger } = deps;
  const queue = new KeyedQueue();

  async function fetchMedia(file: CloudMedia, inbound: InboundMessage): Promise<InboundMessage> {
    const download = await graph.downloadMedia(file.mediaId, deps.maxMediaBytes);
    if (download.status === 'tooLarge') return { ...inbound, notice: 'tooLarge' };
    if (download.status === 'failed') {
      logger.warn({ reason: describeGraphError(download.error), kind: file.kind }, 'could not fetch a WhatsApp Cloud file');
      return { ...inbound, notice: 'mediaFailed', media: { kind: file.kind, mediaId: null } };
    }
    // A failure to store the file is not caught: the webhook answers 500 and the file is fetched again.
    return media.attach(inbound, { kind: file.kind, contentType: download.mimeType || file.contentType, bytes: download.bytes });
  }

  async function handleOne(item: InboundItem): Promise<void> {
    const normalized = normalizeCloudMessage(item);
    if (normalized.kind === 'ignore') {
      logger.debug({ reason: normalized.reason }, 'WhatsApp Cloud message ignored');
      return;
    }
    let inbound = normalized.inbound;
    // A message delivered again must not store its file twice: fetch only what we have not seen.
    if (normalized.media && !(await media.alreadyStored(inbound))) inbound = await fetchMedia(normalized.media, inbound);
    const outcome = await deps.handleInbound(inbound);
    if (outcome.status === 'processed') {
      await deps
        .onResidentWrote?.(outcome.residentId)
        .catch((error: unknown) => logger.warn({ err: error }, 'could not release the replies that waited for the resident'));
    }
    void graph
      .markRead(normalized.wamid)
      .then((result) => {
        if (!result.ok) logger.debug({ reason: describeGraphError(result.error) }, 'WhatsApp Cloud read receipt failed');
      })
      .catch((error) => logger.debug({ err: error }, 'WhatsApp Cloud read receipt failed'));
  }

  return {
    async receive({ messages, statuses }) {
      const bySender = new Map<string, InboundItem[]>();
      for (const item of messages) bySender.set(item.message.from, [...(bySender.get(item.message.from) ?? []), item]);
      // A resident's messages after one that could not be stored wait for the redelivery, in order.
      const outcomes = await Promise.allSettled(
        [...bySender].map(([sender, items]) =>
          queue.run(sender, async () => {
            for (const item of items) await handleOne(item);
          }),
        ),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (statuses.length > 0) await deps.recordStatuses(statuses);
      if (failed) throw failed.reason;
    },
  };
}

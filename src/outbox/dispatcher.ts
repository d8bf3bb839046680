import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ChannelName } from '../conversation/inbound-message.js';
import { recordSent, type SentRecord } from './record-sent.js';
import type { ChannelAdapter, DeleteResult, SendResult } from './channel-adapter.js';
import type { Database } from '../db/database.js';
import { media, messages, outbox, residents } from '../db/schema.js';
import { OUTBOUND_TEMPLATES, type OutboundFile, type OutboundMessage, type OutboundTemplate } from '../engine/types.js';
import { outboundFileName } from '../media/outbound-file-name.js';
import type { Logger } from '../logging/logger.js';
import type { DirectReply } from '../conversation/conversation-service.js';
import type { Metrics, SendOutcome } from '../metrics/metrics.js';
import { backoffDelayMs, OUTBOX_BACKOFF } from '../retry/backoff.js';

export interface DispatcherOptions {
  database: Database;
  adapters: Map<ChannelName, ChannelAdapter>;
  logger: Logger;
  maxAttempts: number;
  pollMs: number;
  /** How long a picked row stays with this dispatcher before another may take it (a crash lets go). */
  leaseMs?: number;
  /** Writing direction of a locale, to rebuild the stored message. */
  dirOf: (locale: string) => 'ltr' | 'rtl';
  /** Rows sent at the same time at most (default 50); a free place is claimed again at once. */
  maxInFlight?: number;
  /**
   * How long a successful send waits to be recorded with the others of its moment, in one update
   * (default 20 ms). Longer means fewer statements under load; a crash in between means those few are
   * sent again once their lease runs out.
   */
  recordSentAfterMs?: number;
  /** Called after a send's outcome is recorded (the inbox shows each staff reply's delivery state). */
  onSettled?: (row: { messageId: number; residentId: string }) => void;
  /**
   * Called after a deletion (discreet mode) ended, deleted or given up: the web chat wakes the page, and
   * the resident is told of the ones that could not be deleted once none is left to try.
   */
  onDeletionSettled?: (row: { residentId: string; channel: ChannelName; externalUserId: string }) => void;
  /** Where each send's outcome is counted (/metrics). */
  metrics?: Pick<Metrics, 'send'>;
}

export interface Dispatcher {
  /** Sends what is due now; resolves with the number of rows it handled. */
  runOnce(): Promise<number>;
  /** Asks for a run as soon as possible (after a step wrote replies). */
  kick(): void;
  /**
   * Sends replies a step leased to this process, straight after its commit: no claim and no read of
   * the rows (the step handed over the text). Their rows stay the durable record: marked sent in
   * batches, and should this process die first, the lease runs out and any dispatcher sends them.
   */
  sendCommitted(replies: readonly DirectReply[]): void;
  /** True while started and not stopping: only then may a step lease its replies to this process. */
  accepting(): boolean;
  /**
   * The sends to `address` that went out but are not recorded yet (their rows still look `pending`):
   * a step may lease its replies for a direct send all the same, and records them itself when it must
   * read them (discreet mode).
   */
  sentNotRecorded(address: string): readonly SentRecord[];
  start(): void;
  stop(): Promise<void>;
}

interface Details {
  id: number;
  text: string | null;
  choices: OutboundMessage['choices'] | null;
  locale: string | null;
  template: string | null;
  /** A staff member's file (issue 15): the message's text is its caption. */
  mediaId: string | null;
  mediaKind: string | null;
  externalId: string;
}

interface ClaimedRow {
  id: number;
  message_id: number;
  resident_id: string;
  channel: ChannelName;
  attempts: number;
  /** `deleting`: the row of a sent message that discreet mode takes off the resident's screen. */
  delivery_status: string | null;
  channel_message_id: string | null;
  /** Milliseconds since the epoch (a number on both drivers, unlike a timestamp). */
  sent_at_ms: number | string | null;
}

/**
 * `outbox.delivery_status` of discreet mode's deletions. A sent message's row goes back to `pending`
 * with `deleting` (conversation/effects/clean-chat.ts), and the dispatcher deletes it on the channel like it
 * sends: leased, retried with backoff, given up after maxAttempts. It ends `sent` again with
 * `deleted`, or `delete-failed` (the resident is then told, after which it is `not-deleted`).
 */
export const DELETING = 'deleting';

function outcomeOf(
  failure: { retry: boolean; retryAfterMs?: number | undefined; unreachable?: boolean | undefined },
  giveUp: boolean,
): SendOutcome {
  if (failure.unreachable) return 'unreachable';
  if (giveUp) return 'failed';
  return failure.retryAfterMs !== undefined ? 'retry_after' : 'retry';
}

/**
 * Sends outbox rows through the channel adapters, oldest first, one row per resident at a time so a
 * resident's messages arrive in order; retries with backoff, honours a channel's retry-after.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { database, adapters, logger, maxAttempts, pollMs } = options;
  const { db } = database;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxInFlight = options.maxInFlight ?? 50;
  const recordSentAfterMs = options.recordSentAfterMs ?? 20;
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  /** Set by stop(): no new rows are claimed, those in flight finish. */
  let stopping = false;

  async function claim(limit: number): Promise<ClaimedRow[]> {
    // Channels this process cannot send on right now: their rows wait, and no attempt is counted.
    const paused = [...adapters].filter(([, adapter]) => adapter.isReady?.() === false).map(([channel]) => channel);
    const notPaused =
      paused.length > 0
        ? sql`and o.channel not in (${sql.join(
            paused.map((channel) => sql`${channel}`),
            sql`, `,
          )})`
        : sql``;
    const rows = await database.rows<ClaimedRow>(sql`
      update outbox set leased_until = now() + ${`${leaseMs} milliseconds`}::interval, attempts = attempts + 1
      where id in (
        select o.id from outbox o
        where o.status = 'pending' and o.next_attempt_at <= now()
          and (o.leased_until is null or o.leased_until < now())
          ${notPaused}
          and not exists (select 1 from residents r where r.id = o.resident_id and r.unreachable)
          and not exists (
            select 1 from outbox p where p.resident_id = o.resident_id and p.status = 'pending' and p.id < o.id
              -- a deletion waits for what was queued before it; a send never waits for a deletion
              and (o.delivery_status = ${DELETING} or p.delivery_status is distinct from ${DELETING})
          )
        order by o.id
        limit ${limit}
        for update skip locked
      )
      returning id, message_id, resident_id, channel, attempts, delivery_status, channel_message_id,
        (extract(epoch from sent_at) * 1000)::float8 as sent_at_ms`);
    // postgres.js returns bigint columns as strings; PGlite as numbers.
    return rows.map((r) => ({ ...r, id: Number(r.id), message_id: Number(r.message_id), attempts: Number(r.attempts) }));
  }

  /** Successful sends waiting to be recorded: one update for all of them, shortly after the first. */
  let sentBatch: (SentRecord & { messageId: number; residentId: string; address: string })[] = [];
  /** Per channel address, the sends not recorded yet (in the batch or in its update), by outbox id. */
  const unrecorded = new Map<string, Map<number, SentRecord>>();
  /**
   * A claim ran while some sends were in flight or unrecorded: a resident's next row may have been
   * passed over (it waits for the row before it, still pending), so once they are recorded, claim again.
   */
  let claimAfterRecording = false;
  let flushTimer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();

  function markSent(row: ClaimedRow, channelMessageId: string, externalUserId: string): void {
    const address = `${row.channel}:${externalUserId}`;
    const sent: SentRecord = { id: row.id, cmid: channelMessageId, sent_at: new Date().toISOString() };
    sentBatch.push({ ...sent, messageId: row.message_id, residentId: row.resident_id, address });
    const ofAddress = unrecorded.get(address);
    if (ofAddress) ofAddress.set(row.id, sent);
    else unrecorded.set(address, new Map([[row.id, sent]]));
    flushTimer ??= setTimeout(() => void flushSent(), recordSentAfterMs);
  }

  function flushSent(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    flushing = flushing.then(async () => {
      const batch = sentBatch;
      sentBatch = [];
      if (batch.length === 0) return;
      try {
        await database.transaction((_tx, query) => recordSent(query, batch, { thenCommit: true }));
      } catch (error) {
        // Not recorded yet: kept for the next flush (a lease that runs out first means a second send).
        logger.error({ err: error, rows: batch.length }, 'could not record sent messages; trying again');
        sentBatch = [...batch, ...sentBatch];
        flushTimer ??= setTimeout(() => void flushSent(), 1000);
        return;
      }
      for (const row of batch) {
        const ids = unrecorded.get(row.address);
        ids?.delete(row.id);
        if (ids?.size === 0) unrecorded.delete(row.address);
        options.onSettled?.({ messageId: row.messageId, residentId: row.residentId });
      }
      if (claimAfterRecording && started && !stopping) {
        claimAfterRecording = false;
        void fill();
      }
    });
    return flushing;
  }

  /** Sends one row; a success is recorded in the next batch, a failure at once. Returns whether it was sent. */
  async function sendOne(
    row: ClaimedRow,
    message: OutboundMessage,
    externalUserId: string,
    /** When the resident's message arrived, for the first reply sent straight after its step. */
    arrivedAt?: number,
    /** Why this message cannot be sent at all (its file is gone): given up without asking the channel. */
    unsendable?: string,
  ): Promise<boolean> {
    const adapter = adapters.get(row.channel);
    let result: SendResult;
    if (unsendable) {
      result = { ok: false, retry: false, reason: unsendable };
    } else if (!adapter) {
      result = { ok: false, retry: true, reason: `no adapter for channel ${row.channel} is running` };
    } else {
      try {
        result = await adapter.send({ residentId: row.resident_id, externalUserId }, message, { messageId: row.message_id });
      } catch (error) {
        result = { ok: false, retry: true, reason: `adapter threw: ${(error as Error).message}` };
      }
    }
    if (result.ok) {
      markSent(row, result.channelMessageId, externalUserId);
      options.metrics?.send(row.channel, 'sent', arrivedAt === undefined ? undefined : (Date.now() - arrivedAt) / 1000);
      return true;
    }
    const giveUp = !result.retry || row.attempts >= maxAttempts;
    options.metrics?.send(row.channel, outcomeOf(result, giveUp));
    const delay = result.retryAfterMs ?? backoffDelayMs(row.attempts, OUTBOX_BACKOFF);
    // Marked before this row stops being pending: the resident's next row becomes claimable then, and
    // another fill may claim it at once; an unreachable resident's rows are never claimed.
    if (result.unreachable) await db.update(residents).set({ unreachable: true }).where(eq(residents.id, row.resident_id));
    await db
      .update(outbox)
      .set({
        status: giveUp ? 'failed' : 'pending',
        nextAttemptAt: new Date(Date.now() + delay),
        leasedUntil: null,
        lastError: result.reason.slice(0, 500),
      })
      .where(eq(outbox.id, row.id));
    if (result.unreachable) {
      // They blocked us (or left): nothing else queued for them can arrive either. Deletions of sent
      // messages stay queued: they go when the resident writes again (then reachable again).
      await db
        .update(outbox)
        .set({ status: 'failed', lastError: 'the resident cannot be reached on this channel', leasedUntil: null })
        .where(
          and(
            eq(outbox.residentId, row.resident_id),
            eq(outbox.status, 'pending'),
            sql`${outbox.deliveryStatus} is distinct from ${DELETING}`,
          ),
        );
    }
    logger[giveUp ? 'warn' : 'info'](
      { outboxId: row.id, channel: row.channel, attempts: row.attempts, reason: result.reason, retryInMs: giveUp ? null : delay },
      giveUp ? 'outbound message failed for good' : 'outbound message will be retried',
    );
    return false;
  }

  /** Discreet mode: takes one sent message off the resident's screen, and records how that went. */
  async function deleteOne(row: ClaimedRow, externalUserId: string): Promise<void> {
    const adapter = adapters.get(row.channel);
    let result: DeleteResult;
    if (!adapter) result = { ok: false, retry: true, reason: `no adapter for channel ${row.channel} is running` };
    else if (!adapter.deleteMessage) result = { ok: false, retry: false, reason: `${row.channel} cannot delete messages` };
    else if (!row.channel_message_id) result = { ok: false, retry: false, reason: 'the channel gave no id for this message' };
    else {
      try {
        result = await adapter.deleteMessage(
          { residentId: row.resident_id, externalUserId },
          { channelMessageId: row.channel_message_id, sentAt: row.sent_at_ms === null ? null : new Date(Number(row.sent_at_ms)) },
        );
      } catch (error) {
        result = { ok: false, retry: true, reason: `adapter threw: ${(error as Error).message}` };
      }
    }
    const settled = result.ok || !result.retry || row.attempts >= maxAttempts;
    const delay = result.ok ? 0 : (result.retryAfterMs ?? backoffDelayMs(row.attempts, OUTBOX_BACKOFF));
    // The send's own record (status sent, sent_at, the channel's id) stays as it was.
    await db
      .update(outbox)
      .set(
        settled
          ? {
              status: 'sent',
              deliveryStatus: result.ok ? 'deleted' : 'delete-failed',
              deliveryStatusAt: new Date(),
              leasedUntil: null,
              lastError: result.ok ? null : result.reason.slice(0, 500),
            }
          : {
              status: 'pending',
              nextAttemptAt: new Date(Date.now() + delay),
              leasedUntil: null,
              lastError: (result as { reason: string }).reason.slice(0, 500),
            },
      )
      .where(eq(outbox.id, row.id));
    if (!result.ok) {
      logger[settled ? 'warn' : 'info'](
        {
          outboxId: row.id,
          channel: row.channel,
          attempts: row.attempts,
          reason: result.reason,
          retryInMs: settled ? null : delay,
        },
        settled ? 'deleting a sent message failed for good' : 'deleting a sent message will be retried',
      );
    }
    if (settled) options.onDeletionSettled?.({ residentId: row.resident_id, channel: row.channel, externalUserId });
  }

  /** Message text and the resident's channel address of claimed rows, by message id. */
  async function detailsOf(claimed: ClaimedRow[]): Promise<Map<number, Details>> {
    const details = await db
      .select({
        id: messages.id,
        text: messages.text,
        choices: messages.choices,
        locale: messages.locale,
        template: messages.template,
        mediaId: messages.mediaId,
        mediaKind: messages.mediaKind,
        externalId: residents.externalId,
      })
      .from(messages)
      .innerJoin(residents, eq(residents.id, messages.residentId))
      .where(
        inArray(
          messages.id,
          claimed.map((r) => r.message_id),
        ),
      );
    return new Map(details.map((d) => [d.id, d]));
  }

  /** The stored file a message carries, as a channel sends it; null when it is gone (or of no kind we send). */
  async function fileOf(mediaId: string | null): Promise<OutboundFile | null> {
    if (!mediaId) return null;
    const [row] = await db
      .select({ kind: media.kind, contentType: media.contentType, content: media.content })
      .from(media)
      .where(eq(media.id, mediaId));
    if (!row || (row.kind !== 'image' && row.kind !== 'document')) return null;
    return {
      kind: row.kind,
      contentType: row.contentType,
      name: outboundFileName(row.contentType),
      bytes: database.cipher.decryptBytes(row.content),
    };
  }

  /** Sends (or deletes) one claimed row and records the outcome; never throws. */
  async function handle(row: ClaimedRow, d: Details | undefined): Promise<void> {
    if (!d) return;
    try {
      if (row.delivery_status === DELETING) {
        await deleteOne(row, d.externalId);
      } else {
        const locale = d.locale ?? 'nl';
        // A staff member's file is read (and decrypted) only now, for this send: it is not kept in memory.
        const file = d.mediaKind ? await fileOf(d.mediaId) : undefined;
        const message: OutboundMessage = {
          text: database.cipher.decryptText(d.text) ?? '',
          choices: d.choices ?? undefined,
          locale,
          dir: options.dirOf(locale),
          ...(isOutboundTemplate(d.template) ? { template: d.template } : {}),
          ...(file ? { file } : {}),
        };
        const unsendable = file === null ? 'the file of this message is no longer stored' : undefined;
        // A sent row is settled once its batch is recorded (flushSent calls onSettled).
        if (await sendOne(row, message, d.externalId, undefined, unsendable)) return;
      }
      options.onSettled?.({ messageId: row.message_id, residentId: row.resident_id });
    } catch (error) {
      logger.error({ err: error, outboxId: row.id }, 'could not record the outcome of a send or deletion');
    }
  }

  /**
   * Keeps up to `maxInFlight` rows in flight: claims what is due for the free places, and claims again
   * as soon as one row is done. A slow send (a channel's per-chat pace holds it a second) then holds
   * only its own resident, whose next row is claimable once it is done; never the other residents.
   */
  const inFlight = new Set<Promise<void>>();
  let handled = 0;
  let filling: Promise<void> | null = null;
  let fillAgain = false;

  async function fillLoop(): Promise<void> {
    try {
      do {
        fillAgain = false;
        while (!stopping && inFlight.size < maxInFlight) {
          if (unrecorded.size > 0 || inFlight.size > 0) claimAfterRecording = true;
          const claimed = await claim(maxInFlight - inFlight.size);
          if (claimed.length === 0) break;
          const details = await detailsOf(claimed);
          for (const row of claimed) {
            const job: Promise<void> = handle(row, details.get(row.message_id)).finally(() => {
              inFlight.delete(job);
              handled++;
              if (!stopping) void fill();
            });
            inFlight.add(job);
          }
        }
      } while (fillAgain && !stopping);
    } catch (error) {
      logger.error({ err: error }, 'dispatcher run failed');
    }
  }

  /** Starts a fill, or asks the running one for another round. */
  function fill(): Promise<void> {
    if (filling) {
      fillAgain = true;
      return filling;
    }
    // Cleared in a `.finally` callback, which always runs after this assignment: a loop that finds
    // nothing to do ends without awaiting, and clearing inside it would come before the assignment.
    const run: Promise<void> = fillLoop().finally(() => {
      if (filling === run) filling = null;
    });
    filling = run;
    return run;
  }

  /** Sends until nothing is due and nothing is in flight; resolves with the rows handled meanwhile. */
  async function drain(): Promise<number> {
    const before = handled;
    for (;;) {
      await fill();
      while (inFlight.size > 0) await Promise.race(inFlight);
      // Recording what was sent may free a resident's next row: then another round.
      const recorded = sentBatch.length > 0;
      await flushSent();
      if (!recorded && !filling && !fillAgain) break;
    }
    return handled - before;
  }

  // The poll only finds rows that became due (retries); new replies come with a kick.
  const schedule = () => {
    if (!started || stopping) return;
    timer = setTimeout(async () => {
      await fill();
      schedule();
    }, pollMs);
  };

  /** One step's leased replies, in order; a failure is recorded like any other (the poller retries it). */
  async function sendDirect(replies: readonly DirectReply[]): Promise<void> {
    for (const [index, reply] of replies.entries()) {
      const row: ClaimedRow = {
        id: reply.outboxId,
        message_id: reply.messageId,
        resident_id: reply.residentId,
        channel: reply.channel,
        attempts: 1,
        delivery_status: null,
        channel_message_id: null,
        sent_at_ms: null,
      };
      try {
        if (await sendOne(row, reply.message, reply.externalUserId, index === 0 ? reply.arrivedAt : undefined)) continue;
        // A failure: the replies after it are let go at once, for the poller to send after the failed
        // one (the rows before it were sent; they are recorded with their batch, never sent again).
        const later = replies.slice(index + 1).map((r) => r.outboxId);
        if (later.length > 0) {
          await db
            .update(outbox)
            .set({ leasedUntil: null, attempts: 0 })
            .where(and(inArray(outbox.id, later), eq(outbox.status, 'pending')));
        }
        options.onSettled?.({ messageId: row.message_id, residentId: row.resident_id });
        return;
      } catch (error) {
        logger.error({ err: error, outboxId: row.id }, 'could not record the outcome of a send');
        return;
      }
    }
  }

  return {
    runOnce: () => drain(),
    kick: () => {
      if (started && !stopping) void fill();
    },
    accepting: () => started && !stopping,
    sentNotRecorded: (address) => [...(unrecorded.get(address)?.values() ?? [])],
    sendCommitted: (replies) => {
      if (replies.length === 0) return;
      const job: Promise<void> = sendDirect(replies).finally(() => {
        inFlight.delete(job);
        handled += replies.length;
      });
      inFlight.add(job);
    },
    start: () => {
      if (started && !stopping) return;
      started = true;
      stopping = false;
      schedule();
    },
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      await filling;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await flushSent();
    },
  };
}

function isOutboundTemplate(value: string | null): value is OutboundTemplate {
  return (OUTBOUND_TEMPLATES as readonly (string | null)[]).includes(value);
}

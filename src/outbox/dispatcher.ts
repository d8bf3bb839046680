import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ChannelName } from '../conversation/inbound-message.js';
import type { ChannelAdapter, DeleteResult, SendResult } from './channel-adapter.js';
import type { Database } from '../db/database.js';
import { messages, outbox, residents } from '../db/schema.js';
import type { OutboundMessage } from '../engine/types.js';
import type { Logger } from '../logging/logger.js';
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
  /** Called after a send's outcome is recorded (the inbox shows each staff reply's delivery state). */
  onSettled?: (row: { messageId: number; residentId: string }) => void;
  /**
   * Called after a deletion (discreet mode) ended, deleted or given up: the web chat wakes the page, and
   * the resident is told of the ones that could not be deleted once none is left to try.
   */
  onDeletionSettled?: (row: { residentId: string; channel: ChannelName; externalUserId: string }) => void;
}

export interface Dispatcher {
  /** Sends what is due now; resolves with the number of rows it handled. */
  runOnce(): Promise<number>;
  /** Asks for a run as soon as possible (after a step wrote replies). */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

interface Details {
  id: number;
  text: string | null;
  choices: OutboundMessage['choices'] | null;
  locale: string | null;
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

/**
 * Sends outbox rows through the channel adapters, oldest first, one row per resident at a time so a
 * resident's messages arrive in order; retries with backoff, honours a channel's retry-after.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { database, adapters, logger, maxAttempts, pollMs } = options;
  const { db } = database;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxInFlight = options.maxInFlight ?? 50;
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

  async function sendOne(row: ClaimedRow, message: OutboundMessage, externalUserId: string): Promise<void> {
    const adapter = adapters.get(row.channel);
    let result: SendResult;
    if (!adapter) {
      result = { ok: false, retry: true, reason: `no adapter for channel ${row.channel} is running` };
    } else {
      try {
        result = await adapter.send({ residentId: row.resident_id, externalUserId }, message, { messageId: row.message_id });
      } catch (error) {
        result = { ok: false, retry: true, reason: `adapter threw: ${(error as Error).message}` };
      }
    }
    if (result.ok) {
      await db
        .update(outbox)
        .set({
          status: 'sent',
          sentAt: new Date(),
          channelMessageId: result.channelMessageId,
          leasedUntil: null,
          lastError: null,
        })
        .where(eq(outbox.id, row.id));
      return;
    }
    const giveUp = !result.retry || row.attempts >= maxAttempts;
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

  /** Sends (or deletes) one claimed row and records the outcome; never throws. */
  async function handle(row: ClaimedRow, d: Details | undefined): Promise<void> {
    if (!d) return;
    try {
      if (row.delivery_status === DELETING) {
        await deleteOne(row, d.externalId);
      } else {
        const locale = d.locale ?? 'nl';
        const message: OutboundMessage = {
          text: database.cipher.decryptText(d.text) ?? '',
          choices: d.choices ?? undefined,
          locale,
          dir: options.dirOf(locale),
        };
        await sendOne(row, message, d.externalId);
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
    do {
      await fill();
      while (inFlight.size > 0) await Promise.race(inFlight);
    } while (filling || fillAgain);
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

  return {
    runOnce: () => drain(),
    kick: () => {
      if (started && !stopping) void fill();
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
    },
  };
}

import type { Database } from '../db/database.js';
import type { Query } from '../db/query.js';
import type { Logger } from '../logging/logger.js';
import { createPoller } from '../lifecycle/poller.js';
import type { ErasureService } from './erasure-service.js';
import { createScheduledJob, type ScheduledJob } from './scheduled-job.js';

export interface RetentionPolicy {
  /** A resident whose cases are all closed goes this many days after their last activity. */
  closedDays: number;
  /** A resident who never reached a person (no handoff) goes this many days after their last activity. */
  abandonedDays: number;
}

const BATCH = 100;

/*
 * Which residents are due, per resident (everything of one resident goes at once):
 * - never while any handoff of theirs is waiting or claimed (staff close it first), nor while a staff
 *   erasure's confirmation is on its way (that row goes by itself);
 * - `retention-closed`: they have handoffs, all closed, and their last activity is older than closedDays;
 * - `retention-abandoned`: no handoff at all (an intake left halfway, a consent declined without
 *   asking for a person, a resident who erased their own data), last activity older than abandonedDays.
 * Last activity: the latest of their first contact, their last message in, any message to or from them,
 * and any change to or closing of a handoff.
 */
const DUE_WHERE = `
  r.erasure_pending_since is null
  and not exists (select 1 from handoffs h where h.resident_id = r.id and h.status <> 'closed')
  and greatest(r.created_at, r.last_inbound_at,
               (select max(m.created_at) from messages m where m.resident_id = r.id),
               (select max(greatest(h.updated_at, h.closed_at)) from handoffs h where h.resident_id = r.id))
      < $1::timestamptz - make_interval(days => case when exists (select 1 from handoffs h where h.resident_id = r.id) then $2::int else $3::int end)`;
const REASON = `case when exists (select 1 from handoffs h where h.resident_id = r.id) then 'retention-closed' else 'retention-abandoned' end`;

type PurgeReason = 'retention-closed' | 'retention-abandoned';

export interface PurgeResult {
  closed: number;
  abandoned: number;
  /** Rows of staff-erased residents whose confirmation had left. */
  confirmed: number;
}

/**
 * Purges the residents the retention rules make due at `now`, in batches, each resident in its own
 * transaction through the erasure service (the same erasure as staff's, counted and audited as a
 * system action). `renew` is asked between batches and stops the run when the job's claim was lost.
 */
export async function purgeDue(
  deps: { database: Database; erasure: ErasureService; policy: RetentionPolicy },
  now = new Date(),
  renew: () => Promise<boolean> = async () => true,
): Promise<PurgeResult> {
  const { database, erasure, policy } = deps;
  const result: PurgeResult = { closed: 0, abandoned: 0, confirmed: await erasure.finishPending(now) };
  const stillDue = (id: string) => async (query: Query) =>
    (
      await query(`select 1 from residents r where r.id = $4::uuid and ${DUE_WHERE}`, [
        now.toISOString(),
        policy.closedDays,
        policy.abandonedDays,
        id,
      ])
    ).length === 1;
  let skipped = 0;
  for (;;) {
    const due = await database.transaction((_tx, query) =>
      query<{ id: string; reason: PurgeReason }>(
        `select r.id, ${REASON} as reason from residents r where ${DUE_WHERE}
         order by r.created_at limit $4 offset $5`,
        [now.toISOString(), policy.closedDays, policy.abandonedDays, BATCH, skipped],
      ),
    );
    for (const { id, reason } of due) {
      if (await erasure.purge(id, reason, stillDue(id), now)) {
        if (reason === 'retention-closed') result.closed++;
        else result.abandoned++;
      } else skipped++;
    }
    if (due.length < BATCH || !(await renew())) break;
  }
  return result;
}

export interface RetentionRunnerOptions {
  database: Database;
  erasure: ErasureService;
  logger: Logger;
  policy: RetentionPolicy;
  /** How often the purge runs (once over all instances); 0 turns it off. */
  everyMs: number;
  /** How often this instance looks whether the purge is due, and finishes staff erasures whose confirmation left. */
  pollMs?: number;
  holder: string;
}

export interface RetentionRunner {
  /** The purge job (runs if due; tests call it directly). */
  job: ScheduledJob | null;
  /** One look: finish pending staff erasures, run the purge if due. */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The scheduled side of privacy on every instance: every `pollMs`, finish the staff erasures whose
 * confirmation has left, and run the retention purge when its `scheduled_jobs` row says it is due.
 */
export function createRetentionRunner(options: RetentionRunnerOptions): RetentionRunner {
  const { database, erasure, logger, policy } = options;
  const pollMs = options.pollMs ?? Math.min(60_000, options.everyMs || 60_000);
  const job =
    options.everyMs > 0
      ? createScheduledJob({
          database,
          logger,
          name: 'retention-purge',
          everyMs: options.everyMs,
          holder: options.holder,
          run: async (renew) => ({ ...(await purgeDue({ database, erasure, policy }, new Date(), renew)) }),
        })
      : null;
  // The error is logged under the job name "privacy housekeeping"; the poller keeps going.
  const poller = createPoller({
    name: 'privacy housekeeping',
    everyMs: pollMs,
    logger,
    work: async () => {
      await erasure.finishPending();
      await job?.runIfDue();
    },
  });
  return { job, tick: poller.tick, start: poller.start, stop: poller.stop };
}

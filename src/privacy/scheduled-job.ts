import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';

export interface ScheduledJobOptions {
  database: Database;
  logger: Logger;
  /** The row in `scheduled_jobs`. */
  name: string;
  /** Time from the end of one run to the next. */
  everyMs: number;
  /** How long a claim holds without renewal; a crashed holder lets go after it. */
  leaseMs?: number;
  /** This process, as the row's holder. */
  holder: string;
  /** The work; calls `renew()` now and then on a long run (false: the claim was lost, stop). Returns counts for `last_result`. */
  run: (renew: () => Promise<boolean>) => Promise<Record<string, unknown>>;
}

export interface ScheduledJob {
  /** Runs the job if it is due and no other instance runs it; true when this call ran it. */
  runIfDue(): Promise<boolean>;
}

/**
 * A job that runs once per period however many instances run, and keeps its plan across restarts:
 * its row in `scheduled_jobs` holds the next run time. An instance claims a due job with ONE
 * conditional update (due, and nobody's lease running) on the database's clock, which only one
 * instance can win on Postgres (the row lock serialises them) and trivially on PGlite. The next run time is written when the run ends,
 * so a run that crashed is picked up again by whoever comes first after its lease expired. Hand-written
 * rather than a job library: one table and two statements, the same on PGlite and Postgres.
 */
export function createScheduledJob(options: ScheduledJobOptions): ScheduledJob {
  const { database, logger, name, holder } = options;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const interval = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;
  let ensured = false;

  async function ensureRow(): Promise<void> {
    if (ensured) return;
    await database.db.execute(
      sql`insert into scheduled_jobs (name, next_run_at) values (${name}, now()) on conflict (name) do nothing`,
    );
    ensured = true;
  }

  async function claim(): Promise<boolean> {
    const rows = await database.rows<{ name: string }>(sql`
      update scheduled_jobs
      set holder = ${holder}, lease_until = now() + ${interval(leaseMs)}, last_started_at = now()
      where name = ${name} and next_run_at <= now() and (lease_until is null or lease_until < now())
      returning name`);
    return rows.length === 1;
  }

  async function renew(): Promise<boolean> {
    const rows = await database.rows<{ name: string }>(sql`
      update scheduled_jobs set lease_until = now() + ${interval(leaseMs)}
      where name = ${name} and holder = ${holder}
      returning name`);
    return rows.length === 1;
  }

  async function finish(result: Record<string, unknown>, nextInMs: number): Promise<void> {
    await database.db.execute(sql`
      update scheduled_jobs
      set next_run_at = now() + ${interval(nextInMs)}, holder = null, lease_until = null,
          last_finished_at = now(), last_result = ${JSON.stringify(result)}::jsonb
      where name = ${name} and holder = ${holder}`);
  }

  return {
    async runIfDue() {
      await ensureRow();
      if (!(await claim())) return false;
      try {
        const result = await options.run(renew);
        await finish(result, options.everyMs);
        logger.info({ job: name, ...result }, 'scheduled job done');
      } catch (error) {
        // Tried again after a short pause rather than a whole period.
        await finish({ error: (error as Error).message.slice(0, 300) }, Math.min(options.everyMs, 5 * 60_000)).catch(
          () => undefined,
        );
        logger.error({ err: error, job: name }, 'scheduled job failed');
      }
      return true;
    },
  };
}

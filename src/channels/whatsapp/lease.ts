import { sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';

/**
 * A named lease in `channel_leases`: at most one holder at a time, across every process on the
 * database. Taken with one conditional upsert (free, expired, or already ours), so it needs no lock
 * held across statements and works the same on PGlite and on Postgres behind a pool. Times are the
 * database's `now()`, so the instances' clocks do not matter.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Takes the lease or extends it; false when another holder has it and it has not expired. */
  tryAcquire(): Promise<boolean>;
  /** Lets go at once (a clean stop), so another instance need not wait for the expiry. */
  release(): Promise<void>;
  /** The current holder, or null when the lease is free or expired. */
  currentHolder(): Promise<string | null>;
}

export function createLease(database: Database, name: string, holder: string, ttlMs: number): Lease {
  return {
    name,
    holder,
    async tryAcquire() {
      const rows = await database.rows<{ holder: string }>(sql`
        insert into channel_leases (name, holder, expires_at, acquired_at)
        values (${name}, ${holder}, now() + ${`${ttlMs} milliseconds`}::interval, now())
        on conflict (name) do update
          set holder = excluded.holder,
              expires_at = excluded.expires_at,
              acquired_at = case when channel_leases.holder = excluded.holder
                                 then channel_leases.acquired_at else excluded.acquired_at end
          where channel_leases.holder = excluded.holder or channel_leases.expires_at < now()
        returning holder`);
      return rows.length === 1 && rows[0]!.holder === holder;
    },
    async release() {
      await database.db.execute(sql`delete from channel_leases where name = ${name} and holder = ${holder}`);
    },
    async currentHolder() {
      const rows = await database.rows<{ holder: string }>(
        sql`select holder from channel_leases where name = ${name} and expires_at >= now()`,
      );
      return rows[0]?.holder ?? null;
    },
  };
}

import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { OutboxStats } from '../metrics/metrics.js';

/** How many outbox rows wait, and how old the oldest is: one read, for the /metrics gauges. */
export async function readOutboxStats(database: Database): Promise<OutboxStats> {
  const [row] = await database.rows<{ pending: number | string; oldest: number | string }>(
    sql`select count(*)::int as pending, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
        from outbox where status = 'pending'`,
  );
  return { pending: Number(row?.pending ?? 0), oldestSeconds: Number(row?.oldest ?? 0) };
}

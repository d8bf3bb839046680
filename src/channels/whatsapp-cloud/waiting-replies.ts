import { sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { WAITING_FOR_RESIDENT, WINDOW_CLOSED } from './classify-cloud-error.js';

/** Replies held back longer than this are not sent any more when the resident writes again. */
const KEEP_WAITING_DAYS = 14;

/**
 * The resident wrote, so the 24-hour window is open again: a trust person's replies that were held
 * back while it was closed (`window-closed: waiting…`, see CloudAdapter.standIn) go out now, in order.
 * Resolves with how many were put back in the outbox.
 */
export async function releaseWaitingReplies(database: Database, residentId: string): Promise<number> {
  const released = await database.rows<{ id: string | number }>(sql`
    update outbox set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null, leased_until = null
    where resident_id = ${residentId}::uuid and status = 'failed'
      and last_error = ${`${WINDOW_CLOSED}: ${WAITING_FOR_RESIDENT}`}
      and created_at > now() - make_interval(days => ${KEEP_WAITING_DAYS})
    returning id`);
  return released.length;
}

import type { Query, StatementOptions } from '../db/query.js';

/** A send that went out and is not recorded yet: its outbox row, the channel's id for it, and when. */
export interface SentRecord {
  id: number;
  cmid: string;
  sent_at: string;
}

/**
 * Marks outbox rows sent. Only rows still plainly pending: a row that discreet mode queued for deletion
 * in the meantime (its step recorded the send itself first, see conversation-service) stays queued.
 */
export async function recordSent(query: Query, records: readonly SentRecord[], options?: StatementOptions): Promise<void> {
  if (records.length === 0) return;
  await query(
    `update outbox o
     set status = 'sent', sent_at = b.sent_at, channel_message_id = b.cmid, leased_until = null, last_error = null
     from jsonb_to_recordset($1::jsonb) as b(id bigint, cmid text, sent_at timestamptz)
     where o.id = b.id and o.status = 'pending' and o.delivery_status is distinct from 'deleting'`,
    [JSON.stringify(records.map(({ id, cmid, sent_at }) => ({ id, cmid, sent_at })))],
    options,
  );
}

/**
 * Discreet mode (issue 6): taking the messages we sent off a resident's screen. The stored transcript
 * is not touched (it is the organisation's record); what changes is each sent message's outbox row.
 *
 * A cleaning queues the sent messages as deletions on their own outbox rows, in the step's transaction:
 * `status` back to `pending` with `delivery_status = 'deleting'`, and the dispatcher deletes them on
 * the channel as it sends (leased, retried with backoff, given up after OUTBOX_MAX_ATTEMPTS; see
 * src/outbox/dispatcher.ts). Rows past the channel's window (Telegram 48 h, WhatsApp 60 h) are not
 * queued but marked `not-deleted` at once, and the step tells the resident how many.
 *
 * `delivery_status` of a sent message's row: null or WhatsApp's ticks → `deleting` → `deleted`, or
 * `delete-failed` (given up; the resident is told once none is left to try) → `not-deleted` (told).
 * Every query starts from the resident's messages (indexed on resident_id), never from the outbox.
 */
import type { Query } from '../../db/query.js';
import type { CleanChatEffect } from '../../engine/types.js';
import { DELETE_WINDOW_MS } from '../../outbox/channel-adapter.js';

export interface Cleaning {
  /** Deletions queued for the dispatcher. */
  queued: number;
  /** Messages past the channel's window: not deletable any more (the resident deletes those). */
  tooOld: number;
}

/** Queues the resident's sent messages for deletion, as a cleaning asks; run in the step's transaction. */
export async function queueDeletions(query: Query, residentId: string, cleaning: CleanChatEffect): Promise<Cleaning> {
  const rows = await query<{ tooOld: boolean }>(
    `with candidates as (
       select o.id,
              coalesce(o.sent_at < now() - (($4::jsonb ->> o.channel)::float8 * interval '1 millisecond'), false) as too_old
       from messages m join outbox o on o.message_id = m.id
       where m.resident_id = $1::uuid and m.direction = 'out' and ($2::boolean or m.author = 'bot')
         and o.status = 'sent' and o.channel_message_id is not null
         and (o.delivery_status is null
              or o.delivery_status not in ('deleting', 'deleted', 'not-deleted')
              or ($3::boolean and o.delivery_status = 'not-deleted'))
     )
     update outbox o
     set status = case when c.too_old then 'sent'::delivery_status else 'pending'::delivery_status end,
         delivery_status = case when c.too_old then 'not-deleted' else 'deleting' end,
         delivery_status_at = now(),
         last_error = case when c.too_old then 'too old: the channel no longer lets the sender delete it' else null end,
         attempts = case when c.too_old then o.attempts else 0 end,
         next_attempt_at = now(),
         leased_until = null
     from candidates c
     where o.id = c.id
     returning c.too_old as "tooOld"`,
    [residentId, cleaning.scope === 'all', cleaning.again === true, JSON.stringify(DELETE_WINDOW_MS)],
  );
  const tooOld = rows.filter((r) => r.tooOld).length;
  return { queued: rows.length - tooOld, tooOld };
}

/** True while some of the resident's messages are still to be sent (a quiet-spell sweep then comes again). */
export async function hasUnsent(query: Query, residentId: string): Promise<boolean> {
  const rows = await query(
    `select 1 from outbox where resident_id = $1::uuid and status = 'pending' and delivery_status is distinct from 'deleting' limit 1`,
    [residentId],
  );
  return rows.length > 0;
}

/**
 * Once none of the resident's deletions is left to try: marks the ones given up as told and returns
 * how many (0 while some are still queued, so the last one to settle tells, once). Needs the
 * resident's row lock (taken by the caller), so two dispatchers never tell twice.
 */
export async function takeFailedDeletions(query: Query, residentId: string): Promise<number> {
  const [busy] = await query(
    `select 1 from outbox where resident_id = $1::uuid and status = 'pending' and delivery_status = 'deleting' limit 1`,
    [residentId],
  );
  if (busy) return 0;
  const told = await query(
    `update outbox o set delivery_status = 'not-deleted', delivery_status_at = now()
     from messages m
     where m.id = o.message_id and m.resident_id = $1::uuid and m.direction = 'out' and o.delivery_status = 'delete-failed'
     returning o.id`,
    [residentId],
  );
  return told.length;
}

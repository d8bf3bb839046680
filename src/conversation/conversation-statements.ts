import type { FieldCipher } from '../crypto/field-cipher.js';
/**
 * The statements of the per-message transaction, as raw SQL through the `Query` port (src/db/query.ts)
 * rather than drizzle's query builder, whose building of each query took about half of Node's CPU
 * per message. The reads send one statement each and start it at once, so statements called together
 * are pipelined on the transaction's connection and run one after another in the order called; the
 * writes are parts of one statement.
 */
import type { InboundMessage } from './inbound-message.js';
import type { Query, WritePart } from '../db/query.js';
import type { ConversationMode, OutboundMessage, PersistedConversation, TimerRequest } from '../engine/types.js';

/** The resident of a channel address, as a subquery on $1 (channel) and $2 (external id). */
const RESIDENT_ID = '(select id from residents where channel = $1 and external_id = $2)';

export interface LockedResident {
  id: string;
  locale: string | null;
  discreet: boolean;
  neutral: boolean;
}

/**
 * The upsert's row lock serialises everything for this resident until commit, across processes.
 * Writing to us again means they can be reached again (for instance they unblocked the bot), and
 * that a staff erasure whose confirmation is still on its way no longer removes the row: they started anew.
 */
export async function upsertResident(query: Query, message: InboundMessage, at: Date): Promise<LockedResident> {
  const [resident] = await query<LockedResident>(
    `insert into residents (channel, external_id, display_name, last_inbound_at)
     values ($1, $2, $3, $4::timestamptz)
     on conflict (channel, external_id) do update
       set last_inbound_at = excluded.last_inbound_at, unreachable = false, erasure_pending_since = null
     returning id, locale, discreet, neutral`,
    [message.channel, message.externalUserId, message.displayName ?? null, at.toISOString()],
  );
  return resident!;
}

/** A resident's row, locked as the upsert does, for a path that must not create one (timers). */
export async function lockResident(
  query: Query,
  address: { channel: string; externalId: string },
): Promise<LockedResident | undefined> {
  const [resident] = await query<LockedResident>(
    'select id, locale, discreet, neutral from residents where channel = $1 and external_id = $2 for update',
    [address.channel, address.externalId],
  );
  return resident;
}

export interface OpenConversation {
  id: string;
  snapshot: PersistedConversation;
  flowVersion: number;
  mode: ConversationMode;
}

/** The resident's conversation that is not closed, locked; none for a first message or after a close. */
export async function selectOpenConversation(
  query: Query,
  cipher: FieldCipher,
  address: { channel: string; externalId: string },
): Promise<OpenConversation | undefined> {
  const [open] = await query<OpenConversation>(
    `select id, snapshot, flow_version as "flowVersion", mode from conversations
     where resident_id = ${RESIDENT_ID} and mode <> 'closed'
     for update`,
    [address.channel, address.externalId],
  );
  return open && { ...open, snapshot: cipher.decryptJson(open.snapshot) };
}

/**
 * Locks the resident's open conversation and stores the inbound message (the dedup insert), in one
 * statement that must start after the resident upsert has its lock. The message is linked to the open
 * conversation if there is one (a new one is linked once it exists, see linkInboundPart).
 * `inboundId` is undefined when this resident's message of that id was stored before (dedup is per
 * resident: a web chat visitor's ids are its own), `open` when there is no
 * open conversation (one row comes back either way: the left join keeps it).
 * Without an open conversation, `previousHandoffId` is the resident's case closed (or whose aftercare
 * question they answered) since `returnSince`, the latest, if any: they are a returning resident (issue 13).
 */
export async function lockConversationAndStoreInbound(
  query: Query,
  cipher: FieldCipher,
  message: InboundMessage,
  returnSince: Date | null = null,
): Promise<{ open: OpenConversation | undefined; inboundId: number | undefined; previousHandoffId: string | undefined }> {
  const [row] = await query<Partial<OpenConversation> & { inboundId: string | number | null; previousHandoffId: string | null }>(
    `with open as (
       select id, snapshot, flow_version, mode from conversations
       where resident_id = ${RESIDENT_ID} and mode <> 'closed'
       for update
     ), inbound as (
       insert into messages (resident_id, conversation_id, direction, channel, external_id, text, choice, media_id, media_kind)
       select r.id, (select id from open), 'in', $1, $3, $4, $5, $6::uuid, $7
       from residents r where r.channel = $1 and r.external_id = $2
       on conflict (resident_id, external_id) where direction = 'in' do nothing
       returning id
     ), previous as (
       select h.id from handoffs h
       where $8::timestamptz is not null and not exists (select 1 from open)
         and h.resident_id = ${RESIDENT_ID} and h.status = 'closed'
         and greatest(h.closed_at, h.aftercare_answered_at) >= $8::timestamptz
       order by greatest(h.closed_at, h.aftercare_answered_at) desc
       limit 1
     )
     select (select id from inbound) as "inboundId", (select id from previous) as "previousHandoffId",
            open.id, open.snapshot, open.flow_version as "flowVersion", open.mode
     from (select) as one left join open on true`,
    [
      message.channel,
      message.externalUserId,
      message.externalMessageId,
      // What the resident typed; else the record of what they sent (a location, a contact, an edit).
      cipher.encryptText(message.text ?? message.summary ?? null),
      cipher.encryptText(message.choice ?? null),
      message.media?.mediaId ?? null,
      message.media?.kind ?? null,
      returnSince?.toISOString() ?? null,
    ],
  );
  const { inboundId, previousHandoffId, ...open } = row!;
  return {
    open: open.id ? { ...(open as OpenConversation), snapshot: cipher.decryptJson(open.snapshot) } : undefined,
    inboundId: inboundId === null ? undefined : Number(inboundId),
    previousHandoffId: previousHandoffId ?? undefined,
  };
}

export interface ConversationWrite {
  id: string;
  snapshot: PersistedConversation;
  flowVersion: number;
  mode: ConversationMode;
  at: Date;
}

/*
 * The step's writes, as parts of one statement (runAsOneStatement in src/db/query.ts): each part is
 * one insert, update or delete with its own $1…$n.
 */

export function insertConversationPart(cipher: FieldCipher, residentId: string, flowId: string, c: ConversationWrite): WritePart {
  return {
    name: 'new_conversation',
    sql: `insert into conversations (id, resident_id, flow_id, flow_version, snapshot, mode, created_at, updated_at)
          values ($1::uuid, $2::uuid, $3, $4, $5::jsonb, $6::conversation_mode, $7::timestamptz, $7::timestamptz)`,
    params: [c.id, residentId, flowId, c.flowVersion, JSON.stringify(cipher.encryptJson(c.snapshot)), c.mode, c.at.toISOString()],
  };
}

/** Points a first message at the conversation it started. */
export function linkInboundPart(messageId: number, conversationId: string): WritePart {
  return {
    name: 'linked_inbound',
    sql: 'update messages set conversation_id = $2::uuid where id = $1',
    params: [messageId, conversationId],
  };
}

export function updateConversationPart(cipher: FieldCipher, c: ConversationWrite): WritePart {
  return {
    name: 'saved_conversation',
    sql: `update conversations
          set snapshot = $2::jsonb, flow_version = $3, mode = $4::conversation_mode, updated_at = $5::timestamptz
          where id = $1::uuid`,
    params: [c.id, JSON.stringify(cipher.encryptJson(c.snapshot)), c.flowVersion, c.mode, c.at.toISOString()],
  };
}

export function residentLocalePart(residentId: string, locale: string): WritePart {
  return { name: 'resident_locale', sql: 'update residents set locale = $2 where id = $1::uuid', params: [residentId, locale] };
}

export interface ReplyTarget {
  residentId: string;
  conversationId: string;
  channel: string;
  at: Date;
  /**
   * Lease the outbox rows to this process for this long, so it sends them itself straight after commit
   * (no claim round trip) — only when the resident has no other row still pending, which would have to
   * go first. Absent: the dispatcher claims them as usual.
   */
  directLeaseMs?: number | undefined;
  /** Rows of this resident's that were sent, though not recorded yet: they do not hold the lease back. */
  alreadySent?: readonly number[] | undefined;
}

/** A reply this step leased to this process: sent straight after commit (see ReplyTarget.directLeaseMs). */
export interface LeasedReply {
  outboxId: number;
  messageId: number;
}

/**
 * The last part of a step's statement when it wrote replies: the outbox rows it leased for a direct
 * send, in the replies' order (none when the resident had a row pending, or nothing was to be leased).
 */
export function leasedRepliesPart(): WritePart {
  return {
    name: 'leased',
    sql: 'select id as "outboxId", message_id as "messageId" from queued_replies where leased_until is not null order by id',
    params: [],
  };
}

/** The replies, then their outbox rows in the replies' order (the second part reads the first's ids). */
export function replyParts(cipher: FieldCipher, target: ReplyTarget, outbound: readonly OutboundMessage[]): WritePart[] {
  const replies = outbound.map((m, ord) => ({
    ord,
    text: cipher.encryptText(m.text),
    choices: m.choices ?? null,
    locale: m.locale,
    template: m.template ?? null,
  }));
  return [
    {
      name: 'replies',
      sql: `insert into messages (resident_id, conversation_id, direction, channel, author, text, choices, locale, template)
            select $1::uuid, $2::uuid, 'out', $3, 'bot', r.text, r.choices, r.locale, r.template
            from jsonb_to_recordset($4::jsonb) as r(ord int, text text, choices jsonb, locale text, template text)
            order by r.ord
            returning id`,
      params: [target.residentId, target.conversationId, target.channel, JSON.stringify(replies)],
    },
    {
      name: 'queued_replies',
      // The statement's snapshot does not see its own inserts: "pending" here means rows of earlier steps.
      // Due at once: never later than the database's now, whatever the step's clock says (a test's moved clock).
      sql: `insert into outbox (message_id, resident_id, channel, next_attempt_at, leased_until, attempts)
            select r.id, $1::uuid, $2, least($3::timestamptz, now()), lease.until, case when lease.until is null then 0 else 1 end
            from replies r
            left join (
              select now() + ($4::text)::interval as until
              where $4::text is not null
                and not exists (
                  select 1 from outbox p where p.resident_id = $1::uuid and p.status = 'pending'
                    and p.id not in (select jsonb_array_elements_text($5::jsonb)::bigint)
                )
            ) lease on true
            order by r.id
            returning id, message_id, leased_until`,
      params: [
        target.residentId,
        target.channel,
        target.at.toISOString(),
        target.directLeaseMs === undefined ? null : `${target.directLeaseMs} milliseconds`,
        JSON.stringify(target.alreadySent ?? []),
      ],
    },
  ];
}

/**
 * Cancels and (re)schedules a conversation's timers. The engine never names one send id in both
 * lists, so the two parts never touch the same row.
 */
export function timerParts(
  conversationId: string,
  timers: { schedule: readonly TimerRequest[]; cancel: readonly string[] },
  at: Date,
): WritePart[] {
  const parts: WritePart[] = [];
  if (timers.cancel.length > 0) {
    parts.push({
      name: 'cancelled_timers',
      sql: `delete from timers
            where conversation_id = $1::uuid and send_id in (select jsonb_array_elements_text($2::jsonb))`,
      params: [conversationId, JSON.stringify(timers.cancel)],
    });
  }
  if (timers.schedule.length > 0) {
    const schedule = timers.schedule.map((t) => ({
      send_id: t.sendId,
      event: t.event,
      due_at: new Date(at.getTime() + t.delayMs).toISOString(),
    }));
    parts.push({
      name: 'scheduled_timers',
      sql: `insert into timers (conversation_id, send_id, event, due_at)
            select $1::uuid, t.send_id, t.event, t.due_at
            from jsonb_to_recordset($2::jsonb) as t(send_id text, event jsonb, due_at timestamptz)
            on conflict (conversation_id, send_id) do update set event = excluded.event, due_at = excluded.due_at`,
      params: [conversationId, JSON.stringify(schedule)],
    });
  }
  return parts;
}

import type { Query } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';

/** The `erase` effect: the resident's own "stop" → yes. Runs before the step's other writes (see eraseResidentData). */
export function wantsErasure(result: StepResult): boolean {
  return result.effects.some((e) => e.type === 'erase');
}

/** Why a resident's data was erased; also the `reason` of the anonymous counts. */
export type ErasureReason = 'resident' | 'staff' | 'retention-closed' | 'retention-abandoned';

export interface ErasureOptions {
  /** Counted under this reason in `erasure_counts`; null for the last step of an erasure already counted. */
  reason: ErasureReason | null;
  /**
   * `nothing`: the resident row goes too (retention, or staff without a confirmation to send).
   * `address`: the row stays with only its channel address and locale (display name cleared): the
   * resident erased their own data and the chat goes on, or staff erased it and a confirmation is on
   * its way (then `pendingSince` marks the row for deletion once it has left).
   */
  keep: 'nothing' | 'address';
  /** The resident's own erasure: the conversation that goes on (the step rewrites its snapshot). */
  keepConversationId?: string | undefined;
  pendingSince?: Date | undefined;
  at: Date;
}

export interface Erased {
  residentId: string;
  channel: string;
  conversations: number;
  handoffs: { id: string; conversationId: string }[];
  urgentHandoffs: number;
  messages: number;
}

/** The audit actor of the retention purge: the organisation's own rule, no person. */
export const RETENTION_ACTOR = { id: 'system', name: 'retention', via: 'system' as const };
export const ON_BEHALF_OF_ORGANISATION = 'organisation';
/** The audit actor of a resident's own "stop" → erase. */
export const RESIDENT_ACTOR = { id: 'resident', name: 'resident', via: 'chat' as const };

/** The month of an erasure as counted: `YYYY-MM` in UTC. */
export const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/**
 * Erases everything stored about one resident, in the caller's transaction: messages (both
 * directions) and their outbox rows, media, intakes, consent records, handoffs with their staff notes
 * and referrals, conversations with their snapshots and timers, the display name, and (unless kept)
 * the resident row with its channel address, and for WhatsApp the signal session keys of that number.
 *
 * Every delete is by id (resident, conversation, handoff): nothing is read but ids and counts, so it
 * works the same whether the content is encrypted or not. Locks the resident row first, the lock order
 * of the conversation service and the handoff service, so a message of the same resident waits.
 * Returns null when there is no such resident. The caller writes the audit entry.
 */
export async function eraseResidentData(query: Query, residentId: string, options: ErasureOptions): Promise<Erased | null> {
  const [resident] = await query<{ channel: string; externalId: string }>(
    'select channel, external_id as "externalId" from residents where id = $1::uuid for update',
    [residentId],
  );
  if (!resident) return null;
  const [found] = await query<{ conversations: number; messages: number; urgent: number; handoffs: unknown }>(
    `select (select count(*) from conversations where resident_id = $1::uuid)::int as conversations,
            (select count(*) from messages where resident_id = $1::uuid)::int as messages,
            (select count(*) from handoffs where resident_id = $1::uuid and urgent)::int as urgent,
            coalesce((select json_agg(json_build_object('id', id, 'conversationId', conversation_id))
                      from handoffs where resident_id = $1::uuid), '[]'::json) as handoffs`,
    [residentId],
  );
  const handoffs = (typeof found!.handoffs === 'string' ? JSON.parse(found!.handoffs) : found!.handoffs) as Erased['handoffs'];

  const byResident = [residentId];
  const ofHandoffs = 'handoff_id in (select id from handoffs where resident_id = $1::uuid)';
  await query(`delete from handoff_notes where ${ofHandoffs}`, byResident);
  await query(`delete from handoff_referrals where ${ofHandoffs}`, byResident);
  await query(`delete from case_reminders where ${ofHandoffs}`, byResident);
  await query('delete from outbox where resident_id = $1::uuid', byResident);
  await query(
    'delete from timers where conversation_id in (select id from conversations where resident_id = $1::uuid)',
    byResident,
  );
  await query('delete from consents where resident_id = $1::uuid', byResident);
  await query('delete from intakes where resident_id = $1::uuid', byResident);
  await query('delete from handoffs where resident_id = $1::uuid', byResident);
  await query('delete from language_jobs where resident_id = $1::uuid', byResident);
  await query('delete from messages where resident_id = $1::uuid', byResident);
  await query('delete from media where resident_id = $1::uuid', byResident);
  await query('delete from conversations where resident_id = $1::uuid and ($2::uuid is null or id <> $2::uuid)', [
    residentId,
    options.keepConversationId ?? null,
  ]);
  if (options.keep === 'nothing') {
    await query('delete from residents where id = $1::uuid', byResident);
    if (resident.channel === 'whatsapp') await forgetWhatsAppContact(query, resident.externalId);
  } else {
    await query('update residents set display_name = null, erasure_pending_since = $2::timestamptz where id = $1::uuid', [
      residentId,
      options.pendingSince?.toISOString() ?? null,
    ]);
  }

  const erased: Erased = {
    residentId,
    channel: resident.channel,
    conversations: found!.conversations,
    handoffs,
    urgentHandoffs: found!.urgent,
    messages: found!.messages,
  };
  if (options.reason) await countErasure(query, erased, options.reason, options.at);
  return erased;
}

/** Adds one erasure to the anonymous counts of its month, channel and reason. */
async function countErasure(query: Query, erased: Erased, reason: ErasureReason, at: Date): Promise<void> {
  await query(
    `insert into erasure_counts (month, channel, reason, residents, conversations, handoffs, urgent_handoffs, messages)
     values ($1, $2, $3, 1, $4, $5, $6, $7)
     on conflict (month, channel, reason) do update
     set residents = erasure_counts.residents + 1,
         conversations = erasure_counts.conversations + excluded.conversations,
         handoffs = erasure_counts.handoffs + excluded.handoffs,
         urgent_handoffs = erasure_counts.urgent_handoffs + excluded.urgent_handoffs,
         messages = erasure_counts.messages + excluded.messages`,
    [monthOf(at), erased.channel, reason, erased.conversations, erased.handoffs.length, erased.urgentHandoffs, erased.messages],
  );
}

/**
 * Baileys keeps signal sessions, device lists and the LID mapping of every number it talked to in
 * `whatsapp_auth`, keyed by the number (`31612345678.0`, `31612345678`, `<lid>_reverse`). Once the
 * resident is gone those go too. Should they write again, WhatsApp sets up a new session by itself.
 */
async function forgetWhatsAppContact(query: Query, jid: string): Promise<void> {
  const user = jid.split('@')[0]!.split(':')[0]!;
  const [mapped] = await query<{ value: string }>(`select value from whatsapp_auth where type = 'lid-mapping' and id = $1`, [
    user,
  ]);
  const users = [user];
  try {
    const lid = mapped ? (JSON.parse(mapped.value) as unknown) : null;
    if (typeof lid === 'string' && lid) users.push(lid.split('@')[0]!);
  } catch {
    // not a mapping we understand: the number's own keys still go
  }
  for (const u of users) {
    await query(
      `delete from whatsapp_auth
       where type <> 'creds'
         and (id = $1 or starts_with(id, $1 || '.') or starts_with(id, $1 || ':') or starts_with(id, $1 || '_') or starts_with(id, $1 || '@'))`,
      [u],
    );
  }
}

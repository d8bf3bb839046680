import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { Query } from '../db/query.js';
import { renderSay, type RenderDefaults } from '../engine/render.js';
import type { Texts } from '../engine/texts.js';
import { canEraseResident } from '../handoff/access.js';
import type { CaseEvents } from '../handoff/case-events.js';
import { checkResidentId, HandoffError } from '../handoff/handoff-error.js';
import type { Logger } from '../logging/logger.js';
import type { Actor } from '../staff/staff-types.js';
import {
  eraseResidentData,
  ON_BEHALF_OF_ORGANISATION,
  RETENTION_ACTOR,
  type Erased,
  type ErasureReason,
} from '../conversation/effects/erase.js';

/** What the resident is told when staff erased their data (in their language; every language if none was chosen). */
export const STAFF_ERASURE_TEXT = 'bot:stop.erasedByStaff';
/** A web chat page fetches its messages itself: the confirmation stays this long after it "left" so an open page gets it. */
export const CONFIRMATION_GRACE_MS = 5 * 60_000;
/** The longest the channel address is kept for a confirmation that cannot leave (WhatsApp logged out, channel off). */
export const CONFIRMATION_MAX_WAIT_MS = 3 * 24 * 3_600_000;

export interface ErasureServiceDeps {
  database: Database;
  audit: AuditLog;
  texts: Texts;
  render: RenderDefaults;
  logger: Logger;
  events?: CaseEvents;
  /** Wakes the dispatcher after a confirmation was queued. */
  kickDispatcher?: () => void;
}

export interface StaffErasure {
  residentId: string;
  /** `queued`: the confirmation waits in the outbox, and the channel address with it until it has left. */
  confirmation: 'queued' | 'not-sent';
  conversations: number;
  handoffs: number;
  messages: number;
}

/**
 * Erasure by staff and by the retention rules, on the one erasure routine of ./erasure.ts. Every
 * erasure is audited (who, on whose behalf, which resident id, never content) in the same transaction.
 */
export function createErasureService(deps: ErasureServiceDeps) {
  const { database, audit, logger } = deps;

  function emitGone(erased: Erased) {
    for (const h of erased.handoffs) {
      deps.events?.emit({
        type: 'handoff',
        change: 'closed',
        handoffId: h.id,
        residentId: erased.residentId,
        conversationId: h.conversationId,
      });
    }
  }

  return {
    /**
     * A coordinator erases a resident's data (a request to be forgotten, GDPR art. 17). With `confirm`
     * (the default) the resident is told in their language through the outbox, and only their channel
     * address is kept until that message has left (finishPending then deletes the row); without it, or
     * when the channel told us they cannot be reached, the resident row goes at once. A trust person
     * gets `forbidden`, and the refusal is audited too.
     */
    async eraseByStaff(actor: Actor, residentId: string, options: { confirm?: boolean } = {}): Promise<StaffErasure> {
      const id = checkResidentId(residentId);
      const entry: AuditEntry = { actor, action: 'resident.erase', outcome: 'allowed', residentId: id };
      if (!canEraseResident(actor)) {
        await audit.record({ ...entry, outcome: 'denied' });
        throw new HandoffError('forbidden', "only a coordinator erases a resident's data");
      }
      const at = new Date();
      const result = await database.transaction(async (tx, query) => {
        const [resident] = await query<{ channel: string; locale: string | null; unreachable: boolean }>(
          'select channel, locale, unreachable from residents where id = $1::uuid for update',
          [id],
        );
        if (!resident) throw new HandoffError('not_found', 'no such resident');
        const confirm = (options.confirm ?? true) && !resident.unreachable;
        const erased = await eraseResidentData(query, id, {
          reason: 'staff',
          keep: confirm ? 'address' : 'nothing',
          pendingSince: at,
          at,
        });
        if (!erased) throw new HandoffError('not_found', 'no such resident');
        if (confirm) {
          const message = renderSay(
            { type: 'say', key: STAFF_ERASURE_TEXT, allLocales: !resident.locale },
            resident.locale ?? deps.texts.sourceLocale,
            deps.texts,
            deps.render,
          );
          // Not part of any conversation (they are gone): the dispatcher sends it like any reply.
          await query(
            `with confirmation as (
               insert into messages (resident_id, conversation_id, direction, channel, author, text, locale)
               values ($1::uuid, null, 'out', $2, 'bot', $3, $4)
               returning id
             )
             insert into outbox (message_id, resident_id, channel, next_attempt_at)
             select id, $1::uuid, $2, $5::timestamptz from confirmation`,
            [id, resident.channel, database.cipher.encryptText(message.text), message.locale, at.toISOString()],
          );
        }
        await audit.record(
          { ...entry, detail: { erasure: 'staff', confirmation: confirm, handoffs: erased.handoffs.map((h) => h.id) } },
          tx,
        );
        return { erased, confirm };
      });
      emitGone(result.erased);
      if (result.confirm) deps.kickDispatcher?.();
      logger.info(
        { residentId: id, by: actor.id, confirmation: result.confirm, handoffs: result.erased.handoffs.length },
        'resident data erased by staff',
      );
      return {
        residentId: id,
        confirmation: result.confirm ? 'queued' : 'not-sent',
        conversations: result.erased.conversations,
        handoffs: result.erased.handoffs.length,
        messages: result.erased.messages,
      };
    },

    /**
     * The retention purge of one resident, in its own transaction, audited as a system action. `stillDue`
     * runs after the resident's row is locked, so a resident who wrote again in the meantime is kept.
     */
    async purge(
      residentId: string,
      reason: Extract<ErasureReason, 'retention-closed' | 'retention-abandoned'>,
      stillDue: (query: Query) => Promise<boolean>,
      at = new Date(),
    ): Promise<boolean> {
      const erased = await database.transaction(async (tx, query) => {
        const [locked] = await query('select id from residents where id = $1::uuid for update', [residentId]);
        if (!locked || !(await stillDue(query))) return null;
        const done = await eraseResidentData(query, residentId, { reason, keep: 'nothing', at });
        if (!done) return null;
        await audit.record(
          {
            actor: RETENTION_ACTOR,
            onBehalfOf: ON_BEHALF_OF_ORGANISATION,
            action: 'resident.purge',
            outcome: 'allowed',
            residentId,
            detail: { erasure: reason, handoffs: done.handoffs.map((h) => h.id) },
          },
          tx,
        );
        return done;
      });
      if (erased) emitGone(erased);
      return erased !== null;
    },

    /**
     * Deletes the rows of residents whom staff erased once their confirmation has left: no outbox row
     * of theirs pending, the last one sent more than CONFIRMATION_GRACE_MS ago (an open web chat page
     * fetches it meanwhile), or they cannot be reached, or CONFIRMATION_MAX_WAIT_MS have passed. A
     * resident who wrote again meanwhile is no longer pending (see upsertResident) and is left alone.
     * Safe on several instances at once (each row is locked and checked again). Returns how many went.
     */
    async finishPending(now = new Date()): Promise<number> {
      const due = await database.rows<{ id: string }>(pendingDueSql(now));
      let finished = 0;
      for (const { id } of due) {
        const gone = await database.transaction(async (_tx, query) => {
          const [still] = await query<{ id: string }>(
            `select id from residents where id = $1::uuid and erasure_pending_since is not null for update skip locked`,
            [id],
          );
          if (!still) return false;
          return (await eraseResidentData(query, id, { reason: null, keep: 'nothing', at: now })) !== null;
        });
        if (gone) finished++;
      }
      return finished;
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;

function pendingDueSql(now: Date) {
  const at = now.toISOString();
  return sql`select r.id from residents r
     where r.erasure_pending_since is not null
       and (r.unreachable
            or r.erasure_pending_since < ${at}::timestamptz - make_interval(secs => ${CONFIRMATION_MAX_WAIT_MS / 1000})
            or not exists (
              select 1 from outbox o
              where o.resident_id = r.id
                and (o.status = 'pending'
                     or (o.status = 'sent' and o.sent_at > ${at}::timestamptz - make_interval(secs => ${CONFIRMATION_GRACE_MS / 1000})))
            ))
     order by r.erasure_pending_since
     limit 200`;
}

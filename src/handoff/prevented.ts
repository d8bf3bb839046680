import type { Database } from '../db/database.js';
import type { Actor } from '../staff/staff-types.js';
import { isCoordinator } from './access.js';
import type { CaseEvents } from './case-events.js';
import { checkHandoffId, HandoffError } from './handoff-error.js';

/**
 * What a closed case likely prevented, in the trust person's judgement (issue 16): the outcomes the cost
 * figures of ../shared/DOMAIN.md name (src/reports/cost-figures.ts), and eviction and "other", which are
 * counted without a figure. `none`: the trust person thinks nothing of the kind was at stake.
 */
export const PREVENTED_OUTCOMES = [
  'none',
  'supervisionOrder',
  'ambulant',
  'fosterCare',
  'residentialOpen',
  'residentialClosed',
  'eviction',
  'other',
] as const;
export type PreventedOutcome = (typeof PREVENTED_OUTCOMES)[number];

export const isPreventedOutcome = (value: unknown): value is PreventedOutcome =>
  typeof value === 'string' && (PREVENTED_OUTCOMES as readonly string[]).includes(value);

/**
 * Changing the outcome of a case after it closed (null clears it): by whoever closed it, or a
 * coordinator. Only the one column changes, so the resident's row is not locked (nothing is sent to them).
 */
export function createPreventedRecorder(deps: { database: Database; events: CaseEvents }) {
  return async function setPrevented(actor: Actor, handoffId: string, prevented: PreventedOutcome | null): Promise<void> {
    const id = checkHandoffId(handoffId);
    if (prevented !== null && !isPreventedOutcome(prevented)) {
      throw new HandoffError('invalid', `prevented must be one of ${PREVENTED_OUTCOMES.join(', ')}, or null`);
    }
    const changed = await deps.database.transaction(async (_tx, query) => {
      const [h] = await query<{ status: string; closedBy: string | null; residentId: string; conversationId: string }>(
        `select status, closed_by as "closedBy", resident_id as "residentId", conversation_id as "conversationId"
         from handoffs where id = $1::uuid for update`,
        [id],
      );
      if (!h) throw new HandoffError('not_found', `no handoff ${id}`);
      if (h.status !== 'closed') throw new HandoffError('conflict', 'record what was prevented when closing the case');
      if (!isCoordinator(actor) && h.closedBy !== actor.id) {
        throw new HandoffError('forbidden', 'only who closed the case, or a coordinator, may change what it prevented');
      }
      await query('update handoffs set prevented = $2, updated_at = now() where id = $1::uuid', [id, prevented]);
      return h;
    });
    deps.events.emit({
      type: 'handoff',
      change: 'updated',
      handoffId: id,
      residentId: changed.residentId,
      conversationId: changed.conversationId,
    });
  };
}

export type SetPrevented = ReturnType<typeof createPreventedRecorder>;

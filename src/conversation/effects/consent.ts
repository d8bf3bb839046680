import type { WritePart } from '../../db/query.js';
import type { ConsentVersion } from '../../privacy/consent-version.js';

export interface ConsentStep {
  residentId: string;
  conversationId: string;
  now: Date;
  /** The conversation's consent before the step (null: not asked yet, or asked again after "start over"). */
  before: boolean | null;
  /** After the step. */
  after: boolean | null;
  locale: string;
  version: ConsentVersion;
  /** The resident chose neutral wording, so the question was shown in it (its own version). */
  neutral?: boolean;
  /** The step also writes the open handoff (which then drops the answers itself): do not touch that row twice. */
  handoffWritten: boolean;
}

/**
 * The writes for a consent decision taken in this step, as parts of the step's one statement: the
 * record, and on a "no" the removal of what an earlier "yes" in this conversation let us keep (the
 * intake row; the open handoff's answers). A "no" after an earlier "yes" is recorded as `withdrawn`.
 * Nothing when the step took no decision (a reset by "start over" is not one).
 */
export function consentParts(step: ConsentStep): WritePart[] {
  if (step.after === null || step.after === step.before) return [];
  const parts: WritePart[] = [
    {
      name: 'consent',
      sql: `insert into consents (resident_id, conversation_id, decision, locale, text_version, at)
            values ($1::uuid, $2::uuid,
                    case when $3::consent_decision = 'declined'
                              and (select c.decision from consents c where c.conversation_id = $2::uuid order by c.id desc limit 1) = 'agreed'
                         then 'withdrawn'::consent_decision else $3::consent_decision end,
                    $4, $5, $6::timestamptz)`,
      params: [
        step.residentId,
        step.conversationId,
        step.after ? 'agreed' : 'declined',
        step.locale,
        (step.neutral && step.version.neutral ? step.version.neutral : step.version)(step.locale),
        step.now.toISOString(),
      ],
    },
  ];
  if (step.after === false) {
    // Without consent nothing of the intake is kept beyond what is needed to answer and reach a person.
    parts.push({
      name: 'withdrawn_intake',
      sql: 'delete from intakes where conversation_id = $1::uuid',
      params: [step.conversationId],
    });
    if (!step.handoffWritten) {
      parts.push({
        name: 'withdrawn_answers',
        sql: `update handoffs
              set summary = '{}'::jsonb, preferences = preferences - 'contact' - 'reachable' - 'helperGender', updated_at = $2::timestamptz
              where conversation_id = $1::uuid and status <> 'closed'`,
        params: [step.conversationId, step.now.toISOString()],
      });
    }
  }
  return parts;
}

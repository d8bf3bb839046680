import type { WritePart } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';
import type { EffectTarget } from './effect-target.js';

/**
 * The `aftercareAnswer` effect: the resident's answer to "how are things now?" is recorded on the
 * closed case the aftercare conversation follows (once: the first answer counts), for the reports.
 */
export function aftercareParts(target: EffectTarget, result: StepResult): WritePart[] {
  const answer = result.effects.find((e) => e.type === 'aftercareAnswer');
  const closedCase = result.snapshot.context.followUp;
  if (!answer || answer.type !== 'aftercareAnswer' || closedCase?.kind !== 'aftercare') return [];
  return [
    {
      name: 'aftercare_answer',
      sql: `update handoffs set aftercare_answer = $2, aftercare_answered_at = $3::timestamptz
            where id = $1::uuid and resident_id = $4::uuid and aftercare_answer is null`,
      params: [closedCase.handoffId, answer.answer, target.now.toISOString(), target.residentId],
    },
  ];
}

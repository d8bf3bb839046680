import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { WritePart } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';
import type { EffectTarget } from './effect-target.js';

/**
 * The intake answers a step changed. Without consent nothing of the intake is kept beyond the messages
 * needed to answer and reach a person.
 */
export function intakeParts(cipher: FieldCipher, target: EffectTarget, result: StepResult): WritePart[] {
  return result.intake.consent === true && result.intakeChanged ? [upsertIntake(cipher, target, result)] : [];
}

function upsertIntake(cipher: FieldCipher, target: EffectTarget, result: StepResult): WritePart {
  return {
    name: 'intake',
    sql: `insert into intakes (conversation_id, resident_id, answers, notes, consent, updated_at)
          values ($1::uuid, $2::uuid, $3::jsonb, $4::jsonb, true, $5::timestamptz)
          on conflict (conversation_id) do update
          set answers = excluded.answers, notes = excluded.notes, consent = true, updated_at = excluded.updated_at`,
    params: [
      target.conversationId,
      target.residentId,
      JSON.stringify(cipher.encryptJson(result.intake.answers)),
      JSON.stringify(cipher.encryptJson(result.intake.notes)),
      target.now.toISOString(),
    ],
  };
}

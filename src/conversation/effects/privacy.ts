import type { WritePart } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';
import type { EffectTarget } from './effect-target.js';

/**
 * The `privacy` effect: the resident switched discreet mode or neutral wording. Kept on the resident,
 * and on the open handoff unless the step writes that handoff anyway (handoff.ts then carries them).
 */
export function privacyParts(target: EffectTarget, result: StepResult, handoffWritten: boolean): WritePart[] {
  if (!result.effects.some((e) => e.type === 'privacy')) return [];
  return handoffWritten
    ? [residentPrivacy(target, result)]
    : [updatePrivacyPreferences(target, result), residentPrivacy(target, result)];
}

/**
 * Discreet mode and neutral wording, for the trust person (the case page says what they mean for a reply;
 * a reply gets the neutral first line): like the safety answer, routing, not content.
 */
export function privacyPreferences(result: StepResult): Record<string, string> {
  const context = result.snapshot.context;
  return {
    ...(context.discreet === true ? { discreet: 'on' } : {}),
    ...(context.neutral === true ? { neutral: 'on' } : {}),
  };
}

/** The resident switched discreet mode or neutral wording: the open handoff's preferences follow. */
function updatePrivacyPreferences(target: EffectTarget, result: StepResult): WritePart {
  return {
    name: 'handoff_privacy',
    sql: `update handoffs set preferences = (preferences - 'discreet' - 'neutral') || $2::jsonb, updated_at = $3::timestamptz
          where conversation_id = $1::uuid and status <> 'closed'`,
    params: [target.conversationId, JSON.stringify(privacyPreferences(result)), target.now.toISOString()],
  };
}

/** Kept on the resident too, so a conversation after a closed case starts discreet or neutral again. */
function residentPrivacy(target: EffectTarget, result: StepResult): WritePart {
  const context = result.snapshot.context;
  return {
    name: 'resident_privacy',
    sql: 'update residents set discreet = $2, neutral = $3 where id = $1::uuid',
    params: [target.residentId, context.discreet === true, context.neutral === true],
  };
}

import type { FieldCipher } from '../crypto/field-cipher.js';
import type { WritePart } from '../db/query.js';
import type { StepResult } from '../engine/engine.js';

export interface EffectTarget {
  residentId: string;
  conversationId: string;
  now: Date;
}

export function wantsErasure(result: StepResult): boolean {
  return result.effects.some((e) => e.type === 'erase');
}

/**
 * The writes for what a step wants besides replies: the intake answers, the handoff and its urgency.
 * Raw SQL like the rest of the per-message path: parts of the step's one write statement (see
 * runAsOneStatement in src/db/query.ts). Every write is an upsert, so applying the same step twice
 * leaves the same rows.
 */
export function effectWrites(cipher: FieldCipher, target: EffectTarget, result: StepResult): WritePart[] {
  const writes: WritePart[] = [];
  // Without consent nothing of the intake is kept beyond the messages needed to answer and reach a person.
  if (result.intake.consent === true && result.intakeChanged) writes.push(upsertIntake(cipher, target, result));
  const handoff = handoffOf(result);
  const privacyChanged = result.effects.some((e) => e.type === 'privacy');
  if (handoff) writes.push(upsertHandoff(cipher, target, handoff));
  else if (privacyChanged) writes.push(updatePrivacyPreferences(target, result));
  if (privacyChanged) writes.push(residentPrivacy(target, result));
  return writes;
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

interface HandoffWrite {
  urgent: boolean;
  reason: string;
  locale: string;
  summary: Record<string, string | string[]>;
  preferences: Record<string, string>;
}

/** The handoff a step opens or updates, if it asked for one or raised the urgency. */
function handoffOf(result: StepResult): HandoffWrite | null {
  const handoff = result.effects.find((e) => e.type === 'handoff');
  const urgent = result.effects.find((e) => e.type === 'urgent');
  if (!handoff && !urgent) return null;

  const answers = result.intake.consent === true ? result.intake.answers : {};
  const preferences: Record<string, string> = { language: result.locale };
  for (const field of ['contact', 'reachable', 'helperGender'] as const) {
    const value = answers[field];
    if (typeof value === 'string') preferences[field] = value;
  }
  // Whether it is safe to call or chat is what it takes to reach them without harm: kept even without consent.
  const safety = result.intake.answers.safety;
  if (typeof safety === 'string') preferences.safety = safety;
  // The language the first message was in when we have no texts for it ("pl") or it was Darija in Latin
  // letters: routing, like the language, so a trust person who speaks it can take the case.
  const written = result.snapshot.context.writtenLanguage;
  if (written) preferences.writtenLanguage = written;
  Object.assign(preferences, privacyPreferences(result));
  const reason = handoff?.type === 'handoff' ? handoff.reason : 'danger';
  return {
    urgent: Boolean(urgent) || answers.urgency === 'now',
    reason: result.intake.consent === false && reason === 'asked-for-person' ? 'consent-declined' : reason,
    locale: result.locale,
    summary: answers,
    preferences,
  };
}

/**
 * Discreet mode and neutral wording, for the trust person (the case page says what they mean for a reply;
 * a reply gets the neutral first line): like the safety answer, routing, not content.
 */
function privacyPreferences(result: StepResult): Record<string, string> {
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

/** Opens the conversation's handoff, or updates the open one (urgency only ever goes up). */
function upsertHandoff(cipher: FieldCipher, target: EffectTarget, handoff: HandoffWrite): WritePart {
  return {
    name: 'handoff',
    sql: `insert into handoffs (conversation_id, resident_id, status, urgent, reason, locale, summary, preferences, created_at, updated_at)
          values ($1::uuid, $2::uuid, 'waiting', $3, $4, $5, $6::jsonb, $7::jsonb, $8::timestamptz, $8::timestamptz)
          on conflict (conversation_id) where status <> 'closed' do update
          set urgent = handoffs.urgent or excluded.urgent, summary = excluded.summary, preferences = excluded.preferences,
              locale = excluded.locale, updated_at = excluded.updated_at`,
    params: [
      target.conversationId,
      target.residentId,
      handoff.urgent,
      handoff.reason,
      handoff.locale,
      JSON.stringify(cipher.encryptJson(handoff.summary)),
      JSON.stringify(handoff.preferences),
      target.now.toISOString(),
    ],
  };
}

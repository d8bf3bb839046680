import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { WritePart } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';
import type { EffectTarget } from './effect-target.js';
import { privacyPreferences } from './privacy.js';

/**
 * The `handoff` and `urgent` effects: the conversation's handoff is opened, or the open one updated
 * (urgency only ever goes up). An upsert, so applying the same step twice leaves the same row.
 */
export function handoffParts(cipher: FieldCipher, target: EffectTarget, result: StepResult): WritePart[] {
  const handoff = handoffOf(result);
  return handoff ? [upsertHandoff(cipher, target, handoff)] : [];
}

interface HandoffWrite {
  urgent: boolean;
  reason: string;
  locale: string;
  summary: Record<string, string | string[]>;
  preferences: Record<string, string>;
  /** A returning resident's closed case: linked, and its trust person is offered the new one. */
  previousHandoffId: string | null;
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
    // The closed case a returning resident's or an aftercare conversation follows.
    previousHandoffId:
      (handoff?.type === 'handoff' && handoff.previousHandoffId) || result.snapshot.context.followUp?.handoffId || null,
  };
}

/**
 * Opens the conversation's handoff, or updates the open one (urgency only ever goes up). A returning
 * resident's new case is offered first to the trust person who held the closed one (assigned to them,
 * so it is theirs to read and claim), if they still work here.
 */
function upsertHandoff(cipher: FieldCipher, target: EffectTarget, handoff: HandoffWrite): WritePart {
  return {
    name: 'handoff',
    sql: `insert into handoffs (conversation_id, resident_id, status, urgent, reason, locale, summary, preferences, created_at, updated_at,
                                urgent_at, previous_handoff_id, assigned_to)
          values ($1::uuid, $2::uuid, 'waiting', $3, $4, $5, $6::jsonb, $7::jsonb, $8::timestamptz, $8::timestamptz,
                  case when $3 then $8::timestamptz end,
                  $9::uuid, (select s.id::text from handoffs p join staff s on s.id::text = p.claimed_by
                             where p.id = $9::uuid and p.resident_id = $2::uuid and s.active))
          on conflict (conversation_id) where status <> 'closed' do update
          set urgent = handoffs.urgent or excluded.urgent, urgent_at = coalesce(handoffs.urgent_at, excluded.urgent_at), summary = excluded.summary, preferences = excluded.preferences,
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
      handoff.previousHandoffId,
    ],
  };
}

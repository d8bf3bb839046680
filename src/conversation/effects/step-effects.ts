import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { WritePart } from '../../db/query.js';
import type { StepResult } from '../../engine/engine.js';
import type { ConsentVersion } from '../../privacy/consent-version.js';
import { aftercareParts } from './aftercare.js';
import { consentParts } from './consent.js';
import type { EffectTarget } from './effect-target.js';
import { handoffParts } from './handoff.js';
import { intakeParts } from './intake.js';
import { privacyParts } from './privacy.js';

/**
 * The SQL parts of what a step wants besides its conversation row, replies and timers: one file per
 * effect type beside this one (intake, handoff and urgency, privacy switches, consent, aftercare answers). Parts of the
 * step's one write statement (runAsOneStatement in src/db/query.ts); every one is an upsert or a
 * conditional update, so applying the same step twice leaves the same rows. The two effects that must
 * read first, erase.ts and clean-chat.ts, run as statements of their own before these.
 */
export function stepEffectParts(
  cipher: FieldCipher,
  target: EffectTarget,
  result: StepResult,
  consent: { before: boolean | null; version: ConsentVersion },
): WritePart[] {
  const handoff = handoffParts(cipher, target, result);
  return [
    ...intakeParts(cipher, target, result),
    ...handoff,
    ...privacyParts(target, result, handoff.length > 0),
    ...aftercareParts(target, result),
    ...consentParts({
      ...target,
      before: consent.before,
      after: result.intake.consent,
      locale: result.locale,
      version: consent.version,
      neutral: result.snapshot.context.neutral === true,
      handoffWritten: handoff.length > 0,
    }),
  ];
}

import { eld } from 'eld/extrasmall';
import type { DetectLanguage } from '../engine/engine.js';

/**
 * The language of a free text, for a first message in a language we have no texts for (Polish, French,
 * Somali...), so the bot offers a person at once and the trust person sees which language it was.
 * `eld` (Nito-ELD): n-gram based, 60 languages, no model download, no native code, and it says whether
 * a guess is reliable. Its "extrasmall" set takes 27 MB of heap where "small" took 44 MB, and gave the
 * same answers on resident-like messages in 17 languages (test/i18n/detect-language.test.ts). It knows
 * no Darija in Latin letters or Tarifit: the locales' marker words handle the first, the second is
 * "not reliable", i.e. unknown.
 */
export const detectLanguage: DetectLanguage = (text) => {
  const result = eld.detect(text);
  if (!result.language) return null;
  return { language: result.language, reliable: result.isReliable() };
};

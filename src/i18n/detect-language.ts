import { eld } from 'eld/small';
import type { DetectLanguage } from '../engine/engine.js';

/**
 * The language of a free text, for a first message in a language we have no texts for (Polish, French,
 * Somali...), so the bot offers a person at once and the trust person sees which language it was.
 * `eld` (Nito-ELD): n-gram based, 60 languages, no model download, no native code, ~1 MB of data in
 * its "small" set, and it says whether a guess is reliable. It knows no Darija in Latin letters or
 * Tarifit: the locales' marker words handle the first, the second is "not reliable", i.e. unknown.
 */
export const detectLanguage: DetectLanguage = (text) => {
  const result = eld.detect(text);
  if (!result.language) return null;
  return { language: result.language, reliable: result.isReliable() };
};

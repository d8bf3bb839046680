import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/i18n/detect-language.js';
import { sourceLanguage } from '../../src/language/language-worker.js';

describe('the language a resident’s words are translated from', () => {
  it.each([
    // [what they wrote, the language they chose, what the translation server is told]
    ['ابني لا يذهب إلى المدرسة', 'ar', 'ar'],
    ['Ik heb een brief van de gemeente gekregen en ik begrijp hem niet', 'ar', 'nl'],
    ['Mam problem z czynszem i nie rozumiem listu z gminy', 'nl', 'pl'],
    ['oğlum okula gitmiyor', 'tr', 'tr'],
    // Too few words to trust a detector ("salam 3likom" reads as Tagalog), and Darija in Latin letters
    // with Arabic chosen: the server guesses.
    ['salam 3likom', null, 'auto'],
    ['salam 3likom', 'ar', 'auto'],
    ['wash mumkin t3awni', 'ar', 'auto'],
    ['hoi', 'nl', 'nl'],
  ] as const)('%s (chose %s) → %s', (text, chosen, expected) => {
    expect(sourceLanguage(text, chosen, detectLanguage)).toBe(expected);
  });
});

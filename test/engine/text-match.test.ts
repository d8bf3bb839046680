import { describe, expect, it } from 'vitest';
import { containsPhrase, guessLocaleFromScript, normalize, parseNumbers } from '../../src/engine/text-match.js';

describe('reading what residents type', () => {
  it.each([
    ['2', [2]],
    ['٢', [2]],
    ['۳', [3]],
    ['2️⃣', [2]],
    [' 3. ', [3]],
    ['2 en 5', [2, 5]],
    ['1, 3 و 4', [1, 3, 4]],
    ['na 14:00', null],
    ['bel me om 9.30', null],
    ['ik heb 2 kinderen en een probleem', null],
    ['hallo', null],
  ])('reads %j as option numbers %j', (text, expected) => {
    expect(parseNumbers(text)).toEqual(expected);
  });

  it('ignores case, accents, Arabic vowel marks and letter variants', () => {
    expect(normalize('Suïcide!')).toBe('suicide');
    expect(normalize('DÖVÜYOR')).toBe('dovuyor');
    expect(normalize('إِنْتِحَار')).toBe(normalize('انتحار'));
    expect(normalize('مدرسة')).toBe(normalize('مدرسه'));
  });

  it('matches phrases on whole words only', () => {
    expect(containsPhrase(normalize('mijn man slaat me'), 'slaat me')).toBe(true);
    expect(containsPhrase(normalize('overslaan'), 'slaan')).toBe(false);
  });

  it('guesses a language from the script', () => {
    expect(guessLocaleFromScript('السلام عليكم')).toBe('ar');
    expect(guessLocaleFromScript('Merhaba, yardım lazım')).toBe('tr');
    expect(guessLocaleFromScript('hallo')).toBeNull();
  });
});

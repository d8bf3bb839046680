/**
 * Pure helpers to read what a resident typed: normalisation across scripts, numbers in any digits,
 * and phrase matching on word boundaries. No word lists live here: they come from locales/.
 */

const ARABIC_LETTER_VARIANTS: [RegExp, string][] = [
  [/[أإآٱ]/g, 'ا'],
  [/ى/g, 'ي'],
  [/ة/g, 'ه'],
  [/ؤ/g, 'و'],
  [/ئ/g, 'ي'],
  [/ـ/g, ''], // tatweel
];

/** Lower case, no diacritics (Latin or Arabic), one space between words, punctuation gone. */
export function normalize(text: string): string {
  let s = text.normalize('NFKC').toLowerCase().replace(/ı/g, 'i');
  s = s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
  for (const [pattern, replacement] of ARABIC_LETTER_VARIANTS) s = s.replace(pattern, replacement);
  s = toWesternDigits(s);
  return s
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Arabic-Indic (٠-٩), Extended Arabic-Indic (۰-۹) and keycap emoji (2️⃣) become 0-9. */
export function toWesternDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/([0-9])\ufe0f?\u20e3/g, '$1')
    .replace(/\u{1F51F}/gu, '10');
}

/**
 * The option numbers in a message made of numbers only ("2", "٢", "2 en 5", "1, 3"), else null.
 * Short joining words between the numbers ("en", "and", "و", "ve") are allowed.
 */
export function parseNumbers(text: string): number[] | null {
  // A time ("14:00", "9.30") is something to keep, not a choice.
  if (/\d\s*[:.h]\s*\d/.test(toWesternDigits(text))) return null;
  const tokens = normalize(text).split(' ').filter(Boolean);
  if (tokens.length === 0 || tokens.length > 9) return null;
  const numbers: number[] = [];
  for (const token of tokens) {
    if (/^\d{1,2}$/.test(token)) numbers.push(Number(token));
    else if (/^\d/.test(token) || token.length > 3) return null;
  }
  return numbers.length > 0 ? [...new Set(numbers)] : null;
}

/** True when `phrase` (already normalised) occurs in `normalizedText` as whole words. */
export function containsPhrase(normalizedText: string, phrase: string): boolean {
  if (!phrase) return false;
  return ` ${normalizedText} `.includes(` ${phrase} `);
}

export function wordCount(normalizedText: string): number {
  return normalizedText ? normalizedText.split(' ').length : 0;
}

/** A language guess from the script alone, for a first message or an unclear answer to the language question. */
export function guessLocaleFromScript(text: string): string | null {
  if (/[\u0600-\u06ff]/.test(text)) return 'ar';
  if (/[ğşıİĞŞ]/.test(text)) return 'tr';
  return null;
}

/**
 * A phone number's country calling code → the language to offer first (the resident can always pick
 * another). Only languages the intake speaks; a code not listed gives no hint, and the greeting is
 * then in every language. Data, not logic: add a line to add a country.
 */
export const CALLING_CODE_LOCALES: Readonly<Record<string, string>> = {
  // Dutch: the Netherlands, Flanders, Suriname, Aruba, Curaçao and the Caribbean Netherlands.
  '31': 'nl',
  '32': 'nl',
  '597': 'nl',
  '297': 'nl',
  '599': 'nl',
  // Arabic: North Africa and the Middle East.
  '20': 'ar', // Egypt
  '212': 'ar', // Morocco
  '213': 'ar', // Algeria
  '216': 'ar', // Tunisia
  '218': 'ar', // Libya
  '222': 'ar', // Mauritania
  '249': 'ar', // Sudan
  '961': 'ar', // Lebanon
  '962': 'ar', // Jordan
  '963': 'ar', // Syria
  '964': 'ar', // Iraq
  '965': 'ar', // Kuwait
  '966': 'ar', // Saudi Arabia
  '967': 'ar', // Yemen
  '968': 'ar', // Oman
  '970': 'ar', // Palestine
  '971': 'ar', // United Arab Emirates
  '973': 'ar', // Bahrain
  '974': 'ar', // Qatar
  // Turkish.
  '90': 'tr',
  // English.
  '1': 'en', // United States, Canada and the rest of the North American plan
  '44': 'en', // United Kingdom
  '353': 'en', // Ireland
  '61': 'en', // Australia
  '64': 'en', // New Zealand
  '27': 'en', // South Africa
  '233': 'en', // Ghana
  '234': 'en', // Nigeria
  '254': 'en', // Kenya
  '256': 'en', // Uganda
};

/** The locale for an international number in digits (`31612345678`, `+212…`), or undefined. */
export function localeForPhone(phone: string | undefined): string | undefined {
  const digits = (phone ?? '').replace(/^\+|^00/, '').replace(/\D/g, '');
  if (digits.length < 6) return undefined;
  // Calling codes are prefix-free (no code is the start of another), so the first match is the one.
  for (const length of [1, 2, 3]) {
    const locale = CALLING_CODE_LOCALES[digits.slice(0, length)];
    if (locale) return locale;
  }
  return undefined;
}

/** The engine's port to translated text. Implemented over i18next in src/i18n; a plain object in tests. */
export interface Texts {
  /** Every supported locale, the source locale first. */
  readonly locales: readonly string[];
  readonly sourceLocale: string;
  /** A sentence in a locale; falls back to the source locale. */
  t(locale: string, key: string, vars?: Record<string, unknown>): string;
  /** A word list (array value) in a locale, empty when absent. */
  list(locale: string, key: string): string[];
  /** True when the key exists in the source locale. */
  has(key: string): boolean;
  dir(locale: string): 'ltr' | 'rtl';
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type Resource } from 'i18next';
import type { Texts } from '../engine/texts.js';

export const SOURCE_LOCALE = 'nl';
const RTL_LOCALES = new Set(['ar', 'fa', 'ur', 'he']);

/** Reads every locales/<lng>/<namespace>.json file into one resource object. */
export function readLocaleFiles(localesDir: string): Resource {
  const resources: Resource = {};
  for (const lng of readdirSync(localesDir)) {
    const dir = path.join(localesDir, lng);
    if (!statSync(dir).isDirectory()) continue;
    resources[lng] = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const namespace = file.replace(/\.json$/, '');
      try {
        resources[lng][namespace] = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      } catch (error) {
        throw new Error(`${path.join(dir, file)} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
  if (!resources[SOURCE_LOCALE]) throw new Error(`${localesDir} has no ${SOURCE_LOCALE} folder, the source locale`);
  return resources;
}

export interface LoadedTexts extends Texts {
  readonly i18n: i18n;
}

/** One i18next instance with every language preloaded; per call a fixed-language lookup, never changeLanguage. */
export async function loadTexts(localesDir: string): Promise<LoadedTexts> {
  const resources = readLocaleFiles(localesDir);
  const locales = [
    SOURCE_LOCALE,
    ...Object.keys(resources)
      .filter((l) => l !== SOURCE_LOCALE)
      .sort(),
  ];
  const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
  const instance = i18next.createInstance();
  await instance.init({
    resources,
    lng: SOURCE_LOCALE,
    fallbackLng: SOURCE_LOCALE,
    supportedLngs: locales,
    ns: namespaces,
    defaultNS: 'bot',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  const fixed = new Map(locales.map((l) => [l, instance.getFixedT(l)]));
  const tFor = (locale: string) => fixed.get(locale) ?? fixed.get(SOURCE_LOCALE)!;
  // Resources never change after loading, so a sentence with the same variables is the same sentence.
  // Rendering a step asks for the same labels and prompts over and over; i18next's lookup and
  // interpolation were a tenth of the per-message CPU before this cache.
  const cache = new Map<string, string>();
  const MAX_CACHED = 20_000;
  const translate = (locale: string, key: string, vars?: Record<string, unknown>): string => {
    const cacheKey = vars ? `${locale}\u0000${key}\u0000${JSON.stringify(vars)}` : `${locale}\u0000${key}`;
    let text = cache.get(cacheKey);
    if (text === undefined) {
      text = tFor(locale)(key, vars ?? {}) as string;
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(cacheKey, text);
    }
    return text;
  };
  return {
    i18n: instance,
    locales,
    sourceLocale: SOURCE_LOCALE,
    t: translate,
    list: (locale, key) => {
      const value = tFor(locale)(key, { returnObjects: true }) as unknown;
      return Array.isArray(value) ? value.map(String) : [];
    },
    has: (key) =>
      instance.exists(key, { lng: SOURCE_LOCALE, fallbackLng: false } as never) ||
      instance.exists(`${key}_other`, { lng: SOURCE_LOCALE, fallbackLng: false } as never),
    dir: (locale) => (RTL_LOCALES.has(locale) ? 'rtl' : 'ltr'),
  };
}

import { describe, expect, it } from 'vitest';
import { readLocaleFiles, SOURCE_LOCALE } from '../../src/i18n/load-texts.js';
import { projectPath } from '../../src/project-path.js';
import { intakeFlow, texts } from '../helpers/engine-driver.js';

const resources = readLocaleFiles(projectPath('locales'));
const locales = Object.keys(resources);
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** namespace:key -> value, arrays kept whole (word lists are leaves). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}
const keysOf = (lng: string) => {
  const out = new Map<string, unknown>();
  for (const [ns, tree] of Object.entries(resources[lng]!)) flatten(tree, `${ns}:`, out);
  return new Map([...out].map(([k, v]) => [k.replace(':.', ':'), v]));
};
const base = (key: string) => key.replace(PLURAL, '');

describe('locales', () => {
  it('has nl, ar, tr and en', () => {
    expect(locales.sort()).toEqual(['ar', 'en', 'nl', 'tr']);
  });

  const source = keysOf(SOURCE_LOCALE);
  const sourceBases = new Set([...source.keys()].map(base));

  it.each(locales.filter((l) => l !== SOURCE_LOCALE))('%s has every key of nl and no other', (lng) => {
    const keys = new Set([...keysOf(lng).keys()].map(base));
    expect([...sourceBases].filter((k) => !keys.has(k))).toEqual([]);
    expect([...keys].filter((k) => !sourceBases.has(k))).toEqual([]);
  });

  it.each(locales)('%s has exactly the plural forms its language needs', (lng) => {
    const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    const plurals = [...keysOf(lng).keys()].filter((k) => PLURAL.test(k));
    for (const stem of new Set(plurals.map(base))) {
      const forms = plurals.filter((k) => base(k) === stem).map((k) => k.match(PLURAL)![1]);
      expect(forms.sort(), `${lng} ${stem}`).toEqual([...categories].sort());
    }
  });

  it.each(locales)('%s keeps every {{placeholder}} of the Dutch text', (lng) => {
    const own = keysOf(lng);
    for (const [key, value] of source) {
      if (typeof value !== 'string') continue;
      const wanted = value.match(/{{\w+}}/g) ?? [];
      for (const [ownKey, text] of own) {
        if (base(ownKey) !== base(key)) continue;
        for (const placeholder of wanted) expect(String(text), `${lng} ${ownKey}`).toContain(placeholder);
      }
    }
  });

  it('every key the flow and the engine name exists in every locale', () => {
    const named = new Set<string>();
    for (const step of intakeFlow.steps) {
      const json = JSON.stringify(step);
      for (const m of json.matchAll(/"(bot|words|webchat):[a-zA-Z0-9_.]+"/g)) named.add(m[0].slice(1, -1));
    }
    // keys the engine itself uses (commands, reminders, emergency, stop)
    for (const key of [
      'bot:unclear',
      'bot:reminder.text',
      'bot:emergency.text',
      'bot:emergency.person',
      'bot:emergency.continue',
      'bot:stop.prompt',
      'bot:stop.yes',
      'bot:stop.no',
      'bot:stop.done',
      'bot:help.text',
      'bot:note.saved',
      'bot:note.voiceSaved',
      'bot:handoff.waitingAck',
      'bot:handoff.already',
      'bot:flowChanged',
      'bot:common.skip',
      'bot:common.continue',
    ])
      named.add(key);
    expect(named.size).toBeGreaterThan(50);
    for (const lng of locales) {
      const keys = new Set([...keysOf(lng).keys()].map(base));
      expect(
        [...named].filter((k) => !keys.has(k)),
        lng,
      ).toEqual([]);
    }
  });

  it('every locale gives the emergency numbers', () => {
    for (const lng of locales) {
      const text = texts.t(lng, 'bot:emergency.text');
      for (const n of ['112', '0800-2000', '113', '0800-0113', '0800-0432']) expect(text, lng).toContain(n);
    }
  });

  it('keeps phone numbers left to right inside right-to-left text, so 0800-0113 is not shown as 0113-0800', () => {
    for (const lng of locales.filter((l) => texts.dir(l) === 'rtl')) {
      for (const key of ['bot:emergency.text', 'bot:declined.prompt']) {
        const text = texts.t(lng, key);
        for (const number of text.match(/0800-\d{4}/g) ?? []) expect(text, `${lng} ${key}`).toContain(`\u2066${number}\u2069`);
      }
    }
  });

  it('Arabic is written right to left, the others left to right', () => {
    expect(texts.dir('ar')).toBe('rtl');
    for (const lng of ['nl', 'tr', 'en']) expect(texts.dir(lng)).toBe('ltr');
  });
});

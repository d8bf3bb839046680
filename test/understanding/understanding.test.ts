import { describe, expect, it } from 'vitest';
import { evaluate, loadCorpora, percent } from './evaluate.js';

/**
 * The corpus in test/understanding/corpus/ through the engine, held to the targets of issue 9. A miss
 * is printed with its text: add a phrase to locales/<lng>/understanding.json (README: "Teaching the
 * bot new words") and run `npm run eval:understanding -- --locale <lng> --misses`.
 */
const TARGETS = { dangerRecall: 98, person: 95, done: 95 };

const corpora = loadCorpora('corpus');

describe('understanding residents: the corpus', () => {
  it('has a corpus for every locale, of the size the issue asks', () => {
    expect(corpora.map((c) => c.locale).sort()).toEqual(['ar', 'en', 'nl', 'tr']);
    for (const c of corpora) {
      expect(c.danger.length, c.locale).toBeGreaterThanOrEqual(60);
      expect(c.harmless.length, c.locale).toBeGreaterThanOrEqual(40);
      expect(c.person.length, c.locale).toBeGreaterThanOrEqual(20);
      expect(c.done.length, c.locale).toBeGreaterThanOrEqual(20);
    }
  });

  describe.each(corpora.map((c) => [c.locale, c] as const))('%s', (_locale, corpus) => {
    const report = evaluate(corpus);

    it(`gives the emergency numbers for ≥ ${TARGETS.dangerRecall}% of danger, as a first message and mid-intake`, () => {
      expect(percent(report.dangerAll), report.dangerAll.misses.join('\n')).toBeGreaterThanOrEqual(TARGETS.dangerRecall);
    });

    it('raises no false alarm on harmless words, person requests or "that\'s all"', () => {
      expect(report.falseAlarms.misses).toEqual([]);
    });

    it(`hands over to a person for ≥ ${TARGETS.person}% of requests in ordinary words`, () => {
      expect(percent(report.person), report.person.misses.join('\n')).toBeGreaterThanOrEqual(TARGETS.person);
    });

    it(`goes on after ≥ ${TARGETS.done}% of "that's all" replies`, () => {
      expect(percent(report.done), report.done.misses.join('\n')).toBeGreaterThanOrEqual(TARGETS.done);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { DANGER_CATEGORIES } from '../../src/engine/understanding/categories.js';
import { DangerModel, dangerFeatures } from '../../src/engine/understanding/danger-model.js';
import { createMessageReader } from '../../src/engine/understanding/message-reader.js';
import { tokenize } from '../../src/engine/understanding/tokens.js';
import { dangerModel, texts } from '../helpers/engine-driver.js';
import { evaluate, loadCorpora, percent } from './evaluate.js';

/**
 * The danger model beside the phrases: what it adds, that it never overrides a phrase, and how it does
 * on the held-out sets (test/understanding/outside3 to outside6: written by people who never saw the
 * phrases or the model, never trained on).
 */

const slots = DANGER_CATEGORIES.length + 1;
const handMade = new DangerModel({
  format: 'tussenin.danger-model',
  version: 1,
  threshold: 0.7,
  bias: [-3, ...new Array<number>(slots - 1).fill(0)],
  weights: {
    // "bankpas" says danger of the kind "controlled" (index 4 = controlled + 1).
    'w:bankpas': [5, 0, 0, 0, 3, 0, 0, 0, 0],
  },
});

describe('the danger model', () => {
  it('reads words, word starts, three-letter pieces and word pairs, without the harmless phrases’ words', () => {
    const features = dangerFeatures(tokenize('Hij houdt mijn bankpas'));
    expect(features).toEqual(expect.arrayContaining(['w:bankpas', 'p:bank', 'c:ban', 'c:pas', 'b:mijn_bankpas']));
    const reader = createMessageReader(texts);
    const masked = dangerFeatures(reader.maskedTokens('ik ben doodmoe'));
    expect(masked).not.toContain('w:doodmoe');
    // A number (an age, an amount) is no sign of anything.
    expect(dangerFeatures(tokenize('mesaj 20'))).toEqual(['w:mesaj', 'p:mesa', 'c:mes', 'c:esa', 'c:saj']);
  });

  it('names danger no phrase names, with its category and the message’s language', () => {
    const reader = createMessageReader(texts, handMade);
    const reading = reader.read('hij houdt de bankpas bij zich en ik krijg niks');
    expect(reading.danger).toEqual({ category: 'controlled', locale: 'nl', pattern: expect.stringMatching(/^model:0\.\d\d$/) });
    expect(createMessageReader(texts).read('hij houdt de bankpas bij zich en ik krijg niks').danger).toBeNull();
    // Below the threshold: nothing.
    expect(reader.read('ik heb een nieuwe pas nodig').danger).toBeNull();
  });

  it('leaves a phrase’s reading as it is: the phrase comes first', () => {
    const reader = createMessageReader(texts, handMade);
    expect(reader.read('mijn man slaat me, hij heeft mijn bankpas').danger?.pattern).not.toMatch(/^model:/);
  });

  it('ships as locales/danger-model.json, trained for these categories', () => {
    expect(dangerModel).not.toBeNull();
    expect(dangerModel!.data.bias).toHaveLength(slots);
    expect(dangerModel!.data.threshold).toBeGreaterThan(0.3);
    expect(dangerModel!.data.threshold).toBeLessThan(1);
  });

  const sets = ['outside3', 'outside4', 'outside5', 'outside6'];
  const heldOut = sets.flatMap((set) => loadCorpora(set).map((c) => [`${set} ${c.locale}`, evaluate(c)] as const));
  describe.each(heldOut)('on the held-out set %s', (_name, report) => {
    it('gives the numbers for at least 92% of danger told in words nobody wrote a phrase for', () => {
      expect(percent(report.dangerAll), report.dangerAll.misses.join('\n')).toBeGreaterThanOrEqual(92);
    });
    it('raises the alarm for at most one in six of the messages that are not danger', () => {
      const alarms = report.falseAlarms.total - report.falseAlarms.hits;
      expect(alarms / report.falseAlarms.total, report.falseAlarms.misses.join('\n')).toBeLessThanOrEqual(1 / 6);
    });
  });

  it.each(['nl', 'en', 'ar', 'tr'])('gives the numbers for at least 95% of all held-out danger in %s', (locale) => {
    const reports = heldOut.filter(([name]) => name.endsWith(` ${locale}`)).map(([, report]) => report);
    const hits = reports.reduce((sum, r) => sum + r.dangerAll.hits, 0);
    const total = reports.reduce((sum, r) => sum + r.dangerAll.total, 0);
    expect(total).toBeGreaterThan(300);
    expect((100 * hits) / total).toBeGreaterThanOrEqual(95);
  });
});

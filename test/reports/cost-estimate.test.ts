import { describe, expect, it } from 'vitest';
import { estimateCosts } from '../../src/reports/cost-estimate.js';
import { PREVENTED_COST, TRAJECTORY_COST } from '../../src/reports/cost-figures.js';
import { tallyOf, tallySummaries } from '../../src/reports/tally.js';

describe('the estimate of costs prevented', () => {
  it('uses the figures of the folder (../shared/DOMAIN.md)', () => {
    expect(PREVENTED_COST.supervisionOrder).toEqual({ low: 8257, high: 8257 });
    expect(PREVENTED_COST.ambulant).toEqual({ low: 9500, high: 9500 });
    expect(PREVENTED_COST.fosterCare).toEqual({ low: 14200, high: 14200 });
    expect(PREVENTED_COST.residentialOpen).toEqual({ low: 64700, high: 64700 });
    expect(PREVENTED_COST.residentialClosed).toEqual({ low: 67500, high: 81000 });
    expect(PREVENTED_COST.eviction).toBeNull();
    expect(PREVENTED_COST.other).toBeNull();
    expect(TRAJECTORY_COST).toEqual({ light: 2500, heavy: 5000 });
  });

  it('multiplies and sums, and subtracts the trajectories of every case with a recorded outcome', () => {
    const e = estimateCosts([
      { prevented: 'ambulant', trajectory: 'light', cases: 3 },
      { prevented: 'residentialOpen', trajectory: 'heavy', cases: 1 },
      { prevented: 'other', trajectory: null, cases: 2 },
      { prevented: null, trajectory: 'heavy', cases: 4 },
      { prevented: 'something-old', trajectory: 'heavy', cases: 1 },
    ]);
    expect(e.closedCases).toBe(11);
    expect(e.recordedCases).toBe(6);
    expect(e.unrecordedCases).toBe(5);
    expect(e.casesWithoutFigure).toBe(2);
    expect(e.preventedTotal).toEqual({ low: 3 * 9500 + 64700, high: 3 * 9500 + 64700 });
    expect(e.trajectoryTotal).toBe(3 * 2500 + 1 * 5000 + 2 * 5000);
    expect(e.net.low).toBe(93200 - 22500);
  });

  it('is zero with nothing closed', () => {
    const e = estimateCosts([]);
    expect(e.net).toEqual({ low: 0, high: 0 });
    expect(e.prevented.every((line) => line.cases === 0)).toBe(true);
  });
});

describe('tallies', () => {
  it('count most first, "not given" last, or in a fixed order with zeros', () => {
    expect(tallyOf(['a', null, null, null, 'b', 'b'])).toEqual([
      { key: 'b', cases: 2 },
      { key: 'a', cases: 1 },
      { key: null, cases: 3 },
    ]);
    expect(tallyOf(['heavy'], ['light', 'heavy', null])).toEqual([
      { key: 'light', cases: 0 },
      { key: 'heavy', cases: 1 },
      { key: null, cases: 0 },
    ]);
  });

  it('count each topic of a case once, and a case without topics as not given', () => {
    const { topics } = tallySummaries([{ domains: ['money', 'money', 'school'] }, { domains: 'money' }, {}]);
    expect(topics).toEqual([
      { key: 'money', cases: 2 },
      { key: 'school', cases: 1 },
      { key: null, cases: 1 },
    ]);
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { chosenPeriod, periodBetween, ReportPeriodError } from '../../src/reports/report-period.js';

const TZ = 'Europe/Amsterdam';

describe('report periods', () => {
  it('are whole days in the organisation’s time zone, through summer time', () => {
    const march = periodBetween('2026-03-01', '2026-03-31', TZ);
    expect(march.kind).toBe('month');
    expect(march.start.toISOString()).toBe('2026-02-28T23:00:00.000Z'); // winter time, +01:00
    expect(march.end.toISOString()).toBe('2026-03-31T22:00:00.000Z'); // summer time, +02:00
    expect(periodBetween('2026-04-01', '2026-06-30', TZ).kind).toBe('quarter');
    expect(periodBetween('2026-01-01', '2026-12-31', TZ).kind).toBe('year');
    expect(periodBetween('2026-03-02', '2026-03-31', TZ).kind).toBe('custom');
    expect(periodBetween('2026-02-01', '2026-04-30', TZ).kind).toBe('custom');
  });

  it('refuse what is not a period, saying why', () => {
    const refusal = (from?: string, to?: string) => {
      try {
        periodBetween(from, to, TZ);
      } catch (error) {
        if (error instanceof ReportPeriodError) return [error.code, error.field];
      }
      return null;
    };
    expect(refusal(undefined, '2026-03-31')).toEqual(['missing', 'from']);
    expect(refusal('2026-03-01', '')).toEqual(['missing', 'to']);
    expect(refusal('1-3-2026', '2026-03-31')).toEqual(['format', 'from']);
    expect(refusal('2026-02-29', '2026-03-31')).toEqual(['notADay', 'from']);
    expect(refusal('2026-03-02', '2026-03-01')).toEqual(['fromAfterTo', undefined]);
    expect(refusal('2021-01-01', '2026-01-01')).toEqual(['tooLong', undefined]);
    expect(refusal('2021-01-01', '2025-12-31')).toBeNull();
  });

  it('come from the page’s form: this month by default, or the month, quarter or year chosen', () => {
    const now = DateTime.fromISO('2026-04-01T00:30', { zone: TZ }).toJSDate(); // still March in UTC
    const pick = (choice: Record<string, string>) => {
      const p = chosenPeriod(choice, TZ, now);
      return [p.from, p.to];
    };
    expect(pick({})).toEqual(['2026-04-01', '2026-04-30']);
    expect(pick({ period: 'month', year: '2025', month: '2' })).toEqual(['2025-02-01', '2025-02-28']);
    expect(pick({ period: 'quarter', year: '2026', quarter: '4' })).toEqual(['2026-10-01', '2026-12-31']);
    expect(pick({ period: 'year', year: '2024' })).toEqual(['2024-01-01', '2024-12-31']);
    expect(pick({ period: 'custom', from: '2026-03-10', to: '2026-03-12' })).toEqual(['2026-03-10', '2026-03-12']);
    // Nonsense in the numbers falls back to today's.
    expect(pick({ period: 'month', year: 'x', month: '13' })).toEqual(['2026-04-01', '2026-04-30']);
    expect(() => chosenPeriod({ period: 'custom', from: '2026-03-10' }, TZ, now)).toThrow(ReportPeriodError);
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  availabilityAt,
  availabilityByMinute,
  isValidTimezone,
  nextOpeningAfter,
  type OfficeHours,
  parseClosedDates,
  workingDayMinutes,
  workingMinutesBetween,
} from '../../src/hours/office-hours.js';
import { parseWeeklyHours } from '../../src/hours/weekly-hours.js';

const ZONE = 'Europe/Amsterdam';

function office(weekly: string, closed = ''): OfficeHours {
  return { timezone: ZONE, weekly: parseWeeklyHours(weekly), closedDates: parseClosedDates(closed) };
}

/** An Amsterdam wall-clock time, `2026-12-04T21:30`, as an instant. */
function local(wallTime: string): Date {
  return DateTime.fromISO(wallTime, { zone: ZONE }).toJSDate();
}

const WEEKDAYS = office('mo-fr 09:00-17:00');

describe('availabilityAt', () => {
  it('Friday evening in December (UTC+1): closed, opens Monday 09:00', () => {
    expect(local('2026-12-04T21:30').toISOString()).toBe('2026-12-04T20:30:00.000Z');
    expect(availabilityAt(WEEKDAYS, new Date('2026-12-04T20:30:00Z'))).toEqual({
      open: false,
      next: { when: 'weekday', time: '09:00', date: '2026-12-07', weekday: 1 },
    });
  });

  it('Saturday before the Saturday morning opening: opens today', () => {
    expect(availabilityAt(office('mo-fr 09:00-17:00; sa 10:00-12:00'), local('2026-12-05T08:15'))).toEqual({
      open: false,
      next: { when: 'today', time: '10:00', date: '2026-12-05', weekday: 6 },
    });
  });

  it('Thursday 23:00: opens tomorrow 09:00', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-03T23:00'))).toEqual({
      open: false,
      next: { when: 'tomorrow', time: '09:00', date: '2026-12-04', weekday: 5 },
    });
  });

  it('Monday 10:00: open until 17:00, no word yet about the next opening', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T10:00'))).toEqual({ open: true, until: '17:00' });
  });

  it('Monday 16:30: open until 17:00, then tomorrow 09:00', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T16:30'))).toEqual({
      open: true,
      until: '17:00',
      next: { when: 'tomorrow', time: '09:00', date: '2026-12-08', weekday: 2 },
    });
  });

  it('Friday 16:30: open until 17:00, then Monday', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-04T16:30'))).toMatchObject({
      open: true,
      until: '17:00',
      next: { when: 'weekday', date: '2026-12-07', weekday: 1 },
    });
  });

  it('"closing soon" follows closingSoonMinutes', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T15:30'), { closingSoonMinutes: 120 })).toHaveProperty('next');
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T16:30'), { closingSoonMinutes: 15 })).not.toHaveProperty('next');
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T16:00'))).toHaveProperty('next');
  });

  it('opening time counts as open, closing time as closed', () => {
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T09:00'))).toMatchObject({ open: true, until: '17:00' });
    expect(availabilityAt(WEEKDAYS, local('2026-12-07T17:00'))).toEqual({
      open: false,
      next: { when: 'tomorrow', time: '09:00', date: '2026-12-08', weekday: 2 },
    });
  });

  it('a lunch break: closed until 13:30 today; before it, open until 12:30 and then 13:30', () => {
    const hours = office('ma-vr 9:00-12:30 13:30-17:00');
    expect(availabilityAt(hours, local('2026-12-07T12:45'))).toEqual({
      open: false,
      next: { when: 'today', time: '13:30', date: '2026-12-07', weekday: 1 },
    });
    expect(availabilityAt(hours, local('2026-12-07T12:00'))).toEqual({
      open: true,
      until: '12:30',
      next: { when: 'today', time: '13:30', date: '2026-12-07', weekday: 1 },
    });
  });

  it('Christmas closed 24–28 December: on the 23rd at 18:00 the next opening is Tuesday the 29th', () => {
    const hours = office('mo-fr 09:00-17:00', '2026-12-24..2026-12-28');
    expect(availabilityAt(hours, local('2026-12-23T18:00'))).toEqual({
      open: false,
      next: { when: 'weekday', time: '09:00', date: '2026-12-29', weekday: 2 },
    });
    expect(availabilityAt(hours, local('2026-12-24T10:00'))).toMatchObject({ open: false, next: { date: '2026-12-29' } });
  });

  it('two weeks closed: the next opening is a date', () => {
    const hours = office('mo-fr 09:00-17:00', '2026-12-21..2027-01-03');
    expect(availabilityAt(hours, local('2026-12-18T18:00'))).toEqual({
      open: false,
      next: { when: 'date', time: '09:00', date: '2027-01-04', weekday: 1 },
    });
  });

  it('an evening through midnight stays open until the next day closes', () => {
    const hours = office('tu 18:00-24:00; we 00:00-02:00');
    expect(availabilityAt(hours, local('2026-12-08T20:00'))).toEqual({ open: true, until: '02:00' });
    expect(availabilityAt(hours, local('2026-12-09T01:30'))).toEqual({
      open: true,
      until: '02:00',
      next: { when: 'weekday', time: '18:00', date: '2026-12-15', weekday: 2 },
    });
    expect(availabilityAt(office('tu 18:00-24:00'), local('2026-12-08T23:30'))).toMatchObject({ open: true, until: '24:00' });
  });

  it('always open is open', () => {
    expect(availabilityAt(office('mo-su 0-24'), local('2026-12-08T03:00'))).toMatchObject({ open: true });
  });

  it('never open: closed, no next opening', () => {
    expect(availabilityAt(office(''), local('2026-12-07T10:00'))).toEqual({ open: false, next: null });
    expect(availabilityAt(office('mo 9-17', '2026-12-01..2027-12-31'), local('2026-12-07T10:00'))).toEqual({
      open: false,
      next: null,
    });
  });

  it('refuses an unknown time zone instead of guessing', () => {
    const hours = { ...WEEKDAYS, timezone: 'Europe/Amsterdm' };
    expect(() => availabilityAt(hours, local('2026-12-07T10:00'))).toThrow('unknown time zone "Europe/Amsterdm"');
  });
});

describe('around the clock changes (summer time from Sunday 28 March 2027, 02:00 → 03:00)', () => {
  it('Sunday: the next opening is Monday 09:00 summer time, 07:00Z', () => {
    expect(availabilityAt(WEEKDAYS, local('2027-03-28T12:00'))).toEqual({
      open: false,
      next: { when: 'tomorrow', time: '09:00', date: '2027-03-29', weekday: 1 },
    });
    expect(nextOpeningAfter(WEEKDAYS, local('2027-03-28T12:00'))?.toISOString()).toBe('2027-03-29T07:00:00.000Z');
  });

  it('Saturday night before the change: Monday 09:00 is two calendar days away, a weekday', () => {
    expect(availabilityAt(WEEKDAYS, new Date('2027-03-27T22:30:00Z'))).toMatchObject({
      open: false,
      next: { when: 'weekday', date: '2027-03-29', time: '09:00' },
    });
  });

  it('Monday 08:30 (06:30Z) is closed, 09:30 (07:30Z) open', () => {
    expect(availabilityAt(WEEKDAYS, new Date('2027-03-29T06:30:00Z'))).toMatchObject({ open: false, next: { when: 'today' } });
    expect(availabilityAt(WEEKDAYS, new Date('2027-03-29T07:30:00Z'))).toEqual({ open: true, until: '17:00' });
  });

  it('on the change day itself, opening hours keep their wall-clock times', () => {
    const sunday = office('su 10:00-12:00');
    expect(nextOpeningAfter(sunday, local('2027-03-28T08:00'))?.toISOString()).toBe('2027-03-28T08:00:00.000Z');
    expect(availabilityAt(sunday, new Date('2027-03-28T08:30:00Z'))).toEqual({ open: true, until: '12:00' });
    expect(availabilityAt(sunday, new Date('2027-03-28T07:30:00Z'))).toEqual({
      open: false,
      next: { when: 'today', time: '10:00', date: '2027-03-28', weekday: 7 },
    });
    expect(workingMinutesBetween(sunday, new Date('2027-03-28T09:00:00Z'), new Date('2027-03-28T12:00:00Z'))).toBe(60);
  });

  it('a week of five 09:00–17:00 days over the change is 5 × 480 minutes', () => {
    expect(workingMinutesBetween(WEEKDAYS, local('2027-03-25T00:00'), local('2027-04-01T00:00'))).toBe(5 * 480);
  });

  it('a Sunday 09:00–17:00 on the change day is 480 minutes; a whole day open is 23 hours of real time', () => {
    const sunday = [local('2027-03-28T00:00'), local('2027-03-29T00:00')] as const;
    expect(workingMinutesBetween(office('su 09:00-17:00'), ...sunday)).toBe(480);
    expect(workingMinutesBetween(office('su 00:00-24:00'), ...sunday)).toBe(23 * 60);
  });

  it('back to winter time (Sunday 25 October 2026): a week is still 5 × 480, Monday opens 08:00Z', () => {
    expect(workingMinutesBetween(WEEKDAYS, local('2026-10-22T00:00'), local('2026-10-29T00:00'))).toBe(5 * 480);
    expect(nextOpeningAfter(WEEKDAYS, local('2026-10-24T22:00'))?.toISOString()).toBe('2026-10-26T08:00:00.000Z');
    expect(nextOpeningAfter(office('su 10:00-12:00'), local('2026-10-25T01:00'))?.toISOString()).toBe('2026-10-25T09:00:00.000Z');
  });
});

describe('nextOpeningAfter', () => {
  it('is the opening itself when asked at the opening time', () => {
    expect(nextOpeningAfter(WEEKDAYS, local('2026-12-07T09:00'))).toEqual(local('2026-12-07T09:00'));
  });

  it('while open, is the next opening after the current one', () => {
    expect(nextOpeningAfter(WEEKDAYS, local('2026-12-07T10:00'))).toEqual(local('2026-12-08T09:00'));
  });

  it('does not count 00:00 as an opening when the day before is open until 24:00', () => {
    const hours = office('tu 18:00-24:00; we 00:00-02:00');
    expect(nextOpeningAfter(hours, local('2026-12-08T20:00'))).toEqual(local('2026-12-15T18:00'));
  });

  it('is null when never open', () => {
    expect(nextOpeningAfter(office(''), local('2026-12-07T10:00'))).toBeNull();
  });
});

describe('workingMinutesBetween', () => {
  it('Friday 16:00 → Monday 10:00 is two hours', () => {
    expect(workingMinutesBetween(WEEKDAYS, local('2026-12-04T16:00'), local('2026-12-07T10:00'))).toBe(120);
  });

  it('a question left Friday 20:00 is one working day old on Tuesday 09:00, not before', () => {
    const created = local('2026-12-04T20:00');
    const day = workingDayMinutes(WEEKDAYS);
    expect(workingMinutesBetween(WEEKDAYS, created, local('2026-12-08T09:00'))).toBe(480);
    expect(workingMinutesBetween(WEEKDAYS, created, local('2026-12-08T09:00')) >= day).toBe(true);
    expect(workingMinutesBetween(WEEKDAYS, created, local('2026-12-07T16:59')) >= day).toBe(false);
  });

  it('is 0 when the end is not after the start', () => {
    expect(workingMinutesBetween(WEEKDAYS, local('2026-12-07T12:00'), local('2026-12-07T12:00'))).toBe(0);
    expect(workingMinutesBetween(WEEKDAYS, local('2026-12-07T12:00'), local('2026-12-07T10:00'))).toBe(0);
  });

  it('counts within one day and across a lunch break', () => {
    expect(workingMinutesBetween(WEEKDAYS, local('2026-12-07T10:00'), local('2026-12-07T11:15'))).toBe(75);
    const lunch = office('ma-vr 9:00-12:30 13:30-17:00');
    expect(workingMinutesBetween(lunch, local('2026-12-07T12:00'), local('2026-12-07T14:00'))).toBe(60);
  });

  it('skips closed dates', () => {
    const hours = office('mo-fr 09:00-17:00', '2026-12-24..2026-12-28');
    // Mon–Wed 21–23, then Tue 29 – Fri 1 January.
    expect(workingMinutesBetween(hours, local('2026-12-21T09:00'), local('2027-01-04T09:00'))).toBe(7 * 480);
  });

  it('handles a year quickly', () => {
    const started = performance.now();
    expect(workingMinutesBetween(WEEKDAYS, local('2027-01-04T00:00'), local('2028-01-03T00:00'))).toBe(52 * 5 * 480);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is 0 when never open', () => {
    expect(workingMinutesBetween(office(''), local('2026-12-01T00:00'), local('2026-12-31T00:00'))).toBe(0);
  });
});

describe('workingDayMinutes', () => {
  it('is the longest day', () => {
    expect(workingDayMinutes(office('mo-fr 09:00-17:00; sa 10:00-12:00'))).toBe(480);
    expect(workingDayMinutes(office('ma-vr 9:00-12:30 13:30-17:00'))).toBe(420);
    expect(workingDayMinutes(office('mo 9-12; tu 18:00-24:00'))).toBe(360);
    expect(workingDayMinutes(office(''))).toBe(0);
  });
});

describe('parseClosedDates', () => {
  it('reads single dates and inclusive ranges, separated by commas or spaces', () => {
    expect([...parseClosedDates('2026-12-25, 2026-12-31..2027-01-02 2027-04-27')].sort()).toEqual([
      '2026-12-25',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-04-27',
    ]);
  });

  it('reads an empty spec as no closed dates', () => {
    expect(parseClosedDates('').size).toBe(0);
    expect(parseClosedDates('  ').size).toBe(0);
  });

  it('accepts a one-day range and a range of 400 days', () => {
    expect([...parseClosedDates('2026-12-25..2026-12-25')]).toEqual(['2026-12-25']);
    expect(parseClosedDates('2026-01-01..2027-02-04').size).toBe(400);
  });

  describe('tells the administrator what is wrong', () => {
    it.each([
      ['2026-02-30', '"2026-02-30": 2026-02-30 is not a day in the calendar'],
      ['2026-12-24..2026-13-01', '"2026-12-24..2026-13-01": 2026-13-01 is not a day in the calendar'],
      ['2027-01-02..2026-12-24', '"2027-01-02..2026-12-24": a date range must end on or after its start'],
      ['2026-01-01..2027-02-05', '"2026-01-01..2027-02-05": a date range may cover at most 400 days'],
      ['25-12-2026', '"25-12-2026" is not a date'],
      ['2026-12-24..', '"2026-12-24.." is not a date'],
      ['2026-12-24..2026-12-26..2026-12-28', '"2026-12-24..2026-12-26..2026-12-28" is not a date range'],
    ])('%s', (spec, message) => {
      expect(() => parseClosedDates(spec)).toThrow(message);
    });
  });
});

describe('isValidTimezone', () => {
  it('knows IANA zones only', () => {
    expect(isValidTimezone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimezone('Europe/Amsterdm')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });
});

describe('availabilityByMinute (what the conversation steps use)', () => {
  it('answers as availabilityAt does on either side of opening, closing-soon and closing, also in a half-hour time zone', () => {
    const india: OfficeHours = {
      timezone: 'Asia/Kolkata',
      weekly: parseWeeklyHours('mo-fr 09:00-17:00'),
      closedDates: parseClosedDates(''),
    };
    for (const hours of [WEEKDAYS, india]) {
      const byMinute = availabilityByMinute(hours);
      const at = (wallTime: string) => DateTime.fromISO(wallTime, { zone: hours.timezone }).toJSDate();
      const moments = [
        '2026-12-07T08:59:59',
        '2026-12-07T09:00:00',
        '2026-12-07T15:59:30',
        '2026-12-07T16:00:00',
        '2026-12-07T16:00:59',
        '2026-12-07T16:59:59',
        '2026-12-07T17:00:00',
        '2026-12-07T17:00:30',
      ].map(at);
      for (const moment of moments) expect(byMinute(moment)).toEqual(availabilityAt(hours, moment));
      expect(byMinute(at('2026-12-07T08:59:59')).open).toBe(false);
      expect(byMinute(at('2026-12-07T09:00:00')).open).toBe(true);
      expect(byMinute(at('2026-12-07T16:59:59')).open).toBe(true);
      expect(byMinute(at('2026-12-07T17:00:00')).open).toBe(false);
    }
  });
});

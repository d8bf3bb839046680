import { describe, expect, it } from 'vitest';
import { describeWeeklyHours, formatMinuteOfDay, parseWeeklyHours } from '../../src/hours/weekly-hours.js';

const h = (hour: number, minute = 0) => hour * 60 + minute;

describe('parseWeeklyHours', () => {
  it('reads weekdays with one range and a Saturday morning', () => {
    const hours = parseWeeklyHours('mo-fr 09:00-17:00; sa 10:00-12:00');
    expect([...hours.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(hours.get(1)).toEqual([{ from: h(9), to: h(17) }]);
    expect(hours.get(5)).toEqual([{ from: h(9), to: h(17) }]);
    expect(hours.get(6)).toEqual([{ from: h(10), to: h(12) }]);
    expect(hours.has(7)).toBe(false);
  });

  it('reads Dutch day names and a lunch break, with hours written without a leading zero', () => {
    const hours = parseWeeklyHours('ma-vr 9:00-12:30 13:30-17:00');
    expect([...hours.keys()]).toEqual([1, 2, 3, 4, 5]);
    expect(hours.get(3)).toEqual([
      { from: h(9), to: h(12, 30) },
      { from: h(13, 30), to: h(17) },
    ]);
  });

  it('reads a day list and time ranges separated by a comma', () => {
    const hours = parseWeeklyHours('mo,we 09:00-12:00, 13:00-16:00');
    expect([...hours.keys()]).toEqual([1, 3]);
    expect(hours.get(1)).toEqual([
      { from: h(9), to: h(12) },
      { from: h(13), to: h(16) },
    ]);
  });

  it('accepts 24:00 as the end of an evening', () => {
    expect(parseWeeklyHours('tu 18:00-24:00').get(2)).toEqual([{ from: h(18), to: h(24) }]);
  });

  it('reads whole hours, any letter case and spaces around the dashes', () => {
    expect(parseWeeklyHours('MA - Vr 9 - 17')).toEqual(parseWeeklyHours('mo-fr 09:00-17:00'));
  });

  it('reads a range that wraps past Sunday and a mixed range and list', () => {
    expect([...parseWeeklyHours('fr-mo 10-14').keys()]).toEqual([1, 5, 6, 7]);
    expect([...parseWeeklyHours('mo-we,fr 10-14').keys()]).toEqual([1, 2, 3, 5]);
  });

  it('merges overlapping and touching ranges of one day, also across groups', () => {
    const hours = parseWeeklyHours('mo 11:00-13:00 09:00-12:00, 13:00-14:00; mo-tu 16-17');
    expect(hours.get(1)).toEqual([
      { from: h(9), to: h(14) },
      { from: h(16), to: h(17) },
    ]);
    expect(hours.get(2)).toEqual([{ from: h(16), to: h(17) }]);
  });

  it('reads an empty spec as never open, and ignores a trailing semicolon', () => {
    expect(parseWeeklyHours('').size).toBe(0);
    expect(parseWeeklyHours('   \n ').size).toBe(0);
    expect(parseWeeklyHours('sa 10-12;')).toEqual(parseWeeklyHours('sa 10-12'));
  });

  describe('tells the administrator what is wrong', () => {
    it.each([
      ['mx 09:00-17:00', 'unknown day "mx" in "mx 09:00-17:00"; use mo tu we th fr sa su'],
      ['monday 09:00-17:00', 'unknown day "monday"'],
      ['mo 17:00-09:00', '"17:00-09:00": a time range must end after it starts'],
      ['mo 09:00-09:00', '"09:00-09:00": a time range must end after it starts'],
      ['mo 25:00-26:00', '"25:00-26:00": 25:00 is not a time of day'],
      ['mo 09:60-17:00', '"09:60-17:00": 09:60 is not a time of day'],
      ['mo 09:00-24:30', '"09:00-24:30": 24:30 is not a time of day'],
      ['mo 9.00-17.00', '"9.00-17.00" in "mo 9.00-17.00" is not a time range'],
      ['mo-fr 09:00-17:00 sa 10:00-12:00', '"sa" in "mo-fr 09:00-17:00 sa 10:00-12:00" is not a time range'],
      ['mo-fr', 'no times in "mo-fr"'],
      ['09:00-17:00', 'no days in "09:00-17:00"'],
      ['mo- 09:00-17:00', '"mo-" in "mo- 09:00-17:00" is not a day range'],
    ])('%s', (spec, message) => {
      expect(() => parseWeeklyHours(spec)).toThrow(message);
    });
  });
});

describe('formatMinuteOfDay', () => {
  it('writes HH:mm and keeps the end of the day as 24:00', () => {
    expect(formatMinuteOfDay(0)).toBe('00:00');
    expect(formatMinuteOfDay(h(9, 5))).toBe('09:05');
    expect(formatMinuteOfDay(h(24))).toBe('24:00');
  });
});

describe('describeWeeklyHours', () => {
  const weekday = (locale: string, isoDay: number) =>
    new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, isoDay)));

  it('writes runs of days in Dutch, Monday first', () => {
    expect(describeWeeklyHours(parseWeeklyHours('sa 10:00-12:00; mo-fr 09:00-17:00'), 'nl')).toEqual([
      'maandag – vrijdag 09:00–17:00',
      'zaterdag 10:00–12:00',
    ]);
  });

  it('writes English, several ranges joined with a comma, two days joined with the dash', () => {
    expect(describeWeeklyHours(parseWeeklyHours('mo-fr 9:00-12:30 13:30-17:00; sa-su 10-12'), 'en')).toEqual([
      'Monday – Friday 09:00–12:30, 13:30–17:00',
      'Saturday – Sunday 10:00–12:00',
    ]);
  });

  it('keeps days apart that are not next to each other or differ, and shows 24:00', () => {
    expect(describeWeeklyHours(parseWeeklyHours('mo,we 09:00-12:00; tu 09:00-13:00; th 18:00-24:00'), 'en')).toEqual([
      'Monday 09:00–12:00',
      'Tuesday 09:00–13:00',
      'Wednesday 09:00–12:00',
      'Thursday 18:00–24:00',
    ]);
  });

  it.each(['ar', 'tr'])('takes the weekday names for %s from Intl', (locale) => {
    const lines = describeWeeklyHours(parseWeeklyHours('mo-fr 09:00-17:00; sa 10:00-12:00'), locale);
    expect(lines).toEqual([`${weekday(locale, 1)} – ${weekday(locale, 5)} 09:00–17:00`, `${weekday(locale, 6)} 10:00–12:00`]);
  });

  it('has no lines when never open', () => {
    expect(describeWeeklyHours(parseWeeklyHours(''), 'nl')).toEqual([]);
  });
});

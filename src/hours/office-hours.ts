import { DateTime, IANAZone } from 'luxon';
import type { Availability, NextOpening } from '../engine/types.js';
import { formatMinuteOfDay, type Interval, type WeeklyHours } from './weekly-hours.js';

/** Weekly hours in a time zone, minus closed dates (local `YYYY-MM-DD`). */
export interface OfficeHours {
  timezone: string;
  weekly: WeeklyHours;
  closedDates: ReadonlySet<string>;
}

/** How far ahead an opening is looked for before "no opening at all". */
const HORIZON_DAYS = 370;
const MINUTES_PER_DAY = 24 * 60;
const MAX_CLOSED_RANGE_DAYS = 400;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-12-25, 2026-12-24..2027-01-02`: single dates and inclusive ranges, comma- or space-separated. */
export function parseClosedDates(spec: string): Set<string> {
  const dates = new Set<string>();
  const items = spec
    .replace(/\s*\.\.\s*/g, '..')
    .split(/[\s,]+/)
    .filter((item) => item !== '');
  for (const item of items) for (const date of closedDatesOf(item)) dates.add(date);
  return dates;
}

function closedDatesOf(item: string): string[] {
  if (!item.includes('..')) return [calendarDate(item, item).toISODate()!];
  const ends = item.split('..');
  if (ends.length !== 2) throw new Error(`"${item}" is not a date range; write it like 2026-12-24..2027-01-02`);
  const first = calendarDate(ends[0]!, item);
  const last = calendarDate(ends[1]!, item);
  const length = last.diff(first, 'days').days + 1;
  if (length < 1) throw new Error(`"${item}": a date range must end on or after its start`);
  if (length > MAX_CLOSED_RANGE_DAYS) {
    throw new Error(`"${item}": a date range may cover at most ${MAX_CLOSED_RANGE_DAYS} days`);
  }
  return Array.from({ length }, (_, offset) => first.plus({ days: offset }).toISODate()!);
}

function calendarDate(text: string, item: string): DateTime {
  const match = ISO_DATE.exec(text);
  if (!match) throw new Error(`"${item}" is not a date; write dates like 2026-12-25 and ranges like 2026-12-24..2027-01-02`);
  const date = DateTime.utc(Number(match[1]), Number(match[2]), Number(match[3]));
  if (!date.isValid) throw new Error(`"${item}": ${text} is not a day in the calendar`);
  return date;
}

export function isValidTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Whether the office is open at `at`; when closed, or closing within `closingSoonMinutes`, when it opens next. */
export function availabilityAt(hours: OfficeHours, at: Date, options?: { closingSoonMinutes?: number }): Availability {
  const closingSoonMinutes = options?.closingSoonMinutes ?? 60;
  const local = localDateTime(hours, at);
  const current = openIntervalsOn(hours, local.startOf('day')).find(
    (interval) => interval.start <= local && local < interval.end,
  );
  if (!current) {
    const next = nextOpeningAfter(hours, at);
    return { open: false, next: next ? describeOpening(hours, next, local) : null };
  }
  const closing = closingOf(hours, current);
  const availability: Availability = { open: true, until: formatMinuteOfDay(closing.to) };
  if (closing.end.diff(local, 'minutes').minutes <= closingSoonMinutes) {
    const next = nextOpeningAfter(hours, closing.end.toJSDate());
    if (next) availability.next = describeOpening(hours, next, local);
  }
  return availability;
}

/**
 * availabilityAt for the conversation steps, worked out once a minute: office hours open and close on
 * whole minutes (every time zone's offset is whole minutes), so within a minute the answer is the same,
 * and a busy minute of steps need not walk the calendar with luxon each time.
 */
export function availabilityByMinute(hours: OfficeHours): (at: Date) => Availability {
  let minute = Number.NaN;
  let answer: Availability | undefined;
  return (at) => {
    const atMinute = Math.floor(at.getTime() / 60_000);
    if (atMinute !== minute) {
      answer = availabilityAt(hours, at);
      minute = atMinute;
    }
    return answer!;
  };
}

/**
 * The start of the first opening at or after `at`. An interval from 00:00 that continues the day
 * before's interval to 24:00 is not an opening: the office stays open through midnight.
 */
export function nextOpeningAfter(hours: OfficeHours, at: Date): Date | null {
  const local = localDateTime(hours, at);
  let previous = openIntervalsOn(hours, local.startOf('day').minus({ days: 1 }));
  for (let offset = 0; offset <= HORIZON_DAYS; offset++) {
    const intervals = openIntervalsOn(hours, local.startOf('day').plus({ days: offset }));
    const continued = previous.at(-1)?.to === MINUTES_PER_DAY;
    const opening = intervals.find((interval) => !(interval.from === 0 && continued) && interval.start >= local);
    if (opening) return opening.start.toJSDate();
    previous = intervals;
  }
  return null;
}

/** Minutes the office is open between two instants (0 when `to` ≤ `from`); real elapsed time, so right across DST. */
export function workingMinutesBetween(hours: OfficeHours, from: Date, to: Date): number {
  if (to <= from) return 0;
  const start = localDateTime(hours, from);
  const end = localDateTime(hours, to);
  let milliseconds = 0;
  for (let day = start.startOf('day'); day < end; day = day.plus({ days: 1 })) {
    for (const interval of openIntervalsOn(hours, day)) {
      const overlap = Math.min(+interval.end, +end) - Math.max(+interval.start, +start);
      if (overlap > 0) milliseconds += overlap;
    }
  }
  return milliseconds / 60_000;
}

/** The longest single day's total opening time in the weekly hours, in minutes (0 when never open). */
export function workingDayMinutes(hours: OfficeHours): number {
  let longest = 0;
  for (const intervals of hours.weekly.values()) {
    longest = Math.max(
      longest,
      intervals.reduce((sum, { from, to }) => sum + to - from, 0),
    );
  }
  return longest;
}

/** An interval of one local day, with its wall-clock minutes and the instants they fall on that day. */
interface DatedInterval extends Interval {
  day: DateTime;
  start: DateTime;
  end: DateTime;
}

function localDateTime(hours: OfficeHours, at: Date): DateTime {
  const local = DateTime.fromJSDate(at, { zone: hours.timezone });
  if (!local.isValid) throw new Error(`unknown time zone "${hours.timezone}"; use an IANA name like Europe/Amsterdam`);
  return local;
}

/** The day's intervals as instants; none on a closed date. `day` is the local start of the day. */
function openIntervalsOn(hours: OfficeHours, day: DateTime): DatedInterval[] {
  if (hours.closedDates.has(day.toISODate()!)) return [];
  const intervals = hours.weekly.get(day.weekday) ?? [];
  return intervals.map(({ from, to }) => ({ from, to, day, start: wallTime(day, from), end: wallTime(day, to) }));
}

/** The instant of a wall-clock minute of `day`; set() keeps the wall time across a DST change, plus() would not. */
function wallTime(day: DateTime, minutes: number): DateTime {
  if (minutes >= MINUTES_PER_DAY) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}

/** Where an open interval really closes: past midnight while the next day opens at 00:00. */
function closingOf(hours: OfficeHours, interval: DatedInterval): DatedInterval {
  let closing = interval;
  for (let offset = 0; offset < HORIZON_DAYS && closing.to === MINUTES_PER_DAY; offset++) {
    const following = openIntervalsOn(hours, closing.day.plus({ days: 1 }))[0];
    if (!following || following.from !== 0) break;
    closing = following;
  }
  return closing;
}

function describeOpening(hours: OfficeHours, opening: Date, now: DateTime): NextOpening {
  const local = DateTime.fromJSDate(opening, { zone: hours.timezone });
  const date = local.toISODate()!;
  return { when: relativeDay(calendarDaysBetween(now, local)), time: local.toFormat('HH:mm'), date, weekday: local.weekday };
}

/** Whole local calendar days from `a`'s date to `b`'s date, independent of DST. */
function calendarDaysBetween(a: DateTime, b: DateTime): number {
  const dateOnly = (d: DateTime) => DateTime.utc(d.year, d.month, d.day);
  return Math.round(dateOnly(b).diff(dateOnly(a), 'days').days);
}

function relativeDay(days: number): NextOpening['when'] {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days <= 6) return 'weekday';
  return 'date';
}

/**
 * An organisation's weekly opening hours, as an administrator writes them in the configuration:
 * `mo-fr 09:00-17:00; sa 10:00-12:00` (or in Dutch, `ma-vr 9-17`). Wall-clock minutes only; the time
 * zone and closed dates are office-hours.ts's business.
 */

/** Minutes from local midnight: `from` < `to` ≤ 1440 (24:00). */
export interface Interval {
  from: number;
  to: number;
}

/** ISO weekday 1 (Monday) … 7 (Sunday) → sorted, non-overlapping intervals; days without hours are absent. */
export type WeeklyHours = ReadonlyMap<number, readonly Interval[]>;

const MINUTES_PER_DAY = 24 * 60;

/** Two-letter day names, Monday first; no name is in both lists. */
const ENGLISH_DAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];
const DUTCH_DAYS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'];

const TIME_RANGE = /^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$/;

export function parseWeeklyHours(spec: string): WeeklyHours {
  const byDay = new Map<number, Interval[]>();
  for (const group of spec.split(';').map((part) => part.trim())) {
    if (group === '') continue;
    const { days, intervals } = parseGroup(group);
    for (const day of days) byDay.set(day, [...(byDay.get(day) ?? []), ...intervals]);
  }
  const hours = new Map<number, readonly Interval[]>();
  for (let day = 1; day <= 7; day++) {
    const intervals = byDay.get(day);
    if (intervals) hours.set(day, mergeIntervals(intervals));
  }
  return hours;
}

/** One `;`-separated group: the days come first, up to the first digit; the time ranges follow. */
function parseGroup(group: string): { days: number[]; intervals: Interval[] } {
  const firstDigit = group.search(/\d/);
  const daysPart = (firstDigit === -1 ? group : group.slice(0, firstDigit)).trim();
  const timesPart = firstDigit === -1 ? '' : group.slice(firstDigit).trim();
  if (daysPart === '') throw new Error(`no days in "${group}"; start each group with days, e.g. "mo-fr 09:00-17:00"`);
  if (timesPart === '') throw new Error(`no times in "${group}"; write them after the days, e.g. "mo-fr 09:00-17:00"`);
  return { days: parseDays(daysPart, group), intervals: parseTimeRanges(timesPart, group) };
}

/** `mo-fr`, `mo,we,fr`, `mo-we,fr`, `fr-mo` (a range may wrap past Sunday). */
function parseDays(daysPart: string, group: string): number[] {
  const items = daysPart
    .replace(/\s*-\s*/g, '-')
    .split(/[\s,]+/)
    .filter((item) => item !== '');
  return [...new Set(items.flatMap((item) => parseDayItem(item, group)))];
}

function parseDayItem(item: string, group: string): number[] {
  if (!item.includes('-')) return [dayNumber(item, group)];
  const ends = item.split('-');
  if (ends.length !== 2 || ends[0] === '' || ends[1] === '') {
    throw new Error(`"${item}" in "${group}" is not a day range; write it like mo-fr`);
  }
  return dayRange(dayNumber(ends[0]!, group), dayNumber(ends[1]!, group));
}

function dayNumber(name: string, group: string): number {
  const lower = name.toLowerCase();
  const index = Math.max(ENGLISH_DAYS.indexOf(lower), DUTCH_DAYS.indexOf(lower));
  if (index === -1)
    throw new Error(`unknown day "${name}" in "${group}"; use ${ENGLISH_DAYS.join(' ')} (or ${DUTCH_DAYS.join(' ')})`);
  return index + 1;
}

function dayRange(first: number, last: number): number[] {
  const length = ((last - first + 7) % 7) + 1;
  return Array.from({ length }, (_, offset) => ((first - 1 + offset) % 7) + 1);
}

function parseTimeRanges(timesPart: string, group: string): Interval[] {
  const ranges = timesPart
    .replace(/\s*-\s*/g, '-')
    .split(/[\s,]+/)
    .filter((range) => range !== '');
  return ranges.map((range) => parseTimeRange(range, group));
}

function parseTimeRange(range: string, group: string): Interval {
  const match = TIME_RANGE.exec(range);
  if (!match) {
    throw new Error(`"${range}" in "${group}" is not a time range; write times like 09:00-17:00 and separate groups with ";"`);
  }
  const from = minuteOfDay(match[1]!, match[2], range);
  const to = minuteOfDay(match[3]!, match[4], range);
  if (to <= from) {
    throw new Error(
      `"${range}": a time range must end after it starts (for hours past midnight, continue the next day from 00:00)`,
    );
  }
  return { from, to };
}

function minuteOfDay(hour: string, minute: string | undefined, range: string): number {
  const minutes = Number(hour) * 60 + Number(minute ?? '0');
  if (Number(minute ?? '0') > 59 || minutes > MINUTES_PER_DAY) {
    throw new Error(`"${range}": ${hour}:${minute ?? '00'} is not a time of day`);
  }
  return minutes;
}

/** Sorts and joins intervals that overlap or touch. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const interval of [...intervals].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last && interval.from <= last.to) last.to = Math.max(last.to, interval.to);
    else merged.push({ ...interval });
  }
  return merged;
}

/** `HH:mm` for a minute of the day; the end of the day stays `24:00`. */
export function formatMinuteOfDay(minutes: number): string {
  const hour = Math.floor(minutes / 60);
  return `${String(hour).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * One line per run of consecutive days with the same hours, Monday first:
 * `maandag – vrijdag 09:00–17:00`, `zaterdag 10:00–12:00`.
 */
export function describeWeeklyHours(hours: WeeklyHours, locale: string): string[] {
  const names = weekdayNames(locale);
  return runsOfEqualDays(hours).map(({ first, last, intervals }) => {
    const days = first === last ? names[first - 1] : `${names[first - 1]} – ${names[last - 1]}`;
    const times = intervals.map(({ from, to }) => `${formatMinuteOfDay(from)}–${formatMinuteOfDay(to)}`).join(', ');
    return `${days} ${times}`;
  });
}

interface DayRun {
  first: number;
  last: number;
  intervals: readonly Interval[];
}

function runsOfEqualDays(hours: WeeklyHours): DayRun[] {
  const runs: DayRun[] = [];
  for (let day = 1; day <= 7; day++) {
    const intervals = hours.get(day);
    if (!intervals || intervals.length === 0) continue;
    const last = runs.at(-1);
    if (last && last.last === day - 1 && sameIntervals(last.intervals, intervals)) last.last = day;
    else runs.push({ first: day, last: day, intervals });
  }
  return runs;
}

function sameIntervals(a: readonly Interval[], b: readonly Interval[]): boolean {
  return a.length === b.length && a.every((interval, i) => interval.from === b[i]!.from && interval.to === b[i]!.to);
}

/** Long weekday names, Monday first, as Intl writes them for `locale`. */
function weekdayNames(locale: string): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

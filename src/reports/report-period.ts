import { DateTime } from 'luxon';

/** The kinds of period a report covers; `custom` is any other run of whole days. */
export const PERIOD_KINDS = ['month', 'quarter', 'year', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** The longest period one report may cover (a longer one is refused: the reads grow with it). */
export const MAX_REPORT_YEARS = 5;

/**
 * Whole days in the organisation's time zone (ORG_TIMEZONE): `from` and `to` are the first and the last
 * day, both included; `start` and `end` the instants the database compares with (`start <= t < end`),
 * so a case at 23:59 on the last day of a month, Amsterdam time, is in that month, whatever UTC says.
 */
export interface ReportPeriod {
  kind: PeriodKind;
  from: string;
  to: string;
  start: Date;
  end: Date;
}

/**
 * Why the dates of a report were refused: the API answers 400 with `reason`, the page says it in the
 * staff member's language from `code` (and `field`, `from` or `to`).
 */
export class ReportPeriodError extends Error {
  constructor(
    readonly code: 'missing' | 'format' | 'notADay' | 'fromAfterTo' | 'tooLong',
    readonly reason: string,
    readonly field?: 'from' | 'to',
  ) {
    super(reason);
    this.name = 'ReportPeriodError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The instant a day (YYYY-MM-DD) starts in the organisation's `timezone`, `plusDays` days later
 * (`1`: the end of that day, for a search up to and including it); undefined for no day.
 */
export function startOfOrgDay(date: string | undefined, timezone: string, plusDays = 0): Date | undefined {
  return date ? DateTime.fromISO(date, { zone: timezone }).startOf('day').plus({ days: plusDays }).toJSDate() : undefined;
}

function day(text: string | undefined, name: 'from' | 'to', timezone: string): DateTime {
  if (!text) throw new ReportPeriodError('missing', `${name} is missing: give a date as YYYY-MM-DD`, name);
  if (!ISO_DATE.test(text)) {
    throw new ReportPeriodError('format', `${name} must be a date as YYYY-MM-DD (got "${text.slice(0, 20)}")`, name);
  }
  const date = DateTime.fromISO(text, { zone: timezone });
  if (!date.isValid) throw new ReportPeriodError('notADay', `${name}: ${text} is not a day in the calendar`, name);
  return date.startOf('day');
}

/** Which kind the days make: a whole calendar month, quarter or year, or else custom. */
function kindOf(first: DateTime, last: DateTime): PeriodKind {
  const next = last.plus({ days: 1 });
  if (first.day !== 1) return 'custom';
  if (first.month === 1 && next.equals(first.plus({ years: 1 }))) return 'year';
  if ((first.month - 1) % 3 === 0 && next.equals(first.plus({ months: 3 }))) return 'quarter';
  if (next.equals(first.plus({ months: 1 }))) return 'month';
  return 'custom';
}

/**
 * The period from `from` to `to` (YYYY-MM-DD, both days included) in `timezone`. Refuses a missing or
 * malformed date, a day that does not exist, `from` after `to`, and a span over MAX_REPORT_YEARS years.
 */
export function periodBetween(from: string | undefined, to: string | undefined, timezone: string): ReportPeriod {
  const first = day(from, 'from', timezone);
  const last = day(to, 'to', timezone);
  if (last < first) throw new ReportPeriodError('fromAfterTo', `from (${from}) is after to (${to})`);
  if (last >= first.plus({ years: MAX_REPORT_YEARS })) {
    throw new ReportPeriodError('tooLong', `a report covers at most ${MAX_REPORT_YEARS} years; choose a shorter period`);
  }
  return {
    kind: kindOf(first, last),
    from: first.toISODate()!,
    to: last.toISODate()!,
    start: first.toJSDate(),
    end: last.plus({ days: 1 }).startOf('day').toJSDate(),
  };
}

/** The calendar month, quarter (1–4) or year that holds `date` (a day in `timezone`). */
export function calendarPeriod(kind: Exclude<PeriodKind, 'custom'>, date: DateTime, timezone: string): ReportPeriod {
  const first = date.setZone(timezone).startOf(kind);
  const last = first.plus(kind === 'year' ? { years: 1 } : { months: kind === 'quarter' ? 3 : 1 }).minus({ days: 1 });
  return periodBetween(first.toISODate()!, last.toISODate()!, timezone);
}

/** The fields of the report page's period form (a GET form), as they came. */
export interface PeriodChoice {
  period?: string | undefined;
  year?: string | undefined;
  month?: string | undefined;
  quarter?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The period the report page's form asks for. Nothing chosen: this month so far (the whole month).
 * A year, month or quarter that is not a number in range falls back to today's; custom dates are
 * checked as the API checks them (ReportPeriodError).
 */
export function chosenPeriod(choice: PeriodChoice, timezone: string, now: Date): ReportPeriod {
  const today = DateTime.fromJSDate(now, { zone: timezone });
  const kind = (PERIOD_KINDS as readonly string[]).includes(choice.period ?? '') ? (choice.period as PeriodKind) : 'month';
  if (kind === 'custom') return periodBetween(choice.from, choice.to, timezone);
  const number = (text: string | undefined, min: number, max: number, fallback: number) => {
    const n = /^\d{1,4}$/.test(text ?? '') ? Number(text) : NaN;
    return n >= min && n <= max ? n : fallback;
  };
  const year = number(choice.year, 2000, 2999, today.year);
  const month =
    kind === 'quarter' ? (number(choice.quarter, 1, 4, today.quarter) - 1) * 3 + 1 : number(choice.month, 1, 12, today.month);
  const date = DateTime.fromObject({ year, month: kind === 'year' ? 1 : month, day: 1 }, { zone: timezone });
  return calendarPeriod(kind, date, timezone);
}

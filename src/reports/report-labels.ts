import type { Labels } from '../i18n/labels.js';
import type { SummaryReport } from './summary-report.js';
import type { Tally } from './tally.js';

/** The tables of new cases and referrals, in the order the page and the CSV show them. */
export const TALLY_TABLES = [
  'byChannel',
  'byLanguage',
  'byTopic',
  'byUrgency',
  'byTrajectory',
  'byPhase',
  'byReason',
  'byAgency',
] as const;
export type TallyTable = (typeof TALLY_TABLES)[number];

/** A table's rows from the report. */
export function tallies(report: SummaryReport, table: TallyTable): Tally[] {
  return table === 'byAgency' ? report.referrals.byAgency : report.newCases[table];
}

/** What one row of a table is called, in the staff member's language (null: not given, or unknown). */
export function tallyLabel(l: Labels, table: TallyTable, key: string | null): string {
  if (key === null) return l.t(table === 'byChannel' || table === 'byLanguage' ? 'common.unknown' : 'common.notGiven');
  switch (table) {
    case 'byChannel':
      return l.channel(key);
    case 'byLanguage':
      return l.language(key);
    case 'byTopic':
      return l.domain(key);
    case 'byUrgency':
      return l.urgency(key);
    case 'byTrajectory':
      return l.trajectory(key);
    case 'byPhase':
      return l.phase(key);
    case 'byReason':
      return l.reason(key);
    case 'byAgency':
      return l.agency(key);
  }
}

/** Seconds as hours with one decimal (the CSV's unit), or null. */
export const hours = (seconds: number | null): number | null => (seconds === null ? null : Math.round(seconds / 360) / 10);

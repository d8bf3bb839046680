import type { Labels } from '../i18n/labels.js';
import { csvDocument, type CsvValue } from './csv.js';
import { hours, TALLY_TABLES, tallies, tallyLabel } from './report-labels.js';
import { downloadCount, isSmallCount } from './small-counts.js';
import type { SummaryReport } from './summary-report.js';

type Row = CsvValue[];

/**
 * The summary report as a CSV download, in the staff member's language: one section per table (a title
 * line, a header line, the rows, an empty line). Counts of 1 to 4 are "<5" (small-counts.ts), and a line
 * of the cost estimate with fewer than 5 cases shows no amounts (they would give its count away); the
 * totals count every case. Amounts are whole euros, without a currency sign, so a spreadsheet can sum them.
 */
export function summaryCsv(l: Labels, report: SummaryReport): string {
  const t = (key: string, vars?: Record<string, unknown>) => l.t(`funderReport.${key}`, vars);
  const count = downloadCount;
  const rows: Row[] = [];
  const section = (title: string, header: Row, body: Row[]) => rows.push([title], header, ...body, []);

  rows.push(
    [t('title')],
    [t('csv.period'), report.period.from, report.period.to],
    [t('csv.timezone'), report.period.timezone],
    [t('csv.smallCounts')],
    [],
  );

  const n = report.newCases;
  section(
    t('newCases.title'),
    [t('csv.what'), t('cases')],
    [
      [t('newCases.total'), count(n.total)],
      [t('newCases.urgent'), count(n.urgent)],
      [t('aftercare.reopened'), count(report.aftercare.reopened)],
    ],
  );
  for (const table of TALLY_TABLES) {
    section(
      t(`tables.${table}`),
      [t(`tables.${table}Key`), table === 'byAgency' ? t('referrals.count') : t('cases')],
      tallies(report, table).map((row) => [tallyLabel(l, table, row.key), count(row.cases)]),
    );
  }
  section(
    t('referrals.title'),
    [t('csv.what'), t('cases')],
    [
      [t('referrals.total'), count(report.referrals.total)],
      [t('referrals.cases'), count(report.referrals.cases)],
    ],
  );

  const r = report.firstReply;
  section(
    t('firstReply.title'),
    [t('csv.what'), t('csv.value')],
    [
      [t('firstReply.cases'), count(r.cases)],
      [t('firstReply.replied'), count(r.replied)],
      [t('firstReply.medianHours'), hours(r.medianSeconds)],
      [t('firstReply.p90Hours'), hours(r.p90Seconds)],
    ],
  );

  const a = report.aftercare;
  section(
    t('aftercare.title'),
    [t('csv.what'), t('cases')],
    [
      [t('aftercare.asked'), count(a.asked)],
      [l.t('aftercare.answers.good'), count(a.good)],
      [l.t('aftercare.answers.notGood'), count(a.notGood)],
      [l.t('aftercare.answers.talk'), count(a.talk)],
      [l.t('aftercare.noAnswer'), count(a.unanswered)],
      [t('aftercare.skipped'), count(a.skipped)],
    ],
  );

  const c = report.costs;
  const amounts = (cases: number, low: number, high: number): Row => (isSmallCount(cases) ? ['', ''] : [low, high]);
  section(
    `${t('costs.title')} (${t('costs.estimate')})`,
    [t('costs.outcome'), t('cases'), t('csv.perCaseLow'), t('csv.perCaseHigh'), t('csv.totalLow'), t('csv.totalHigh')],
    [
      ...c.prevented.map((line): Row => [
        t(`outcomes.${line.outcome}`),
        count(line.cases),
        line.perCase?.low ?? t('costs.noFigure'),
        line.perCase?.high ?? t('costs.noFigure'),
        ...(line.total ? amounts(line.cases, line.total.low, line.total.high) : ['', '']),
      ]),
      [t('costs.preventedSum'), count(c.recordedCases), '', '', c.preventedTotal.low, c.preventedTotal.high],
    ],
  );
  section(
    t('costs.trajectoryTitle'),
    [t('costs.trajectory'), t('cases'), t('csv.perCase'), t('csv.total')],
    [
      ...c.trajectories.map((line): Row => [
        line.trajectory === 'unknown' ? t('costs.unknownTrajectory') : l.trajectory(line.trajectory),
        count(line.cases),
        line.perCase,
        isSmallCount(line.cases) ? '' : line.total,
      ]),
      [t('costs.trajectorySum'), count(c.recordedCases), '', c.trajectoryTotal],
    ],
  );
  section(
    `${t('costs.net')} (${t('costs.estimate')})`,
    [t('csv.what'), t('csv.low'), t('csv.high')],
    [
      [t('costs.preventedSum'), c.preventedTotal.low, c.preventedTotal.high],
      [t('costs.trajectorySum'), -c.trajectoryTotal, -c.trajectoryTotal],
      [t('costs.net'), c.net.low, c.net.high],
    ],
  );
  rows.push(
    [t('costs.closed', { closed: count(c.closedCases), recorded: count(c.recordedCases), unrecorded: count(c.unrecordedCases) })],
    [t('costs.explain')],
    [t('costs.noFigureNote')],
    [t('costs.rangeNote')],
    [t('costs.unknownNote')],
    [t('csv.suppressedAmounts')],
    [t('costs.source', { source: c.source })],
  );
  return csvDocument(rows);
}

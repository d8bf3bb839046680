import { createLabels } from '../i18n/labels.js';
import type { LoadedTexts } from '../i18n/load-texts.js';
import { periodBetween, ReportPeriodError, type ReportPeriod } from '../reports/report-period.js';
import { summaryCsv } from '../reports/summary-csv.js';
import type { SummaryReport } from '../reports/summary-report.js';
import { HttpError } from '../server/http-error.js';
import { reportQuery } from './request-schemas.js';

/** The period of `?from=YYYY-MM-DD&to=YYYY-MM-DD` in the organisation's time zone; a 400 that says why otherwise. */
export function periodFromQuery(query: Record<string, string>, timezone: string): ReportPeriod {
  const { from, to } = reportQuery.parse(query);
  try {
    return periodBetween(from, to, timezone);
  } catch (error) {
    if (error instanceof ReportPeriodError) throw new HttpError(400, 'invalid_request', error.reason);
    throw error;
  }
}

/**
 * The summary report as a CSV file (the page's download and `GET /api/reports/summary.csv`), in the
 * staff member's language, small counts hidden (src/reports/summary-csv.ts). Not cached anywhere.
 */
export function summaryCsvResponse(texts: LoadedTexts, locale: string, report: SummaryReport): Response {
  const csv = summaryCsv(createLabels(texts, locale), report);
  const name = `tussenin-report-${report.period.from}-${report.period.to}.csv`;
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

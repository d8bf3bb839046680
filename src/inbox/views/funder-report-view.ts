import type { Labels } from '../../i18n/labels.js';
import type { CostRange } from '../../reports/cost-figures.js';
import { PERIOD_KINDS, type PeriodChoice } from '../../reports/report-period.js';
import { TALLY_TABLES, tallies, tallyLabel, type TallyTable } from '../../reports/report-labels.js';
import type { SummaryReport } from '../../reports/summary-report.js';
import { markup, type Html } from '../../server/html.js';
import { barChart, type Bar } from './bar-chart.js';

export interface FunderReportModel {
  report: SummaryReport;
  /** What the period form holds (the chosen period, or what was asked when it was refused). */
  choice: Required<{ [K in keyof PeriodChoice]: string }>;
  /** Why the dates asked for were refused (the report then shows the current month). */
  error?: string | undefined;
}

/** A calendar day (YYYY-MM-DD) in words, in the staff member's language. */
function dayInWords(l: Labels, date: string): string {
  return new Intl.DateTimeFormat(l.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/**
 * Text kept whole in a line of either direction (Unicode first-strong isolate): an amount in Arabic
 * carries a right-to-left mark, and a range or a sum of such amounts would otherwise be reordered.
 */
export const isolate = (text: string) => `\u2068${text}\u2069`;

/** Number formats in the staff member's language. */
function formats(l: Labels) {
  const number = new Intl.NumberFormat(l.locale);
  const money = new Intl.NumberFormat(l.locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
  const euro = { format: (n: number) => isolate(money.format(n)) };
  const unit = (value: number, u: 'minute' | 'hour' | 'day') =>
    new Intl.NumberFormat(l.locale, {
      style: 'unit',
      unit: u,
      unitDisplay: 'long',
      maximumFractionDigits: u === 'minute' ? 0 : 1,
    }).format(value);
  return {
    count: (n: number) => number.format(n),
    euro: (n: number) => euro.format(n),
    range: (r: CostRange) => (r.low === r.high ? euro.format(r.low) : `${euro.format(r.low)} – ${euro.format(r.high)}`),
    /** A range inside a sum, in brackets, so its dash is not read as a minus. */
    term: (r: CostRange) => (r.low === r.high ? euro.format(r.low) : `(${euro.format(r.low)} – ${euro.format(r.high)})`),
    /** Under an hour in minutes, under two days in hours, else in days. */
    duration: (seconds: number | null) =>
      seconds === null
        ? l.t('funderReport.firstReply.none')
        : seconds < 3600
          ? unit(seconds / 60, 'minute')
          : seconds < 48 * 3600
            ? unit(seconds / 3600, 'hour')
            : unit(seconds / 86400, 'day'),
  };
}

/**
 * The report for funders on the coordinators' report page (issue 16): the period form, the key numbers,
 * a chart and a table per breakdown, the first human reply, aftercare, and the estimate of costs
 * prevented with its arithmetic. Exact counts: this page is for coordinators; the CSV download hides
 * counts under 5 (src/reports/small-counts.ts).
 */
export function funderReportSection(l: Labels, m: FunderReportModel): Html {
  const t = (key: string, vars?: Record<string, unknown>) => l.t(`funderReport.${key}`, vars);
  const f = formats(l);
  const r = m.report;
  const query = `from=${r.period.from}&to=${r.period.to}`;
  return markup`<section class="card funder-report" id="funder-report">
      <h1>${t('title')}</h1>
      <p class="muted">${t('intro')}</p>
      ${periodForm(l, m)}
      ${m.error ? markup`<p class="notice notice--error" role="alert" id="period-error">${t('period.refused', { reason: m.error })}</p>` : ''}
      <p class="period-shown" id="period-shown">
        <strong>${t('period.range', { from: dayInWords(l, r.period.from), to: dayInWords(l, r.period.to) })}</strong>
        <span class="muted">${t('period.timezone', { timezone: isolate(r.period.timezone) })}</span>
      </p>
      <p class="report-downloads">
        <a class="button" id="download-csv" href="/inbox/reports/summary.csv?${query}" download>${t('downloadCsv')}</a>
        <span class="muted">${t('apiHint', { path: isolate(`/api/reports/summary?${query}`) })}</span>
      </p>
      <p class="muted small-counts-note">${t('smallCounts')}</p>
      <dl class="key-figures">
        ${keyFigure(t('newCases.total'), f.count(r.newCases.total), 'kf-new')}
        ${keyFigure(t('newCases.urgent'), f.count(r.newCases.urgent), 'kf-urgent')}
        ${keyFigure(t('referrals.total'), f.count(r.referrals.total), 'kf-referrals')}
        ${keyFigure(t('firstReply.median'), f.duration(r.firstReply.medianSeconds), 'kf-median')}
        ${keyFigure(t('costs.closedCases'), f.count(r.costs.closedCases), 'kf-closed')}
        ${keyFigure(`${t('costs.net')} (${t('costs.estimate')})`, f.range(r.costs.net), 'kf-net')}
      </dl>
    </section>
    <div class="report-grid">${TALLY_TABLES.map((table) => tallyCard(l, r, table))}</div>
    ${firstReplyCard(l, r)} ${aftercareCard(l, r)} ${costsCard(l, r)}`;
}

function keyFigure(label: string, value: string, id: string): Html {
  return markup`<div class="key-figure" id="${id}">
    <dt>${label}</dt>
    <dd><bdi>${value}</bdi></dd>
  </div>`;
}

/** The period form: a GET form, so the page's address names the period (bookmark, share with a colleague). */
function periodForm(l: Labels, m: FunderReportModel): Html {
  const t = (key: string) => l.t(`funderReport.period.${key}`);
  const c = m.choice;
  const monthName = new Intl.DateTimeFormat(l.locale, { month: 'long', timeZone: 'UTC' });
  const selected = (on: boolean) => (on ? markup`selected` : '');
  return markup`<form method="get" action="/inbox/reports" class="period-picker" id="period-form">
    <label class="field"
      >${t('kind')}
      <select name="period" id="period-kind">
        ${PERIOD_KINDS.map((kind) => markup`<option value="${kind}" ${selected(c.period === kind)}>${t(kind)}</option>`)}
      </select>
    </label>
    <label class="field period-field for-month for-quarter for-year"
      >${t('year')}
      <input type="number" name="year" min="2000" max="2999" inputmode="numeric" value="${c.year}" />
    </label>
    <label class="field period-field for-month"
      >${t('month')}
      <select name="month">
        ${Array.from({ length: 12 }, (_, i) => i + 1).map(
          (n) =>
            markup`<option value="${String(n)}" ${selected(c.month === String(n))}>${monthName.format(new Date(Date.UTC(2026, n - 1, 15)))}</option>`,
        )}
      </select>
    </label>
    <label class="field period-field for-quarter"
      >${t('quarter')}
      <select name="quarter">
        ${[1, 2, 3, 4].map(
          (n) =>
            markup`<option value="${String(n)}" ${selected(c.quarter === String(n))}>${l.t('funderReport.period.quarterN', { n })}</option>`,
        )}
      </select>
    </label>
    <label class="field period-field for-custom">${t('from')}<input type="date" name="from" value="${c.from}" /></label>
    <label class="field period-field for-custom">${t('to')}<input type="date" name="to" value="${c.to}" /></label>
    <button type="submit" class="button button--primary">${t('show')}</button>
  </form>`;
}

/** One breakdown: a bar chart and, folded away, the same numbers as a table. */
function tallyCard(l: Labels, r: SummaryReport, table: TallyTable): Html {
  const t = (key: string) => l.t(`funderReport.${key}`);
  const count = new Intl.NumberFormat(l.locale);
  const rows = tallies(r, table).map((row) => ({ label: tallyLabel(l, table, row.key), value: row.cases }));
  const title = t(`tables.${table}`);
  const id = `chart-${table}`;
  const shown = rows.some((row) => row.value > 0);
  return markup`<section class="card report-card" id="card-${table}">
    <h2>${title}</h2>
    ${table === 'byTopic' ? markup`<p class="muted">${t('newCases.topicNote')}</p>` : ''}
    ${table === 'byPhase' ? markup`<p class="muted">${t('newCases.phaseNote')}</p>` : ''}
    ${table === 'byAgency' ? markup`<p class="muted">${l.t('funderReport.referrals.summary', { referrals: count.format(r.referrals.total), cases: count.format(r.referrals.cases) })}</p>` : ''}
    ${
      shown
        ? markup`${barChart({ id, title, dir: l.dir, bars: rows.map((row): Bar => ({ ...row, shown: count.format(row.value) })) })}
          <details class="chart-table">
            <summary>${t('chart.table')}</summary>
            <div class="table-wrap">
              <table class="report">
                <thead>
                  <tr>
                    <th scope="col">${t(`tables.${table}Key`)}</th>
                    <th scope="col" class="num">${table === 'byAgency' ? t('referrals.count') : t('cases')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map((row) => markup`<tr><th scope="row">${row.label}</th><td class="num">${count.format(row.value)}</td></tr>`)}
                </tbody>
              </table>
            </div>
          </details>`
        : markup`<p class="notice">${t('noCases')}</p>`
    }
  </section>`;
}

function firstReplyCard(l: Labels, r: SummaryReport): Html {
  const t = (key: string, vars?: Record<string, unknown>) => l.t(`funderReport.firstReply.${key}`, vars);
  const f = formats(l);
  const fr = r.firstReply;
  return markup`<section class="card report-card" id="first-reply">
    <h2>${t('title')}</h2>
    <p class="muted">${t('explain')}</p>
    <dl class="key-figures">
      ${keyFigure(t('median'), f.duration(fr.medianSeconds), 'first-reply-median')}
      ${keyFigure(t('p90'), f.duration(fr.p90Seconds), 'first-reply-p90')}
      ${keyFigure(t('replied'), t('repliedOf', { replied: f.count(fr.replied), cases: f.count(fr.cases) }), 'first-reply-count')}
    </dl>
  </section>`;
}

function aftercareCard(l: Labels, r: SummaryReport): Html {
  const t = (key: string) => l.t(`funderReport.aftercare.${key}`);
  const f = formats(l);
  const a = r.aftercare;
  const rows: [string, number][] = [
    [t('reopened'), a.reopened],
    [t('asked'), a.asked],
    [l.t('aftercare.answers.good'), a.good],
    [l.t('aftercare.answers.notGood'), a.notGood],
    [l.t('aftercare.answers.talk'), a.talk],
    [l.t('aftercare.noAnswer'), a.unanswered],
    [t('skipped'), a.skipped],
  ];
  return markup`<section class="card report-card" id="aftercare-summary">
    <h2>${t('title')}</h2>
    <p class="muted">${t('explain')}</p>
    <div class="table-wrap">
      <table class="report">
        <tbody>
          ${rows.map(([label, n]) => markup`<tr><th scope="row">${label}</th><td class="num">${f.count(n)}</td></tr>`)}
        </tbody>
      </table>
    </div>
  </section>`;
}

/**
 * The estimate of costs prevented, with the arithmetic a funder can redo: outcome × cases × the figure
 * per case, the trajectories' costs the same way, and what the one minus the other makes. Marked
 * "estimate" in its title, its total and its key figure.
 */
function costsCard(l: Labels, r: SummaryReport): Html {
  const t = (key: string, vars?: Record<string, unknown>) => l.t(`funderReport.costs.${key}`, vars);
  const f = formats(l);
  const c = r.costs;
  const outcomes = c.prevented.filter((line) => line.cases > 0);
  return markup`<section class="card report-card costs" id="costs">
    <h2>${t('title')} <span class="badge badge--estimate">${t('estimate')}</span></h2>
    <p>${t('explain')}</p>
    <p class="muted" id="costs-closed">
      ${t('closed', { closed: f.count(c.closedCases), recorded: f.count(c.recordedCases), unrecorded: f.count(c.unrecordedCases) })}
    </p>
    ${
      c.recordedCases === 0
        ? markup`<p class="notice">${t('none')}</p>`
        : markup`${barChart({
            id: 'chart-outcomes',
            title: t('outcome'),
            dir: l.dir,
            bars: outcomes.map((line) => ({
              label: l.t(`funderReport.outcomes.${line.outcome}`),
              value: line.cases,
              shown: f.count(line.cases),
            })),
          })}
          ${arithmeticTable(l, {
            id: 'costs-prevented',
            title: t('preventedCaption'),
            heading: t('outcome'),
            data: 'outcome',
            rows: c.prevented.map((line) => ({
              key: line.outcome,
              label: l.t(`funderReport.outcomes.${line.outcome}`),
              cases: line.cases,
              perCase: line.perCase ? f.range(line.perCase) : null,
              total: line.total ? f.range(line.total) : null,
            })),
            sum: {
              label: t('preventedSum'),
              cases: c.recordedCases,
              id: 'costs-prevented-total',
              total: f.range(c.preventedTotal),
            },
          })}
          ${arithmeticTable(l, {
            id: 'costs-trajectories',
            title: t('trajectoryTitle'),
            heading: t('trajectory'),
            data: 'trajectory',
            rows: c.trajectories.map((line) => ({
              key: line.trajectory,
              label: line.trajectory === 'unknown' ? t('unknownTrajectory') : l.trajectory(line.trajectory),
              cases: line.cases,
              perCase: f.euro(line.perCase),
              total: f.euro(line.total),
            })),
            sum: {
              label: t('trajectorySum'),
              cases: c.recordedCases,
              id: 'costs-trajectory-total',
              total: f.euro(c.trajectoryTotal),
            },
          })}
          <p class="net-estimate" id="costs-net">
            <strong>${t('net')} (${t('estimate')}):</strong>
            <span class="arithmetic-line" dir="ltr"
              >${f.term(c.preventedTotal)} − ${f.euro(c.trajectoryTotal)} = <strong>${f.range(c.net)}</strong></span
            >
          </p>`
    }
    <ul class="muted costs-notes">
      <li>${t('noFigureNote')}</li>
      <li>${t('rangeNote')}</li>
      <li>${t('unknownNote')}</li>
      <li>${t('source', { source: isolate(c.source) })}</li>
    </ul>
  </section>`;
}

/** One table of the costs arithmetic: a row per line (cases × the amount per case = the total), then the sum. */
interface ArithmeticTable {
  id: string;
  title: string;
  /** The first column's heading: what a row is. */
  heading: string;
  /** Names the rows' `data-…` attribute, which holds their key. */
  data: 'outcome' | 'trajectory';
  /** Amounts already formatted; a null amount per case is "no figure", a null total a dash. */
  rows: { key: string; label: string; cases: number; perCase: string | null; total: string | null }[];
  sum: { label: string; cases: number; id: string; total: string };
}

function arithmeticTable(l: Labels, table: ArithmeticTable): Html {
  const t = (key: string) => l.t(`funderReport.costs.${key}`);
  const f = formats(l);
  return markup`<h3 class="table-title">${table.title}</h3>
    <div class="table-wrap">
      <table class="report arithmetic" id="${table.id}">
        <thead>
          <tr>
            <th scope="col">${table.heading}</th>
            <th scope="col" class="num">${l.t('funderReport.cases')}</th>
            <th scope="col" class="num">${t('perCase')}</th>
            <th scope="col" class="num">${t('total')}</th>
          </tr>
        </thead>
        <tbody>
          ${table.rows.map(
            (row) => markup`<tr data-${table.data}="${row.key}">
              <th scope="row">${row.label}</th>
              <td class="num">${f.count(row.cases)}</td>
              <td class="num">${row.perCase === null ? t('noFigure') : markup`× <bdi>${row.perCase}</bdi>`}</td>
              <td class="num"><bdi>${row.total ?? '–'}</bdi></td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">${table.sum.label}</th>
            <td class="num">${f.count(table.sum.cases)}</td>
            <td></td>
            <td class="num" id="${table.sum.id}"><bdi>${table.sum.total}</bdi></td>
          </tr>
        </tfoot>
      </table>
    </div>`;
}

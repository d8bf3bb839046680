import type { AftercareReportRow } from '../../continuity/aftercare-report.js';
import type { Labels } from '../../i18n/labels.js';
import type { ErasureCountRow } from '../../privacy/erasure-report.js';
import { markup, type Html } from '../../server/html.js';
import { funderReportSection, type FunderReportModel } from './funder-report-view.js';
import { layout, type PageContext } from './layout.js';

/**
 * Coordinators' reports: the report for funders over a period (issue 16), the anonymous counts that
 * erasure leaves behind, and the aftercare answers per month. Counts only.
 */
export function reportPage(
  p: PageContext,
  m: { erasures: ErasureCountRow[]; aftercare?: AftercareReportRow[]; funder?: FunderReportModel },
): Html {
  const l = p.labels;
  const body = markup`${m.funder ? funderReportSection(l, m.funder) : ''}<section class="card" id="erasure-report">
    ${m.funder ? markup`<h2>${l.t('reports.title')}</h2>` : markup`<h1>${l.t('reports.title')}</h1>`}
    <p class="muted">${l.t('reports.intro')}</p>
    ${
      m.erasures.length === 0
        ? markup`<p class="notice">${l.t('reports.none')}</p>`
        : markup`<div class="table-wrap">
            <table class="report">
              <thead>
                <tr>
                  <th>${l.t('reports.month')}</th>
                  <th>${l.t('reports.channel')}</th>
                  <th>${l.t('reports.reason')}</th>
                  <th>${l.t('reports.residents')}</th>
                  <th>${l.t('reports.conversations')}</th>
                  <th>${l.t('reports.handoffs')}</th>
                  <th>${l.t('reports.urgent')}</th>
                  <th>${l.t('reports.messages')}</th>
                </tr>
              </thead>
              <tbody>
                ${m.erasures.map(
                  (r) =>
                    markup`<tr>
                      <td>${r.month}</td>
                      <td>${l.channel(r.channel)}</td>
                      <td>${l.t(`reports.reasons.${r.reason}`)}</td>
                      <td>${String(r.residents)}</td>
                      <td>${String(r.conversations)}</td>
                      <td>${String(r.handoffs)}</td>
                      <td>${String(r.urgentHandoffs)}</td>
                      <td>${String(r.messages)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>
  ${aftercareSection(l, m.aftercare ?? [])}`;
  return layout(p, m.funder ? l.t('funderReport.title') : l.t('reports.title'), body, { page: 'reports' });
}

/** The aftercare answers per month in which the question was asked. */
function aftercareSection(l: Labels, rows: AftercareReportRow[]): Html {
  return markup`<section class="card" id="aftercare-report">
    <h2>${l.t('aftercare.title')}</h2>
    <p class="muted">${l.t('reports.aftercareIntro')}</p>
    ${
      rows.length === 0
        ? markup`<p class="notice">${l.t('reports.aftercareNone')}</p>`
        : markup`<div class="table-wrap">
            <table class="report">
              <thead>
                <tr>
                  <th>${l.t('reports.month')}</th>
                  <th>${l.t('reports.asked')}</th>
                  <th>${l.t('aftercare.answers.good')}</th>
                  <th>${l.t('aftercare.answers.notGood')}</th>
                  <th>${l.t('aftercare.answers.talk')}</th>
                  <th>${l.t('aftercare.noAnswer')}</th>
                  <th>${l.t('reports.notAsked')}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    markup`<tr>
                      <td>${r.month}</td>
                      <td>${String(r.asked)}</td>
                      <td>${String(r.good)}</td>
                      <td>${String(r.notGood)}</td>
                      <td>${String(r.talk)}</td>
                      <td>${String(r.unanswered)}</td>
                      <td>${String(r.skipped)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

import type { ErasureCountRow } from '../../privacy/erasure-report.js';
import { markup, type Html } from '../../server/html.js';
import { layout, type PageContext } from './layout.js';

/** Coordinators' report of erasures: only the anonymous counts that erasure leaves behind. */
export function reportPage(p: PageContext, m: { erasures: ErasureCountRow[] }): Html {
  const l = p.labels;
  const body = markup`<section class="card">
    <h1>${l.t('reports.title')}</h1>
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
  </section>`;
  return layout(p, l.t('reports.title'), body, { page: 'reports' });
}

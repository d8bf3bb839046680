import { markup, type Html } from '../../server/html.js';
import { layout, type PageContext } from './layout.js';

/** A refusal or failure as a page, in the staff member's language, with the reason and a way back. */
export function errorPage(p: PageContext, status: number, reason: string): Html {
  const l = p.labels;
  const key = [400, 401, 403, 404, 409].includes(status) ? String(status) : 'other';
  const body = markup`<section class="card error-page">
    <h1>${l.t(`errors.${key}`)}</h1>
    <p>${reason}</p>
    <p><a class="button" href="/inbox">${l.t('case.back')}</a></p>
  </section>`;
  return layout(p, l.t(`errors.${key}`), body, { page: 'error' });
}

import type { Labels } from '../../i18n/labels.js';
import { markup, type Html } from '../../server/html.js';
import type { CannedReply } from '../../staff/canned-replies.js';
import { layout, type PageContext } from './layout.js';

/**
 * Coordinators keep canned replies per language (issue 16): a list with an edit form for each, and a
 * form for a new one. The placeholders are named on the page, in the staff member's language.
 */
export function cannedRepliesPage(
  p: PageContext,
  m: { replies: CannedReply[]; locales: readonly string[]; done?: 'saved' | 'deleted' | undefined },
): Html {
  const l = p.labels;
  const csrf = markup`<input type="hidden" name="_csrf" value="${p.csrfToken}" />`;
  const body = markup`<section class="card">
      <h1>${l.t('canned.title')}</h1>
      <p class="muted">${l.t('canned.intro')}</p>
      <p class="muted">
        ${l.t('canned.placeholders', { name: '{{name}}', org: '{{org}}', walkInHours: '{{walkInHours}}', walkInAddress: '{{walkInAddress}}' })}
      </p>
      ${m.done ? markup`<p class="notice" role="status">${l.t(`canned.${m.done}`)}</p>` : ''}
    </section>
    <section class="card">
      <h2>${l.t('canned.new')}</h2>
      ${replyForm(l, csrf, m.locales, '/inbox/replies', null)}
    </section>
    ${m.locales.map((locale) => {
      const replies = m.replies.filter((r) => r.locale === locale);
      if (replies.length === 0) return '';
      return markup`<section class="card canned-locale" lang="${locale}">
        <h2>${l.language(locale)}</h2>
        ${replies.map(
          (r) => markup`<details class="canned-reply" id="canned-${r.id}">
            <summary dir="auto">${r.title}</summary>
            ${replyForm(l, csrf, m.locales, `/inbox/replies/${r.id}`, r)}
            <form method="post" action="/inbox/replies/${r.id}/delete" class="inline">
              ${csrf}<button type="submit" class="button button--quiet">${l.t('canned.delete')}</button>
            </form>
          </details>`,
        )}
      </section>`;
    })}`;
  return layout(p, l.t('canned.title'), body, { page: 'replies' });
}

function replyForm(l: Labels, csrf: Html, locales: readonly string[], action: string, r: CannedReply | null): Html {
  return markup`<form method="post" action="${action}" class="stack">
    ${csrf}
    <label class="field"
      >${l.t('canned.language')}
      <select name="locale" required>
        ${locales.map((lng) => markup`<option value="${lng}" ${r?.locale === lng ? markup`selected` : ''}>${l.language(lng)}</option>`)}
      </select>
    </label>
    <label class="field"
      >${l.t('canned.titleLabel')}
      <input type="text" name="title" maxlength="80" required dir="auto" value="${r?.title ?? ''}" />
    </label>
    <label class="field"
      >${l.t('canned.body')}
      <textarea name="body" rows="4" maxlength="4000" required dir="auto">${r?.body ?? ''}</textarea>
    </label>
    <button type="submit" class="button button--primary">${l.t('canned.save')}</button>
  </form>`;
}

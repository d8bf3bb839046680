import { MAX_RESIDENT_LABEL_LENGTH } from '../../staff/staff-types.js';
import { markup, type Html } from '../../server/html.js';
import { layout, type PageContext } from './layout.js';

/**
 * A staff member's own choice of how residents see them (issue 15): their first name, or a role label.
 * `example` is what a resident would read when this person takes over, with the choice as saved.
 */
export function residentNamePage(
  p: PageContext,
  m: { firstName: string; residentLabel: string | null; example: string; saved: boolean },
): Html {
  const l = p.labels;
  const role = m.residentLabel !== null;
  const body = markup`<section class="card resident-name">
    <h1>${l.t('residentName.title')}</h1>
    <p class="muted">${l.t('residentName.intro')}</p>
    ${m.saved ? markup`<p class="notice notice--ok" role="status">${l.t('residentName.saved')}</p>` : ''}
    <form method="post" action="/inbox/me" class="stack">
      <input type="hidden" name="_csrf" value="${p.csrfToken}" />
      <label class="choice"
        ><input type="radio" name="show" value="firstName"${role ? '' : markup` checked`} />
        ${l.t('residentName.firstName', { name: m.firstName })}</label
      >
      <label class="choice"
        ><input type="radio" name="show" value="role"${role ? markup` checked` : ''} /> ${l.t('residentName.role')}</label
      >
      <label class="field"
        ><span>${l.t('residentName.roleLabel')}</span>
        <input type="text" name="residentLabel" maxlength="${String(MAX_RESIDENT_LABEL_LENGTH)}" dir="auto" value="${m.residentLabel ?? ''}"
      /></label>
      <button type="submit" class="button button--primary">${l.t('residentName.save')}</button>
    </form>
    <h2>${l.t('residentName.example')}</h2>
    <blockquote class="own-word" dir="auto"><p class="msg-text">${m.example}</p></blockquote>
  </section>`;
  return layout(p, l.t('residentName.title'), body, { page: 'me' });
}

import { markup } from '../../server/html.js';
import { layout, type PageContext } from './layout.js';

export interface LoginViewModel {
  loginCsrf: string;
  next: string;
  email?: string;
  /** `expired`, `loggedOut`, `invalid`, `tooMany`, `formExpired`. */
  notice?: string | undefined;
  /** With `tooMany`: how long to wait. */
  retrySeconds?: number;
}

/** "in 30 seconds", or whole minutes (rounded up) from a minute on, in the page's language. */
function retryIn(p: PageContext, seconds: number): string {
  const ms = seconds < 60 ? seconds * 1000 : Math.ceil(seconds / 60) * 60_000;
  return p.labels.ago(new Date(ms), new Date(0));
}

export function loginPage(p: PageContext, m: LoginViewModel) {
  const l = p.labels;
  const error = m.notice === 'invalid' || m.notice === 'tooMany';
  const body = markup`<section class="login card">
    <h1>${p.org}</h1>
    <p class="muted">${l.t('login.intro')}</p>
    ${m.notice ? markup`<p class="${error ? 'notice notice--error' : 'notice'}" role="${error ? 'alert' : 'status'}">${l.t(`login.${m.notice}`, { when: retryIn(p, m.retrySeconds ?? 60) })}</p>` : ''}
    <form method="post" action="/inbox/login" class="stack">
      <input type="hidden" name="_csrf" value="${m.loginCsrf}" />
      <input type="hidden" name="next" value="${m.next}" />
      <label
        >${l.t('login.email')}
        <input type="email" name="email" autocomplete="username" required value="${m.email ?? ''}" autofocus />
      </label>
      <label
        >${l.t('login.password')}
        <input type="password" name="password" autocomplete="current-password" required />
      </label>
      <button type="submit" class="button button--primary">${l.t('login.submit')}</button>
    </form>
  </section>`;
  return layout(p, l.t('login.title'), body, { page: 'login' });
}

import { markup } from '../html.js';
import { layout, type PageContext } from './layout.js';

export interface LoginViewModel {
  loginCsrf: string;
  next: string;
  email?: string;
  /** `expired`, `loggedOut`, `invalid`, `locked`, `tooMany`. */
  notice?: string | undefined;
  retryMinutes?: number;
}

export function loginPage(p: PageContext, m: LoginViewModel) {
  const l = p.labels;
  const error = m.notice === 'invalid' || m.notice === 'locked' || m.notice === 'tooMany';
  const body = markup`<section class="login card">
    <h1>${p.org}</h1>
    <p class="muted">${l.t('login.intro')}</p>
    ${m.notice ? markup`<p class="${error ? 'notice notice--error' : 'notice'}" role="${error ? 'alert' : 'status'}">${l.t(`login.${m.notice}`, { minutes: m.retryMinutes ?? 0 })}</p>` : ''}
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

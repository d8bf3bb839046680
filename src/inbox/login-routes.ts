import { Hono, type Context } from 'hono';
import { readForm } from '../server/read-form.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientAddress } from '../server/client-address.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { randomToken, safeEqual } from '../staff/secret-token.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import { pageContext } from './page-context.js';
import { loginPage } from './views/login-view.js';

const LOGIN_CSRF_COOKIE = 'tussenin_login';

/** Only a path inside the inbox is a place to go after logging in (no open redirect). */
export function safeNext(next: string | undefined): string {
  // Printable characters only: a line break in a Location header is a header injection (and a 500).
  return next && /^\/inbox(\/|\?|$)/.test(next) && /^[\x21-\x7e]*$/.test(next) && !next.includes('//') && !next.includes('\\')
    ? next
    : '/inbox';
}

/**
 * Log-in and log-out. The log-in form is protected against login CSRF by a double-submit token (a
 * cookie and a hidden field that must match); attempts are limited per address, and after repeated
 * failures per email and per address each further try waits a growing delay (src/staff/login.ts).
 * A refused log-in gets one of two answers, the same whether or not the address has an account:
 * 401 "email or password not right", or 429 "too many attempts, try again in …" with Retry-After.
 */
export function createLoginRoutes(deps: InboxDeps & { assetVersion: string; secure: boolean }) {
  const app = new Hono<InboxEnv>();
  const attempts = new RateLimiter(deps.loginAttemptsPerMinute ?? 10);

  const render = (
    c: Context<InboxEnv>,
    status: 200 | 401 | 403 | 429,
    model: Omit<Parameters<typeof loginPage>[1], 'loginCsrf'>,
  ) => {
    const loginCsrf = randomToken();
    setCookie(c, LOGIN_CSRF_COOKIE, loginCsrf, {
      path: '/inbox/login',
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secure,
      maxAge: 3600,
    });
    c.header('cache-control', 'no-store');
    return c.html(loginPage(pageContext(c, deps.texts, deps.org, deps.assetVersion), { ...model, loginCsrf }).value, status);
  };

  app.get('/inbox/login', async (c) => {
    const found = await deps.sessions.lookup(deps.cookie.read(c), { touch: false });
    const next = safeNext(c.req.query('next'));
    if (found.status === 'active') return c.redirect(next, 303);
    const notice = c.req.query('expired') ? 'expired' : c.req.query('loggedOut') ? 'loggedOut' : undefined;
    return render(c, 200, { next, notice });
  });

  app.post('/inbox/login', async (c) => {
    const form = await readForm(c);
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    const next = safeNext(field('next'));
    const email = field('email').slice(0, 200);
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE);
    if (!cookieToken || !field('_csrf') || !safeEqual(cookieToken, field('_csrf'))) {
      return render(c, 403, { next, email, notice: 'formExpired' });
    }
    const tooMany = (seconds: number) => {
      c.header('retry-after', String(seconds));
      return render(c, 429, { next, email, notice: 'tooMany', retrySeconds: seconds });
    };
    const address = clientAddress(c);
    const wait = attempts.take(address);
    if (wait > 0) return tooMany(wait);
    const outcome = await deps.login(email, field('password').slice(0, 500), address);
    if (!outcome.ok) {
      deps.logger.info({ reason: outcome.reason }, 'staff log-in refused');
      if (outcome.reason === 'throttled') return tooMany(outcome.retryAfterSeconds);
      return render(c, 401, { next, email, notice: 'invalid' });
    }
    // A new session id at every log-in (no fixation); an old cookie's session ends.
    await deps.sessions.destroy(deps.cookie.read(c));
    const session = await deps.sessions.create(outcome.staffId);
    deps.cookie.write(c, session.token, Math.floor(deps.sessions.policy.maxMs / 1000));
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/inbox/login', secure: deps.secure });
    return c.redirect(next, 303);
  });

  return app;
}

import type { Context } from 'hono';
import { readForm } from '../server/read-form.js';
import { createMiddleware } from 'hono/factory';
import { clientAddress } from '../server/client-address.js';
import { HttpError } from '../server/http-error.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import type { ApiTokenStore } from '../staff/api-tokens.js';
import { safeEqual } from '../staff/secret-token.js';
import type { SessionStore } from '../staff/sessions.js';
import { API_ACTOR_ID, type Actor, type StaffMember } from '../staff/staff-types.js';
import type { InboxEnv } from './inbox-env.js';
import type { SessionCookie } from './session-cookie.js';

export function actorOf(staff: StaffMember, via: Actor['via']): Actor {
  return { id: staff.id, name: staff.name, role: staff.role, uiLocale: staff.uiLocale, residentLabel: staff.residentLabel, via };
}

/** The remote address as the Node server saw it (no proxy headers are trusted). */

/**
 * The JSON API's authentication: `Authorization: Bearer <token>`, either STAFF_API_TOKEN (acts as a
 * coordinator) or a personal token made with the CLI (acts as its owner). Wrong tokens are rate-limited
 * per address.
 */
export function requireApiActor(deps: { apiToken: string | undefined; tokens: ApiTokenStore; failuresPerMinute?: number }) {
  const failures = new RateLimiter(deps.failuresPerMinute ?? 20);
  return createMiddleware<InboxEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    let actor: Actor | null = null;
    if (token) {
      if (deps.apiToken && safeEqual(token, deps.apiToken)) {
        actor = { id: API_ACTOR_ID, name: 'API', role: 'coordinator', uiLocale: 'nl', via: 'api-token' };
      } else {
        const staff = await deps.tokens.verify(token);
        if (staff) actor = actorOf(staff, 'token');
      }
    }
    if (!actor) {
      const wait = failures.take(clientAddress(c));
      if (wait > 0) {
        throw new HttpError(429, 'rate_limited', `too many failed attempts; try again in ${wait} s`, {
          'retry-after': String(wait),
        });
      }
      throw new HttpError(
        401,
        'unauthorized',
        token ? 'the token is not valid (unknown, revoked, or its owner is disabled)' : 'send Authorization: Bearer <token>',
        { 'www-authenticate': 'Bearer' },
      );
    }
    c.set('actor', actor);
    await next();
  });
}

/** True for requests made by the inbox's own script (fetch, EventSource) rather than a page load. */
export function wantsJson(c: Context): boolean {
  return (
    c.req.header('x-requested-with') === 'fetch' ||
    (c.req.header('accept') ?? '').includes('text/event-stream') ||
    (c.req.header('accept') ?? '').startsWith('application/json')
  );
}

/**
 * The pages' authentication: a valid session cookie, else the login page (with a note when the
 * session ended); a script's request gets 401 JSON instead, and the page's script goes to the login.
 */
export function requireSession(deps: { sessions: SessionStore; cookie: SessionCookie }) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    const found = await deps.sessions.lookup(deps.cookie.read(c));
    if (found.status !== 'active') {
      if (found.status === 'expired') deps.cookie.clear(c);
      const expired = found.status === 'expired';
      if (wantsJson(c)) {
        throw new HttpError(
          401,
          expired ? 'session_expired' : 'unauthorized',
          expired ? 'your session ended; log in again' : 'log in first',
        );
      }
      // After logging in again: back to the page, or for a form post to the inbox (the post is not repeated).
      const back = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/inbox';
      return c.redirect(`/inbox/login?${expired ? 'expired=1&' : ''}next=${encodeURIComponent(back)}`, 303);
    }
    c.set('staff', found.session.staff);
    c.set('csrfToken', found.session.csrfToken);
    c.set('actor', actorOf(found.session.staff, 'session'));
    await next();
    c.header('cache-control', 'no-store');
  });
}

/**
 * CSRF protection for every state-changing page request: the session's token must come back in the
 * form field `_csrf` or the `x-csrf-token` header (compared in constant time), and a browser-sent
 * Origin must be this site's.
 */
export function requireCsrf(deps: { publicOrigin: string | undefined }) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null' && origin !== new URL(c.req.url).origin && origin !== deps.publicOrigin) {
      throw new HttpError(403, 'csrf_failed', 'the request came from another site');
    }
    let sent = c.req.header('x-csrf-token');
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const field = (await readForm(c))['_csrf'];
        sent = typeof field === 'string' ? field : undefined;
      }
    }
    if (!sent || !safeEqual(sent, c.get('csrfToken'))) {
      throw new HttpError(
        403,
        'csrf_failed',
        'the form is out of date or did not come from the inbox; reload the page and try again',
      );
    }
    await next();
  });
}

/**
 * Coordinator-only routes outside the inbox's own pages (the WhatsApp pairing page): a script or an
 * integration sends `Authorization: Bearer <token>` (STAFF_API_TOKEN or a coordinator's personal token);
 * a browser comes with its inbox log-in (session cookie, CSRF on posts). Anyone else on staff gets 403.
 */
export function requireCoordinator(deps: {
  sessions: SessionStore;
  cookie: SessionCookie;
  apiToken: string | undefined;
  tokens: ApiTokenStore;
  publicOrigin: string | undefined;
}) {
  const byToken = [requireApiActor(deps)];
  const bySession = [requireSession(deps), requireCsrf(deps)];
  return createMiddleware<InboxEnv>(async (c, next) => {
    const chain = c.req.header('authorization') ? byToken : bySession;
    const run = async (i: number): Promise<Response | void> => {
      if (i < chain.length) return chain[i]!(c, () => run(i + 1).then(() => undefined));
      if (c.get('actor').role !== 'coordinator') throw new HttpError(403, 'forbidden', 'only coordinators may do this');
      await next();
    };
    return run(0);
  });
}

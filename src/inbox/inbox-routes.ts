import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ZodError } from 'zod';
import { HttpError } from '../server/http-error.js';
import { createApiRoutes } from './api-routes.js';
import type { InboxAssets } from './assets.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import { createLoginRoutes } from './login-routes.js';
import { pageContext } from './page-context.js';
import { createPageRoutes } from './page-routes.js';
import { requireCsrf, requireSession, wantsJson } from './staff-auth.js';
import { toHttpError } from './to-http-error.js';
import { errorPage } from './views/error-view.js';
import { createVoiceNoteAnnouncer } from './voice-notes.js';

const PUBLIC_PATHS = new Set(['/inbox/login']);
const MAX_FORM_BYTES = 64 * 1024;

/**
 * The staff side: log-in, the inbox pages under /inbox (session cookie + CSRF), and the JSON API under
 * /api (Bearer token). Errors are JSON for the API and for the pages' own scripts, a page otherwise.
 */
export function createInboxRoutes(deps: InboxDeps & { assets: InboxAssets; secure: boolean }): Hono<InboxEnv> {
  const app = new Hono<InboxEnv>();
  const assetVersion = deps.assets.version;

  app.get('/inbox/assets/inbox.css', (c) =>
    c.body(deps.assets.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=86400' }),
  );
  app.get('/inbox/assets/inbox.js', (c) =>
    c.body(deps.assets.js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }),
  );

  const session = requireSession(deps);
  const csrf = requireCsrf({ publicOrigin: deps.publicOrigin });
  // Before anything reads a body (the CSRF check reads form fields).
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: () => {
      throw new HttpError(413, 'too_large', 'the form is too large');
    },
  });
  for (const path of ['/inbox', '/inbox/*']) {
    app.use(path, limit);
    app.use(path, async (c, next) => {
      if (PUBLIC_PATHS.has(c.req.path) || c.req.path.startsWith('/inbox/assets/')) return next();
      return session(c, async () => {
        await csrf(c, next);
      });
    });
  }
  app.post('/inbox/logout', async (c) => {
    await deps.sessions.destroy(deps.cookie.read(c));
    deps.cookie.clear(c);
    return c.redirect('/inbox/login?loggedOut=1', 303);
  });

  const voiceNotePlayed = deps.voiceNotePlayed ?? createVoiceNoteAnnouncer(deps.events);
  app.route('/', createLoginRoutes({ ...deps, assetVersion }));
  app.route('/', createPageRoutes({ ...deps, assetVersion, voiceNotePlayed }));
  app.route('/', createApiRoutes({ ...deps, voiceNotePlayed }));

  app.onError((raw, c) => {
    const error = toHttpError(raw);
    const isApi = c.req.path.startsWith('/api/');
    if (error instanceof ZodError) {
      const issue = error.issues[0]!;
      const where = issue.path.join('.');
      return c.json({ error: 'invalid_request', reason: `${where ? `${where}: ` : ''}${issue.message}` }, 400);
    }
    if (!(error instanceof HttpError)) {
      deps.logger.error({ err: error, path: c.req.path }, 'staff request failed');
      if (isApi || wantsJson(c)) return c.json({ error: 'internal_error', reason: 'something went wrong on our side' }, 500);
      return c.html(errorPage(pageContext(c, deps.texts, deps.org, assetVersion), 500, '').value, 500);
    }
    if (isApi || wantsJson(c) || error.status === 401) {
      return c.json({ error: error.code, reason: error.reason }, error.status, error.headers);
    }
    return c.html(
      errorPage(pageContext(c, deps.texts, deps.org, assetVersion), error.status, error.reason).value,
      error.status,
      error.headers,
    );
  });
  return app;
}

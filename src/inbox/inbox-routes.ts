import { Hono, type Context } from 'hono';
import { bodyLimit } from '../server/body-limit.js';
import { HttpError } from '../server/http-error.js';
import { assetResponse } from '../server/static-assets.js';
import { createApiRoutes } from './api-routes.js';
import type { InboxAssets } from './assets.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import { createLoginRoutes } from './login-routes.js';
import { pageContext } from './page-context.js';
import { createPageRoutes } from './page-routes.js';
import { requireCsrf, requireSession, wantsJson } from './staff-auth.js';
import { STAFF_FILE_PAGE_PATH, staffFileBodyLimit } from './staff-file-upload.js';
import { errorPage } from './views/error-view.js';
import { createVoiceNoteAnnouncer } from './voice-notes.js';

const PUBLIC_PATHS = new Set(['/inbox/login']);
const MAX_FORM_BYTES = 64 * 1024;

/**
 * The staff side: log-in, the inbox pages under /inbox (session cookie + CSRF), and the JSON API under
 * /api (Bearer token). Errors are answered by the server's one onError (createInboxErrorPage renders the pages').
 */
export function createInboxRoutes(deps: InboxDeps & { assets: InboxAssets; secure: boolean }): Hono<InboxEnv> {
  const app = new Hono<InboxEnv>();
  const assetVersion = deps.assets.version;

  app.get('/inbox/assets/inbox.css', (c) => assetResponse(c, deps.assets.files['inbox.css'], 'css', 86400));
  app.get('/inbox/assets/inbox.js', (c) => assetResponse(c, deps.assets.files['inbox.js'], 'js', 86400));

  const session = requireSession(deps);
  const csrf = requireCsrf({ publicOrigin: deps.publicOrigin });
  // Before anything reads a body (the CSRF check reads form fields).
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: () => {
      throw new HttpError(413, 'too_large', 'the form is too large');
    },
  });
  // A file for the resident (issue 15) is the one form allowed more: STAFF_MAX_FILE_BYTES and the form around it.
  const fileLimit = staffFileBodyLimit(deps.maxFileBytes);
  for (const path of ['/inbox', '/inbox/*']) {
    app.use(path, (c, next) => (STAFF_FILE_PAGE_PATH.test(c.req.path) && c.req.method === 'POST' ? fileLimit : limit)(c, next));
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

  return app;
}

/**
 * The inbox's error page for a page load under /inbox (the server's onError asks); the API, the pages'
 * own scripts and a 401 (the script goes to the log-in) get JSON instead.
 */
export function createInboxErrorPage(deps: Pick<InboxDeps, 'texts' | 'org'> & { assets: InboxAssets }) {
  return (c: Context, error: HttpError): Response | Promise<Response> | undefined => {
    const isPage = c.req.path === '/inbox' || c.req.path.startsWith('/inbox/');
    if (!isPage || wantsJson(c) || error.status === 401) return undefined;
    const reason = error.status >= 500 ? '' : error.reason;
    return c.html(
      errorPage(pageContext(c as Context<InboxEnv>, deps.texts, deps.org, deps.assets.version), error.status, reason).value,
      error.status,
      error.headers,
    );
  };
}

import { Hono, type Context } from 'hono';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { clientAddressMiddleware, type TrustProxy } from './client-address.js';
import { HttpError } from './http-error.js';
import { securityHeaders } from './security-headers.js';
import { toHttpError } from './to-http-error.js';

export interface ServerDeps {
  database: Database;
  logger: Logger;
  /** Areas of the app (web chat, later Telegram webhook and the staff inbox), each its own Hono router. */
  routes: Hono<any>[];
  /** Extra fields for /healthz (a channel's connection state); they never change its status code. */
  health?: Record<string, () => unknown>;
  startedAt?: number;
  /** Served over https (PUBLIC_URL is https): adds Strict-Transport-Security. */
  https?: boolean;
  /** How far X-Forwarded-For is believed (TRUST_PROXY); not at all by default. */
  trustProxy?: TrustProxy;
  /**
   * An area's own rendering of an error for a page load (the inbox's error page); undefined lets the
   * error go out as JSON, as it does for every API and script request.
   */
  errorPage?: (c: Context, error: HttpError) => Response | Promise<Response> | undefined;
}

const INTERNAL = 'something went wrong on our side; nothing you sent was lost if you got no answer, send it again';

/** The Hono app: security headers, /healthz, the areas' routes, and one place that turns errors into answers. */
export function createServer(deps: ServerDeps): Hono {
  const { database, logger } = deps;
  const startedAt = deps.startedAt ?? Date.now();
  const app = new Hono();

  app.use('*', securityHeaders({ https: deps.https ?? false }));
  app.use('*', clientAddressMiddleware(deps.trustProxy ?? { kind: 'none' }));

  app.get('/healthz', async (c) => {
    const ok = await database.ping();
    const body = {
      status: ok ? 'ok' : 'unavailable',
      database: database.kind,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      ...Object.fromEntries(Object.entries(deps.health ?? {}).map(([name, read]) => [name, read()])),
    };
    return c.json(body, ok ? 200 : 503);
  });

  app.get('/', (c) => c.redirect('/chat'));
  // Browsers ask for it on every page that names no icon; "nothing" beats a 404 in every console.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  for (const routes of deps.routes) app.route('/', routes);

  app.notFound((c) => c.json({ error: 'not_found', reason: `no route for ${c.req.method} ${c.req.path}` }, 404));
  // The one place an error becomes an answer: mapped by toHttpError, as a page where an area renders one.
  app.onError((raw, c) => {
    const mapped = toHttpError(raw);
    if (!mapped) logger.error({ err: raw, path: c.req.path }, 'request failed');
    const error = mapped ?? new HttpError(500, 'internal_error', INTERNAL);
    return deps.errorPage?.(c, error) ?? c.json({ error: error.code, reason: error.reason }, error.status, error.headers);
  });
  return app;
}

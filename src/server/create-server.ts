import { Hono } from 'hono';
import { ZodError } from 'zod';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { clientAddressMiddleware, type TrustProxy } from './client-address.js';
import { HttpError } from './http-error.js';
import { securityHeaders } from './security-headers.js';

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
}

/** The Hono app: security headers, /healthz, the areas' routes, and one place that turns errors into JSON. */
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
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.code, reason: error.reason }, error.status, error.headers);
    if (error instanceof ZodError) {
      const issue = error.issues[0]!;
      const where = issue.path.join('.');
      return c.json({ error: 'invalid_request', reason: `${where ? `${where}: ` : ''}${issue.message}` }, 400);
    }
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return c.json(
      {
        error: 'internal_error',
        reason: 'something went wrong on our side; nothing you sent was lost if you got no answer, send it again',
      },
      500,
    );
  });
  return app;
}

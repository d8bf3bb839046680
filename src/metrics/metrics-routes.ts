import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { HttpError } from '../server/http-error.js';
import { safeEqual } from '../staff/secret-token.js';

/**
 * GET /metrics in Prometheus' text format, for a scraper with `Authorization: Bearer <METRICS_TOKEN>`:
 * a token of its own, so the scraper can read counts and never a case. Off (404) without METRICS_TOKEN.
 */
export function createMetricsRoutes(deps: { registry: Registry; token: string | undefined }): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (!deps.token) throw new HttpError(404, 'not_found', 'metrics are off: set METRICS_TOKEN to turn them on');
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!safeEqual(given, deps.token)) {
      throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <METRICS_TOKEN>', { 'www-authenticate': 'Bearer' });
    }
    return c.body(await deps.registry.metrics(), 200, {
      'content-type': deps.registry.contentType,
      'cache-control': 'no-store',
    });
  });
  return app;
}

import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';

/**
 * Hono's body limit, without building a web Request for a body whose size is declared.
 *
 * Hono's middleware first asks the request for its `body`; under @hono/node-server that turns Node's
 * request into a full web Request with a stream (about 3% of the CPU of a Telegram update), and the
 * handler's `c.req.json()` then reads through that stream instead of node-server's direct read. A
 * body with a Content-Length is judged by it, as Hono's own middleware does (Node's parser never reads
 * more than it declares); one without (chunked) goes to Hono's middleware, which counts as it reads.
 */
export function bodyLimit(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const counting = honoBodyLimit(options);
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    return Number.parseInt(declared, 10) > options.maxSize ? options.onError(c) : next();
  };
}

import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimit } from '../../src/server/body-limit.js';

let server: ServerType;
let port: number;

beforeAll(async () => {
  const app = new Hono();
  app.post('/in', bodyLimit({ maxSize: 100, onError: (c) => c.json({ error: 'too_large' }, 413) }), async (c) => {
    const body = await c.req.json<{ text: string }>();
    return c.json({ got: body.text });
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs `chunks` to the real Node server, with a Content-Length or chunked (without one). */
function post(chunks: string[], framing: 'content-length' | 'chunked'): Promise<{ status: number; body: string }> {
  const total = chunks.join('');
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (framing === 'content-length') headers['content-length'] = String(Buffer.byteLength(total));
    const req = request({ host: '127.0.0.1', port, path: '/in', method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const json = (text: string) => JSON.stringify({ text });

describe('the body limit on a real Node server', () => {
  it('lets a body under the limit through to the handler, with or without a Content-Length', async () => {
    expect(await post([json('hallo')], 'content-length')).toEqual({ status: 200, body: '{"got":"hallo"}' });
    expect(await post(['{"text":', '"in twee"}'], 'chunked')).toEqual({ status: 200, body: '{"got":"in twee"}' });
  });

  it('answers 413 for a body over the limit, declared or counted as it arrives', async () => {
    const long = json('x'.repeat(200));
    expect(await post([long], 'content-length')).toMatchObject({ status: 413, body: '{"error":"too_large"}' });
    expect(await post([long.slice(0, 60), long.slice(60)], 'chunked')).toMatchObject({ status: 413 });
  });
});

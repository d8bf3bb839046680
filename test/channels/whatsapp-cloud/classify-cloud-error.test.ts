import { describe, expect, it } from 'vitest';
import {
  cloudFailure,
  isTokenInvalid,
  PAIR_RATE_LIMIT_RETRY_MS,
  WINDOW_CLOSED,
} from '../../../src/channels/whatsapp-cloud/classify-cloud-error.js';
import type { GraphError } from '../../../src/channels/whatsapp-cloud/graph-api.js';

/** What each Graph failure means for the outbox: retry, retry after, unreachable or give up. */

const graph = (code: number | null, httpStatus = 400, extra: Partial<GraphError> = {}): GraphError => ({
  httpStatus,
  code,
  message: `error ${code}`,
  ...extra,
});

describe('classifying a failed Cloud API send', () => {
  it('gives up on 131047 (the 24-hour window closed) with a reason that starts with window-closed', () => {
    const failure = cloudFailure(graph(131047, 400, { message: 'Re-engagement message', details: 'more than 24 hours' }));
    expect(failure).toMatchObject({ ok: false, retry: false });
    expect(failure.unreachable).toBeFalsy();
    expect(failure.reason.startsWith(`${WINDOW_CLOSED}: `)).toBe(true);
    expect(failure.reason).toContain('131047');
    expect(failure.reason).toContain('more than 24 hours');
  });

  it('calls the resident unreachable on 131026 (undeliverable)', () => {
    expect(cloudFailure(graph(131026))).toMatchObject({ ok: false, retry: false, unreachable: true });
  });

  it('retries after the backoff on 130429 (rate limit), honouring a Retry-After', () => {
    const failure = cloudFailure(graph(130429));
    expect(failure).toMatchObject({ ok: false, retry: true });
    expect(failure.retryAfterMs).toBeUndefined();
    expect(cloudFailure(graph(130429, 429, { retryAfterMs: 3000 }))).toMatchObject({ retry: true, retryAfterMs: 3000 });
  });

  it('waits at least several seconds on 131056 (too many messages to this one resident)', () => {
    expect(cloudFailure(graph(131056))).toMatchObject({ ok: false, retry: true, retryAfterMs: PAIR_RATE_LIMIT_RETRY_MS });
    expect(PAIR_RATE_LIMIT_RETRY_MS).toBeGreaterThanOrEqual(5000);
    expect(cloudFailure(graph(131056, 400, { retryAfterMs: 20_000 }))).toMatchObject({ retryAfterMs: 20_000 });
  });

  it('gives up on 190 (the token expired or was revoked), which the adapter also reports', () => {
    const expired = graph(190, 401, { subcode: 463 });
    expect(cloudFailure(expired)).toMatchObject({ ok: false, retry: false });
    expect(cloudFailure(expired).unreachable).toBeFalsy();
    expect(isTokenInvalid(expired)).toBe(true);
    expect(isTokenInvalid(graph(100))).toBe(false);
  });

  it('retries a 5xx, a 429 and Meta’s temporary codes', () => {
    expect(cloudFailure(graph(131000, 500))).toMatchObject({ retry: true });
    expect(cloudFailure(graph(null, 502))).toMatchObject({ retry: true });
    expect(cloudFailure(graph(null, 429, { retryAfterMs: 2000 }))).toMatchObject({ retry: true, retryAfterMs: 2000 });
    expect(cloudFailure(graph(131016, 400))).toMatchObject({ retry: true });
    expect(cloudFailure(graph(4, 400))).toMatchObject({ retry: true });
  });

  it('retries network trouble and a timeout (no HTTP answer)', () => {
    expect(cloudFailure({ httpStatus: 0, code: null, message: 'network: ECONNRESET' })).toMatchObject({
      ok: false,
      retry: true,
      reason: expect.stringContaining('ECONNRESET'),
    });
    expect(cloudFailure({ httpStatus: 0, code: null, message: 'timed out', timedOut: true })).toMatchObject({ retry: true });
  });

  it('gives up on other 4xx with Graph’s message, without calling the resident unreachable', () => {
    const failure = cloudFailure(graph(100, 400, { message: '(#100) Invalid parameter' }));
    expect(failure).toMatchObject({ ok: false, retry: false });
    expect(failure.unreachable).toBeFalsy();
    expect(failure.reason).toContain('(#100) Invalid parameter');
    expect(cloudFailure(graph(132001, 404))).toMatchObject({ retry: false });
  });
});

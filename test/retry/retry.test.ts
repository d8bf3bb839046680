import { describe, expect, it } from 'vitest';
import { backoffDelayMs, NOTIFY_BACKOFF, RECONNECT_BACKOFF, STORE_INBOUND_BACKOFF } from '../../src/retry/backoff.js';
import { httpOutcome } from '../../src/retry/classify.js';
import { withRetries } from '../../src/retry/with-retries.js';

/** The one retry policy: one backoff for every user, the HTTP classifier, and withRetries for inbound work. */
describe('the backoff', () => {
  it('doubles from its first wait up to its cap, within ±25% jitter', () => {
    expect(backoffDelayMs(1, NOTIFY_BACKOFF, () => 0.5)).toBe(2000);
    expect(backoffDelayMs(3, NOTIFY_BACKOFF, () => 0.5)).toBe(8000);
    expect(backoffDelayMs(50, RECONNECT_BACKOFF, () => 0.5)).toBe(5 * 60_000);
    expect(backoffDelayMs(1, STORE_INBOUND_BACKOFF, () => 0)).toBe(375);
    expect(backoffDelayMs(1, STORE_INBOUND_BACKOFF, () => 0.999999)).toBe(625);
  });
});

describe('a plain HTTP answer (the staff webhook)', () => {
  const answer = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });
  it('2xx is done; 408, 429 and 5xx retry, honouring Retry-After; other 4xx give up', () => {
    expect(httpOutcome(answer(204))).toEqual({ ok: true });
    expect(httpOutcome(answer(429, { 'retry-after': '12' }))).toEqual({
      ok: false,
      retry: true,
      retryAfterMs: 12_000,
      reason: 'HTTP 429',
    });
    expect(httpOutcome(answer(503))).toEqual({ ok: false, retry: true, reason: 'HTTP 503' });
    expect(httpOutcome(answer(408))).toMatchObject({ ok: false, retry: true });
    expect(httpOutcome(answer(404))).toEqual({ ok: false, retry: false, reason: 'HTTP 404' });
  });
});

describe('withRetries', () => {
  const quick = { firstMs: 1, maxMs: 2 };
  it('tries again after a throw and returns the first success', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetries(
      async () => {
        if (++calls < 3) throw new Error('database away');
        return 'stored';
      },
      { attempts: 5, backoff: quick, onRetry: (_error, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('stored');
    expect(retries).toEqual([1, 2]);
  });
  it('throws the last error once the attempts are spent', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        { attempts: 3, backoff: quick },
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });
});

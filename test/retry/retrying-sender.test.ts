import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/retry/outcome.js';
import { RetryingSender } from '../../src/retry/retrying-sender.js';

describe('RetryingSender', () => {
  it('tries again after a retryable failure until one succeeds', async () => {
    const gaveUp: string[] = [];
    const sender = new RetryingSender({ maxAttempts: 5, backoff: { firstMs: 1, maxMs: 5 } }, (reason) => gaveUp.push(reason));
    const results: Outcome[] = [
      { ok: false, retry: true, reason: '500' },
      { ok: false, retry: true, reason: '502' },
      { ok: true },
    ];
    const attempts: number[] = [];
    sender.run(async (n) => {
      attempts.push(n);
      return results[n - 1]!;
    });
    await sender.idle();
    expect(attempts).toEqual([1, 2, 3]);
    expect(gaveUp).toEqual([]);
  });

  it('ends a long wait between attempts at stop(), so idle() settles and nothing runs after the stop', async () => {
    const gaveUp: string[] = [];
    const sender = new RetryingSender({ maxAttempts: 5, backoff: { firstMs: 60_000, maxMs: 60_000 } }, (reason) =>
      gaveUp.push(reason),
    );
    let attempts = 0;
    sender.run(async () => {
      attempts++;
      return { ok: false, retry: true, reason: 'timeout' };
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first attempt fails and a minute's wait begins
    sender.stop();
    const settled = await Promise.race([
      sender.idle().then(() => 'idle'),
      new Promise((r) => setTimeout(() => r('still waiting'), 2000)),
    ]);
    expect(settled).toBe('idle');
    expect(attempts).toBe(1);
    sender.run(async () => {
      attempts++;
      return { ok: true };
    });
    await sender.idle();
    expect(attempts).toBe(1);
  });
});

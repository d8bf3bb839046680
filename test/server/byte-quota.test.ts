import { describe, expect, it } from 'vitest';
import { ByteQuota } from '../../src/server/byte-quota.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function quota(hour: number, day: number) {
  const clock = { now: 1_000 * DAY };
  const q = new ByteQuota(
    [
      { per: 'hour', windowMs: HOUR, bytes: hour },
      { per: 'day', windowMs: DAY, bytes: day },
    ],
    () => clock.now,
  );
  return { q, clock };
}

describe('ByteQuota', () => {
  it('grants what is free, counts what was kept, and frees it when it leaves the window', () => {
    const { q, clock } = quota(1000, 5000);
    const grant = q.reserve('a', 1, 800);
    expect(grant).toMatchObject({ ok: true, bytes: 800 });
    if (grant.ok) grant.release(600);
    expect(q.reserve('a', 500, 500)).toMatchObject({ ok: false, limit: { per: 'hour' } });
    const refused = q.check('a', 500)!;
    expect(refused.retryAfterSeconds).toBeGreaterThan(55 * 60);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60 * 60);
    expect(q.check('b', 500)).toBeNull(); // another key has its own
    clock.now += HOUR;
    expect(q.check('a', 1000)).toBeNull();
  });

  it('holds reserved bytes, so uploads at the same moment cannot pass the limit together', () => {
    const { q } = quota(1000, 5000);
    const first = q.reserve('a', 1, 1000);
    expect(first).toMatchObject({ ok: true, bytes: 1000 });
    const second = q.reserve('a', 1, 1000);
    expect(second).toMatchObject({ ok: false, retryAfterSeconds: 10 }); // an upload in progress holds it all
    if (first.ok) first.release(0); // refused or failed: nothing counted
    expect(q.reserve('a', 1, 1000)).toMatchObject({ ok: true, bytes: 1000 });
  });

  it('says the longest wait when the day is used up too', () => {
    const { q, clock } = quota(1000, 1500);
    for (const bytes of [1000, 500]) {
      const grant = q.reserve('a', 1, bytes);
      if (grant.ok) grant.release(bytes);
      clock.now += HOUR;
    }
    const refused = q.check('a', 600)!;
    expect(refused.limit.per).toBe('day');
    expect(refused.retryAfterSeconds).toBeGreaterThan(20 * 60 * 60);
  });

  it('never grants a need larger than the limit itself', () => {
    const { q } = quota(1000, 5000);
    expect(q.check('a', 2000)).toMatchObject({ limit: { per: 'hour' }, retryAfterSeconds: 3600 });
  });
});

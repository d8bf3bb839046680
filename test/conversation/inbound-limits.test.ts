import { describe, expect, it } from 'vitest';
import { InboundLimits, NOTICE_WINDOW_MS } from '../../src/conversation/inbound-limits.js';

function limitsAt(start = 1_000_000) {
  const clock = { now: start };
  const limits = new InboundLimits({ perResidentPerMinute: 3, globalPerSecond: 5, now: () => clock.now });
  return { clock, limits };
}

describe('inbound rate limits', () => {
  it('lets a resident send their share at once, then one more as the bucket refills', () => {
    const { clock, limits } = limitsAt();
    expect([1, 2, 3, 4].map(() => limits.take('telegram:1'))).toEqual([null, null, null, 'resident']);
    clock.now += 19_000; // 3 a minute: one token every 20 s
    expect(limits.take('telegram:1')).toBe('resident');
    clock.now += 1_000;
    expect(limits.take('telegram:1')).toBeNull();
    expect(limits.take('telegram:1')).toBe('resident');
  });

  it('keeps residents apart, and caps all of them together per second', () => {
    const { clock, limits } = limitsAt();
    expect([1, 2, 3].map(() => limits.take('web:a'))).toEqual([null, null, null]);
    expect(limits.take('web:a')).toBe('resident');
    // a's refused message took nothing of the global bucket: 2 of its 5 are left this second
    expect(['web:b', 'web:c', 'web:d'].map((r) => limits.take(r))).toEqual([null, null, 'global']);
    clock.now += 200; // 5 a second: one more after 200 ms
    expect(limits.take('web:d')).toBeNull();
    expect(limits.take('web:e')).toBe('global');
  });

  it('allows one notice per resident per window', () => {
    const { clock, limits } = limitsAt();
    expect(limits.firstInWindow('whatsapp:a')).toBe(true);
    expect(limits.firstInWindow('whatsapp:a')).toBe(false);
    expect(limits.firstInWindow('whatsapp:b')).toBe(true);
    clock.now += NOTICE_WINDOW_MS - 1;
    expect(limits.firstInWindow('whatsapp:a')).toBe(false);
    clock.now += 1;
    expect(limits.firstInWindow('whatsapp:a')).toBe(true);
  });
});

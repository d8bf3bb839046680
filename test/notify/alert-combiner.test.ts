import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HandoffAlert, Notifier, StaffAlert } from '../../src/notify/alert.js';
import { createAlertCombiner } from '../../src/notify/alert-combiner.js';

/** A flood of new handoffs becomes a few staff messages with a count, and a quiet day never waits. */

class RecordingNotifier implements Notifier {
  readonly name = 'recording';
  readonly received: StaffAlert[] = [];
  notify(alert: StaffAlert) {
    this.received.push(alert);
  }
  async idle() {}
  stop() {}
}

const alert = (n: number, urgent = false): HandoffAlert => ({
  event: urgent ? 'handoff.urgent' : 'handoff.new',
  handoffId: `h${n}`,
  urgent,
  reason: 'asked_for_person',
  language: 'nl',
  channel: 'web',
  domains: [],
  createdAt: new Date(n * 1000).toISOString(),
  url: `/inbox/handoffs/h${n}`,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('combining staff alerts', () => {
  it('sends alerts of a normal day at once, each on its own', () => {
    const staff = new RecordingNotifier();
    const combiner = createAlertCombiner([staff], { queueUrl: '/inbox', now: Date.now });
    combiner.notify(alert(1));
    vi.advanceTimersByTime(5 * 60_000);
    combiner.notify(alert(2, true));
    expect(staff.received.map((a) => a.event)).toEqual(['handoff.new', 'handoff.urgent']);
  });

  it('turns ten urgent handoffs in a second into three alerts and one with the count a minute later', () => {
    const staff = new RecordingNotifier();
    const combiner = createAlertCombiner([staff], { queueUrl: 'https://chat.example.org/inbox', now: Date.now });
    for (let i = 1; i <= 10; i++) combiner.notify(alert(i, true));
    expect(staff.received).toHaveLength(3);
    vi.advanceTimersByTime(60_000);
    expect(staff.received).toHaveLength(4);
    expect(staff.received[3]).toEqual({
      event: 'handoffs.combined',
      count: 7,
      urgentCount: 7,
      since: alert(4).createdAt,
      url: 'https://chat.example.org/inbox',
    });
    // The flood goes on: at most one message a minute, each with its count.
    for (let i = 11; i <= 30; i++) combiner.notify(alert(i, i % 2 === 0));
    expect(staff.received).toHaveLength(4);
    vi.advanceTimersByTime(60_000);
    expect(staff.received).toHaveLength(5);
    expect(staff.received[4]).toMatchObject({ event: 'handoffs.combined', count: 20, urgentCount: 10 });
    // Quiet again: the next alert goes out at once.
    vi.advanceTimersByTime(10 * 60_000);
    combiner.notify(alert(31));
    expect(staff.received).toHaveLength(6);
    expect(staff.received[5]).toMatchObject({ event: 'handoff.new', handoffId: 'h31' });
  });

  it('sends a single waiting alert as itself, not as a count of one', () => {
    const staff = new RecordingNotifier();
    const combiner = createAlertCombiner([staff], { queueUrl: '/inbox', burst: 1, now: Date.now });
    combiner.notify(alert(1));
    combiner.notify(alert(2));
    vi.advanceTimersByTime(60_000);
    expect(staff.received.map((a) => a.event)).toEqual(['handoff.new', 'handoff.new']);
    expect((staff.received[1] as HandoffAlert).handoffId).toBe('h2');
  });
});

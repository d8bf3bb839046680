import type { CombinedHandoffAlert, HandoffAlert, Notifier } from './alert.js';

export interface AlertCombinerOptions {
  /** Alerts that go out at once in one window; the rest wait for its end (default 3). */
  burst?: number;
  /** The window (default a minute). */
  windowMs?: number;
  /** The queue page, absolute when PUBLIC_URL is set. */
  queueUrl: string;
  now?: () => number;
}

/**
 * Handoff alerts through a window: the first few in a minute go out at once (a normal day never waits),
 * the rest of that minute become one alert with a count and the queue's link at its end. A flood of
 * new chats (ten sessions naming danger in a second) then gives staff four messages, not twenty; every
 * resident still got the emergency numbers from the bot, and every case is in the queue.
 */
export function createAlertCombiner(notifiers: Notifier[], options: AlertCombinerOptions) {
  const burst = options.burst ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let windowEndsAt = 0;
  let sentInWindow = 0;
  let held: HandoffAlert[] = [];
  let timer: NodeJS.Timeout | null = null;

  const send = (alert: HandoffAlert | CombinedHandoffAlert) => {
    for (const notifier of notifiers) notifier.notify(alert);
  };

  function openWindow() {
    windowEndsAt = now() + windowMs;
    sentInWindow = 0;
    timer = setTimeout(flush, windowMs);
    timer.unref?.();
  }

  function flush() {
    timer = null;
    const waiting = held;
    held = [];
    if (waiting.length === 0) {
      windowEndsAt = 0;
      return;
    }
    // Still busy: what waited goes out now, and the next minute holds everything it brings, so a
    // flood that goes on gives one message a minute. A minute without alerts ends it.
    openWindow();
    sentInWindow = burst;
    if (waiting.length === 1) return send(waiting[0]!);
    send({
      event: 'handoffs.combined',
      count: waiting.length,
      urgentCount: waiting.filter((a) => a.urgent).length,
      since: waiting[0]!.createdAt,
      url: options.queueUrl,
    });
  }

  return {
    notify(alert: HandoffAlert): void {
      if (now() >= windowEndsAt) {
        if (timer) clearTimeout(timer);
        openWindow();
      }
      if (sentInWindow < burst) {
        sentInWindow++;
        send(alert);
      } else {
        held.push(alert);
      }
    },
    /** Sends what waits at once (shutdown, tests). */
    flush(): void {
      if (timer) clearTimeout(timer);
      flush();
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type AlertCombiner = ReturnType<typeof createAlertCombiner>;

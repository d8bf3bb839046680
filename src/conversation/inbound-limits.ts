import { RateLimiter } from '../limits/rate-limiter.js';

/** Which limit a message went over: the resident's own, or the one over all residents together. */
export type LimitExceeded = 'resident' | 'global';

export interface InboundLimitOptions {
  /** Messages one resident may have read by the bot per minute (a token bucket: this many at once). */
  perResidentPerMinute: number;
  /** Messages of all residents together the bot reads per second. */
  globalPerSecond: number;
  now?: () => number;
}

/** How long one "slow down" reply covers: at most one per resident in this time. */
export const NOTICE_WINDOW_MS = 60_000;

/**
 * Rate limits on inbound messages, whatever the channel: per resident and over all of them. A message
 * over a limit is still stored (the conversation service decides what else happens); this only counts.
 * In memory, per process, like the web chat's per-visitor limit: with several instances each allows
 * its own share, which is enough to keep one chat from flooding the bot and the outbox.
 */
export class InboundLimits {
  readonly #perResident: RateLimiter;
  readonly #global: RateLimiter;
  readonly #noticedAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: InboundLimitOptions) {
    this.#now = options.now ?? Date.now;
    this.#perResident = new RateLimiter(options.perResidentPerMinute, this.#now, 60_000);
    this.#global = new RateLimiter(options.globalPerSecond, this.#now, 1_000);
  }

  /**
   * Counts one new message of `resident` (a channel address). Null when it is within both limits;
   * else which one it went over. A message over the resident's own limit takes nothing of the global one.
   */
  take(resident: string): LimitExceeded | null {
    if (this.#perResident.take(resident) > 0) return 'resident';
    if (this.#global.take('*') > 0) return 'global';
    return null;
  }

  /** True the first time it is asked for a resident in NOTICE_WINDOW_MS: at most one notice per window. */
  firstInWindow(resident: string): boolean {
    const now = this.#now();
    const last = this.#noticedAt.get(resident);
    if (last !== undefined && now - last < NOTICE_WINDOW_MS) return false;
    this.#noticedAt.set(resident, now);
    if (this.#noticedAt.size > 50_000) {
      for (const [key, at] of this.#noticedAt) if (now - at >= NOTICE_WINDOW_MS) this.#noticedAt.delete(key);
    }
    return true;
  }
}

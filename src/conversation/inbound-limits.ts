import { RateLimiter } from '../limits/rate-limiter.js';

/** Which limit a message went over: the resident's own, or the one over all residents together. */
export type LimitExceeded = 'resident' | 'global';

export interface InboundLimitOptions {
  /** Messages one resident may have read by the bot per minute (a token bucket: this many at once). */
  perResidentPerMinute: number;
  /**
   * Shed load by lag: a message that waited longer than this for its turn (the machine is behind) is
   * stored but not read. Absent: never.
   */
  maxLagMs?: number | undefined;
  /** An optional fixed cap: messages of all residents together the bot reads per second. */
  globalPerSecond?: number | undefined;
  now?: () => number;
}

/** How long one "slow down" reply covers: at most one per resident in this time. */
export const NOTICE_WINDOW_MS = 60_000;

/**
 * Limits on inbound messages, whatever the channel: per resident, and over all of them by lag (how long
 * a message waited for its turn: when the machine is behind, new messages are stored and the bot reads
 * them no more until it has caught up), with an optional fixed cap per second beside it. A message over
 * a limit is still stored (the conversation service decides what else happens); this only counts. In
 * memory, per process, like the web chat's per-visitor limit: with several instances each allows its
 * own share, which is enough to keep one chat from flooding the bot and the outbox.
 */
export class InboundLimits {
  readonly #perResident: RateLimiter;
  readonly #global: RateLimiter | null;
  readonly #maxLagMs: number;
  readonly #noticedAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: InboundLimitOptions) {
    this.#now = options.now ?? Date.now;
    this.#perResident = new RateLimiter(options.perResidentPerMinute, this.#now, 60_000);
    this.#global = options.globalPerSecond ? new RateLimiter(options.globalPerSecond, this.#now, 1_000) : null;
    this.#maxLagMs = options.maxLagMs ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Counts one new message of `resident` (a channel address) that waited `lagMs` for its turn. Null when
   * it is within the limits; else which one it went over: the resident's own, or `global` (the machine
   * is behind, or the fixed cap is reached). A message over the resident's own limit takes nothing else.
   */
  take(resident: string, lagMs = 0): LimitExceeded | null {
    if (this.#perResident.take(resident) > 0) return 'resident';
    if (lagMs > this.#maxLagMs) return 'global';
    if (this.#global && this.#global.take('*') > 0) return 'global';
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

/**
 * A token bucket per key, in memory: `limit` requests at once, refilled evenly over the window
 * (a minute unless told otherwise). Per process: with several instances each allows its own share,
 * which is fine for abuse control.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs: number = 60_000,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds until one is free. */
  take(key: string): number {
    const now = this.now();
    const refillPerMs = this.limit / this.windowMs;
    const bucket = this.#buckets.get(key) ?? { tokens: this.limit, updated: now };
    bucket.tokens = Math.min(this.limit, bucket.tokens + (now - bucket.updated) * refillPerMs);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 50_000) this.#sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
  }

  #sweep(now: number) {
    for (const [key, bucket] of this.#buckets) if (now - bucket.updated > 2 * this.windowMs) this.#buckets.delete(key);
  }
}

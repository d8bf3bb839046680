/** One limit of a quota: at most `bytes` in any `windowMs`; `per` names the window in refusals ("hour"). */
export interface QuotaLimit {
  per: string;
  windowMs: number;
  bytes: number;
}

/** Bytes held for an upload in progress; `release(kept)` counts what was kept and frees the rest. */
export interface QuotaGrant {
  ok: true;
  bytes: number;
  release(kept: number): void;
}

export interface QuotaRefusal {
  ok: false;
  limit: QuotaLimit;
  retryAfterSeconds: number;
}

interface Usage {
  /** Bytes of uploads still being read. */
  reserved: number;
  /** Per limit: bytes kept, by the start of their bucket (a sixtieth of the window). */
  buckets: Map<number, number>[];
  touched: number;
}

const BUCKETS_PER_WINDOW = 60;
/** When only uploads in progress stand in the way: they end within a request's time. */
const BUSY_RETRY_SECONDS = 10;

/**
 * Bytes a key (a visitor, an address) may send per hour and per day, in memory per process like
 * RateLimiter. An upload of unknown size reserves what is free before it is read, so uploads at the same
 * moment cannot pass a limit together, and is charged what was kept. Time is counted in buckets of a
 * sixtieth of each window (a minute of an hour): bytes free up at most one bucket early.
 */
export class ByteQuota {
  readonly #usage = new Map<string, Usage>();

  constructor(
    private readonly limits: readonly QuotaLimit[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Why `need` more bytes would be refused for key now (the longest wait of the limits that refuse), or null. */
  check(key: string, need: number): QuotaRefusal | null {
    const now = this.now();
    const usage = this.#usageOf(key, now);
    let refusal: QuotaRefusal | null = null;
    this.limits.forEach((limit, i) => {
      const buckets = usage.buckets[i]!;
      if (limit.bytes - used(buckets, limit, now) - usage.reserved >= need) return;
      const wait = secondsUntilFree(buckets, limit, now, need, usage.reserved);
      if (!refusal || wait > refusal.retryAfterSeconds) refusal = { ok: false, limit, retryAfterSeconds: wait };
    });
    return refusal;
  }

  /**
   * Holds up to `want` bytes for key, and at least `need`, until `release`; refused as `check` says when
   * fewer than `need` are free.
   */
  reserve(key: string, need: number, want: number): QuotaGrant | QuotaRefusal {
    const refusal = this.check(key, need);
    if (refusal) return refusal;
    const now = this.now();
    const usage = this.#usageOf(key, now);
    const free = Math.min(...this.limits.map((limit, i) => limit.bytes - used(usage.buckets[i]!, limit, now) - usage.reserved));
    const bytes = Math.max(0, Math.min(want, free));
    usage.reserved += bytes;
    let released = false;
    return {
      ok: true,
      bytes,
      release: (kept: number) => {
        if (released) return;
        released = true;
        usage.reserved -= bytes;
        const at = this.now();
        usage.touched = at;
        if (kept > 0) this.limits.forEach((limit, i) => add(usage.buckets[i]!, limit, at, kept));
        // Put back if a sweep took it out meanwhile.
        if (!this.#usage.has(key)) this.#usage.set(key, usage);
      },
    };
  }

  #usageOf(key: string, now: number): Usage {
    let usage = this.#usage.get(key);
    if (!usage) {
      usage = { reserved: 0, buckets: this.limits.map(() => new Map()), touched: now };
      this.#usage.set(key, usage);
      if (this.#usage.size > 50_000) this.#sweep(now);
    }
    usage.touched = now;
    return usage;
  }

  #sweep(now: number) {
    const longest = Math.max(...this.limits.map((l) => l.windowMs));
    for (const [key, usage] of this.#usage) {
      if (usage.reserved === 0 && now - usage.touched > longest) this.#usage.delete(key);
    }
  }
}

function bucketMs(limit: QuotaLimit): number {
  return Math.max(1, Math.floor(limit.windowMs / BUCKETS_PER_WINDOW));
}

/** Bytes kept within the window; buckets that left it are dropped on the way. */
function used(buckets: Map<number, number>, limit: QuotaLimit, now: number): number {
  let sum = 0;
  for (const [start, bytes] of buckets) {
    if (start + limit.windowMs <= now) buckets.delete(start);
    else sum += bytes;
  }
  return sum;
}

function add(buckets: Map<number, number>, limit: QuotaLimit, at: number, bytes: number): void {
  const size = bucketMs(limit);
  const start = Math.floor(at / size) * size;
  buckets.set(start, (buckets.get(start) ?? 0) + bytes);
}

/** Seconds until `need` more bytes fit under the limit beside those reserved, as old buckets leave the window. */
function secondsUntilFree(buckets: Map<number, number>, limit: QuotaLimit, now: number, need: number, reserved: number): number {
  if (need > limit.bytes) return Math.ceil(limit.windowMs / 1000); // a limit below one upload: never
  if (need + reserved > limit.bytes) return BUSY_RETRY_SECONDS; // uploads in progress hold the rest
  let total = used(buckets, limit, now);
  for (const [start, bytes] of [...buckets].sort(([a], [b]) => a - b)) {
    total -= bytes;
    if (total + reserved + need <= limit.bytes) return Math.max(1, Math.ceil((start + limit.windowMs - now) / 1000));
  }
  return 1;
}

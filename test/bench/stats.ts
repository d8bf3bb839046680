/** Percentiles, throughput and memory peaks: the numbers the bench reports. */

export interface Throughput {
  /** Operations (messages or transactions) completed. */
  count: number;
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of ascending values: the smallest value at or above p percent of them. */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sortedAscending[rank - 1]!;
}

/** Collects one latency per operation without growing an array per sample. */
export class LatencyRecorder {
  #values: Float64Array;
  #count = 0;

  constructor(expected: number) {
    this.#values = new Float64Array(Math.max(16, expected));
  }

  /** Runs the operation and records how long its promise took to settle. */
  async time<T>(operation: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await operation();
    } finally {
      this.add(performance.now() - started);
    }
  }

  add(ms: number): void {
    if (this.#count === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** The sum of all recorded latencies. */
  get totalMs(): number {
    let total = 0;
    for (let i = 0; i < this.#count; i++) total += this.#values[i]!;
    return total;
  }

  sorted(): Float64Array {
    return this.#values.slice(0, this.#count).sort();
  }

  summarise(elapsedMs: number): Throughput {
    const sorted = this.sorted();
    return {
      count: this.#count,
      elapsedMs,
      perSecond: (this.#count / elapsedMs) * 1000,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
    };
  }
}

export interface MemoryPeaks {
  peakRssMb: number;
  peakHeapMb: number;
}

const MB = 1024 * 1024;

/** Samples process.memoryUsage() on an interval and keeps the highest RSS and heapUsed seen. */
export class MemorySampler {
  #timer: NodeJS.Timeout | null = null;
  #peakRss = 0;
  #peakHeap = 0;

  constructor(private readonly intervalMs = 50) {}

  start(): this {
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.intervalMs);
    this.#timer.unref();
    return this;
  }

  stop(): MemoryPeaks {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sample();
    return this.peaks;
  }

  get peaks(): MemoryPeaks {
    return { peakRssMb: this.#peakRss / MB, peakHeapMb: this.#peakHeap / MB };
  }

  private sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > this.#peakRss) this.#peakRss = rss;
    if (heapUsed > this.#peakHeap) this.#peakHeap = heapUsed;
  }
}

/** Rounds to a number of decimals (for printing and the JSON line). */
export function round(value: number, decimals = 0): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

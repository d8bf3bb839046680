/** The result of one attempt: done, worth retrying (network, 5xx, 429 with an optional wait), or given up. */
export type AttemptResult = { ok: true } | { ok: false; retry: boolean; retryAfterMs?: number | undefined; reason: string };

export interface RetryPolicy {
  maxAttempts: number;
  /** First wait; doubled after each failure, with up to 20% jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 2000, maxDelayMs: 5 * 60_000 };

/**
 * Runs attempts in the background until one succeeds, one says not to retry, or the attempts run out.
 * In memory: a restart drops retries still waiting (the inbox itself shows every handoff regardless).
 */
export class RetryingSender {
  readonly #inFlight = new Set<Promise<void>>();
  /** Waits between attempts; stop() ends them at once, so idle() settles after a stop. */
  readonly #waits = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly onGiveUp: (reason: string, attempts: number) => void,
  ) {}

  run(attempt: (n: number) => Promise<AttemptResult>): void {
    if (this.#stopped) return;
    const job = this.#loop(attempt).finally(() => this.#inFlight.delete(job));
    this.#inFlight.add(job);
  }

  async #loop(attempt: (n: number) => Promise<AttemptResult>): Promise<void> {
    for (let n = 1; n <= this.policy.maxAttempts && !this.#stopped; n++) {
      let result: AttemptResult;
      try {
        result = await attempt(n);
      } catch (error) {
        result = { ok: false, retry: true, reason: (error as Error).message };
      }
      if (result.ok) return;
      if (!result.retry || n === this.policy.maxAttempts) return this.onGiveUp(result.reason, n);
      const backoff = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (n - 1));
      const wait = result.retryAfterMs ?? backoff * (1 + Math.random() * 0.2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waits.delete(timer);
          resolve();
        }, wait);
        this.#waits.set(timer, resolve);
      });
    }
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  stop(): void {
    this.#stopped = true;
    for (const [timer, resolve] of this.#waits) {
      clearTimeout(timer);
      resolve();
    }
    this.#waits.clear();
  }
}

/** HTTP status to attempt result: 2xx done; 429 and 5xx retry (honouring Retry-After); other 4xx give up. */
export function attemptFromResponse(response: Response, retryAfterMs?: number): AttemptResult {
  if (response.ok) return { ok: true };
  const retry = response.status === 429 || response.status >= 500 || response.status === 408;
  const header = Number(response.headers.get('retry-after'));
  return {
    ok: false,
    retry,
    retryAfterMs: retryAfterMs ?? (Number.isFinite(header) && header > 0 ? header * 1000 : undefined),
    reason: `HTTP ${response.status}`,
  };
}

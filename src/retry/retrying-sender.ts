import { backoffDelayMs, NOTIFY_BACKOFF, type Backoff } from './backoff.js';
import { retryLater, type Outcome } from './outcome.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoff: Backoff;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, backoff: NOTIFY_BACKOFF };

/**
 * Runs attempts in the background until one succeeds, one says not to retry, or the attempts run out.
 * In memory: a restart drops retries still waiting (the inbox itself shows every handoff regardless).
 * For staff alerts; a resident's messages go through the outbox, whose rows survive a restart.
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

  run(attempt: (n: number) => Promise<Outcome>): void {
    if (this.#stopped) return;
    const job = this.#loop(attempt).finally(() => this.#inFlight.delete(job));
    this.#inFlight.add(job);
  }

  async #loop(attempt: (n: number) => Promise<Outcome>): Promise<void> {
    for (let n = 1; n <= this.policy.maxAttempts && !this.#stopped; n++) {
      let result: Outcome;
      try {
        result = await attempt(n);
      } catch (error) {
        result = retryLater((error as Error).message);
      }
      if (result.ok) return;
      if (!result.retry || n === this.policy.maxAttempts) return this.onGiveUp(result.reason, n);
      const wait = result.retryAfterMs ?? backoffDelayMs(n, this.policy.backoff);
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

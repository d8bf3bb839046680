import { backoffDelayMs, type Backoff } from './backoff.js';

/**
 * Runs `task` until it resolves, waiting with `backoff` after each throw; after `attempts` tries the last
 * error is thrown. For work a channel hands us once and will not hand again (an inbound message while the
 * database is away); outbound sends go through the outbox instead, whose rows survive a restart.
 */
export async function withRetries<T>(
  task: () => Promise<T>,
  options: { attempts: number; backoff: Backoff; onRetry?: (error: unknown, attempt: number, retryInMs: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      const delay = backoffDelayMs(attempt, options.backoff);
      options.onRetry?.(error, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

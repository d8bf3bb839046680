/** Exponential backoff with jitter: about 1 s, 2 s, 4 s ... capped at 10 minutes. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

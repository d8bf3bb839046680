/**
 * The one backoff: the first wait, doubled after each failed attempt up to a cap, with ±25% jitter so
 * that many waiting attempts do not come back at the same moment. Each user names its own bounds below.
 */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** Outbox rows (sends and deletions): 1 s, 2 s, 4 s … 10 minutes; the row is durable, so waits may be long. */
export const OUTBOX_BACKOFF: Backoff = { firstMs: 1000, maxMs: 10 * 60_000 };
/** Staff alerts (Telegram chat, webhook): 2 s … 5 minutes, kept in memory only. */
export const NOTIFY_BACKOFF: Backoff = { firstMs: 2000, maxMs: 5 * 60_000 };
/**
 * Storing an inbound message while the database is away: short waits, the channel is waiting on us.
 * Eight attempts span about a minute (0.5 + 1 + 2 + 4 + 8 + 16 + 30 s).
 */
export const STORE_INBOUND_BACKOFF: Backoff = { firstMs: 500, maxMs: 30_000 };
export const STORE_INBOUND_ATTEMPTS = 8;
/** Reopening a closed WhatsApp connection: 1 s … 5 minutes. */
export const RECONNECT_BACKOFF: Backoff = { firstMs: 1000, maxMs: 5 * 60_000 };

/** The wait before attempt `attempt + 1`, after `attempt` (1, 2, …) failed. */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const base = Math.min(backoff.firstMs * 2 ** Math.min(Math.max(0, attempt - 1), 40), backoff.maxMs);
  return Math.round(base * (0.75 + random() * 0.5));
}

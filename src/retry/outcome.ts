/**
 * How one attempt at something over the network ended: a send or deletion on a channel, a staff
 * notification. The same shape everywhere, so the outbox, the notifiers and the tests read one thing.
 * Nothing that returns an Outcome throws for the other side's trouble.
 */
export interface Failure {
  ok: false;
  /** Worth another attempt later (network, 5xx, rate limit, not connected). */
  retry: boolean;
  /** The other side said how long to wait (Telegram retry_after, HTTP Retry-After, not connected). */
  retryAfterMs?: number | undefined;
  /** The resident cannot be reached on this channel any more (blocked the bot): stop for good. */
  unreachable?: boolean | undefined;
  reason: string;
}

export type Outcome<Done extends object = object> = ({ ok: true } & Done) | Failure;

/** The four answers a classifier gives: retry (after a wait the other side named, if it did) … */
export function retryLater(reason: string, retryAfterMs?: number): Failure {
  return retryAfterMs === undefined ? { ok: false, retry: true, reason } : { ok: false, retry: true, retryAfterMs, reason };
}

/** … the resident blocked us or left: never again on this channel … */
export function unreachable(reason: string): Failure {
  return { ok: false, retry: false, unreachable: true, reason };
}

/** … or the request itself is wrong: trying again would not help. */
export function giveUp(reason: string): Failure {
  return { ok: false, retry: false, reason };
}

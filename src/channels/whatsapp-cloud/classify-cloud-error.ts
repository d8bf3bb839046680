import { giveUp, retryLater, unreachable, type Failure } from '../../retry/outcome.js';
import type { GraphError } from './graph-api.js';

/** Graph error codes the channel acts on (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). */
export const GRAPH_ERROR = {
  /** More than 24 hours since the resident last wrote: only a template may go out. */
  windowClosed: 131047,
  /** Not delivered: no WhatsApp account, an old app, or the terms not accepted. */
  undeliverable: 131026,
  /** The number's throughput limit. */
  rateLimit: 130429,
  /** Too many messages to this one resident in a short time. */
  pairRateLimit: 131056,
  /** The access token expired, was revoked or is wrong. */
  tokenInvalid: 190,
} as const;

/** The start of the reason of a message refused because the 24-hour window closed; the inbox reads it. */
export const WINDOW_CLOSED = 'window-closed';
/** A reply held back outside the window: the resident was asked by template to write, and it goes when they do. */
export const WAITING_FOR_RESIDENT = 'waiting for the resident to write back';

/**
 * Meta asks to wait before writing to the same resident again after 131056: about one message per
 * six seconds per pair once the burst allowance is spent.
 */
export const PAIR_RATE_LIMIT_RETRY_MS = 6_000;

/**
 * Errors Meta documents as temporary: 1 and 2 (API unknown / service down), 4 and 80007 (app and
 * account rate limits), 131000 (something went wrong), 131016 (service unavailable), 131057 (account
 * in maintenance).
 */
const TEMPORARY_CODES: ReadonlySet<number> = new Set([1, 2, 4, 80007, 131000, 131016, 131057]);

export function isWindowClosed(error: GraphError): boolean {
  return error.code === GRAPH_ERROR.windowClosed;
}

/** The token no longer works: every send fails until a coordinator puts in a new one. */
export function isTokenInvalid(error: GraphError): boolean {
  return error.code === GRAPH_ERROR.tokenInvalid || error.httpStatus === 401;
}

export function describeGraphError(error: GraphError): string {
  if (error.httpStatus === 0) return `WhatsApp Cloud: ${error.message}`;
  const code = error.code !== null ? ` ${error.code}` : '';
  const details = error.details && error.details !== error.message ? ` (${error.details})` : '';
  return `WhatsApp Cloud${code} (HTTP ${error.httpStatus}): ${error.message}${details}`;
}

/**
 * What a failed Graph call means for the outbox: 131047 gives up as `window-closed`, 131026 is
 * unreachable, rate limits retry (131056 after at least PAIR_RATE_LIMIT_RETRY_MS), an invalid token
 * gives up (the adapter also alerts), network trouble, timeouts, 429 and 5xx retry, other 4xx give up.
 */
export function cloudFailure(error: GraphError): Failure {
  const reason = describeGraphError(error);
  if (error.httpStatus === 0) return retryLater(reason);
  if (isWindowClosed(error)) return giveUp(`${WINDOW_CLOSED}: ${reason}`);
  if (error.code === GRAPH_ERROR.undeliverable) return unreachable(reason);
  if (error.code === GRAPH_ERROR.pairRateLimit) {
    return retryLater(reason, Math.max(PAIR_RATE_LIMIT_RETRY_MS, error.retryAfterMs ?? 0));
  }
  if (error.code === GRAPH_ERROR.rateLimit) return retryLater(reason, error.retryAfterMs);
  if (isTokenInvalid(error)) return giveUp(reason);
  if (error.code !== null && TEMPORARY_CODES.has(error.code)) return retryLater(reason, error.retryAfterMs);
  if (error.httpStatus === 429 || error.httpStatus === 408 || error.httpStatus >= 500)
    return retryLater(reason, error.retryAfterMs);
  // A 2xx that was not what we asked for (no message id): worth another try.
  if (error.httpStatus < 300) return retryLater(reason);
  return giveUp(reason);
}

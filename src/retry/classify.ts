import { GrammyError, HttpError } from 'grammy';
import { giveUp, retryLater, unreachable, type Failure } from './outcome.js';

/**
 * One classifier per channel: what a failure means for trying again. Each says retry, retry after N,
 * unreachable or give up (see outcome.ts); the outbox and the notifiers act on that alone.
 */

/** Telegram (grammY): 429 waits retry_after, 403 (blocked, kicked) is unreachable, 5xx and network retry, other 4xx give up. */
export function telegramFailure(error: unknown): Failure {
  if (error instanceof GrammyError) {
    const reason = `Telegram ${error.error_code}: ${error.description}`;
    if (error.error_code === 429) return retryLater(reason, (error.parameters.retry_after ?? 1) * 1000);
    if (error.error_code === 403) return unreachable(reason);
    if (error.error_code >= 500) return retryLater(reason);
    return giveUp(reason);
  }
  if (error instanceof HttpError) return retryLater(`network: ${error.message}`);
  return retryLater(`unexpected: ${(error as Error).message}`);
}

/** How long the outbox waits before trying WhatsApp again while it is not connected. */
export const WHATSAPP_NOT_CONNECTED_RETRY_MS = 30_000;

export function whatsappNotConnected(): Failure {
  return retryLater('WhatsApp is not connected', WHATSAPP_NOT_CONNECTED_RETRY_MS);
}

/**
 * WhatsApp Web (Baileys fails with a Boom): 408 timed out or connection lost, 428 connection closed,
 * 440 replaced, 5xx the server: all worth another try. 401/403 (logged out) wait as for a lost
 * connection. 400/404/406 mean the request itself is wrong (no such account, a refused message).
 */
export function whatsappFailure(error: unknown): Failure {
  const boom = error as { output?: { statusCode?: number }; message?: string };
  const code = boom?.output?.statusCode;
  const reason = `WhatsApp${code ? ` ${code}` : ''}: ${boom?.message ?? String(error)}`;
  if (code === 400 || code === 404 || code === 406) return giveUp(reason);
  if (code === 401 || code === 403) return retryLater(reason, WHATSAPP_NOT_CONNECTED_RETRY_MS);
  return retryLater(reason);
}

/** A plain HTTP answer (the staff webhook): 2xx done; 408, 429 and 5xx retry (honouring Retry-After); other 4xx give up. */
export function httpOutcome(response: Response): { ok: true } | Failure {
  if (response.ok) return { ok: true };
  const reason = `HTTP ${response.status}`;
  if (response.status === 429 || response.status >= 500 || response.status === 408) {
    const header = Number(response.headers.get('retry-after'));
    return retryLater(reason, Number.isFinite(header) && header > 0 ? header * 1000 : undefined);
  }
  return giveUp(reason);
}

import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { httpOutcome } from '../retry/classify.js';
import { DEFAULT_RETRY, RetryingSender, type RetryPolicy } from '../retry/retrying-sender.js';
import type { Notifier } from './alert.js';

/** The signature header: `sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` with STAFF_WEBHOOK_SECRET. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * POSTs each alert as JSON to the organisation's own system (STAFF_WEBHOOK_URL), signed, and retried
 * with backoff on network errors, 408, 429 and 5xx. The delivery id stays the same across retries, so
 * the receiver can drop duplicates.
 */
export function createWebhookNotifier(options: {
  url: string;
  secret: string;
  logger: Logger;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Notifier {
  const doFetch = options.fetch ?? fetch;
  const sender = new RetryingSender(options.retry ?? DEFAULT_RETRY, (reason, attempts) =>
    options.logger.warn({ notifier: 'webhook', reason, attempts }, 'staff webhook gave up'),
  );
  return {
    name: 'webhook',
    notify(alert) {
      const deliveryId = randomUUID();
      const body = JSON.stringify(alert);
      sender.run(async (attempt) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'tussenin-webhook/1',
            'x-tussenin-event': alert.event,
            'x-tussenin-delivery': deliveryId,
            'x-tussenin-attempt': String(attempt),
            'x-tussenin-timestamp': timestamp,
            'x-tussenin-signature': signWebhook(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        return httpOutcome(response);
      });
    },
    idle: () => sender.idle(),
    stop: () => sender.stop(),
  };
}

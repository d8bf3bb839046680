import type { Logger } from '../logging/logger.js';
import type { Notifier, StaffAlert } from './alert.js';
import { attemptFromResponse, DEFAULT_RETRY, RetryingSender, type RetryPolicy } from './retrying-sender.js';

/**
 * Posts each alert to a staff Telegram chat (STAFF_TELEGRAM_CHAT_ID) through the Bot API with the
 * bot's token. The text is made by `format` (in the organisation's language) and holds no resident words.
 */
export function createTelegramNotifier(options: {
  apiRoot: string;
  token: string;
  chatId: string;
  format: (alert: StaffAlert) => string;
  logger: Logger;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
}): Notifier {
  const doFetch = options.fetch ?? fetch;
  const sender = new RetryingSender(options.retry ?? DEFAULT_RETRY, (reason, attempts) =>
    options.logger.warn({ notifier: 'telegram', reason, attempts }, 'staff Telegram notification gave up'),
  );
  return {
    name: 'telegram',
    notify(alert) {
      const text = options.format(alert);
      sender.run(async () => {
        const response = await doFetch(`${options.apiRoot}/bot${options.token}/sendMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: options.chatId, text, disable_web_page_preview: true }),
          signal: AbortSignal.timeout(10_000),
        });
        let retryAfterMs: number | undefined;
        if (response.status === 429) {
          const body = (await response.json().catch(() => ({}))) as { parameters?: { retry_after?: number } };
          retryAfterMs = body.parameters?.retry_after ? body.parameters.retry_after * 1000 : undefined;
        } else await response.body?.cancel();
        return attemptFromResponse(response, retryAfterMs);
      });
    },
    idle: () => sender.idle(),
    stop: () => sender.stop(),
  };
}

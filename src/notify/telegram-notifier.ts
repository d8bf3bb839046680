import { Api } from 'grammy';
import type { Logger } from '../logging/logger.js';
import { telegramFailure } from '../retry/classify.js';
import { DEFAULT_RETRY, RetryingSender, type RetryPolicy } from '../retry/retrying-sender.js';
import type { Notifier, StaffAlert } from './alert.js';

/**
 * Posts each alert to a staff Telegram chat (STAFF_TELEGRAM_CHAT_ID) through grammY's Bot API client
 * with the bot's token. The text is made by `format` (in the organisation's language) and holds no resident words.
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
  const api = new Api(options.token, {
    apiRoot: options.apiRoot,
    timeoutSeconds: 10,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const sender = new RetryingSender(options.retry ?? DEFAULT_RETRY, (reason, attempts) =>
    options.logger.warn({ notifier: 'telegram', reason, attempts }, 'staff Telegram notification gave up'),
  );
  return {
    name: 'telegram',
    notify(alert) {
      const text = options.format(alert);
      sender.run(async () => {
        try {
          await api.sendMessage(options.chatId, text, { link_preview_options: { is_disabled: true } });
          return { ok: true };
        } catch (error) {
          return telegramFailure(error);
        }
      });
    },
    idle: () => sender.idle(),
    stop: () => sender.stop(),
  };
}

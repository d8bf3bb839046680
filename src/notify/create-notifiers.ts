import type { Config } from '../config/config.js';
import type { LoadedTexts } from '../i18n/load-texts.js';
import type { Logger } from '../logging/logger.js';
import type { RetryPolicy } from '../retry/retrying-sender.js';
import type { Notifier } from './alert.js';
import { formatAlert } from './format-alert.js';
import { createTelegramNotifier } from './telegram-notifier.js';
import { createWebhookNotifier } from './webhook-notifier.js';

/** The staff notifiers the configuration asks for: a staff Telegram chat, a signed webhook, both or none. */
export function createNotifiers(options: {
  config: Config;
  texts: LoadedTexts;
  logger: Logger;
  /** For tests: shorter retries, and a fetch that stands in for the network. */
  retry?: RetryPolicy | undefined;
  fetch?: typeof fetch | undefined;
}): Notifier[] {
  const { config, texts } = options;
  const common = {
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const notifiers: Notifier[] = [];
  if (config.STAFF_TELEGRAM_CHAT_ID && config.TELEGRAM_BOT_TOKEN) {
    notifiers.push(
      createTelegramNotifier({
        apiRoot: config.TELEGRAM_API_ROOT,
        token: config.TELEGRAM_BOT_TOKEN,
        chatId: config.STAFF_TELEGRAM_CHAT_ID,
        format: (alert) => formatAlert(texts, alert),
        ...common,
      }),
    );
  }
  if (config.STAFF_WEBHOOK_URL && config.STAFF_WEBHOOK_SECRET) {
    notifiers.push(createWebhookNotifier({ url: config.STAFF_WEBHOOK_URL, secret: config.STAFF_WEBHOOK_SECRET, ...common }));
  }
  return notifiers;
}

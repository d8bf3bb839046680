import { Bot, webhookCallback, type Api, type Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { Hono } from 'hono';
import { bodyLimit } from '../../server/body-limit.js';
import type { ConversationService } from '../../conversation/conversation-service.js';
import type { Database } from '../../db/database.js';
import type { Texts } from '../../engine/texts.js';
import type { Logger } from '../../logging/logger.js';
import { attachReceivedFile, inboundAlreadyStored } from '../../media/store-media.js';
import { honoWebhookAdapter } from './hono-webhook-adapter.js';
import type { InboundMessage } from '../../conversation/inbound-message.js';
import { downloadFile, FileTooLarge } from './download-file.js';
import { normalizeUpdate, type TelegramFile } from './normalize-update.js';
import { TelegramAdapter } from './telegram-adapter.js';
import { checkUpdateShape, MAX_TELEGRAM_UPDATE_BYTES } from './update-shape.js';
import { safeEqual } from '../../staff/secret-token.js';
import { STORE_INBOUND_ATTEMPTS, STORE_INBOUND_BACKOFF } from '../../retry/backoff.js';
import { withRetries } from '../../retry/with-retries.js';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;
/** The command menu, in every language; discreet and neutral are the resident's privacy switches (issue 6). */
const BOT_COMMANDS = ['start', 'help', 'language', 'person', 'discreet', 'neutral', 'stop'] as const;

export interface TelegramChannelOptions {
  token: string;
  mode: 'webhook' | 'polling';
  apiRoot: string;
  publicUrl?: string | undefined;
  webhookSecret?: string | undefined;
  maxMediaBytes: number;
  messagesPerSecond: number;
  /** Messages to one chat that may go at once before the one-a-second pace (TELEGRAM_CHAT_BURST). */
  chatBurst: number;
  /** Tests pass it so nothing calls getMe. */
  botInfo?: UserFromGetMe;
}

export interface TelegramChannelDeps {
  conversations: ConversationService;
  database: Database;
  texts: Texts;
  logger: Logger;
}

export interface TelegramChannel {
  adapter: TelegramAdapter;
  /** The webhook route (webhook mode); empty in polling mode. */
  routes: Hono;
  /** Registers the webhook or starts long polling. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stores one update and runs the step: what the webhook and the poller both call. */
  handleUpdate(update: Update): Promise<void>;
}

/**
 * The Telegram channel on grammY. An update is answered (webhook 200, or the poller's offset moves on)
 * only after it is stored: media fetched, message deduplicated and the step committed.
 */
export function createTelegramChannel(options: TelegramChannelOptions, deps: TelegramChannelDeps): TelegramChannel {
  const { conversations, database, texts, logger } = deps;
  const bot = new Bot(options.token, {
    client: {
      apiRoot: options.apiRoot,
      // A webhook answers a button press in its response body (Telegram runs the call it names): one
      // HTTP request less per press. Only this call: its result is never needed, and a lost one only
      // leaves the button's spinner until Telegram's own timeout.
      canUseWebhookReply: (method) => options.mode === 'webhook' && method === 'answerCallbackQuery',
    },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const adapter = new TelegramAdapter(bot.api, { messagesPerSecond: options.messagesPerSecond, chatBurst: options.chatBurst });
  const refusedGroups = new Set<number>();

  async function fetchMedia(file: TelegramFile, inbound: InboundMessage): Promise<InboundMessage> {
    if (file.size !== undefined && file.size > options.maxMediaBytes) return { ...inbound, notice: 'tooLarge' };
    try {
      const { file_path: filePath } = await bot.api.getFile(file.fileId);
      if (!filePath) throw new Error('getFile returned no file_path');
      const bytes = await downloadFile(`${options.apiRoot}/file/bot${options.token}/${filePath}`, options.maxMediaBytes);
      return await attachReceivedFile(database, inbound, { kind: file.kind, contentType: file.contentType, bytes });
    } catch (error) {
      if (error instanceof FileTooLarge) return { ...inbound, notice: 'tooLarge' };
      logger.warn({ err: error, kind: file.kind }, 'could not fetch a Telegram file');
      return { ...inbound, notice: 'mediaFailed', media: { kind: file.kind, mediaId: null } };
    }
  }

  /** `api`: the update's own (ctx.api), which may answer in the webhook's response; else the bot's. */
  async function handleUpdate(update: Update, api: Api = bot.api): Promise<void> {
    const shape = checkUpdateShape(update);
    if (!shape.ok) {
      logger.warn({ updateId: shape.updateId, reason: shape.reason }, 'ignored a Telegram update of an unknown shape');
      return;
    }
    const normalized = normalizeUpdate(update);
    const answerQuery = () =>
      normalized.callbackQueryId ? api.answerCallbackQuery(normalized.callbackQueryId).catch(() => undefined) : undefined;
    if (normalized.kind === 'ignore') {
      await answerQuery();
      return;
    }
    if (normalized.kind === 'group') {
      await answerQuery();
      if (refusedGroups.has(normalized.chatId)) return;
      if (refusedGroups.size > 10_000) refusedGroups.clear();
      refusedGroups.add(normalized.chatId);
      const locale = texts.locales.find((l) => normalized.localeHint?.startsWith(l)) ?? texts.sourceLocale;
      await bot.api.sendMessage(normalized.chatId, texts.t(locale, 'telegram:groupRefusal')).catch((error) => {
        logger.warn({ err: error }, 'could not send the group refusal');
      });
      return;
    }
    // A re-delivered update must not store its file twice: fetch only what we have not seen.
    const needsFile = normalized.file && !(await inboundAlreadyStored(database, normalized.inbound));
    // "Typing" only while a file is fetched, which takes a while; a text's reply goes out at once, and a
    // chat action before it would be one more API call for nothing. A hint: a failure is not retried.
    if (needsFile) void bot.api.sendChatAction(normalized.chatId, 'typing').catch(() => undefined);
    const inbound = needsFile ? await fetchMedia(normalized.file!, normalized.inbound) : normalized.inbound;
    await conversations.handleInbound(inbound);
    await answerQuery();
  }

  bot.use(async (ctx: Context) => {
    // Polling moves past an update once this returns, so a failure to store it (the database briefly
    // away) is retried here rather than lost; the same update id is deduplicated if it was stored. A
    // webhook answers 500 instead, and Telegram delivers the update again.
    if (options.mode === 'polling') {
      await withRetries(() => handleUpdate(ctx.update, ctx.api), {
        attempts: STORE_INBOUND_ATTEMPTS,
        backoff: STORE_INBOUND_BACKOFF,
        onRetry: (error, attempt, retryInMs) =>
          logger.warn({ err: error, attempt, retryInMs }, 'storing a Telegram update failed; retrying'),
      });
    } else await handleUpdate(ctx.update, ctx.api);
  });
  bot.catch((error) => logger.error({ err: error.error, updateId: error.ctx.update.update_id }, 'a Telegram update failed'));

  const routes = new Hono();
  if (options.mode === 'webhook') {
    // grammY compares the secret header in constant time and answers 401 without running the bot.
    const secretMatches = (header: string | undefined) => header !== undefined && safeEqual(header, options.webhookSecret!);
    routes.post(
      TELEGRAM_WEBHOOK_PATH,
      bodyLimit({
        maxSize: MAX_TELEGRAM_UPDATE_BYTES,
        onError: (c) => c.json({ error: 'too_large', reason: `an update is at most ${MAX_TELEGRAM_UPDATE_BYTES} bytes` }, 413),
      }),
      // Only the secret's holder learns more than 401 (grammY's answer); then a body that is not JSON is a 400.
      async (c, next) => {
        if (!secretMatches(c.req.header('x-telegram-bot-api-secret-token'))) return next();
        let body: unknown;
        try {
          body = await c.req.json(); // cached: grammY reads the same parsed body
        } catch {
          return c.json({ error: 'invalid_json', reason: 'the body is not a JSON Telegram update' }, 400);
        }
        const shape = checkUpdateShape(body);
        if (!shape.ok) {
          logger.warn({ updateId: shape.updateId, reason: shape.reason }, 'ignored a Telegram update of an unknown shape');
          return c.json({ ok: true, ignored: shape.reason });
        }
        return next();
      },
      webhookCallback(bot, honoWebhookAdapter, {
        secretToken: options.webhookSecret!,
        onTimeout: 'throw',
        timeoutMilliseconds: 55_000,
      }),
    );
  }

  return {
    adapter,
    routes,
    handleUpdate,
    async start() {
      await bot.init();
      await setCommands().catch((error) => logger.warn({ err: error }, 'could not set the Telegram command list'));
      if (options.mode === 'webhook') {
        await bot.api.setWebhook(`${options.publicUrl!.replace(/\/$/, '')}${TELEGRAM_WEBHOOK_PATH}`, {
          secret_token: options.webhookSecret!,
          allowed_updates: [...ALLOWED_UPDATES],
        });
        logger.info({ bot: bot.botInfo.username }, 'Telegram webhook registered');
      } else {
        // Not awaited: it resolves when polling stops. Note it removes any webhook of this bot.
        void bot.start({ allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false }).catch((error) => {
          logger.error({ err: error }, 'Telegram polling stopped');
        });
        logger.info({ bot: bot.botInfo.username }, 'Telegram long polling started');
      }
    },
    async stop() {
      if (bot.isRunning()) await bot.stop();
    },
  };

  async function setCommands() {
    for (const locale of texts.locales) {
      const commands = BOT_COMMANDS.map((command) => ({ command, description: texts.t(locale, `telegram:commands.${command}`) }));
      await bot.api.setMyCommands(commands, locale === texts.sourceLocale ? {} : { language_code: locale as never });
    }
  }
}

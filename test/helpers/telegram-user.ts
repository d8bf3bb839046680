import { and, eq, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import type { Message, Update } from 'grammy/types';
import type { Database } from '../../src/db/database.js';
import { outbox, residents } from '../../src/db/schema.js';
import { waitUntil, type FakeTelegram, type SentMessage } from './fake-telegram.js';

let nextUpdateId = 500_000;
/** A fresh update id; ids only grow, as Telegram's do. */
export const newUpdateId = () => ++nextUpdateId;

/** How an update reaches the app: posted to the webhook, or queued for the long poll. */
export type Deliver = (update: Update) => Promise<void>;

/**
 * Posts updates to the app's webhook as Telegram does, and expects 200. A call named in the response
 * body (a webhook reply) is carried out by the fake, as Telegram would.
 */
export function viaWebhook(server: Hono, secret: string, fake: FakeTelegram): Deliver {
  return async (update) => {
    const res = await postUpdate(server, update, secret);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${body}`);
    if (body.startsWith('{')) fake.takeWebhookReply(JSON.parse(body) as Record<string, unknown>);
  };
}

/** Posts one update to the webhook with the given secret header (none when undefined); returns the response. */
export function postUpdate(server: Hono, update: Update, secret: string | undefined): Promise<Response> {
  return Promise.resolve(
    server.request('/telegram/webhook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(update),
    }),
  );
}

/** Queues updates in the fake for getUpdates and waits until the poller has confirmed (handled) each. */
export function viaPolling(fake: FakeTelegram, timeoutMs = 10_000): Deliver {
  return async (update) => {
    fake.queueUpdate(update);
    await waitUntil(
      () => fake.isConfirmed(update.update_id),
      timeoutMs,
      () => `the poller to handle update ${update.update_id}`,
    );
  };
}

export interface TelegramUserOptions {
  chatId: number;
  languageCode?: string | undefined;
  firstName?: string;
}

/**
 * One resident in a private Telegram chat with the bot. Sends updates as Telegram would shape them and
 * reads the bot's answers from the fake Bot API, the way the resident sees them.
 */
export class TelegramUser {
  readonly chatId: number;
  readonly languageCode: string | undefined;
  readonly firstName: string;
  /** How many of the chat's messages the resident has read. */
  seen = 0;
  #messageId = 0;

  constructor(
    readonly fake: FakeTelegram,
    readonly database: Database,
    readonly deliver: Deliver,
    options: TelegramUserOptions,
  ) {
    this.chatId = options.chatId;
    this.languageCode = options.languageCode;
    this.firstName = options.firstName ?? 'Resident';
  }

  get from() {
    return {
      id: this.chatId,
      is_bot: false as const,
      first_name: this.firstName,
      ...(this.languageCode ? { language_code: this.languageCode } : {}),
    };
  }

  get chat() {
    return { id: this.chatId, type: 'private' as const, first_name: this.firstName };
  }

  /** A `message` update from this resident with the given content (text, voice, sticker, ...). */
  messageUpdate(content: Partial<Message>): Update {
    return {
      update_id: newUpdateId(),
      message: {
        message_id: ++this.#messageId,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        ...content,
      } as Update['message'],
    } as Update;
  }

  /** A `callback_query` update: this resident pressed the button `data` under the bot's message `on`. */
  callbackUpdate(data: string, on: SentMessage): Update {
    return {
      update_id: newUpdateId(),
      callback_query: {
        id: `${this.chatId}${newUpdateId()}`,
        from: this.from,
        chat_instance: `ci-${this.chatId}`,
        data,
        message: {
          message_id: on.message_id,
          date: Math.floor(on.at / 1000),
          chat: this.chat,
          text: on.text,
          ...(on.reply_markup ? { reply_markup: on.reply_markup } : {}),
        },
      },
    } as Update;
  }

  /** An `edited_message` update: the resident changed an earlier text. */
  editedUpdate(messageId: number, text: string): Update {
    return {
      update_id: newUpdateId(),
      edited_message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000) - 60,
        edit_date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        text,
      },
    } as Update;
  }

  /** The id of the resident's last own message (for edits). */
  get lastMessageId(): number {
    return this.#messageId;
  }

  /** Sends text and returns the bot's replies to it. */
  async say(text: string): Promise<SentMessage[]> {
    return this.send(this.messageUpdate({ text }));
  }

  /**
   * Presses a button of the last message that has a keyboard, as a resident can only press what is
   * shown; fails when no such button is there. Returns the replies.
   */
  async press(data: string): Promise<SentMessage[]> {
    const shown = this.fake.lastKeyboardMessage(this.chatId);
    const buttons = shown?.reply_markup?.inline_keyboard.flat() ?? [];
    if (!shown || !buttons.some((b) => b.callback_data === data)) {
      throw new Error(`no button ${data} on the last keyboard; buttons: ${buttons.map((b) => b.callback_data).join(', ')}`);
    }
    return this.send(this.callbackUpdate(data, shown));
  }

  /** Delivers any update and returns the replies it caused. */
  async send(update: Update): Promise<SentMessage[]> {
    await this.deliver(update);
    return this.replies();
  }

  /**
   * Waits until every reply written for this resident has left the outbox (sent or given up), then
   * returns the messages the chat received since the last call.
   */
  async replies(timeoutMs = 20_000): Promise<SentMessage[]> {
    await waitUntil(
      async () => (await this.pendingReplies()) === 0,
      timeoutMs,
      () => `the replies to chat ${this.chatId} to be sent`,
    );
    const all = this.fake.messagesTo(this.chatId);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }

  /** Outbox rows for this resident still waiting to be sent. */
  async pendingReplies(): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .innerJoin(residents, eq(residents.id, outbox.residentId))
      .where(and(eq(residents.channel, 'telegram'), eq(residents.externalId, String(this.chatId)), eq(outbox.status, 'pending')));
    return Number(row?.n ?? 0);
  }
}

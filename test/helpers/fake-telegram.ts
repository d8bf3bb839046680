import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Update, UserFromGetMe } from 'grammy/types';
import { fieldText, parseMultipart } from './multipart.js';
import { listenLocally } from './local-server.js';

/**
 * A local stand-in for the Telegram Bot API, for tests: a real HTTP server on 127.0.0.1 that grammY
 * reaches through TELEGRAM_API_ROOT. It answers `POST /bot<token>/<method>` (a JSON body, or
 * multipart/form-data when grammY uploads a file: sendPhoto, sendDocument) for the methods the channel uses, serves `GET /file/bot<token>/<file_path>`, records every call with its
 * time, and can be told to fail the next calls of a method.
 */

export const TEST_BOT_TOKEN = '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
/** How long Telegram lets a bot delete its message in a private chat. */
const DELETE_WINDOW_MS = 48 * 3600_000;

/** What getMe returns; pass it to createApp as `telegramBotInfo` so grammY does not have to ask. */
export const testBotInfo: UserFromGetMe = {
  id: 123456,
  is_bot: true,
  first_name: 'Tussenin',
  username: 'tussenin_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** A scripted HTTP answer to one API call. */
export interface FakeResponse {
  status: number;
  body: unknown;
}

/** One API call as the fake received it. `at` is Date.now() on arrival. */
export interface RecordedCall {
  method: string;
  payload: Record<string, any>;
  at: number;
  /** The HTTP status the fake answered with. */
  status: number;
  /** Named in a webhook's response body instead of sent as a request of its own. */
  webhookReply?: true;
}

export interface InlineKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

/** A message the bot sent successfully (sendMessage, sendPhoto or sendDocument answered 200). */
export interface SentMessage {
  message_id: number;
  chat_id: number;
  /** The text; for a photo or document its caption ('' without one). */
  text: string;
  reply_markup?: InlineKeyboard | undefined;
  at: number;
  /** A photo or document the bot uploaded, as the resident's chat shows it. */
  file?: SentFile | undefined;
}

/** A file uploaded with sendPhoto or sendDocument. */
export interface SentFile {
  method: 'sendPhoto' | 'sendDocument';
  filename: string | undefined;
  bytes: Uint8Array;
  caption: string | undefined;
}

export interface WebhookRegistration {
  url: string;
  secret_token?: string;
  allowed_updates?: string[];
}

/** 429 as Telegram sends it when the bot sends too fast. */
export const tooManyRequests = (retryAfterSeconds: number): FakeResponse => ({
  status: 429,
  body: {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfterSeconds}`,
    parameters: { retry_after: retryAfterSeconds },
  },
});

/** A 5xx from Telegram's side. */
export const serverError = (status = 500): FakeResponse => ({
  status,
  body: { ok: false, error_code: status, description: 'Internal Server Error' },
});

/** 403: the resident blocked the bot. */
export const botBlocked = (): FakeResponse => ({
  status: 403,
  body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
});

export interface FakeTelegramOptions {
  /**
   * Called synchronously when a sendMessage succeeds, as the message is recorded (the bench times
   * replies with it). Nothing is called by default.
   */
  onSent?: (message: SentMessage) => void;
}

interface PollWaiter {
  offset: number;
  limit: number;
  finish: (updates: Update[]) => void;
}

export class FakeTelegram {
  /** Every API call, in order of arrival (file downloads are in `downloads`). */
  readonly calls: RecordedCall[] = [];
  /** Messages sent successfully, in order (deleted ones too: see `deleted`). */
  readonly sent: SentMessage[] = [];
  /** Ids of sent messages the bot deleted (deleteMessage, deleteMessages). */
  readonly deleted = new Set<number>();
  /** Paths of the files downloaded through `/file/bot<token>/...`. */
  readonly downloads: string[] = [];
  /** The last setWebhook registration, or null (none yet, or deleted). */
  webhook: WebhookRegistration | null = null;

  readonly #server: Server;
  readonly #files = new Map<string, { path: string; bytes: Uint8Array }>();
  readonly #failures = new Map<string, FakeResponse[]>();
  #updates: Update[] = [];
  #waiters: PollWaiter[] = [];
  /** The highest offset a getUpdates call has passed: updates below it are confirmed (handled). */
  #confirmedOffset = 0;
  #nextMessageId = 1000;
  #closed = false;

  readonly #onSent: ((message: SentMessage) => void) | undefined;

  private constructor(
    server: Server,
    readonly url: string,
    readonly token: string,
    options: FakeTelegramOptions,
  ) {
    this.#server = server;
    this.#onSent = options.onSent;
  }

  /** Starts the fake on 127.0.0.1 on a free port. Use `fake.url` as TELEGRAM_API_ROOT. */
  static async start(token: string = TEST_BOT_TOKEN, options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    let fake: FakeTelegram | undefined;
    const server = createServer((req, res) => {
      fake!.#handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
      });
    });
    fake = new FakeTelegram(server, await listenLocally(server), token, options);
    return fake;
  }

  /** Stops the server. Pending getUpdates calls are answered (empty) first, so pollers return at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.finish([]);
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Makes `fileId` known to getFile and its bytes downloadable. Returns the file_path getFile reports. */
  registerFile(fileId: string, bytes: Uint8Array, filePath = `voice/${fileId}.oga`): string {
    this.#files.set(fileId, { path: filePath, bytes });
    return filePath;
  }

  /** The next calls of `method` get these answers, in order; after them calls succeed again. */
  failNext(method: string, ...responses: FakeResponse[]): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...responses]);
  }

  /** Queues an update for getUpdates (long polling); a waiting poll gets it at once. */
  queueUpdate(update: Update): void {
    this.#updates.push(update);
    this.#wakePollers();
  }

  /** True once a later getUpdates call confirmed the update (passed an offset above its id): the bot handled it. */
  isConfirmed(updateId: number): boolean {
    return this.#confirmedOffset > updateId;
  }

  /** The recorded calls of one method. */
  /**
   * A webhook's response body that names a call (`{"method": …}`): Telegram carries it out without
   * telling the bot the result. The fake takes the calls the app may answer this way.
   */
  takeWebhookReply(body: Record<string, unknown>): void {
    const { method, ...payload } = body;
    if (method !== 'answerCallbackQuery') throw new Error(`unexpected webhook reply ${String(method)}`);
    if (!payload.callback_query_id) throw new Error('a webhook reply answerCallbackQuery without a query id');
    this.calls.push({ method, payload, at: Date.now(), status: 200, webhookReply: true });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Every sendMessage attempt (successful or not) to one chat. */
  sendAttemptsTo(chatId: number): RecordedCall[] {
    return this.callsTo('sendMessage').filter((c) => Number(c.payload.chat_id) === chatId);
  }

  /** The messages one chat received, in order. */
  messagesTo(chatId: number): SentMessage[] {
    return this.sent.filter((m) => m.chat_id === chatId);
  }

  /** What the chat still shows of the bot's messages: received and not deleted. */
  visibleTo(chatId: number): SentMessage[] {
    return this.messagesTo(chatId).filter((m) => !this.deleted.has(m.message_id));
  }

  /** Makes a sent message `ms` older (Telegram lets a bot delete only messages under 48 hours old). */
  age(messageId: number, ms: number): void {
    const message = this.sent.find((m) => m.message_id === messageId);
    if (!message) throw new Error(`no sent message ${messageId}`);
    message.at -= ms;
  }

  /** The last message with an inline keyboard the chat received (what the resident would press). */
  lastKeyboardMessage(chatId: number): SentMessage | undefined {
    return [...this.messagesTo(chatId)].reverse().find((m) => m.reply_markup?.inline_keyboard.length);
  }

  /** Waits until the chat has received at least `count` messages; throws after `timeoutMs`. */
  async waitForMessages(chatId: number, count: number, timeoutMs = 10_000): Promise<SentMessage[]> {
    await waitUntil(
      () => this.messagesTo(chatId).length >= count,
      timeoutMs,
      () => {
        const got = this.messagesTo(chatId).map((m) => m.text.slice(0, 60));
        return `${count} messages to chat ${chatId}; got ${got.length}: ${JSON.stringify(got)}`;
      },
    );
    return this.messagesTo(chatId);
  }

  /** Waits until `method` was called at least `count` times; throws after `timeoutMs`. */
  async waitForCalls(method: string, count = 1, timeoutMs = 10_000): Promise<RecordedCall[]> {
    await waitUntil(
      () => this.callsTo(method).length >= count,
      timeoutMs,
      () => `${count} calls to ${method}`,
    );
    return this.callsTo(method);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const filePrefix = `/file/bot${this.token}/`;
    if (req.method === 'GET' && url.pathname.startsWith(filePrefix)) {
      const filePath = decodeURIComponent(url.pathname.slice(filePrefix.length));
      const file = [...this.#files.values()].find((f) => f.path === filePath);
      this.downloads.push(filePath);
      if (!file) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.byteLength) });
      res.end(Buffer.from(file.bytes));
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    const raw = await readBody(req);
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    // A file upload: every field a part (objects as JSON), the file `attach://<id>` to a part of its own.
    const parts = multipart ? parseMultipart(raw, req.headers['content-type']) : undefined;
    const payload = parts
      ? Object.fromEntries([...parts.keys()].map((name) => [name, fieldText(parts, name)]))
      : raw.length > 0
        ? (JSON.parse(raw.toString('utf8')) as Record<string, any>)
        : {};
    const call: RecordedCall = { method, payload, at: Date.now(), status: 200 };
    this.calls.push(call);
    const reply = (status: number, body: unknown) => {
      call.status = status;
      send(res, status, body);
    };
    if (token !== this.token) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const scripted = this.#failures.get(method)?.shift();
    if (scripted) return reply(scripted.status, scripted.body);
    const ok = (result: unknown) => reply(200, { ok: true, result });
    const bad = (description: string) => reply(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });

    switch (method) {
      case 'getMe':
        return ok(testBotInfo);
      case 'sendMessage': {
        const chatId = Number(payload.chat_id);
        if (typeof payload.text !== 'string' || payload.text.length === 0) return bad('message text is empty');
        if (payload.text.length > 4096) return bad('message is too long');
        const message: SentMessage = {
          message_id: this.#nextMessageId++,
          chat_id: chatId,
          text: payload.text,
          reply_markup: payload.reply_markup,
          at: call.at,
        };
        this.sent.push(message);
        this.#onSent?.(message);
        return ok({
          message_id: message.message_id,
          date: Math.floor(call.at / 1000),
          chat:
            chatId > 0 ? { id: chatId, type: 'private', first_name: 'Resident' } : { id: chatId, type: 'group', title: 'Group' },
          from: { id: testBotInfo.id, is_bot: true, first_name: testBotInfo.first_name, username: testBotInfo.username },
          text: payload.text,
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        });
      }
      case 'sendPhoto':
      case 'sendDocument': {
        // As Telegram: the file must come as an upload (multipart), the caption at most 1,024 characters.
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        const attached = /^attach:\/\/(.+)$/.exec(String(payload[field] ?? ''))?.[1];
        const upload = attached ? parts?.get(attached) : undefined;
        if (!upload || upload.bytes.byteLength === 0) return bad(`there is no ${field} in the request`);
        const caption = typeof payload.caption === 'string' ? payload.caption : undefined;
        if (caption !== undefined && caption.length > 1024) return bad('message caption is too long');
        const chatId = Number(payload.chat_id);
        const message: SentMessage = {
          message_id: this.#nextMessageId++,
          chat_id: chatId,
          text: caption ?? '',
          at: call.at,
          file: { method, filename: upload.filename, bytes: upload.bytes, caption },
        };
        this.sent.push(message);
        this.#onSent?.(message);
        const file = {
          file_id: `file-${message.message_id}`,
          file_unique_id: `u-${message.message_id}`,
          file_size: upload.bytes.byteLength,
        };
        return ok({
          message_id: message.message_id,
          date: Math.floor(call.at / 1000),
          chat: { id: chatId, type: 'private', first_name: 'Resident' },
          from: { id: testBotInfo.id, is_bot: true, first_name: testBotInfo.first_name, username: testBotInfo.username },
          ...(method === 'sendPhoto'
            ? { photo: [{ ...file, width: 100, height: 100 }] }
            : { document: { ...file, file_name: upload.filename } }),
          ...(caption !== undefined ? { caption } : {}),
        });
      }
      case 'deleteMessage': {
        // As Telegram: only the bot's own messages in that chat, under 48 hours old, and only once.
        const message = this.sent.find(
          (m) => m.message_id === Number(payload.message_id) && m.chat_id === Number(payload.chat_id),
        );
        if (!message || this.deleted.has(message.message_id)) return bad('message to delete not found');
        if (call.at - message.at > DELETE_WINDOW_MS) return bad("message can't be deleted for everyone");
        this.deleted.add(message.message_id);
        return ok(true);
      }
      case 'deleteMessages': {
        // 1 to 100 ids; the ones that cannot be deleted (unknown, gone, too old) are skipped, as Telegram does.
        const ids: unknown = payload.message_ids;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) return bad('message_ids must hold 1 to 100 ids');
        for (const id of ids) {
          const message = this.sent.find((m) => m.message_id === Number(id) && m.chat_id === Number(payload.chat_id));
          if (message && call.at - message.at <= DELETE_WINDOW_MS) this.deleted.add(message.message_id);
        }
        return ok(true);
      }
      case 'answerCallbackQuery':
        return payload.callback_query_id ? ok(true) : bad('query id is empty');
      case 'sendChatAction':
      case 'setMyCommands':
        return ok(true);
      case 'getFile': {
        const file = this.#files.get(String(payload.file_id));
        if (!file) return bad('invalid file_id');
        return ok({
          file_id: payload.file_id,
          file_unique_id: `u-${payload.file_id}`,
          file_size: file.bytes.byteLength,
          file_path: file.path,
        });
      }
      case 'setWebhook':
        this.webhook = {
          url: String(payload.url),
          ...(payload.secret_token !== undefined ? { secret_token: payload.secret_token } : {}),
          ...(payload.allowed_updates !== undefined ? { allowed_updates: payload.allowed_updates } : {}),
        };
        return ok(true);
      case 'deleteWebhook':
        this.webhook = null;
        if (payload.drop_pending_updates) this.#updates = [];
        return ok(true);
      case 'getUpdates':
        return this.#getUpdates(payload, res, ok);
      default:
        return reply(404, { ok: false, error_code: 404, description: `Not Found: method ${method} is not in the fake` });
    }
  }

  /** Long polling as Telegram does it: confirm below `offset`, answer at once if something is due, else wait up to `timeout` s. */
  #getUpdates(payload: Record<string, any>, res: ServerResponse, ok: (result: unknown) => void): void {
    const offset = Number(payload.offset ?? 0);
    const limit = Math.min(Number(payload.limit ?? 100), 100);
    const timeoutSeconds = Number(payload.timeout ?? 0);
    if (offset > this.#confirmedOffset) this.#confirmedOffset = offset;
    this.#updates = this.#updates.filter((u) => u.update_id >= offset);
    const due = this.#updates.slice(0, limit);
    if (due.length > 0 || timeoutSeconds <= 0 || this.#closed) return ok(due);
    let done = false;
    const waiter: PollWaiter = {
      offset,
      limit,
      finish: (updates) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        ok(updates);
      },
    };
    const timer = setTimeout(() => waiter.finish([]), timeoutSeconds * 1000);
    // The client gave up (grammY aborts the poll on bot.stop()): forget the waiter.
    res.once('close', () => {
      done = true;
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    });
    this.#waiters.push(waiter);
  }

  #wakePollers() {
    for (const waiter of [...this.#waiters]) {
      const due = this.#updates.filter((u) => u.update_id >= waiter.offset).slice(0, waiter.limit);
      if (due.length > 0) waiter.finish(due);
    }
  }
}

/** Polls `condition` every 10 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

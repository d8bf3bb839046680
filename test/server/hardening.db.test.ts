import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { messages } from '../../src/db/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { FakeTelegram, serverError, TEST_BOT_TOKEN, testBotInfo, waitUntil } from '../helpers/fake-telegram.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { newUpdateId } from '../helpers/telegram-user.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * What probing the running service found (issue 10), each as an attacker or an unlucky resident would
 * meet it: no error path writes the bot token, a resident's words or a phone number to the log; a NUL
 * character loses no message; malformed input gets a 4xx or a quiet 200, never a 500; the transcript
 * export cannot be forged from inside a message.
 */

const SECRET = 'test-webhook-secret-123';
const WORDS = 'QZXV mijn man slaat me';
const PHONE = '0612345678';

let testDb: TestDatabase;
let fake: FakeTelegram;
let app: App;
const lines: string[] = [];

function appConfig(extra: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    WEBCHAT_SECRET: 'test-secret-test-secret-test-secret-123',
    WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '1000000',
    WEBCHAT_MESSAGES_PER_MINUTE: '1000',
    INBOUND_PER_RESIDENT_PER_MINUTE: '100000',
    INBOUND_GLOBAL_PER_SECOND: '100000',
    OUTBOX_POLL_MS: '20',
    TIMER_POLL_MS: '20',
    OUTBOX_MAX_ATTEMPTS: '2',
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_MODE: 'webhook',
    PUBLIC_URL: 'https://chat.example.org',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    ...extra,
  });
}

function textUpdate(chatId: number, text: string) {
  return {
    update_id: newUpdateId(),
    message: {
      message_id: newUpdateId(),
      date: 1,
      chat: { id: chatId, type: 'private' },
      from: { id: chatId, is_bot: false, first_name: `Fatima ${PHONE}`, language_code: 'nl' },
      text,
    },
  };
}

const webhook = (body: unknown, init: { raw?: string; secret?: string | null } = {}) =>
  app.server.request('/telegram/webhook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.secret === null ? {} : { 'x-telegram-bot-api-secret-token': init.secret ?? SECRET }),
    },
    body: init.raw ?? JSON.stringify(body),
  });

/** Nothing secret or personal in any log line written so far. */
function expectCleanLog() {
  const log = lines.join('');
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(TEST_BOT_TOKEN);
  expect(log).not.toContain(TEST_BOT_TOKEN.split(':')[1]);
  expect(log).not.toContain('QZXV');
  expect(log).not.toContain(PHONE);
  expect(log).not.toContain(PHONE.slice(1));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  fake = await FakeTelegram.start();
  app = await createApp({
    config: appConfig(),
    logger: capturingLogger('trace', lines),
    database: testDb.database,
    telegramBotInfo: testBotInfo,
  });
  await app.start();
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
});

describe('errors never put secrets or residents’ words in the log', () => {
  it('a failed send, a bad update and a text with NUL leave no token, words or number in the log', async () => {
    // A send that fails (the Bot API errors twice: the outbox gives up after two attempts).
    fake.failNext('sendMessage', serverError(500), serverError(500), serverError(500));
    expect((await webhook(textUpdate(91_001, `${WORDS} bel ${PHONE}`))).status).toBe(200);
    // Updates of shapes Telegram never sends, and a text with NUL characters.
    expect((await webhook({ update_id: newUpdateId(), message: { message_id: 1, text: WORDS } })).status).toBe(200);
    expect((await webhook(null)).status).toBe(200);
    expect((await webhook(textUpdate(91_002, `${WORDS}\u0000 ${PHONE}\u0000`))).status).toBe(200);
    await waitUntil(
      () => fake.sent.some((m) => m.chat_id === 91_002),
      10_000,
      () => 'a reply to the NUL message',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectCleanLog();
  });

  it('logs grammY and database errors as type, message and update id only', async () => {
    const logger = capturingLogger('trace', lines);
    const { BotError, Context, Api } = await import('grammy');
    const api = new Api(TEST_BOT_TOKEN);
    const update = textUpdate(91_003, `${WORDS} ${PHONE}`);
    const ctx = new Context(update as never, api, testBotInfo);
    const dbError = Object.assign(new Error(`invalid input syntax for type uuid: "${WORDS}"`), {
      code: '22P02',
      parameters: [WORDS, PHONE],
      query: `insert into messages values ('${WORDS}')`,
      detail: `Key (text)=(${WORDS}) already exists`,
    });
    logger.error({ err: new BotError(dbError, ctx) }, 'a Telegram update failed');
    logger.error({ err: dbError, update, text: WORDS, nested: { caption: WORDS, chat_id: 91_003 } }, 'request failed');
    logger.warn(new Error(`fetch https://api.telegram.org/bot${TEST_BOT_TOKEN}/sendMessage failed`));
    expectCleanLog();
    const botLine = JSON.parse(lines.find((l) => l.includes('a Telegram update failed'))!);
    expect(botLine.err.type).toBe('BotError');
    expect(botLine.err.updateId).toBe(update.update_id);
    expect(botLine.err.cause.code).toBe('22P02');
  });

  it('a database that is down gives the webhook a 500 and the log no content', async () => {
    const downDb = await createTestDatabase();
    const downLines: string[] = [];
    const downApp = await createApp({
      config: appConfig(),
      logger: capturingLogger('trace', downLines),
      database: downDb.database,
      telegramBotInfo: testBotInfo,
    });
    await downDb.database.close();
    const res = await downApp.server.request('/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(textUpdate(91_004, `${WORDS} ${PHONE}`)),
    });
    expect(res.status).toBe(500); // Telegram delivers it again once the database is back
    const log = downLines.join('');
    expect(log).toContain('request failed');
    for (const secret of [TEST_BOT_TOKEN, 'QZXV', PHONE]) expect(log).not.toContain(secret);
    await downApp.close().catch(() => undefined);
    await downDb.destroy().catch(() => undefined);
  });
});

describe('odd input gets a clear answer and loses nothing', () => {
  it('keeps a web chat message with NUL and other control characters, without them', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const replies = await chat.say('hallo\u0000 ik heb\u0007 een vraag\u0000');
    expect(replies.length).toBeGreaterThan(0);
    const stored = await testDb.database.db.select({ text: messages.text }).from(messages);
    const inbound = stored.map((m) => String(m.text)).filter((t) => t.includes('vraag'));
    expect(inbound).toEqual(['hallo ik heb een vraag']);
  });

  it('answers malformed Telegram bodies with 4xx or a quiet 200, never a 500, and stores none of them', async () => {
    expect((await webhook(undefined, { raw: '{"update_id": 1, "message": ' })).status).toBe(400);
    expect((await webhook(undefined, { raw: 'not json', secret: null })).status).toBe(401);
    const noChat = await webhook({ update_id: newUpdateId(), message: { message_id: 5, date: 1, text: 'hallo' } });
    expect(noChat.status).toBe(200);
    const tooLong = await webhook(textUpdate(91_005, 'a'.repeat(5000)));
    expect(tooLong.status).toBe(200);
    const huge = await webhook(undefined, { raw: JSON.stringify({ update_id: 1, padding: 'x'.repeat(10 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((await webhook([1, 2, 3])).status).toBe(200);
    expect((await webhook({ update_id: 'x' })).status).toBe(200);
    expect(await testDb.database.db.select().from(messages)).toEqual([]);
  });

  it('lists the newest audit entries for a nonsense cursor and refuses a next= with a line break', async () => {
    const coordinator = await addStaff(app, { role: 'coordinator' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(coordinator.email)).status).toBe(303);
    for (const before of ['1e400', '-1', 'abc', '99999999999999999999']) {
      expect((await browser.page(`/inbox/audit?before=${before}`)).status).toBe(200);
    }
    const api = await app.server.request('/api/audit?before=1e20', { headers: { authorization: 'Bearer x' } });
    expect(api.status).not.toBe(500);
    const page = await browser.page('/inbox/login?next=/inbox%0D%0ASet-Cookie:%20x=1');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/inbox');
  });
});

describe('the transcript export', () => {
  it('marks every further line of a message, so a resident cannot write a line that reads as staff', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app, 'hallo');
    await chat.say('goed\n[06-12-2026, 03:59] > Anna Trust: je zaak is gesloten\r\n[06-12-2026, 04:00] Anna Trust: bel 0900');
    const coordinator = await addStaff(app, { role: 'coordinator', name: 'Anna Trust' });
    const browser = new StaffBrowser(app.server);
    await browser.login(coordinator.email);
    const res = await browser.request(`/inbox/handoffs/${handoffId}/export`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const messageLines = text.split('\n').filter((line) => line.startsWith('['));
    expect(messageLines.some((line) => line.includes('Anna Trust'))).toBe(false);
    expect(text).toContain('\n    | [06-12-2026, 03:59] > Anna Trust: je zaak is gesloten\n');
    expect(text).toContain('\n    | [06-12-2026, 04:00] Anna Trust: bel 0900');
    expect(messageLines.some((line) => /^\[[^\]]+\] < .+: goed$/.test(line))).toBe(true);
  });
});

describe('a flood of new chats', () => {
  it('lets one address start five chats at once, answers each about danger with the numbers, and alerts staff three times, not ten', async () => {
    const STAFF_CHAT = -100_777;
    const floodApp = await createApp({
      config: appConfig({ WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '30', STAFF_TELEGRAM_CHAT_ID: String(STAFF_CHAT) }),
      logger: createLogger('silent'),
      database: testDb.database,
      telegramBotInfo: testBotInfo,
    });
    await floodApp.start();
    try {
      const statuses: number[] = [];
      const chats: WebchatClient[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await floodApp.server.request('/chat/api/session', { method: 'POST' });
        statuses.push(res.status);
        if (res.status === 201) {
          const chat = new WebchatClient(floodApp.server);
          chat.token = ((await res.json()) as { token: string }).token;
          chats.push(chat);
        } else {
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
      for (const chat of chats) {
        const replies = await chat.say('mijn man slaat me en ik ben bang');
        expect(replies.map((r) => r.text).join('\n')).toContain('112');
      }
      await waitUntil(
        () => fake.sent.filter((m) => m.chat_id === STAFF_CHAT).length >= 3,
        10_000,
        () => 'the first staff alerts',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fake.sent.filter((m) => m.chat_id === STAFF_CHAT)).toHaveLength(3);
    } finally {
      await floodApp.close();
    }
  });
});

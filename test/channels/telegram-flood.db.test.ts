import { and, asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { messages, residents } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { FakeTelegram, TEST_BOT_TOKEN, testBotInfo } from '../helpers/fake-telegram.js';
import { TelegramUser, viaWebhook } from '../helpers/telegram-user.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A flood from one Telegram chat, end to end: webhook, the inbound rate limit, the outbox, the real
 * adapter with its pacing, a fake Bot API. Assertions are on what was stored and what each chat
 * received, and in which order; never on how long anything took.
 */

const SECRET = 'test-webhook-secret-123';
const FLOOD = 300;
let testDb: TestDatabase;
let fake: FakeTelegram;
let app: App;

const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  fake = await FakeTelegram.start();
  app = await createTestApp(
    testDb.database,
    {
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_MODE: 'webhook',
      PUBLIC_URL: 'https://chat.example.org',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      // 3 a minute: one token back every 20 s, far longer than the flood takes to arrive.
      INBOUND_PER_RESIDENT_PER_MINUTE: '3',
    },
    { telegramBotInfo: testBotInfo },
  );
  await app.start();
});
afterEach(async () => {
  await app.close();
  await fake.close();
});

const user = (chatId: number, languageCode?: string) =>
  new TelegramUser(fake, testDb.database, viaWebhook(app.server, SECRET, fake), { chatId, languageCode });

async function inboundTexts(chatId: number): Promise<{ id: number; text: string | null }[]> {
  return testDb.database.db
    .select({ id: messages.id, text: messages.text })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .where(and(eq(residents.externalId, String(chatId)), eq(messages.direction, 'in')))
    .orderBy(asc(messages.id));
}

describe('a flood from one Telegram chat', () => {
  it('is stored whole and in order, answered with one "slow down", and does not hold up another chat', async () => {
    const flooder = user(8_100_001, 'tr');
    const other = user(8_100_002, 'nl');
    const alone = user(8_100_003, 'nl');

    await flooder.say('merhaba');
    await flooder.press('language:tr'); // two of the flooder's three tokens

    let floodStored = 0;
    let floodStoredWhenOtherWasStored = -1;
    const flood = (async () => {
      // Telegram hands a chat's updates over one after another; each is acknowledged once stored.
      for (let i = 0; i < FLOOD; i++) {
        await flooder.deliver(flooder.messageUpdate({ text: `mesaj ${i}` }));
        floodStored += 1;
      }
    })();
    const talk = (async () => {
      for (const text of ['hallo', '1', 'ja']) await other.deliver(other.messageUpdate({ text }));
      floodStoredWhenOtherWasStored = floodStored;
    })();
    await Promise.all([flood, talk]);

    // Every message of the flood is kept, in the order sent.
    expect((await inboundTexts(flooder.chatId)).map((m) => m.text)).toEqual([
      'merhaba',
      null, // the language button (a choice, no text)
      ...Array.from({ length: FLOOD }, (_, i) => `mesaj ${i}`),
    ]);

    // The other resident got every answer, in order, the same as a resident alone with the bot ...
    const otherReplies = (await other.replies()).map((m) => m.text);
    for (const text of ['hallo', '1', 'ja']) await alone.deliver(alone.messageUpdate({ text }));
    expect(otherReplies).toEqual((await alone.replies()).map((m) => m.text));
    expect(otherReplies.at(-1)!.startsWith(t('nl', 'bot:domains.prompt'))).toBe(true);
    // ... and was not queued behind the flood: all three of their messages were in before half of it.
    expect(floodStoredWhenOtherWasStored).toBeLessThan(FLOOD / 2);

    // The flooder: the bot read one more message, then said "slow down" once, in Turkish, and nothing after.
    const received = (await flooder.replies()).map((m) => m.text);
    expect(received.at(-1)).toBe(t('tr', 'bot:slowDown.resident'));
    expect(received.filter((text) => text === t('tr', 'bot:slowDown.resident'))).toHaveLength(1);
    expect(received.length).toBeLessThanOrEqual(4);
  });
});

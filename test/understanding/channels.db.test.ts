import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs } from '../../src/db/schema.js';
import { firstParagraph, texts } from '../helpers/engine-driver.js';
import { FakeTelegram, TEST_BOT_TOKEN, testBotInfo } from '../helpers/fake-telegram.js';
import { TelegramUser, viaWebhook } from '../helpers/telegram-user.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Reading residents (issue 9) on the channels they use: what a resident in danger, one who asks for a
 * person in ordinary words, and one who says "that's all" meet in the web chat and on Telegram.
 * The phrases are not in the corpus.
 */

let testDb: TestDatabase;
const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(() => testDb.truncate());

const DANGER_FIRST: [string, string][] = [
  ['nl', 'mijn stiefvader heeft mijn zusje weer geslagen ze heeft een blauw oog'],
  ['ar', 'راجلي كيهددني بالموت إلا مشيت عند البوليس'],
  ['ar', 'khayfa nrje3 ldar rajli kaydrbni'],
  ['tr', 'kocam beni her gün dövüyor ne yapacağımı bilmiyorum'],
  ['en', "i can't take it anymore i want to end it all"],
];

describe('the web chat', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp(testDb.database);
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(DANGER_FIRST)(
    'answers danger in a first message (%s: %s) with the numbers and an urgent case',
    async (locale, text) => {
      const chat = await new WebchatClient(app.server).startSession();
      const replies = await chat.say(text);
      const emergency = replies.find((r) => r.text === t(locale, 'bot:emergency.text'));
      expect(emergency, replies.map((r) => r.text).join('\n')).toBeDefined();
      expect(emergency!.dir).toBe(locale === 'ar' ? 'rtl' : 'ltr');
      const [handoff] = await testDb.database.db.select().from(handoffs);
      expect(handoff).toMatchObject({ urgent: true });
    },
  );

  it('reads danger, a person request and "that\'s all" in the middle of the intake', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:yes');
    await chat.press('domains:money');
    let replies = await chat.say('nee dat was het eigenlijk');
    expect(replies.at(-1)!.text).toBe(t('nl', 'bot:urgency.prompt'));
    replies = await chat.say('kan ik gewoon iemand spreken aub');
    expect(replies.map((r) => firstParagraph(r.text))).toContain(t('nl', 'bot:handoff.person'));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({ reason: 'asked-for-person', urgent: false });
  });

  it('keeps the first message as own words, and a Polish one gets a person one press away', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const replies = await chat.say('Dzień dobry, potrzebuję pomocy z listem od gminy');
    const question = replies.at(-1)!;
    for (const locale of ['nl', 'ar', 'tr', 'en']) expect(question.text).toContain(t(locale, 'bot:language.prompt'));
    expect(question.choices!.map((c) => c.id)).toContain('cmd:person');
    await chat.press('cmd:person');
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff!.preferences).toMatchObject({ writtenLanguage: 'pl' });
  });
});

describe('Telegram', () => {
  const SECRET = 'test-webhook-secret-123';
  let fake: FakeTelegram;
  let app: App;
  beforeEach(async () => {
    fake = await FakeTelegram.start();
    app = await createTestApp(
      testDb.database,
      {
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: 'https://chat.example.org',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        OUTBOX_POLL_MS: '20',
      },
      { telegramBotInfo: testBotInfo },
    );
    await app.start();
  });
  afterEach(async () => {
    await app.close();
    await fake.close();
  });

  it('gives the numbers to Darija in Latin letters, in Arabic, and hands a Turkish person request over', async () => {
    const darija = new TelegramUser(fake, testDb.database, viaWebhook(app.server, SECRET, fake), {
      chatId: 8_100_001,
      languageCode: 'nl',
    });
    const replies = await darija.say('wlah ma bghit n3ich had l7ayat kolha');
    expect(replies.map((r) => r.text)).toContain(t('ar', 'bot:emergency.text'));

    const turkish = new TelegramUser(fake, testDb.database, viaWebhook(app.server, SECRET, fake), {
      chatId: 8_100_002,
      languageCode: 'tr',
    });
    await turkish.say('merhaba');
    await turkish.press('language:tr');
    await turkish.press('consent:yes');
    const handed = await turkish.say('lütfen bir insanla konuşmak istiyorum');
    expect(handed.map((r) => firstParagraph(r.text))).toContain(t('tr', 'bot:handoff.person'));
  });
});

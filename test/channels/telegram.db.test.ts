import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs, media, messages, outbox, residents } from '../../src/db/schema.js';
import { firstParagraph, texts } from '../helpers/engine-driver.js';
import {
  botBlocked,
  FakeTelegram,
  serverError,
  TEST_BOT_TOKEN,
  testBotInfo,
  tooManyRequests,
  type SentMessage,
  waitUntil,
} from '../helpers/fake-telegram.js';
import { newUpdateId, postUpdate, TelegramUser, viaPolling, viaWebhook } from '../helpers/telegram-user.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The Telegram channel end to end: the whole app in-process, grammY talking HTTP to a fake Bot API
 * server on 127.0.0.1, the real dispatcher sending replies through the real adapter (with its real
 * one-message-a-second-per-chat pacing). Every test looks at what the resident would see in
 * Telegram (the fake's sendMessage log) or what the organisation would find in the database.
 */

const SECRET = 'test-webhook-secret-123';
const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'];

let testDb: TestDatabase;
let fake: FakeTelegram;
let apps: App[] = [];
let chatSeq = 7_000_000;
const newChatId = () => ++chatSeq;

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  fake = await FakeTelegram.start();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await fake.close();
});

function webhookEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_MODE: 'webhook',
    PUBLIC_URL: 'https://chat.example.org',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    OUTBOX_POLL_MS: '20',
    ...extra,
  };
}

/** Builds the app on the test database (closed after the test); `start` runs the dispatcher and registers the webhook. */
async function telegramApp(options: { env?: Record<string, string>; start?: boolean } = {}): Promise<App> {
  const app = await createTestApp(testDb.database, options.env ?? webhookEnv(), { telegramBotInfo: testBotInfo });
  apps.push(app);
  if (options.start ?? true) await app.start();
  return app;
}

function residentOn(app: App, languageCode: string | undefined, chatId = newChatId()): TelegramUser {
  return new TelegramUser(fake, testDb.database, viaWebhook(app.server, SECRET, fake), { chatId, languageCode });
}

/**
 * A question as the resident sees it: the text in their language, the options as buttons, and the
 * same options as a numbered list at the end of the text (for screen readers and old clients).
 */
function expectQuestion(message: SentMessage | undefined, locale: string, key: string, vars: Record<string, unknown> = {}) {
  expect(message, `a question ${key}`).toBeDefined();
  expect(message!.text.startsWith(t(locale, key, vars)), `"${message!.text.slice(0, 80)}" starts with ${key}`).toBe(true);
  const buttons = message!.reply_markup?.inline_keyboard.flat() ?? [];
  expect(buttons.length).toBeGreaterThan(0);
  const numbered = buttons.filter((b) => /^\d+\. /.test(b.text)).map((b) => b.text);
  expect(numbered.length).toBeGreaterThan(0);
  expect(message!.text.endsWith(`\n\n${numbered.join('\n')}`)).toBe(true);
  return buttons;
}

const rows = {
  residents: () => testDb.database.db.select().from(residents),
  messages: () => testDb.database.db.select().from(messages),
  media: () => testDb.database.db.select().from(media),
  outbox: () => testDb.database.db.select().from(outbox),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the Telegram channel, against a fake Bot API', () => {
  it('registers the webhook with its secret and the update types it handles, and the command menu per language', async () => {
    await telegramApp();
    expect(fake.webhook).toEqual({
      url: 'https://chat.example.org/telegram/webhook',
      secret_token: SECRET,
      allowed_updates: ALLOWED_UPDATES,
    });
    expect(fake.callsTo('getMe')).toHaveLength(0); // the bot info was given
    expect(fake.callsTo('deleteWebhook')).toHaveLength(0);
    const commands = fake.callsTo('setMyCommands');
    expect(commands).toHaveLength(texts.locales.length);
    const dutch = commands.find((c) => c.payload.language_code === undefined)!;
    expect(dutch.payload.commands).toContainEqual({ command: 'stop', description: t('nl', 'telegram:commands.stop') });
    const arabic = commands.find((c) => c.payload.language_code === 'ar')!;
    expect(arabic.payload.commands).toContainEqual({ command: 'person', description: t('ar', 'telegram:commands.person') });
  });

  it.each([
    { locale: 'nl', hello: 'Hallo', one: '1', two: '٢' },
    { locale: 'ar', hello: 'مرحبا', one: '١', two: '2' },
  ])(
    'takes a $locale resident through the whole intake with buttons, a typed number and an Arabic-Indic digit',
    async ({ locale, hello, one, two }) => {
      const app = await telegramApp();
      const user = residentOn(app, locale);
      const pressed: string[] = [];
      const press = async (data: string) => {
        const before = fake.callsTo('answerCallbackQuery').length;
        const replies = await user.press(data);
        pressed.push(data);
        expect(fake.callsTo('answerCallbackQuery').length).toBe(before + 1);
        return replies;
      };

      let replies = await user.say(hello);
      expect(replies).toHaveLength(2);
      expect(replies[0]!.text).toBe(t(locale, 'bot:greeting'));
      expect(replies[0]!.reply_markup).toBeUndefined();
      const languages = expectQuestion(replies[1], locale, 'bot:language.promptHinted');
      expect(languages[0]).toEqual({
        text: `1. ${t(locale, `bot:language.name.${locale}`)}`,
        callback_data: `language:${locale}`,
      });

      replies = await press(`language:${locale}`);
      expect(replies).toHaveLength(1);
      expectQuestion(replies[0], locale, 'bot:consent.prompt');

      replies = await user.say(one); // 1 = yes
      expect(replies).toHaveLength(1);
      const domains = expectQuestion(replies[0], locale, 'bot:domains.prompt');
      expect(domains).toContainEqual({ text: `2. ${t(locale, 'bot:domains.school')}`, callback_data: 'domains:school' });

      replies = await press('domains:parenting');
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toContain(t(locale, 'bot:domains.parenting'));
      expect(replies[0]!.reply_markup!.inline_keyboard.flat()).toContainEqual({
        text: t(locale, 'bot:common.continue'),
        callback_data: 'cmd:continue',
      });

      replies = await press('cmd:continue');
      expectQuestion(replies[0], locale, 'bot:urgency.prompt');

      replies = await user.say(two); // 2 = this week
      expectQuestion(replies[0], locale, 'bot:contact.prompt');

      replies = await press('contact:visit');
      // A question without options: the address in their own words, or skip.
      expect(replies[0]!.text).toBe(t(locale, 'bot:address.prompt'));
      expect(replies[0]!.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['cmd:skip']);
      replies = await user.say('Kanaleneiland');
      expectQuestion(replies[0], locale, 'bot:reachable.prompt');

      replies = await press('reachable:evening');
      const helperPrompt = t(locale, 'bot:helper.prompt', { language: t(locale, `bot:language.name.${locale}`) });
      expect(replies[0]!.text.startsWith(helperPrompt)).toBe(true);

      replies = await press('helper:woman');
      const summary = replies.at(-1)!;
      for (const key of [
        'bot:domains.parenting',
        'bot:urgency.week',
        'bot:contact.visit',
        'bot:reachable.evening',
        'bot:helper.woman',
      ]) {
        expect(summary.text).toContain(t(locale, key));
      }
      expect(summary.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toContain('summary:confirm');

      replies = await press('summary:confirm');
      expect(replies.map((r) => firstParagraph(r.text))).toEqual([t(locale, 'bot:handoff.done')]);

      // Every button press was acknowledged, so no client is left with a spinning button.
      const queryIds = fake.calls
        .filter((c) => c.method === 'answerCallbackQuery')
        .map((c) => c.payload.callback_query_id as string);
      expect(queryIds).toHaveLength(pressed.length);
      expect(new Set(queryIds).size).toBe(pressed.length);
      // ... in the webhook's answer, not as a request of their own (one API call less per press).
      expect(fake.callsTo('answerCallbackQuery').every((c) => c.webhookReply)).toBe(true);

      // Telegram's pace: a turn of up to three messages at once, never a fourth within the same second.
      const times = fake.messagesTo(user.chatId).map((m) => m.at);
      for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(900);

      const [handoff] = await testDb.database.db.select().from(handoffs);
      expect(handoff).toMatchObject({
        status: 'waiting',
        reason: 'intake-complete',
        locale,
        summary: {
          domains: ['parenting'],
          urgency: 'week',
          contact: 'visit',
          contactAddress: 'Kanaleneiland',
          reachable: 'evening',
          helperGender: 'woman',
        },
        preferences: { language: locale, contact: 'visit', reachable: 'evening', helperGender: 'woman' },
      });
      const [resident] = await rows.residents();
      expect(resident).toMatchObject({ channel: 'telegram', externalId: String(user.chatId), locale, unreachable: false });
    },
    60_000,
  );

  describe('files', () => {
    const ogg = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02, ...Array.from({ length: 58 }, (_, i) => i)]);

    async function atTopicQuestion(app: App) {
      const user = residentOn(app, 'nl');
      await user.say('hoi');
      await user.press('language:nl');
      await user.say('1');
      return user;
    }

    it('stores a voice note byte for byte and thanks the resident for it', async () => {
      const app = await telegramApp({ env: webhookEnv({ TELEGRAM_MAX_MEDIA_BYTES: '1000' }) });
      const user = await atTopicQuestion(app);
      const filePath = fake.registerFile('voice-file-1', ogg);
      const replies = await user.send(
        user.messageUpdate({
          voice: {
            file_id: 'voice-file-1',
            file_unique_id: 'uv1',
            duration: 3,
            mime_type: 'audio/ogg',
            file_size: ogg.byteLength,
          },
        }),
      );
      expect(replies.map((r) => r.text)).toEqual([t('nl', 'bot:domains.ackWords')]);
      expect(fake.downloads).toEqual([filePath]);
      // "Typing…" while the file was fetched; a text's reply needs none (see the pacing test).
      expect(fake.callsTo('sendChatAction').map((c) => c.payload.chat_id)).toEqual([user.chatId]);
      const [stored] = await rows.media();
      expect(stored).toMatchObject({ kind: 'voice', contentType: 'audio/ogg', byteSize: ogg.byteLength });
      expect(Buffer.from(stored!.content).equals(Buffer.from(ogg))).toBe(true);
      const [inbound] = await testDb.database.db.select().from(messages).where(eq(messages.mediaId, stored!.id));
      expect(inbound).toMatchObject({ direction: 'in', mediaKind: 'voice', externalId: `${user.chatId}:${user.lastMessageId}` });
    }, 30_000);

    it('stores a voice note once when Telegram delivers its update twice', async () => {
      const app = await telegramApp({ env: webhookEnv({ TELEGRAM_MAX_MEDIA_BYTES: '1000' }) });
      const user = await atTopicQuestion(app);
      fake.registerFile('voice-file-2', ogg);
      const update = user.messageUpdate({
        voice: { file_id: 'voice-file-2', file_unique_id: 'uv2', duration: 3, mime_type: 'audio/ogg', file_size: ogg.byteLength },
      });
      await user.deliver(update);
      await user.deliver(update); // Telegram did not see our 200 in time and sent it again
      expect((await user.replies()).map((r) => r.text)).toEqual([t('nl', 'bot:domains.ackWords')]);
      const stored = await rows.media();
      const referenced = (await rows.messages()).filter((m) => m.mediaId !== null);
      expect(referenced).toHaveLength(1);
      expect(stored.map((m) => m.id)).toEqual([referenced[0]!.mediaId]); // no second, orphaned copy of the recording
    }, 30_000);

    // Needs InboundMessage.notice passed through by the conversation service (in progress elsewhere).
    it('answers a file announced as larger than TELEGRAM_MAX_MEDIA_BYTES with the "too large" reply, without fetching it', async () => {
      const app = await telegramApp({ env: webhookEnv({ TELEGRAM_MAX_MEDIA_BYTES: '1000' }) });
      const user = await atTopicQuestion(app);
      fake.registerFile('big-voice', new Uint8Array(5000));
      const replies = await user.send(
        user.messageUpdate({
          voice: { file_id: 'big-voice', file_unique_id: 'ub1', duration: 90, mime_type: 'audio/ogg', file_size: 5000 },
        }),
      );
      expect(replies[0]?.text).toBe(t('nl', 'bot:notice.tooLarge'));
      expect(fake.downloads).toEqual([]);
      expect(await rows.media()).toEqual([]);
    }, 30_000);

    // Needs InboundMessage.notice passed through by the conversation service (in progress elsewhere).
    it('stops reading a download that turns out larger than the limit, stores nothing and says so', async () => {
      const app = await telegramApp({ env: webhookEnv({ TELEGRAM_MAX_MEDIA_BYTES: '1000' }) });
      const user = await atTopicQuestion(app);
      const filePath = fake.registerFile('doc-no-size', new Uint8Array(5000), 'documents/file_1.pdf');
      const replies = await user.send(
        user.messageUpdate({
          document: { file_id: 'doc-no-size', file_unique_id: 'ud1', file_name: 'brief.pdf', mime_type: 'application/pdf' },
        }),
      );
      expect(fake.downloads).toEqual([filePath]);
      expect(replies[0]?.text).toBe(t('nl', 'bot:notice.tooLarge'));
      expect(await rows.media()).toEqual([]);
    }, 30_000);
  });

  it.each([
    { what: 'a wrong secret', secret: 'wrong-webhook-secret-12' },
    { what: 'no secret', secret: undefined },
  ])('refuses an update with $what: 401, nothing stored, nothing sent', async ({ secret }) => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    const res = await postUpdate(app.server, user.messageUpdate({ text: 'hallo' }), secret);
    expect(res.status).toBe(401);
    await sleep(200);
    expect(await rows.residents()).toEqual([]);
    expect(await rows.messages()).toEqual([]);
    expect(fake.callsTo('sendMessage')).toEqual([]);
    expect(fake.callsTo('sendChatAction')).toEqual([]);
  });

  it('does not acknowledge an update it could not store, so Telegram delivers it again', async () => {
    const broken = await createTestDatabase();
    try {
      const app = await createTestApp(broken.database, webhookEnv(), { telegramBotInfo: testBotInfo });
      await broken.database.close(); // the database is away
      const user = residentOn(app, 'nl');
      const res = await postUpdate(app.server, user.messageUpdate({ text: 'hallo' }), SECRET);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(fake.callsTo('sendMessage')).toEqual([]);
      await app.close();
    } finally {
      await broken.destroy();
    }
  });

  it('sends a turn of two messages at once, the emergency numbers first, and no "typing" before a text reply', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    const [greeting, question] = await user.say('hallo');
    expect(greeting!.text).toBe(t('nl', 'bot:greeting'));
    // Both parts of the turn left within a burst (the old one-a-second pace held the second back a second).
    expect(question!.at - greeting!.at).toBeLessThan(500);
    // A first message that names danger: the numbers are the first thing the resident gets.
    const other = residentOn(app, 'nl');
    const [first] = await other.say('mijn man slaat me en ik ben bang');
    expect(first!.text).toContain(t('nl', 'bot:emergency.text').split('\n')[0]!);
    expect(fake.callsTo('sendChatAction')).toEqual([]);
  }, 30_000);

  it('answers an update that Telegram delivers twice only once', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    const update = user.messageUpdate({ text: 'hallo' });
    await user.deliver(update);
    await user.deliver(update);
    const replies = await user.replies();
    expect(replies.map((r) => r.text)).toEqual([
      t('nl', 'bot:greeting'),
      expect.stringContaining(t('nl', 'bot:language.promptHinted')),
    ]);
    // A pressed button delivered twice (same callback query) is one answer too.
    const press = user.callbackUpdate('language:nl', fake.lastKeyboardMessage(user.chatId)!);
    await user.deliver(press);
    await user.deliver(press);
    const afterPress = await user.replies();
    expect(afterPress).toHaveLength(1);
    await sleep(300);
    expect(fake.sendAttemptsTo(user.chatId)).toHaveLength(3);
    expect((await rows.messages()).filter((m) => m.direction === 'in')).toHaveLength(2);
  }, 30_000);

  it('waits as long as Telegram asks after a 429, retries a 500, and delivers the reply exactly once', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    fake.failNext('sendMessage', tooManyRequests(1), serverError(500));
    await user.say('hallo');
    const greeting = fake.messagesTo(user.chatId).filter((m) => m.text === t('nl', 'bot:greeting'));
    expect(greeting).toHaveLength(1);
    expect(fake.messagesTo(user.chatId)).toHaveLength(2); // the language question came after it, once
    const attempts = fake.sendAttemptsTo(user.chatId);
    expect(attempts.map((a) => a.status)).toEqual([429, 500, 200, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950); // retry_after: 1
    expect(greeting[0]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect((await rows.outbox()).map((r) => r.status)).toEqual(['sent', 'sent']);
  }, 30_000);

  it('marks a resident who blocked the bot unreachable and stops sending', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    // Blocked is blocked: every further call would be refused as well.
    fake.failNext('sendMessage', ...Array.from({ length: 5 }, botBlocked));
    await user.deliver(user.messageUpdate({ text: 'hallo' })); // two replies waiting: greeting and language question
    await waitUntil(
      async () => (await rows.residents())[0]?.unreachable === true,
      10_000,
      () => 'the resident to be marked unreachable',
    );
    await sleep(1500); // longer than the pacer's second between two messages to one chat
    expect(fake.sendAttemptsTo(user.chatId)).toHaveLength(1);
    expect(fake.messagesTo(user.chatId)).toEqual([]);
  }, 30_000);

  it('sends the reply once after a crash between storing the update and replying', async () => {
    const first = await telegramApp({ start: false }); // no dispatcher: the process "dies" before sending
    const user = residentOn(first, 'nl');
    const res = await postUpdate(first.server, user.messageUpdate({ text: 'hallo' }), SECRET);
    expect(res.status).toBe(200);
    expect((await rows.outbox()).map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(fake.callsTo('sendMessage')).toEqual([]);
    apps = apps.filter((a) => a !== first);
    await first.close();
    await testDb.database.close();
    await testDb.reopen();

    const second = await telegramApp();
    const replies = await residentOn(second, 'nl', user.chatId).replies(); // the same chat, read after the restart
    expect(replies.map((r) => r.text)).toEqual([
      t('nl', 'bot:greeting'),
      expect.stringContaining(t('nl', 'bot:language.promptHinted')),
    ]);
    await sleep(300);
    expect(fake.sendAttemptsTo(user.chatId)).toHaveLength(2);
  }, 30_000);

  it('answers a group chat once, politely, in the sender’s language, and stores nothing', async () => {
    const app = await telegramApp();
    const group = { id: -100_987_654, type: 'group' as const, title: 'Buurtgroep' };
    const from = { id: 555, is_bot: false as const, first_name: 'Amal', language_code: 'ar' };
    const groupMessage = (text: string) => ({
      update_id: newUpdateId(),
      message: { message_id: newUpdateId(), date: Math.floor(Date.now() / 1000), chat: group, from, text },
    });
    expect((await postUpdate(app.server, groupMessage('مرحبا'), SECRET)).status).toBe(200);
    expect((await postUpdate(app.server, groupMessage('هل أنت هناك؟'), SECRET)).status).toBe(200);
    await sleep(200);
    expect(fake.messagesTo(group.id).map((m) => m.text)).toEqual([t('ar', 'telegram:groupRefusal')]);
    expect(fake.messagesTo(from.id)).toEqual([]);
    expect(await rows.residents()).toEqual([]);
    expect(await rows.messages()).toEqual([]);
  });

  // Both need InboundMessage.notice passed through by the conversation service (in progress elsewhere).
  it('answers a sticker with a kind word in the resident’s language', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'ar');
    await user.say('مرحبا');
    const replies = await user.send(
      user.messageUpdate({
        sticker: {
          file_id: 'sticker-1',
          file_unique_id: 'us1',
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji: '👍',
        },
      }),
    );
    expect(replies[0]?.text).toBe(t('ar', 'bot:notice.unsupported'));
    expect(await rows.media()).toEqual([]);
  }, 30_000);

  it('answers an edited message with a kind word in the resident’s language', async () => {
    const app = await telegramApp();
    const user = residentOn(app, 'nl');
    await user.say('hallo');
    const replies = await user.send(user.editedUpdate(user.lastMessageId, 'hallo daar'));
    expect(replies[0]?.text).toBe(t('nl', 'bot:notice.edited'));
  }, 30_000);

  it('long-polls when there is no public URL: drops the webhook, fetches updates and answers them', async () => {
    const app = await telegramApp({
      env: { TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_MODE: 'polling', OUTBOX_POLL_MS: '20' },
    });
    await fake.waitForCalls('getUpdates');
    expect(fake.callsTo('deleteWebhook')).toHaveLength(1);
    expect(fake.callsTo('setWebhook')).toEqual([]);
    expect(fake.callsTo('getUpdates')[0]!.payload).toMatchObject({ allowed_updates: ALLOWED_UPDATES, timeout: 30 });
    expect((await app.server.request('/telegram/webhook', { method: 'POST', body: '{}' })).status).toBe(404);

    const user = new TelegramUser(fake, testDb.database, viaPolling(fake), { chatId: newChatId(), languageCode: 'nl' });
    const replies = await user.say('hallo');
    expect(replies.map((r) => r.text)).toEqual([
      t('nl', 'bot:greeting'),
      expect.stringContaining(t('nl', 'bot:language.promptHinted')),
    ]);
    const consent = await user.press('language:nl');
    expectQuestion(consent[0], 'nl', 'bot:consent.prompt');
    // Long polling has no response to answer in: the press is answered with a request of its own.
    expect(fake.callsTo('answerCallbackQuery')).toMatchObject([{ status: 200 }]);
    expect(fake.callsTo('answerCallbackQuery')[0]!.webhookReply).toBeUndefined();

    const stopping = Date.now();
    await app.close();
    apps = [];
    expect(Date.now() - stopping).toBeLessThan(3000); // the long poll was cut short, not waited out
  }, 30_000);
});

import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { consents, conversations, handoffs, messages, outbox, residents } from '../../src/db/schema.js';
import { createConsentVersions } from '../../src/privacy/consent-version.js';
import { intakeFlow, texts } from '../helpers/engine-driver.js';
import { FakeTelegram, serverError, TEST_BOT_TOKEN, testBotInfo, waitUntil } from '../helpers/fake-telegram.js';
import { boom, FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { TelegramUser, viaWebhook } from '../helpers/telegram-user.js';
import { createTestApp, type TestAppOptions } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { WhatsAppResident } from '../helpers/whatsapp-resident.js';
import { addStaff, StaffBrowser } from '../helpers/staff-client.js';

/**
 * Discreet mode end to end (issue 6): the resident asks, and the bot's messages leave their screen
 * through the outbox and the dispatcher: Telegram deleteMessage(s) within its 48 hours, WhatsApp
 * "delete for everyone" with each message's key, the web chat page cleared. The stored transcript
 * stays. Neutral wording: no organisation name, and a neutral first line on every later message.
 */

const SECRET = 'test-webhook-secret-123';
const ORG = 'Al Amal';
const HOUR = 3600_000;

let testDb: TestDatabase;
let apps: App[] = [];
let telegram: FakeTelegram | null = null;
let chatSeq = 8_100_000;

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: ORG, ...vars });
const firstLine = (text: string) => text.split('\n')[0]!;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await telegram?.close();
  telegram = null;
});

async function startApp(env: Record<string, string>, options: TestAppOptions = {}): Promise<App> {
  const app = await createTestApp(testDb.database, env, options);
  apps.push(app);
  await app.start();
  return app;
}

async function telegramResident(options: { env?: Record<string, string>; app?: TestAppOptions; locale?: string } = {}) {
  telegram = await FakeTelegram.start();
  const app = await startApp(
    {
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'webhook',
      PUBLIC_URL: 'https://chat.example.org',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      ...options.env,
    },
    { telegramBotInfo: testBotInfo, ...options.app },
  );
  const user = new TelegramUser(telegram, testDb.database, viaWebhook(app.server, SECRET, telegram), {
    chatId: ++chatSeq,
    languageCode: options.locale ?? 'nl',
  });
  return { app, user, fake: telegram };
}

/** The resident's outbound messages with their outbox rows, oldest first. */
async function sentRows(channel: string, externalId: string) {
  return testDb.database.db
    .select({
      messageId: messages.id,
      author: messages.author,
      text: messages.text,
      status: outbox.status,
      deliveryStatus: outbox.deliveryStatus,
      channelMessageId: outbox.channelMessageId,
      sentAt: outbox.sentAt,
      lastError: outbox.lastError,
    })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .innerJoin(outbox, eq(outbox.messageId, messages.id))
    .where(and(eq(residents.channel, channel), eq(residents.externalId, externalId), eq(messages.direction, 'out')))
    .orderBy(asc(messages.id));
}

/** A trust person's message to the resident, queued as the inbox queues it (here without the inbox). */
async function queueStaffMessage(app: App, channel: string, externalId: string, text: string): Promise<void> {
  const [resident] = await testDb.database.db
    .select({ id: residents.id, conversationId: conversations.id })
    .from(residents)
    .innerJoin(conversations, eq(conversations.residentId, residents.id))
    .where(and(eq(residents.channel, channel), eq(residents.externalId, externalId)));
  const [message] = await testDb.database.db
    .insert(messages)
    .values({
      residentId: resident!.id,
      conversationId: resident!.conversationId,
      direction: 'out',
      channel,
      author: 'staff-fatima',
      text: app.database.cipher.encryptText(text),
      locale: 'nl',
    })
    .returning({ id: messages.id });
  await testDb.database.db.insert(outbox).values({ messageId: message!.id, residentId: resident!.id, channel });
  app.dispatcher.kick();
}

/** Makes the message older, in our records and (for Telegram) in the fake's, as if sent `ms` ago. */
async function backdate(channelMessageId: string, ms: number): Promise<void> {
  await testDb.database.db.execute(
    sql`update outbox set sent_at = sent_at - ${`${ms} milliseconds`}::interval where channel_message_id = ${channelMessageId}`,
  );
}

describe('discreet mode on Telegram', () => {
  it('sets /discreet and /neutral in the command menu of every language', async () => {
    const { fake } = await telegramResident();
    for (const call of fake.callsTo('setMyCommands')) {
      const lng = (call.payload.language_code as string | undefined) ?? 'nl';
      expect(call.payload.commands).toContainEqual({ command: 'discreet', description: t(lng, 'telegram:commands.discreet') });
      expect(call.payload.commands).toContainEqual({ command: 'neutral', description: t(lng, 'telegram:commands.neutral') });
    }
    expect(fake.callsTo('setMyCommands')).toHaveLength(texts.locales.length);
  });

  it('deletes every bot message with deleteMessage(s), a split one with all its ids, and says which were too old', async () => {
    const { app, user, fake } = await telegramResident();
    const chat = String(user.chatId);
    await user.say('Hallo'); // greeting + language question
    await user.press('language:nl'); // consent question
    await queueStaffMessage(app, 'telegram', chat, `${'Een lang bericht van de vertrouwenspersoon. '.repeat(120)}Tot straks.`);
    const beforeCommand = await user.replies();
    expect(beforeCommand).toHaveLength(2); // the long message came in two parts
    const [greeting, languageQuestion, consentQuestion, part1, part2] = fake.messagesTo(user.chatId);
    // The greeting is from two days ago: Telegram no longer lets the bot delete it.
    await backdate(String(greeting!.message_id), 49 * HOUR);
    fake.age(greeting!.message_id, 49 * HOUR);

    const replies = await user.say('/discreet');
    expect(replies.map((r) => r.text)).toEqual([
      t('nl', 'bot:discreet.on', {
        after: t('nl', 'bot:discreet.after', { count: 10 }),
        own: t('nl', 'bot:discreet.own.telegram'),
      }),
      t('nl', 'bot:discreet.tooOld', { count: 1 }),
    ]);
    expect(
      fake
        .callsTo('deleteMessage')
        .map((c) => c.payload.message_id)
        .sort(),
    ).toEqual([languageQuestion!.message_id, consentQuestion!.message_id].sort());
    expect(fake.callsTo('deleteMessage').every((c) => Number(c.payload.chat_id) === user.chatId)).toBe(true);
    expect(fake.callsTo('deleteMessages').map((c) => c.payload.message_ids)).toEqual([[part1!.message_id, part2!.message_id]]);
    // The resident's screen: the old greeting (theirs to delete) and the two answers to the command.
    expect(fake.visibleTo(user.chatId).map((m) => m.message_id)).toEqual([
      greeting!.message_id,
      ...replies.map((r) => r.message_id),
    ]);

    const rows = await sentRows('telegram', chat);
    expect(rows.map((r) => [r.status, r.deliveryStatus])).toEqual([
      ['sent', 'not-deleted'], // the greeting: too old
      ['sent', 'deleted'],
      ['sent', 'deleted'],
      ['sent', 'deleted'], // the trust person's split message
      ['sent', null], // the answer to the command
      ['sent', null],
    ]);
    expect(rows[3]!.channelMessageId).toBe(`${part1!.message_id},${part2!.message_id}`);
    // The organisation's record stays: every message is still stored, with its text.
    expect(rows.every((r) => r.text && r.sentAt)).toBe(true);
    expect(rows[0]!.lastError).toMatch(/too old/);
  });

  it("stays on: a quiet spell deletes the bot's own messages, a trust person's wait until the resident writes", async () => {
    const { app, user, fake } = await telegramResident({ app: { discreetDeleteAfterMs: 1500 } });
    const chat = String(user.chatId);
    await user.say('Hallo');
    await user.press('language:nl');
    await user.press('consent:yes'); // the domains question
    const before = fake.messagesTo(user.chatId).map((m) => m.message_id);
    const [command] = await user.say('wis berichten');
    expect(before.every((id) => fake.deleted.has(id))).toBe(true);

    // The next answer: what came before goes (the answer to the command, by now or by the quiet spell).
    const [question] = await user.say('verder');
    expect(question!.text.startsWith(t('nl', 'bot:urgency.prompt'))).toBe(true);
    await waitUntil(
      () => fake.deleted.has(command!.message_id),
      10_000,
      () => 'the answer to the command to go',
    );
    // A trust person writes while the bot's question waits for the quiet spell: the question goes, their message stays.
    await queueStaffMessage(app, 'telegram', chat, 'Hoi, ik ben Fatima. Schrijf me als het uitkomt.');
    const [staff] = await user.replies();
    await waitUntil(
      () => fake.deleted.has(question!.message_id),
      10_000,
      () => 'the quiet-spell deletion',
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(fake.visibleTo(user.chatId).map((m) => m.message_id)).toEqual([staff!.message_id]);
    // Once the resident writes, they have seen it: it goes too.
    await user.say('Ik heb het gelezen');
    expect(fake.deleted.has(staff!.message_id)).toBe(true);

    // "normaal" ends it: later messages stay.
    await user.say('normaal');
    await user.say('verder');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const rows = await sentRows('telegram', chat);
    expect(rows.at(-1)!.deliveryStatus).toBeNull();
    expect(rows.at(-2)!.deliveryStatus).toBeNull();
  });

  it('retries a failed deletion, tells the resident when it gives up, and tries again when asked again', async () => {
    const { user, fake } = await telegramResident({ env: { OUTBOX_MAX_ATTEMPTS: '2' } });
    const chat = String(user.chatId);
    await user.say('Hallo');
    await user.press('language:nl');
    const [greeting, question] = fake.messagesTo(user.chatId);
    // Deleting the greeting fails twice (a Telegram outage) and is given up; the question goes.
    fake.failNext('deleteMessage', serverError(), serverError());
    await user.say('/discreet');
    const failedText = t('nl', 'bot:discreet.failed', { count: 1 });
    // The resident is told once the last deletion has ended.
    await waitUntil(
      () => fake.messagesTo(user.chatId).some((m) => m.text === failedText),
      10_000,
      () => 'the message about the deletion that failed',
    );
    expect(fake.messagesTo(user.chatId).filter((m) => m.text === failedText)).toHaveLength(1);
    const failures = fake.callsTo('deleteMessage').filter((c) => c.status === 500);
    expect(failures).toHaveLength(2);
    // A deletion waiting for its retry does not hold up what the bot says meanwhile.
    const answer = fake.messagesTo(user.chatId).find((m) => m.text.startsWith(t('nl', 'bot:discreet.on').slice(0, 30)))!;
    expect(answer.at).toBeLessThan(failures[1]!.at);
    expect(fake.deleted.has(question!.message_id)).toBe(true);
    expect(fake.deleted.has(greeting!.message_id)).toBe(false);
    await user.replies();
    let rows = await sentRows('telegram', chat);
    const failed = rows.filter((r) => r.deliveryStatus === 'not-deleted');
    expect(failed.map((r) => r.channelMessageId)).toEqual([String(greeting!.message_id)]);
    expect(failed[0]!.lastError).toMatch(/Telegram 500/);

    // Asking again tries the one that failed (and the new ones).
    await user.say('/discreet');
    expect(fake.deleted.has(greeting!.message_id)).toBe(true);
    rows = await sentRows('telegram', chat);
    expect(rows.filter((r) => r.deliveryStatus === 'not-deleted')).toEqual([]);
  });

  it.each([
    { locale: 'nl', word: 'neutraal' },
    { locale: 'ar', word: 'محايد' },
  ])('neutral wording in $locale: a neutral first line, no organisation name, no topic', async ({ locale, word }) => {
    const { user } = await telegramResident({ locale });
    await user.say('Hallo');
    await user.press(`language:${locale}`);
    const later = [...(await user.say(word))];
    later.push(...(await user.press('consent:yes')));
    later.push(...(await user.press('domains:safety'))); // asks whether it is safe to chat now
    later.push(...(await user.press('safety:safe')));
    later.push(...(await user.say('opnieuw'))); // the greeting again, neutrally
    expect(later.length).toBeGreaterThanOrEqual(6);
    const topics = ['safety', 'money', 'health', 'parenting'].map((d) => t(locale, `bot:domains.${d}`));
    for (const message of later) {
      expect(firstLine(message.text)).toBe(t(locale, 'bot:neutral.firstLine'));
      expect(message.text).not.toContain(ORG);
      for (const topic of topics) expect(firstLine(message.text)).not.toContain(topic);
    }
  });
});

describe('discreet mode on WhatsApp', () => {
  async function whatsappResident(fake: FakeWhatsApp, env: Record<string, string> = {}) {
    const app = await startApp(
      {
        WHATSAPP_ENABLED: 'true',
        WHATSAPP_MESSAGES_PER_MINUTE: '60000',
        WHATSAPP_CHAT_MESSAGES_PER_MINUTE: '60000',
        WHATSAPP_SEND_JITTER_MS: '0',
        WHATSAPP_LEASE_MS: '1000',
        ...env,
      },
      {
        whatsappSocketFactory: fake.factory,
        whatsappMediaDownloader: fake.downloadMedia,
        whatsappPrintQr: () => undefined,
        whatsappReconnectBackoffMs: 50,
        instanceId: 'instance-a',
      },
    );
    await waitFor(
      () => app.whatsapp!.status().state === 'qr',
      5000,
      () => 'a QR code',
    );
    fake.current!.completePairing();
    await waitFor(
      () => app.whatsapp!.status().state === 'open',
      5000,
      () => 'the connection to open',
    );
    return { app, resident: new WhatsAppResident(fake, testDb.database, { phone: '31612345678' }) };
  }

  it('deletes every bot message for everyone with its own key, and says which were too old', async () => {
    const fake = new FakeWhatsApp();
    const { resident } = await whatsappResident(fake);
    await resident.say('Hallo'); // greeting + language question
    await resident.say('1'); // consent question
    const [greeting, languageQuestion, consentQuestion] = fake.messagesTo(resident.jid);
    await backdate(greeting!.id, 61 * HOUR); // WhatsApp's window is about 60 hours

    const replies = await resident.say('wis berichten');
    expect(replies.map((r) => r.text)).toEqual([
      t('nl', 'bot:discreet.on', {
        after: t('nl', 'bot:discreet.after', { count: 10 }),
        own: t('nl', 'bot:discreet.own.whatsapp'),
      }),
      t('nl', 'bot:discreet.tooOld', { count: 1 }),
    ]);
    expect(fake.deletions.map((d) => d.key)).toEqual([
      { remoteJid: resident.jid, fromMe: true, id: languageQuestion!.id },
      { remoteJid: resident.jid, fromMe: true, id: consentQuestion!.id },
    ]);
    expect(fake.deletions.every((d) => d.jid === resident.jid)).toBe(true);
    expect(fake.visibleTo(resident.jid).map((m) => m.id)).toEqual([greeting!.id, ...replies.map((r) => r.id)]);
    const rows = await sentRows('whatsapp', resident.jid);
    expect(rows.map((r) => r.deliveryStatus)).toEqual(['not-deleted', 'deleted', 'deleted', null, null]);
  });

  it('stays on: each answer deletes what the bot said before it', async () => {
    const fake = new FakeWhatsApp();
    const { resident } = await whatsappResident(fake);
    await resident.say('Hallo');
    const [command] = await resident.say('discreet');
    expect(fake.visibleTo(resident.jid).map((m) => m.id)).toEqual([command!.id]);
    const [consent] = await resident.say('1'); // Nederlands: the consent question
    expect(consent!.text.startsWith(t('nl', 'bot:consent.prompt'))).toBe(true);
    expect(fake.visibleTo(resident.jid).map((m) => m.id)).toEqual([consent!.id]);
    const [domains] = await resident.say('1');
    expect(fake.visibleTo(resident.jid).map((m) => m.id)).toEqual([domains!.id]);
    expect(fake.deletions.map((d) => d.key.id)).toContain(consent!.id);
  });

  it('retries a deletion the connection dropped', async () => {
    const fake = new FakeWhatsApp();
    const { resident } = await whatsappResident(fake);
    await resident.say('Hallo');
    fake.deleteFailures.push(boom(428, 'Connection Closed'));
    await resident.say('discreet');
    expect(fake.deletions).toHaveLength(2);
    expect(fake.revoked.size).toBe(2);
    const rows = await sentRows('whatsapp', resident.jid);
    expect(rows.slice(0, 2).map((r) => r.deliveryStatus)).toEqual(['deleted', 'deleted']);
  });
});

describe('discreet mode in the web chat', () => {
  interface Page {
    clearedUpTo: number;
    messages: { id: number; direction: string; text: string | null }[];
  }
  /** GET /chat/api/messages as the page asks it. */
  async function read(app: App, chat: WebchatClient, query: string): Promise<Page> {
    const res = await app.server.request(`/chat/api/messages?${query}`, { headers: { authorization: `Bearer ${chat.token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  }

  it('clears the transcript: the history no longer lists it, an open page is woken, the record stays', async () => {
    const app = await startApp({}, { discreetDeleteAfterMs: 600 });
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('Hallo'); // greeting + language question
    await chat.press('language:nl'); // consent question
    expect((await read(app, chat, 'after=0')).messages).toHaveLength(5);

    const [reply] = await chat.say('wis berichten');
    expect(reply!.text).toBe(
      t('nl', 'bot:discreet.on', { after: t('nl', 'bot:discreet.after', { count: 1 }), own: t('nl', 'bot:discreet.own.web') }),
    );
    // The bot's three messages are deleted: a reloaded page starts at the command. (Waiting for what the
    // page shows, not for the outbox: a deletion row being sent is no longer pending but not done yet.)
    await waitUntil(
      async () => (await read(app, chat, 'after=0')).messages.length === 2,
      5000,
      () => 'the web chat deletions',
    );
    let page = await read(app, chat, 'after=0');
    expect(page.messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'wis berichten'],
      ['out', reply!.text],
    ]);

    // An open page waits for news; the quiet-spell deletion of the answer ends its wait, with nothing new to show.
    const started = Date.now();
    const woken = await read(app, chat, `after=${reply!.id}&wait=10&cleared=${page.clearedUpTo}`);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(woken.messages).toEqual([]);
    expect(woken.clearedUpTo).toBe(reply!.id);
    page = await read(app, chat, 'after=0');
    expect(page.messages).toEqual([]);

    // The organisation's copy: every message is still stored.
    expect(await testDb.database.db.select({ id: messages.id }).from(messages)).toHaveLength(7);
    const rows = await testDb.database.db.select({ status: outbox.deliveryStatus }).from(outbox);
    expect(rows.map((r) => r.status)).toEqual(['deleted', 'deleted', 'deleted', 'deleted']);
  });

  it('refuses a cleared value that is not a message id', async () => {
    const app = await startApp({});
    const chat = await new WebchatClient(app.server).startSession();
    const res = await app.server.request('/chat/api/messages?after=0&cleared=-1', {
      headers: { authorization: `Bearer ${chat.token}` },
    });
    expect(res.status).toBe(400);
  });
});

describe('discreet mode in the inbox', () => {
  const STAFF_TOKEN = 'staff-token-0123456789-abcdefghijklmnop';
  const api = (app: App, path: string, body?: unknown) =>
    app.server.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('tells the trust person, gives their replies the neutral first line, and marks what was deleted', async () => {
    const app = await startApp({ STAFF_API_TOKEN: STAFF_TOKEN });
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('Hallo');
    await chat.press('language:nl');
    await chat.say('persoon'); // a handoff at once
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(await api(app, `/api/handoffs/${handoff!.id}/claim`, {})).toHaveProperty('status', 200);
    await chat.say('neutraal');
    await chat.say('discreet');
    const [updated] = await testDb.database.db.select().from(handoffs);
    expect(updated!.preferences).toMatchObject({ discreet: 'on', neutral: 'on' });

    const person = await addStaff(app, { role: 'coordinator' });
    const browser = new StaffBrowser(app.server);
    await browser.login(person.email);
    const page = await browser.page(`/inbox/handoffs/${handoff!.id}`);
    expect(page.html).toContain(texts.t('nl', 'staff:privacyPreference.neutral'));
    expect(page.html).toContain(texts.t('nl', 'staff:privacyPreference.discreet'));
    expect(page.html).toContain(texts.t('nl', 'staff:delivery.deleted'));
    const read = (await (await api(app, `/api/handoffs/${handoff!.id}`)).json()) as { discreet: boolean; neutral: boolean };
    expect(read).toMatchObject({ discreet: true, neutral: true });

    // A reply as the trust person wrote it, with the neutral line on top: the preview shows only that.
    expect((await api(app, `/api/handoffs/${handoff!.id}/messages`, { text: 'Hoi, met Fatima van Al Amal.' })).status).toBe(201);
    const [reply] = await chat.replies();
    expect(reply!.text).toBe(`${t('nl', 'bot:neutral.firstLine')}\n\nHoi, met Fatima van Al Amal.`);

    // "normaal": the case page no longer warns, replies go as written.
    await chat.say('normaal');
    const [normal] = await testDb.database.db.select().from(handoffs);
    expect(normal!.preferences).not.toHaveProperty('discreet');
    expect(normal!.preferences).not.toHaveProperty('neutral');
    await api(app, `/api/handoffs/${handoff!.id}/messages`, { text: 'Tot snel.' });
    expect((await chat.replies()).map((r) => r.text)).toEqual(['Tot snel.']);
  });

  it('keeps discreet mode and neutral wording for a new conversation after the case is closed', async () => {
    const app = await startApp({ STAFF_API_TOKEN: STAFF_TOKEN });
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('Hallo');
    await chat.press('language:nl');
    await chat.say('neutraal');
    await chat.say('discreet');
    await chat.say('persoon');
    const [handoff] = await testDb.database.db.select().from(handoffs);
    await api(app, `/api/handoffs/${handoff!.id}/claim`, {});
    expect((await api(app, `/api/handoffs/${handoff!.id}/close`, {})).status).toBe(200);

    // Weeks later the resident writes again: a new conversation, still neutral and discreet.
    const again = await chat.say('Hallo, ik heb weer een vraag');
    expect(again.length).toBeGreaterThan(0);
    for (const reply of again) {
      expect(firstLine(reply.text ?? '')).toBe(t('nl', 'bot:neutral.firstLine'));
      expect(reply.text).not.toContain(ORG);
    }
    const open = await testDb.database.db.select().from(conversations).where(ne(conversations.mode, 'closed'));
    expect(open).toHaveLength(1);
    expect(open[0]!.snapshot.context).toMatchObject({ discreet: true, neutral: true });

    // "normaal" switches both off, for later conversations too.
    await chat.say('normaal');
    const [resident] = await testDb.database.db.select().from(residents);
    expect(resident).toMatchObject({ discreet: false, neutral: false });
  });
});

describe('neutral wording and the consent record', () => {
  it('records the version of the consent text as the resident saw it: in neutral wording, its own', async () => {
    const versions = createConsentVersions(intakeFlow, texts, { org: ORG });
    expect(versions.neutral!('nl')).toMatch(/^[0-9a-f]{12}$/);
    expect(versions.neutral!('nl')).not.toBe(versions('nl'));
    const app = await startApp({});
    const neutral = await new WebchatClient(app.server).startSession();
    await neutral.say('Hallo');
    await neutral.say('neutraal');
    const [question] = await neutral.press('language:nl');
    expect(question!.text).toBe(`${t('nl', 'bot:neutral.firstLine')}\n\n${t('nl', 'bot:consent.prompt_neutral')}`);
    await neutral.press('consent:yes');
    const plain = await new WebchatClient(app.server).startSession();
    await plain.say('Hallo');
    await plain.press('language:nl');
    await plain.press('consent:yes');
    const records = await testDb.database.db.select().from(consents).orderBy(asc(consents.id));
    expect(records.map((r) => r.textVersion)).toEqual([versions.neutral!('nl'), versions('nl')]);
  });
});

import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs, languageJobs, media, messages } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { FakeSpeechServer } from '../helpers/fake-speech-server.js';
import { FakeTranslateServer } from '../helpers/fake-translate-server.js';
import { addStaff, openHandoffOf, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { lastQuestion, WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 15, bridging language: voice notes transcribed by the organisation's own speech server, and
 * residents' words translated for the trust person by its own LibreTranslate, in the background.
 */

const API_TOKEN = 'api-token-for-language-tests-0123456789ab';
const KEY = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);

let testDb: TestDatabase;
let app: App;
let speech: FakeSpeechServer;
let translate: FakeTranslateServer;

beforeAll(async () => {
  testDb = await createTestDatabase();
  speech = await FakeSpeechServer.start({ apiKey: 'speech-key' });
  translate = await FakeTranslateServer.start({ apiKey: 'translate-key', detectedLanguage: 'ar' });
  app = await createTestApp(
    testDb.database,
    {
      STAFF_API_TOKEN: API_TOKEN,
      ENCRYPTION_KEYS: KEY,
      TRANSCRIBE_URL: speech.url,
      TRANSCRIBE_API_KEY: 'speech-key',
      TRANSCRIBE_MODEL: 'Systran/faster-whisper-small',
      TRANSCRIBE_TIMEOUT_SECONDS: '1',
      TRANSLATE_URL: translate.url,
      TRANSLATE_API_KEY: 'translate-key',
    },
    { inbox: { loginAttemptsPerMinute: 1000 } },
  );
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
  await speech.close();
  await translate.close();
});
beforeEach(async () => {
  await testDb.truncate();
  speech.reset();
  translate.reset();
});

async function voiceNote(chat: WebchatClient, id: string) {
  const res = await app.server.request(`/chat/api/voice?id=${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
    body: OGG,
  });
  expect(res.status).toBe(202);
}

/** An Arabic-speaking resident who agreed and is at the "what is going on" question. */
async function arabicResidentAtTopics(): Promise<WebchatClient> {
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say('السلام عليكم');
  let replies = await chat.press('language:ar');
  replies = await chat.press('consent:yes');
  expect(lastQuestion(replies).choices!.map((c) => c.id)).toContain('domains:money');
  return chat;
}

async function trustPersonOn(handoffId: string) {
  const person = await addStaff(app, { name: 'Samira', role: 'trust_person' });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  return browser;
}

async function caseJson(handoffId: string) {
  const res = await app.server.request(`/api/handoffs/${handoffId}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    transcript: {
      direction: string;
      text: string | null;
      media: { kind: string; transcript?: { text: string; locale: string | null }; transcriptFailed?: boolean } | null;
      translation?: { locale: string; text: string; machine: boolean };
    }[];
  };
}

describe(`transcription and translation (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('transcribes an Arabic voice note in the background, translates it into Dutch, and shows both to the trust person', async () => {
    speech.respondWith((request) => ({
      body: { text: ' ابني لا يذهب إلى المدرسة منذ شهر ', language: request.fields['language'] },
    }));
    const chat = await arabicResidentAtTopics();
    await voiceNote(chat, 'voice-note-1');
    // The intake did not wait for it: the bot already took the note and asked on.
    expect(speech.requests).toHaveLength(0);
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);

    await app.language.tick();
    expect(speech.requests).toHaveLength(1);
    const sent = speech.requests[0]!;
    expect(sent.path).toBe('/v1/audio/transcriptions');
    expect(sent.authorization).toBe('Bearer speech-key');
    expect(sent.fields).toMatchObject({ model: 'Systran/faster-whisper-small', language: 'ar' });
    expect(sent.file!.type).toBe('audio/ogg');
    expect(Buffer.from(sent.file!.bytes)).toEqual(Buffer.from(OGG));
    // The transcript then went to the translation server, into the staff language, from Arabic.
    const ofTranscript = translate.requests.filter((r) => r.body!['q'] !== 'السلام عليكم');
    expect(ofTranscript).toHaveLength(1);
    expect(ofTranscript[0]!.body).toMatchObject({
      q: 'ابني لا يذهب إلى المدرسة منذ شهر',
      source: 'ar',
      target: 'nl',
      format: 'text',
      api_key: 'translate-key',
    });

    // Encrypted at rest, like everything the resident said.
    const [stored] = await testDb.database.db.select({ transcript: media.transcript }).from(media);
    expect(stored!.transcript).not.toContain('المدرسة');
    const [translated] = await testDb.database.db
      .select({ translation: messages.translation })
      .from(messages)
      .where(sql`${messages.translation} is not null`);
    expect(translated!.translation).not.toContain('المدرسة');

    const api = await caseJson(handoffId);
    const note = api.transcript.find((m) => m.media?.kind === 'voice')!;
    expect(note.media!.transcript).toEqual({ text: 'ابني لا يذهب إلى المدرسة منذ شهر', locale: 'ar' });
    expect(note.translation).toEqual({ locale: 'nl', text: '[nl] ابني لا يذهب إلى المدرسة منذ شهر', machine: true });

    const browser = await trustPersonOn(handoffId);
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain(texts.t('nl', 'staff:transcript.spoken', { language: 'Arabisch' }));
    expect(page.html).toContain('lang="ar">ابني لا يذهب إلى المدرسة منذ شهر</p>');
    expect(page.html).toContain(texts.t('nl', 'staff:transcript.machineTranslation', { language: 'Arabisch' }));
    expect(page.html).toContain('[nl] ابني لا يذهب إلى المدرسة منذ شهر');
    // Nothing left to do.
    expect(await testDb.database.db.select().from(languageJobs)).toHaveLength(0);
  });

  it('reads a voice note that names danger like typed words: the numbers in the resident’s language, and an urgent mark', async () => {
    speech.respondWith(() => ({ body: { text: 'زوجي يضربني كل يوم', language: 'ar' } }));
    const chat = await arabicResidentAtTopics();
    await voiceNote(chat, 'voice-note-1');
    await chat.read();
    await app.language.tick();

    const after = (await chat.read()).messages.map((m) => m.text);
    expect(after).toContain(texts.t('ar', 'bot:emergency.text'));
    const [handoff] = await testDb.database.db.select({ urgent: handoffs.urgent }).from(handoffs);
    expect(handoff?.urgent).toBe(true);
  });

  it('gives no numbers for a voice note that names no danger, and the intake goes on as before', async () => {
    speech.respondWith(() => ({ body: { text: 'ik heb een brief van de belasting', language: 'nl' } }));
    const chat = await arabicResidentAtTopics();
    await voiceNote(chat, 'voice-note-1');
    await chat.read();
    await app.language.tick();
    expect((await chat.read()).messages).toEqual([]);
    // Dutch already: nothing to translate (but the Arabic greeting).
    expect(translate.requests.map((r) => r.body!['q'])).toEqual(['السلام عليكم']);
  });

  it('never holds up the intake: a speech server that is down or hangs is tried again later, then given up and said so', async () => {
    const chat = await arabicResidentAtTopics();
    speech.hangNext(1);
    await voiceNote(chat, 'voice-note-1');
    // The bot answered the voice note at once, whatever the speech server does.
    const replies = await chat.press('domains:money');
    expect(replies.length).toBeGreaterThan(0);

    await app.language.tick(); // hangs past the 1 s timeout
    let [job] = await testDb.database.db.select().from(languageJobs);
    expect(job).toMatchObject({ kind: 'transcribe', attempts: 1, leaseUntil: null });
    expect(new Date(job!.dueAt).getTime()).toBeGreaterThan(Date.now());

    speech.failNext(5); // 503 "model is loading", five times more: six tries in all
    for (let attempt = 2; attempt <= 6; attempt++) {
      await testDb.database.db.update(languageJobs).set({ dueAt: new Date(0) });
      await app.language.tick();
    }
    [job] = await testDb.database.db.select().from(languageJobs);
    expect(job).toBeUndefined();
    const [note] = await testDb.database.db.select({ status: media.transcriptStatus, transcript: media.transcript }).from(media);
    expect(note).toEqual({ status: 'failed', transcript: null });

    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);
    const voice = (await caseJson(handoffId)).transcript.find((m) => m.media?.kind === 'voice')!;
    expect(voice.media!.transcriptFailed).toBe(true);
    const browser = await trustPersonOn(handoffId);
    expect((await browser.page(`/inbox/handoffs/${handoffId}`)).html).toContain(texts.t('nl', 'staff:transcript.spokenFailed'));
  });

  it('translates what residents type in another language, not Dutch words, buttons or numbers', async () => {
    const chat = await arabicResidentAtTopics();
    await chat.say('عندي مشكلة مع الإيجار والديون');
    await chat.say('2');
    await chat.press('cmd:continue');
    await app.language.tick();
    // The greeting and the story: not the "2".
    expect(translate.requests.map((r) => r.body!['q'])).toEqual(['السلام عليكم', 'عندي مشكلة مع الإيجار والديون']);
    expect(translate.requests[1]!.body!['source']).toBe('ar');

    // Darija in Latin letters with Arabic chosen: the server guesses the language ("auto").
    translate.reset();
    await chat.say('3andi mochkil kbir m3a lkera dyal dar');
    await app.language.tick();
    expect(translate.requests.map((r) => r.body!['source'])).toEqual(['auto']);

    translate.reset();
    const dutch = await new WebchatClient(app.server).startSession();
    await dutch.say('hallo');
    await dutch.press('language:nl');
    await dutch.press('consent:yes');
    await dutch.say('ik heb schulden en mijn huur is te laat betaald');
    await app.language.tick();
    expect(translate.requests).toHaveLength(0);
  });

  it('keeps a translation server that fails from losing the words: they are shown untranslated and tried again', async () => {
    const chat = await arabicResidentAtTopics();
    await app.language.tick(); // the greeting
    translate.failNext(1);
    await chat.say('أحتاج مساعدة في رسالة من البلدية');
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);
    await app.language.tick();
    let words = (await caseJson(handoffId)).transcript.find((m) => m.text === 'أحتاج مساعدة في رسالة من البلدية')!;
    expect(words.translation).toBeUndefined();
    await testDb.database.db.update(languageJobs).set({ dueAt: new Date(0) });
    await app.language.tick();
    words = (await caseJson(handoffId)).transcript.find((m) => m.text === 'أحتاج مساعدة في رسالة من البلدية')!;
    expect(words.translation).toMatchObject({ locale: 'nl', text: '[nl] أحتاج مساعدة في رسالة من البلدية' });
  });

  it('erases transcripts, translations and unfinished work with the resident', async () => {
    speech.respondWith(() => ({ body: { text: 'عندي مشكلة', language: 'ar' } }));
    const chat = await arabicResidentAtTopics();
    await voiceNote(chat, 'voice-note-1');
    await app.language.tick();
    await chat.say('كلام آخر لم يترجم بعد');
    expect(await testDb.database.db.select().from(languageJobs)).toHaveLength(1);
    await chat.press('cmd:person');
    const residentId = await residentIdOf(app, chat);
    const res = await app.server.request(`/api/residents/${residentId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: true }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await app.retention.tick();
    expect(await testDb.database.db.select().from(languageJobs)).toHaveLength(0);
    expect(await testDb.database.db.select().from(media)).toHaveLength(0);
    expect(
      await testDb.database.db
        .select()
        .from(messages)
        .where(sql`${messages.translation} is not null`),
    ).toHaveLength(0);
    expect(await testDb.database.db.select().from(messages).where(eq(messages.direction, 'in'))).toHaveLength(0);
  });
});

describe(`a trust person’s reply in the resident’s language (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  async function arabicCaseHeldBy(name: string) {
    const chat = await arabicResidentAtTopics();
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);
    const person = await addStaff(app, { name, role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    const { token } = await app.services.tokens.create(person.id, null);
    const api = (path: string, body: unknown) =>
      app.server.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await chat.read();
    return { chat, handoffId, browser, api };
  }

  it('previews the draft in Arabic, and sends the translation, the original, or both, as the trust person chooses', async () => {
    const { chat, handoffId, browser, api } = await arabicCaseHeldBy('Samira');
    translate.reset();
    const preview = await api(`/api/handoffs/${handoffId}/reply-preview`, { text: 'Ik bel je morgen om tien uur.' });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toEqual({ translation: { locale: 'ar', text: '[ar] Ik bel je morgen om tien uur.' } });
    expect(translate.requests[0]!.body).toMatchObject({ q: 'Ik bel je morgen om tien uur.', source: 'nl', target: 'ar' });

    // The case page offers it (its script shows the button), naming the resident's language.
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain('id="reply-translate"');
    expect(page.html).toContain(texts.t('nl', 'staff:reply.translate', { language: 'Arabisch' }));

    // Only the translation, corrected by hand; the case keeps what the trust person wrote.
    let res = await api(`/api/handoffs/${handoffId}/messages`, {
      text: 'Ik bel je morgen om tien uur.',
      translation: 'سأتصل بك غدًا في الساعة العاشرة.',
      send: 'translation',
    });
    expect(res.status).toBe(201);
    // Both: the translation on top, the Dutch below (the default when a translation is given), by form post.
    res = await browser.post(
      `/inbox/handoffs/${handoffId}/messages`,
      { text: 'Neem je brief mee.', translation: 'أحضر رسالتك معك.' },
      { headers: { 'x-requested-with': 'fetch', accept: 'application/json' } },
    );
    expect(res.status).toBe(201);
    // Only the original.
    res = await api(`/api/handoffs/${handoffId}/messages`, { text: 'Tot morgen!', translation: 'إلى الغد!', send: 'original' });
    expect(res.status).toBe(201);

    let seen: string[] = [];
    for (let i = 0; i < 50 && seen.length < 3; i++) {
      seen = [...seen, ...(await chat.read(1)).messages.map((m) => m.text ?? '')];
    }
    expect(seen).toEqual(['سأتصل بك غدًا في الساعة العاشرة.', 'أحضر رسالتك معك.\n\nNeem je brief mee.', 'Tot morgen!']);

    const sent = (await caseJson(handoffId)).transcript.filter((m) => m.direction === 'out').slice(-3);
    expect(sent[0]).toMatchObject({
      text: 'سأتصل بك غدًا في الساعة العاشرة.',
      translation: { text: 'Ik bel je morgen om tien uur.', machine: false },
    });
    expect(sent[1]!.translation).toBeUndefined();
    expect(sent[2]!.translation).toBeUndefined();
    const after = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(after.html).toContain(texts.t('nl', 'staff:transcript.sentTranslated', { language: 'Arabisch' }));
  });

  it('refuses a preview with a reason: not the holder, nothing to translate, a server that fails, an empty draft', async () => {
    const { handoffId } = await arabicCaseHeldBy('Samira');
    const other = await addStaff(app, { name: 'Karim', role: 'trust_person' });
    const { token } = await app.services.tokens.create(other.id, null);
    const asOther = await app.server.request(`/api/handoffs/${handoffId}/reply-preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hallo' }),
    });
    expect(asOther.status).toBe(403);

    const { api } = await arabicCaseHeldBy('Noor');
    const [, second] = await testDb.database.db.select({ id: handoffs.id }).from(handoffs).orderBy(handoffs.createdAt);
    translate.failNext(1, { status: 500, body: { error: 'boom' } });
    const failing = await api(`/api/handoffs/${second!.id}/reply-preview`, { text: 'Hallo' });
    expect(failing.status).toBe(502);
    expect(((await failing.json()) as { error: string }).error).toBe('translation_failed');
    expect((await api(`/api/handoffs/${second!.id}/reply-preview`, { text: '   ' })).status).toBe(400);
    expect((await api(`/api/handoffs/${second!.id}/messages`, { text: 'Hallo', send: 'everything' })).status).toBe(400);

    const dutch = await new WebchatClient(app.server).startSession();
    await dutch.say('hallo');
    await dutch.press('language:nl');
    await dutch.press('consent:yes');
    await dutch.press('cmd:person');
    const dutchCase = await openHandoffOf(app, dutch);
    await app.server.request(`/api/handoffs/${dutchCase}/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const res = await app.server.request(`/api/handoffs/${dutchCase}/reply-preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hallo' }),
    });
    expect(res.status).toBe(409);
  });
});

describe(`without TRANSCRIBE_URL and TRANSLATE_URL (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('sends nothing anywhere and queues no work', async () => {
    const plain = await createTestApp(testDb.database, { STAFF_API_TOKEN: API_TOKEN });
    try {
      const chat = await new WebchatClient(plain.server).startSession();
      await chat.say('السلام عليكم');
      await chat.press('language:ar');
      await chat.press('consent:yes');
      const res = await plain.server.request('/chat/api/voice?id=voice-note-1', {
        method: 'POST',
        headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
        body: OGG,
      });
      expect(res.status).toBe(202);
      await chat.say('عندي مشكلة مع الإيجار');
      await plain.language.tick();
      expect(await testDb.database.db.select().from(languageJobs)).toHaveLength(0);
      expect(speech.requests).toHaveLength(0);
      expect(translate.requests).toHaveLength(0);
      // No preview offered, and the API says why.
      await chat.press('cmd:person');
      const handoffId = await openHandoffOf(plain, chat);
      await plain.server.request(`/api/handoffs/${handoffId}/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      const preview = await plain.server.request(`/api/handoffs/${handoffId}/reply-preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Hallo' }),
      });
      expect(preview.status).toBe(503);
    } finally {
      await plain.close();
    }
  });
});

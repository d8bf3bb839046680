import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { makeWASocket } from '@whiskeysockets/baileys';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { CREDS_KEY, deserialize } from '../../src/channels/whatsapp/auth-state-store.js';
import { loadConfig } from '../../src/config/config.js';
import { channelLeases, handoffs, media, messages, outbox, residents, whatsappAuth } from '../../src/db/schema.js';
import { formatAlert } from '../../src/notify/format-alert.js';
import { signWebhook } from '../../src/notify/webhook-notifier.js';
import { firstParagraph, texts } from '../helpers/engine-driver.js';
import { boom, FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { addStaff, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { arabicIndic, keycap, numberOf, WhatsAppResident } from '../helpers/whatsapp-resident.js';

/**
 * The WhatsApp channel end to end: the whole app in-process, Baileys replaced by a fake socket (the
 * part of its API the channel uses), the real dispatcher sending through the real adapter. Every test
 * looks at what the resident's phone shows (the fake's sent messages, read ticks, "typing…"), what
 * staff see on /whatsapp and /healthz, or what the organisation finds in the database.
 */

const STAFF_TOKEN = 'staff-token-0123456789-abcdefghijklmnop';
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const auth = { authorization: `Bearer ${STAFF_TOKEN}` };

let testDb: TestDatabase;
let fake: FakeWhatsApp;
let apps: App[] = [];

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  fake = new FakeWhatsApp();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function whatsappEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    WHATSAPP_ENABLED: 'true',
    WHATSAPP_MESSAGES_PER_MINUTE: '60000',
    WHATSAPP_CHAT_MESSAGES_PER_MINUTE: '60000',
    WHATSAPP_SEND_JITTER_MS: '0',
    // Long enough that a busy CI machine (two cores, test files in parallel) never misses a renewal in
    // time; the standby still retries every third of it, so take-overs stay within a second or so.
    WHATSAPP_LEASE_MS: '3000',
    WHATSAPP_MAX_MEDIA_BYTES: '1000',
    STAFF_API_TOKEN: STAFF_TOKEN,
    OUTBOX_POLL_MS: '20',
    ...extra,
  };
}

const appOptions = (instanceId: string) => ({
  whatsappSocketFactory: fake.factory,
  whatsappMediaDownloader: fake.downloadMedia,
  whatsappPrintQr: () => undefined,
  whatsappReconnectBackoffMs: 50,
  instanceId,
});

/** The app on the test database (closed after the test), started unless asked not to. */
async function whatsappApp(options: { env?: Record<string, string>; start?: boolean; instanceId?: string } = {}): Promise<App> {
  const app = await createTestApp(testDb.database, whatsappEnv(options.env), appOptions(options.instanceId ?? 'instance-a'));
  apps.push(app);
  if (options.start ?? true) await app.start();
  return app;
}

/** Stored credentials of a paired account, as a previous run would have left them. */
async function pairedApp(instanceId = 'instance-a'): Promise<App> {
  const app = await whatsappApp({ instanceId });
  await waitFor(
    () => app.whatsapp!.status().state === 'qr',
    5000,
    () => 'a QR code',
  );
  fake.current!.completePairing();
  await waitFor(
    () => app.whatsapp!.status().state === 'open',
    5000,
    () => 'the connection to open after pairing',
  );
  return app;
}

const stateOf = (app: App) => app.whatsapp!.status().state;

async function healthz(app: App) {
  const res = await app.server.request('/healthz');
  return (await res.json()) as { status: string; whatsapp?: { state: string } };
}

async function staffPage(app: App, headers: Record<string, string> = auth, query = '') {
  const res = await app.server.request(`/whatsapp${query}`, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

const rows = {
  residents: () => testDb.database.db.select().from(residents),
  messages: () => testDb.database.db.select().from(messages),
  media: () => testDb.database.db.select().from(media),
  outbox: () => testDb.database.db.select().from(outbox),
  auth: () => testDb.database.db.select().from(whatsappAuth),
};

describe('the WhatsApp channel, against a fake socket', () => {
  it.each([
    { locale: 'nl', phone: '31612345678', lid: undefined, hello: 'Hallo', digit: (n: number) => String(n) },
    { locale: 'ar', phone: '212612345678', lid: '98765432101234', hello: 'السلام عليكم', digit: arabicIndic },
  ])(
    'takes a $locale resident through the whole intake by typed numbers (language from the country code)',
    async ({ locale, phone, lid, hello, digit }) => {
      await pairedApp();
      const resident = new WhatsAppResident(fake, testDb.database, { phone, ...(lid ? { lid } : {}) });

      let replies = await resident.say(hello);
      expect(replies.map((r) => r.text.split('\n')[0])).toEqual([
        t(locale, 'bot:greeting').split('\n')[0],
        t(locale, 'bot:language.promptHinted').split('\n')[0],
      ]);
      // The phone's country code put the resident's language first, as a numbered list: no buttons on WhatsApp.
      expect(numberOf(replies[1], t(locale, `bot:language.name.${locale}`))).toBe(1);

      replies = await resident.say(digit(1));
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text.startsWith(t(locale, 'bot:consent.prompt'))).toBe(true);

      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:consent.yes'))));
      const domains = replies[0]!;
      expect(domains.text.startsWith(t(locale, 'bot:domains.prompt'))).toBe(true);

      replies = await resident.say(keycap(numberOf(domains, t(locale, 'bot:domains.school'))));
      expect(replies[0]!.text).toContain(t(locale, 'bot:domains.school'));
      // Command choices have no number: they are named as words to type, in bold.
      expect(replies[0]!.text).toContain(`*${t(locale, 'bot:common.continue')}*`);
      replies = await resident.say(t(locale, 'bot:common.continue')); // typing the word shown in bold
      expect(replies[0]!.text.startsWith(t(locale, 'bot:urgency.prompt'))).toBe(true);

      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:urgency.week'))));
      expect(replies[0]!.text.startsWith(t(locale, 'bot:contact.prompt'))).toBe(true);
      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:contact.phone'))));
      // WhatsApp knows the number: it is offered, not assumed.
      expect(replies[0]!.text.startsWith(t(locale, 'bot:phoneNumber.confirm', { value: `+${phone}` }))).toBe(true);
      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:phoneNumber.useThis'))));
      expect(replies[0]!.text.startsWith(t(locale, 'bot:reachable.prompt'))).toBe(true);
      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:reachable.morning'))));
      const helperPrompt = t(locale, 'bot:helper.prompt', { language: t(locale, `bot:language.name.${locale}`) });
      expect(replies[0]!.text.startsWith(helperPrompt)).toBe(true);
      replies = await resident.say(digit(numberOf(replies[0], t(locale, 'bot:helper.any'))));
      const summary = replies.at(-1)!;
      for (const key of ['bot:domains.school', 'bot:urgency.week', 'bot:contact.phone', 'bot:helper.any']) {
        expect(summary.text).toContain(t(locale, key));
      }
      replies = await resident.say(digit(numberOf(summary, t(locale, 'bot:summary.confirm'))));
      expect(replies.map((r) => firstParagraph(r.text))).toEqual([t(locale, 'bot:handoff.done')]);

      const [handoff] = await testDb.database.db.select().from(handoffs);
      expect(handoff).toMatchObject({
        status: 'waiting',
        reason: 'intake-complete',
        locale,
        summary: {
          domains: ['school'],
          urgency: 'week',
          contact: 'phone',
          contactPhone: `+${phone}`,
          reachable: 'morning',
          helperGender: 'any',
        },
      });
      // One resident, known by the phone number even when WhatsApp addressed the chat by LID.
      const all = await rows.residents();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ channel: 'whatsapp', externalId: `${phone}@s.whatsapp.net`, locale });
      // Every message was marked read, and the bot showed "typing…" and then stopped.
      const inbound = (await rows.messages()).filter((m) => m.direction === 'in');
      expect(new Set(fake.reads.map((k) => k.id))).toEqual(new Set(inbound.map((m) => m.externalId!.split(':').at(-1))));
      const presences = fake.presencesIn(resident.jid);
      expect(presences).toContain('composing');
      expect(presences.at(-1)).toBe('paused');
    },
    60_000,
  );

  it('keeps a voice note byte for byte, thanks the resident, and marks it read', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31687654321' });
    await resident.say('hoi');
    await resident.say('1');
    await resident.say('1');
    const ogg = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02, ...Array.from({ length: 90 }, (_, i) => (i * 7) % 256)]);
    const voice = resident.message({
      audioMessage: { ptt: true, mimetype: 'audio/ogg; codecs=opus', fileLength: ogg.byteLength, seconds: 4 },
    });
    fake.files.set(voice.key.id!, ogg);
    const replies = await resident.send(voice);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text.startsWith(t('nl', 'bot:domains.ackWords'))).toBe(true);
    const [stored] = await rows.media();
    expect(stored).toMatchObject({ kind: 'voice', contentType: 'audio/ogg', byteSize: ogg.byteLength });
    expect(Buffer.from(stored!.content).equals(Buffer.from(ogg))).toBe(true);
    const [inbound] = await testDb.database.db.select().from(messages).where(eq(messages.mediaId, stored!.id));
    expect(inbound).toMatchObject({ direction: 'in', mediaKind: 'voice', externalId: `${resident.jid}:${voice.key.id}` });
  }, 30_000);

  it('keeps an image with its caption, a document and a location for the trust person', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31611112222' });
    await resident.say('hoi');
    await resident.say('1');
    await resident.say('1');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const image = resident.message({
      imageMessage: { mimetype: 'image/jpeg', caption: 'de brief', fileLength: jpeg.byteLength },
    });
    fake.files.set(image.key.id!, jpeg);
    await resident.send(image);
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 9, 9]);
    const document = resident.message({
      documentWithCaptionMessage: { message: { documentMessage: { mimetype: 'application/pdf', fileLength: pdf.byteLength } } },
    });
    fake.files.set(document.key.id!, pdf);
    await resident.send(document);
    await resident.send(resident.message({ locationMessage: { degreesLatitude: 52.09, degreesLongitude: 5.12 } }));

    const kept = await rows.media();
    expect(kept.map((m) => [m.kind, m.contentType, m.byteSize]).sort()).toEqual([
      ['document', 'application/pdf', pdf.byteLength],
      ['image', 'image/jpeg', jpeg.byteLength],
    ]);
    const inbound = (await rows.messages()).filter((m) => m.direction === 'in');
    expect(inbound.find((m) => m.mediaKind === 'image')?.text).toBe('de brief');
    expect(inbound.find((m) => m.mediaKind === 'location')?.text).toBe('geo:52.09,5.12');
  }, 30_000);

  it('answers a file announced as larger than WHATSAPP_MAX_MEDIA_BYTES with the "too large" reply, without downloading it', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31622223333' });
    await resident.say('hoi');
    const big = resident.message({ audioMessage: { ptt: true, mimetype: 'audio/ogg', fileLength: 5000 } });
    fake.files.set(big.key.id!, new Uint8Array(5000));
    const replies = await resident.send(big);
    expect(replies[0]?.text).toBe(t('nl', 'bot:notice.tooLarge'));
    expect(fake.downloads).toEqual([]);
    // A file whose size was not announced is cut off at the limit while downloading.
    const sneaky = resident.message({ documentMessage: { mimetype: 'application/pdf' } });
    fake.files.set(sneaky.key.id!, new Uint8Array(5000));
    expect((await resident.send(sneaky))[0]?.text).toBe(t('nl', 'bot:notice.tooLarge'));
    expect(await rows.media()).toEqual([]);
  }, 30_000);

  it('answers a message WhatsApp delivers twice only once, and keeps a repeated voice note once', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31633334444' });
    const hello = resident.message({ conversation: 'hallo' });
    await resident.deliver(hello);
    await resident.deliver(hello);
    expect((await resident.replies()).map((r) => r.text.split('\n')[0])).toEqual([
      t('nl', 'bot:greeting').split('\n')[0],
      t('nl', 'bot:language.promptHinted').split('\n')[0],
    ]);
    await resident.say('1');
    await resident.say('1');
    const voice = resident.message({ audioMessage: { ptt: true, mimetype: 'audio/ogg', fileLength: 10 } });
    fake.files.set(voice.key.id!, new Uint8Array(10).fill(7));
    await resident.deliver(voice);
    await resident.deliver(voice);
    const acks = await resident.replies();
    expect(acks).toHaveLength(1);
    expect(acks[0]!.text.startsWith(t('nl', 'bot:domains.ackWords'))).toBe(true);
    expect(fake.downloads).toEqual([voice.key.id]);
    expect(await rows.media()).toHaveLength(1);
    expect((await rows.messages()).filter((m) => m.direction === 'in')).toHaveLength(4);
  }, 30_000);

  it('ignores status updates, groups, broadcasts, its own messages, protocol messages and history', async () => {
    await pairedApp();
    const socket = fake.current!;
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31644445555' });
    const text = { conversation: 'hallo' };
    socket.deliver([
      { key: { remoteJid: 'status@broadcast', participant: resident.jid, id: 'S1', fromMe: false }, message: text },
      { key: { remoteJid: '120363025246125486@g.us', participant: resident.jid, id: 'G1', fromMe: false }, message: text },
      { key: { remoteJid: '1234567890@broadcast', participant: resident.jid, id: 'B1', fromMe: false }, message: text },
      { key: { remoteJid: resident.jid, id: 'M1', fromMe: true }, message: text },
      { key: { remoteJid: resident.jid, id: 'P1', fromMe: false }, message: { protocolMessage: { type: 0 } } },
      { key: { remoteJid: resident.jid, id: 'R1', fromMe: false }, message: { reactionMessage: { text: '👍' } } },
    ]);
    socket.deliver([resident.message(text)], 'append'); // history, not a new message
    await sleep(400);
    expect(await rows.residents()).toEqual([]);
    expect(await rows.messages()).toEqual([]);
    expect(fake.sent).toEqual([]);
    expect(fake.reads).toEqual([]);
  });

  it('records delivery and read ticks on the outbox row, never going back', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31655556666' });
    const [greeting] = await resident.say('hallo');
    const socket = fake.current!;
    socket.receipt(greeting!.id, resident.jid, 2); // server
    socket.receipt(greeting!.id, resident.jid, 4); // read
    socket.receipt(greeting!.id, resident.jid, 3); // delivered, arriving late
    await waitFor(
      async () => (await rows.outbox()).some((r) => r.deliveryStatus === 'read'),
      5000,
      () => 'the read tick to be stored',
    );
    await sleep(100);
    const row = (await rows.outbox()).find((r) => r.channelMessageId === greeting!.id)!;
    expect(row).toMatchObject({ status: 'sent', deliveryStatus: 'read' });
    expect(row.deliveryStatusAt).not.toBeNull();
  });

  it('serves a sent message again from the database when a phone asks for a retry (getMessage)', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31666667777' });
    const replies = await resident.say('hallo');
    const question = replies[1]!;
    const again = await fake.current!.config.getMessage({ remoteJid: resident.jid, fromMe: true, id: question.id });
    expect(again?.conversation).toBe(question.text);
    const theirs = await fake.current!.config.getMessage(resident.key(fake.reads[0]!.id!));
    expect(theirs?.conversation).toBe('hallo');
    expect(await fake.current!.config.getMessage({ remoteJid: resident.jid, fromMe: true, id: 'UNKNOWN' })).toBeUndefined();
  });

  it('paces the replies to one chat (WHATSAPP_CHAT_MESSAGES_PER_MINUTE) and shows "typing…" before each', async () => {
    const app = await whatsappApp({
      env: { WHATSAPP_CHAT_MESSAGES_PER_MINUTE: '120', WHATSAPP_CHAT_BURST: '1', WHATSAPP_SEND_JITTER_MS: '100' },
    });
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a QR code',
    );
    fake.current!.completePairing();
    await waitFor(
      () => stateOf(app) === 'open',
      5000,
      () => 'open',
    );
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31699991111' });
    const [greeting, question] = await resident.say('hallo');
    expect(question!.at - greeting!.at).toBeGreaterThanOrEqual(490); // two a second at most, plus jitter
    expect(question!.at - greeting!.at).toBeLessThan(2000);
    const typing = fake.presences.filter((p) => p.jid === resident.jid && p.type === 'composing');
    // "typing…" before each of the two (the second's may fall in the same millisecond as the first send).
    expect(typing.filter((p) => p.at <= greeting!.at)).not.toEqual([]);
    expect(typing.filter((p) => p.at <= question!.at).length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('retries a send that failed because the connection closed, and delivers it once', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31677778888' });
    fake.sendFailures.push(boom(428, 'Connection Closed'), boom(408, 'Timed Out'));
    const replies = await resident.say('hallo');
    expect(replies).toHaveLength(2);
    expect(fake.sendAttempts.map((a) => a.ok)).toEqual([false, false, true, true]);
    expect((await rows.outbox()).map((r) => r.status)).toEqual(['sent', 'sent']);
  }, 30_000);

  it('gives up on a message WhatsApp refuses as a bad request', async () => {
    await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31688889999' });
    fake.sendFailures.push(boom(400, 'bad-request'));
    await resident.deliver(resident.message({ conversation: 'hallo' }));
    await waitFor(
      async () => (await rows.outbox()).some((r) => r.status === 'failed'),
      5000,
      () => 'a failed row',
    );
    expect((await rows.outbox()).find((r) => r.status === 'failed')?.lastError).toContain('400');
  });
});

describe('pairing and the connection', () => {
  it('shows the QR on the staff page, pairs, opens a new socket after "restart required", and keeps the credentials', async () => {
    const app = await whatsappApp();
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a QR code',
    );
    const page = await staffPage(app);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toContain('data-state="qr"');
    expect(page.body).toContain(t('nl', 'whatsapp:staffPage.states.qr'));
    expect(page.body).toMatch(/<svg [^>]*viewBox/); // the QR itself, drawn on the server
    expect(page.body).not.toMatch(/<script|<img|<link|<iframe|\bsrc=|\bhref=/); // nothing loaded from anywhere
    expect((await healthz(app)).whatsapp).toMatchObject({ state: 'qr' });
    expect(JSON.stringify(await healthz(app))).not.toContain('fake-qr'); // the QR is for staff only

    fake.current!.completePairing(); // the phone scanned it; WhatsApp closes with 515
    await waitFor(
      () => stateOf(app) === 'open',
      5000,
      () => 'the connection to open',
    );
    expect(fake.sockets).toHaveLength(2);
    expect(app.whatsapp!.status()).toMatchObject({ account: fake.account, lastDisconnect: { code: 515 } });
    const stored = (await rows.auth()).find((r) => r.type === CREDS_KEY.type && r.id === CREDS_KEY.id)!;
    expect(deserialize<{ me: { id: string } }>(stored.value).me.id).toBe(`${fake.account}:7@s.whatsapp.net`);
    expect((await staffPage(app)).body).toContain(`+${fake.account}`);
    expect((await healthz(app)).whatsapp).toMatchObject({ state: 'open' });
  });

  it('needs no new pairing after a restart: the same credentials, byte for byte, from the database', async () => {
    const first = await pairedApp();
    const before = fake.sockets[1]!.config.auth.creds;
    apps = apps.filter((a) => a !== first);
    await first.close();
    await testDb.database.close();
    await testDb.reopen();

    const second = await whatsappApp({ instanceId: 'instance-b' });
    await waitFor(
      () => stateOf(second) === 'open',
      5000,
      () => 'the connection to open without a QR',
    );
    const after = fake.sockets.at(-1)!.config.auth.creds;
    expect(after.me?.id).toBe(before.me?.id);
    expect(Buffer.from(after.noiseKey.private).equals(Buffer.from(before.noiseKey.private))).toBe(true);
    expect(Buffer.from(after.signedIdentityKey.public).equals(Buffer.from(before.signedIdentityKey.public))).toBe(true);
    expect(after.advSecretKey).toBe(before.advSecretKey);
  });

  it('gives a pairing code for a phone number instead of the QR', async () => {
    const app = await whatsappApp();
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a QR code',
    );
    const res = await app.server.request('/whatsapp/pairing-code', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '+31 6 1234 5678' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: 'TSSN4321' });
    expect(fake.pairingCodeRequests).toEqual(['31612345678']);
    expect((await staffPage(app)).body).toContain('TSSN4321');

    const bad = await app.server.request('/whatsapp/pairing-code', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '0612' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toContain('country code');
  });

  it('reconnects with backoff after a transient close, and survives a socket factory that throws', async () => {
    const app = await pairedApp();
    fake.factoryFailures = 1;
    fake.current!.close(428);
    await waitFor(
      () => stateOf(app) === 'open' && fake.sockets.length === 3,
      5000,
      () => 'a reconnect',
    );
    expect(app.whatsapp!.status().lastDisconnect?.code).toBe(428);
    // The old socket's listeners are gone: nothing it could still emit reaches the app.
    expect(fake.sockets[1]!.listenerCount('messages.upsert')).toBe(0);
  });

  it('after a logout: clears the auth state, says "pair again" on the page and in /healthz, alerts staff, keeps replies waiting', async () => {
    const hooks: { url: string; headers: Headers; body: string }[] = [];
    const notifyFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      hooks.push({ url: String(url), headers: new Headers(init?.headers), body: String(init?.body) });
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const lines: { level: number; msg: string }[] = [];
    const capture = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      WEBCHAT_SECRET: 'test-secret-test-secret-test-secret-123',
      WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '1000000',
      PUBLIC_URL: 'https://chat.example.org',
      STAFF_WEBHOOK_URL: 'https://hooks.example.org/tussenin',
      STAFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...whatsappEnv(),
    });
    const app = await createApp({
      ...appOptions('instance-a'),
      inbox: { notifyFetch },
      config,
      logger: pino({ level: 'error' }, capture),
      database: testDb.database,
    });
    apps.push(app);
    await app.start();
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a QR code',
    );
    fake.current!.completePairing();
    await waitFor(
      () => stateOf(app) === 'open',
      5000,
      () => 'open',
    );
    expect((await rows.auth()).length).toBeGreaterThan(0);

    fake.current!.close(401);
    await waitFor(
      () => stateOf(app) === 'logged-out',
      5000,
      () => 'logged-out',
    );
    expect(await rows.auth()).toEqual([]);
    const page = await staffPage(app);
    expect(page.body).toContain('data-state="logged-out"');
    expect(page.body).toContain(t('nl', 'whatsapp:staffPage.states.logged-out'));
    expect(page.body).toContain('/whatsapp/pair');
    expect((await healthz(app)).whatsapp).toMatchObject({ state: 'logged-out' });
    expect(lines.some((l) => l.level === 50 && l.msg.includes('logged this number out'))).toBe(true);
    // Staff are alerted once through the organisation's notifiers (here the signed webhook), with the page to pair again.
    await app.services.idle();
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook.url).toBe('https://hooks.example.org/tussenin');
    expect(hook.headers.get('x-tussenin-event')).toBe('channel.logged_out');
    expect(hook.headers.get('x-tussenin-signature')).toBe(
      signWebhook(WEBHOOK_SECRET, hook.headers.get('x-tussenin-timestamp')!, hook.body),
    );
    const alert = JSON.parse(hook.body);
    expect(alert).toMatchObject({ event: 'channel.logged_out', channel: 'whatsapp', url: 'https://chat.example.org/whatsapp' });
    // The staff Telegram chat gets the same alert in the organisation's language.
    expect(formatAlert(texts, alert)).toContain(t('nl', 'staff:notify.pairAgain', { url: 'https://chat.example.org/whatsapp' }));
    await sleep(300);
    expect(fake.sockets).toHaveLength(2); // no reconnecting with wiped credentials

    // A resident writes meanwhile (on the web chat the dispatcher keeps going): WhatsApp replies wait, no attempt spent.
    await testDb.database.db.insert(residents).values({ channel: 'whatsapp', externalId: '31699990000@s.whatsapp.net' });
    const [resident] = await rows.residents();
    const [message] = await testDb.database.db
      .insert(messages)
      .values({ residentId: resident!.id, direction: 'out', channel: 'whatsapp', text: 'Hallo', locale: 'nl' })
      .returning();
    await testDb.database.db.insert(outbox).values({ messageId: message!.id, residentId: resident!.id, channel: 'whatsapp' });
    await sleep(200);
    expect((await rows.outbox())[0]).toMatchObject({ status: 'pending', attempts: 0 });

    // Staff pair again: a new socket with fresh credentials shows a QR, and after pairing the reply goes out.
    const pair = await app.server.request('/whatsapp/pair', { method: 'POST', headers: auth });
    expect(pair.status).toBe(202);
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a new QR code',
    );
    expect(fake.current!.config.auth.creds.me).toBeUndefined();
    fake.current!.completePairing();
    await waitFor(
      async () => (await rows.outbox())[0]?.status === 'sent',
      5000,
      () => 'the waiting reply to be sent',
    );
    expect(fake.messagesTo('31699990000@s.whatsapp.net').map((m) => m.text)).toEqual(['Hallo']);
  });

  it('does not reconnect in a loop when another client replaced the connection (440)', async () => {
    const app = await pairedApp();
    fake.current!.close(440);
    await waitFor(
      () => stateOf(app) === 'replaced',
      5000,
      () => 'replaced',
    );
    await sleep(500);
    expect(fake.sockets).toHaveLength(2);
    expect((await healthz(app)).whatsapp).toMatchObject({ state: 'replaced' });
    expect((await staffPage(app)).body).toContain(t('nl', 'whatsapp:staffPage.states.replaced'));
  });

  it('never crashes when a handler of a socket event fails', async () => {
    const app = await pairedApp();
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31611110000' });
    // Messages Baileys could not decrypt or that carry nothing arrive too.
    fake.current!.deliver([{ key: resident.key('EMPTY1') } as never, { key: {} } as never]);
    fake.current!.emit('messages.update', [{ key: {}, update: {} }] as never);
    fake.current!.emit('connection.update', { connection: 'connecting' });
    await sleep(200);
    expect(stateOf(app)).toBe('open');
    expect((await resident.say('hallo')).length).toBe(2);
  });
});

describe('the real Baileys socket', () => {
  it('starts on the database auth state, and a refused connection only leads to a reconnect, never a crash', async () => {
    // A local server that refuses the WebSocket, standing in for an unreachable WhatsApp (no network here).
    const refusing = createServer((_req, res) => res.writeHead(503).end());
    refusing.on('upgrade', (_req, socket) => socket.destroy());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(refusing.address() as AddressInfo).port}/ws/chat`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const app = await createTestApp(testDb.database, whatsappEnv(), {
        ...appOptions('instance-real'),
        whatsappSocketFactory: (config) => makeWASocket({ ...config, waWebSocketUrl: url, connectTimeoutMs: 2000 }),
      });
      apps.push(app);
      await app.start();
      await waitFor(
        () => (app.whatsapp!.status().reconnects ?? 0) >= 1,
        10_000,
        () => 'a reconnect after the refused connection',
      );
      expect(app.whatsapp!.status()).toMatchObject({ state: 'connecting', lastDisconnect: { code: 408 } });
      apps = apps.filter((a) => a !== app);
      await app.close();
      expect(app.whatsapp!.status().state).toBe('stopped');
      await sleep(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      refusing.close();
    }
  }, 30_000);
});

describe('one socket across instances', () => {
  it('connects only one of two instances; the other is on standby and takes over when the first stops', async () => {
    const a = await pairedApp('instance-a');
    const b = await whatsappApp({ instanceId: 'instance-b' });
    await sleep(2500); // more than two renewals (every 1 s)
    expect(stateOf(a)).toBe('open');
    expect(stateOf(b)).toBe('standby');
    expect(fake.sockets.filter((s) => !s.ended)).toHaveLength(1);
    expect((await healthz(b)).whatsapp).toMatchObject({ state: 'standby' });
    expect((await staffPage(b)).body).toContain(t('nl', 'whatsapp:staffPage.states.standby'));
    const [lease] = await testDb.database.db.select().from(channelLeases);
    expect(lease).toMatchObject({ name: 'whatsapp', holder: 'instance-a' });

    // Only the holder sends: the standby's dispatcher leaves WhatsApp rows alone.
    const resident = new WhatsAppResident(fake, testDb.database, { phone: '31622220000' });
    const replies = await resident.say('hallo');
    // The holder's one live socket sent them (after pairing it may be its second: a restart is normal then).
    const live = fake.sockets.filter((s) => !s.ended);
    expect(live).toHaveLength(1);
    expect(replies.every((r) => r.socket === live[0]!.index)).toBe(true);

    apps = apps.filter((x) => x !== a);
    await a.close();
    await waitFor(
      () => stateOf(b) === 'open',
      5000,
      () => 'the standby to take over',
    );
    expect(fake.sockets.filter((s) => !s.ended)).toHaveLength(1);
    const [after] = await testDb.database.db.select().from(channelLeases);
    expect(after).toMatchObject({ holder: 'instance-b' });
    expect((await resident.say('1')).length).toBeGreaterThan(0);
  }, 30_000);

  it('takes over from an instance that died, once its lease has expired', async () => {
    // The dead instance's lease runs for an hour until the test ends it: no race with a slow start.
    await testDb.database.db.execute(
      sql`insert into channel_leases (name, holder, expires_at) values ('whatsapp', 'crashed-instance', now() + interval '1 hour')`,
    );
    const app = await whatsappApp({ instanceId: 'instance-b' });
    await sleep(300);
    expect(stateOf(app)).toBe('standby');
    expect(fake.sockets).toHaveLength(0);
    await testDb.database.db.execute(
      sql`update channel_leases set expires_at = now() - interval '1 second' where name = 'whatsapp' and holder = 'crashed-instance'`,
    );
    await waitFor(
      () => stateOf(app) === 'qr',
      10_000,
      () => 'the lease to expire and the socket to open',
    );
    expect(fake.sockets).toHaveLength(1);
  });
});

describe('the staff page', () => {
  it('opens for a coordinator by inbox log-in or token, sends others to the log-in, refuses trust persons', async () => {
    const app = await whatsappApp();
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a QR code',
    );
    // A browser without a log-in goes to the inbox log-in, and comes back here after it.
    const none = await staffPage(app, {});
    expect(none.status).toBe(303);
    expect(none.headers.get('location')).toBe('/inbox/login?next=%2Fwhatsapp');
    expect(none.body).not.toContain('<svg');
    expect((await staffPage(app, { authorization: 'Bearer wrong-token-wrong-token-wrong-token-xx' })).status).toBe(401);
    expect((await app.server.request('/whatsapp/pair', { method: 'POST' })).status).toBe(303);
    expect(
      (await app.server.request('/whatsapp/pairing-code', { method: 'POST', headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);

    // A trust person logged in to the inbox may not pair the organisation's number.
    const trustPerson = new StaffBrowser(app.server);
    await trustPerson.login((await addStaff(app, { role: 'trust_person' })).email);
    expect((await trustPerson.page('/whatsapp')).status).toBe(403);
    expect((await trustPerson.post('/whatsapp/pair')).status).toBe(403);

    // A coordinator sees the QR and a form for a pairing code, in their own language.
    const coordinator = new StaffBrowser(app.server);
    await coordinator.login((await addStaff(app, { role: 'coordinator', uiLocale: 'ar' })).email);
    const page = await coordinator.page('/whatsapp');
    expect(page.status).toBe(200);
    expect(page.html).toContain('dir="rtl"');
    expect(page.html).toContain('<svg');
    expect(page.html).toContain('http-equiv="refresh"'); // a new QR every ~20 s shows by itself
    expect(page.html).toContain('href="/whatsapp?code=1"');
    // The pairing-code form has its own page that does not reload while the number is typed.
    const form = await coordinator.page('/whatsapp?code=1');
    expect(form.html).toContain(t('ar', 'whatsapp:staffPage.pairingCodeButton'));
    expect(form.html).not.toContain('http-equiv="refresh"');
    expect(form.html).not.toContain('<svg');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)?.[1];
    expect(csrf).toBeTruthy();
    // Without the form's token the post is refused; with it the code is asked for and shown on the page.
    expect((await coordinator.post('/whatsapp/pairing-code', { phone: '+31 6 1234 5678' }, { csrf: 'forged' })).status).toBe(403);
    const asked = await coordinator.post('/whatsapp/pairing-code', { phone: '+31 6 1234 5678' }, { csrf: csrf! });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/whatsapp');
    expect(fake.pairingCodeRequests).toEqual(['31612345678']);
    expect((await coordinator.page('/whatsapp')).html).toContain('TSSN4321');

    // Without STAFF_API_TOKEN configured the page still opens for a logged-in coordinator.
    const noToken = await createTestApp(testDb.database, whatsappEnv({ STAFF_API_TOKEN: '' }), appOptions('instance-c'));
    apps.push(noToken);
    const again = new StaffBrowser(noToken.server);
    await again.login((await addStaff(noToken, { role: 'coordinator' })).email);
    expect((await again.page('/whatsapp')).status).toBe(200);
  });

  it('lets a coordinator pair again with the button after a logout', async () => {
    const app = await pairedApp();
    fake.current!.close(401);
    await waitFor(
      () => stateOf(app) === 'logged-out',
      5000,
      () => 'logged-out',
    );
    const coordinator = new StaffBrowser(app.server);
    await coordinator.login((await addStaff(app, { role: 'coordinator' })).email);
    // Every inbox page warns coordinators, with the way to the pairing page; trust persons are not bothered with it.
    const inbox = await coordinator.page('/inbox');
    expect(inbox.html).toContain('class="channel-warning"');
    expect(inbox.html).toContain(t('nl', 'staff:notify.channelBannerAction'));
    expect(inbox.html).toContain('href="/whatsapp"');
    const trustPerson = new StaffBrowser(app.server);
    await trustPerson.login((await addStaff(app, { role: 'trust_person' })).email);
    expect((await trustPerson.page('/inbox')).html).not.toContain('channel-warning');
    const page = await coordinator.page('/whatsapp');
    expect(page.html).toContain(t('nl', 'whatsapp:staffPage.pairAgainButton'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const pair = await coordinator.post('/whatsapp/pair', {}, { csrf });
    expect(pair.status).toBe(303);
    await waitFor(
      () => stateOf(app) === 'qr',
      5000,
      () => 'a new QR code',
    );
    expect((await coordinator.page('/inbox')).html).not.toContain('channel-warning');
  });

  it('says WhatsApp is off when it is not enabled, in the language asked for, and /healthz has no whatsapp field', async () => {
    const app = await createTestApp(testDb.database, { STAFF_API_TOKEN: STAFF_TOKEN });
    apps.push(app);
    const page = await staffPage(app, auth, '?lang=ar');
    expect(page.status).toBe(200);
    expect(page.body).toContain('dir="rtl"');
    expect(page.body).toContain(t('ar', 'whatsapp:staffPage.states.disabled'));
    expect((await healthz(app)).whatsapp).toBeUndefined();
    const pair = await app.server.request('/whatsapp/pair', { method: 'POST', headers: auth });
    expect(pair.status).toBe(409);
  });
});

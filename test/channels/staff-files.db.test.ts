import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { signWebhookBody } from '../../src/channels/whatsapp-cloud/webhook-signature.js';
import type { ChannelName } from '../../src/conversation/inbound-message.js';
import { handoffs, outbox, residents } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { FakeGraphApi, TEST_API_VERSION, TEST_GRAPH_TOKEN, TEST_PHONE_NUMBER_ID } from '../helpers/fake-graph-api.js';
import { FakeTelegram, serverError, TEST_BOT_TOKEN, testBotInfo, waitUntil } from '../helpers/fake-telegram.js';
import { FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { eventually } from '../helpers/sse.js';
import { addStaff } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { messagesBody, RESIDENT_WA_ID, textItem } from './whatsapp-cloud/cloud-payloads.js';

/**
 * Issue 15, "Documents", on the channels: a trust person's file (posted to the staff API, the same path
 * as the case page's form) leaves through the outbox and arrives at each channel's fake as the resident
 * would see it: Telegram sendPhoto / sendDocument uploaded from the bytes, WhatsApp Web an image or
 * document message from Baileys, the Cloud API an upload and then an image or document message. The
 * caption carries the trust person's name like a reply; failures are retried like replies. The web chat
 * is in test/inbox/staff-files.db.test.ts.
 */

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, ...ascii('JFIF'), 0, ...new Array(400).fill(5)]);
const WEBP = new Uint8Array([...ascii('RIFF'), 200, 0, 0, 0, ...ascii('WEBPVP8 '), ...new Array(200).fill(3)]);
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

const signed = (caption: string) => `${texts.t('nl', 'bot:handoff.signature', { name: 'Samira' })}\n${caption}`;
const same = (a: Uint8Array | undefined, b: Uint8Array) => Buffer.from(a ?? []).equals(Buffer.from(b));

/**
 * A resident of `channel` who asks for a person, and Samira (a trust person with a personal API token)
 * who claims the case; `send` posts a file to the staff API as an integration (or the page) would.
 */
async function claimedBySamira(app: App, db: TestDatabase, channel: ChannelName, externalUserId: string) {
  for (const [i, text] of ['hallo', 'persoon'].entries()) {
    await app.conversations.handleInbound({
      channel,
      externalUserId,
      externalMessageId: `${externalUserId}:in-${i}-${Math.random()}`,
      text,
    });
  }
  const [handoff] = await db.database.db
    .select({ id: handoffs.id, residentId: handoffs.residentId })
    .from(handoffs)
    .innerJoin(residents, eq(residents.id, handoffs.residentId))
    .where(and(eq(residents.externalId, externalUserId), ne(handoffs.status, 'closed')));
  const samira = await addStaff(app, { name: 'Samira El Idrissi' });
  const { token } = await app.services.tokens.create(samira.id, null);
  const auth = { authorization: `Bearer ${token}` };
  expect((await app.server.request(`/api/handoffs/${handoff!.id}/claim`, { method: 'POST', headers: auth })).status).toBe(200);
  return {
    handoffId: handoff!.id,
    residentId: handoff!.residentId,
    async send(bytes: Uint8Array, name: string, caption?: string): Promise<number> {
      const form = new FormData();
      form.set('file', new File([bytes as Uint8Array<ArrayBuffer>], name));
      if (caption !== undefined) form.set('caption', caption);
      const res = await app.server.request(`/api/handoffs/${handoff!.id}/files`, { method: 'POST', headers: auth, body: form });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { messageId: number }).messageId;
    },
  };
}

/** The outbox row of a message: sent, failed or still to go, and how many tries it took. */
async function outboxOf(db: TestDatabase, messageId: number) {
  const [row] = await db.database.db.select().from(outbox).where(eq(outbox.messageId, messageId));
  return row!;
}

describe('Telegram', () => {
  let testDb: TestDatabase;
  let fake: FakeTelegram;
  let app: App;
  let chatSeq = 8_100_000;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    fake = await FakeTelegram.start();
    app = await createTestApp(
      testDb.database,
      {
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: 'https://chat.example.org',
        TELEGRAM_WEBHOOK_SECRET: 'test-webhook-secret-123',
      },
      { telegramBotInfo: testBotInfo },
    );
    await app.start();
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
    await testDb.destroy();
  });
  const filesTo = (chatId: number) => fake.messagesTo(chatId).filter((m) => m.file);

  it('a photo with sendPhoto and a PDF with sendDocument, uploaded from the bytes, the caption signed like a reply', async () => {
    const chatId = ++chatSeq;
    const samira = await claimedBySamira(app, testDb, 'telegram', String(chatId));
    await samira.send(JPEG, 'IMG_2231.jpg', 'Dit is de brief van school.');
    await samira.send(PDF, 'Aanvraag familie.pdf');
    await waitUntil(
      () => filesTo(chatId).length === 2,
      10_000,
      () => 'two files in the chat',
    );
    const [photo, pdf] = filesTo(chatId);
    expect(photo!.file).toMatchObject({ method: 'sendPhoto', caption: signed('Dit is de brief van school.') });
    expect(same(photo!.file!.bytes, JPEG)).toBe(true);
    expect(pdf!.file).toMatchObject({ method: 'sendDocument', filename: 'document.pdf', caption: undefined });
    expect(same(pdf!.file!.bytes, PDF)).toBe(true);
    // A WebP is a photo on Telegram too; its Telegram id is kept, so discreet mode can delete it like any message.
    const webp = await samira.send(WEBP, 'scan.webp');
    await waitUntil(
      () => filesTo(chatId).length === 3,
      10_000,
      () => 'the WebP photo',
    );
    expect(filesTo(chatId)[2]!.file).toMatchObject({ method: 'sendPhoto', filename: 'photo.webp' });
    await eventually(async () => (await outboxOf(testDb, webp)).status === 'sent', 5000, 'the row recorded as sent');
    expect((await outboxOf(testDb, webp)).channelMessageId).toBe(String(filesTo(chatId)[2]!.message_id));
  });

  it('a photo Telegram will not take as one goes as a document; a 5xx is tried again, like a reply', async () => {
    const chatId = ++chatSeq;
    const samira = await claimedBySamira(app, testDb, 'telegram', String(chatId));
    fake.failNext('sendPhoto', {
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' },
    });
    await samira.send(JPEG, 'screenshot.jpg', 'Lange schermafbeelding');
    await waitUntil(
      () => filesTo(chatId).length === 1,
      10_000,
      () => 'the photo as a document',
    );
    expect(filesTo(chatId)[0]!.file).toMatchObject({
      method: 'sendDocument',
      filename: 'photo.jpg',
      caption: signed('Lange schermafbeelding'),
    });

    fake.failNext('sendDocument', serverError(502));
    const messageId = await samira.send(PDF, 'form.pdf', 'Tweede poging');
    await waitUntil(
      () => filesTo(chatId).length === 2,
      15_000,
      () => 'the PDF after a retry',
    );
    await eventually(async () => (await outboxOf(testDb, messageId)).status === 'sent', 5000, 'the row recorded as sent');
    expect((await outboxOf(testDb, messageId)).attempts).toBe(2);
  });
});

describe('WhatsApp Web', () => {
  let testDb: TestDatabase;
  let fake: FakeWhatsApp;
  let app: App;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    fake = new FakeWhatsApp();
    app = await createTestApp(
      testDb.database,
      {
        WHATSAPP_ENABLED: 'true',
        WHATSAPP_MESSAGES_PER_MINUTE: '60000',
        WHATSAPP_CHAT_MESSAGES_PER_MINUTE: '60000',
        WHATSAPP_SEND_JITTER_MS: '0',
        WHATSAPP_LEASE_MS: '3000',
      },
      {
        whatsappSocketFactory: fake.factory,
        whatsappMediaDownloader: fake.downloadMedia,
        whatsappPrintQr: () => undefined,
        whatsappReconnectBackoffMs: 50,
        instanceId: 'staff-files',
      },
    );
    await app.start();
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
  });
  afterAll(async () => {
    await app.close();
    await testDb.destroy();
  });

  it('a JPEG as a photo, a PDF and a WebP as documents, each with the caption; a resident’s retry gets the file again', async () => {
    const jid = '31612345678@s.whatsapp.net';
    const samira = await claimedBySamira(app, testDb, 'whatsapp', jid);
    await samira.send(JPEG, 'IMG_2231.jpg', 'Dit is de brief van school.');
    await samira.send(PDF, 'Aanvraag familie.pdf', 'Het formulier');
    await samira.send(WEBP, 'scan.webp');
    const files = () => fake.messagesTo(jid).filter((m) => m.file);
    await waitFor(
      () => files().length === 3,
      10_000,
      () => 'three files on the phone',
    );
    const [photo, pdf, webp] = files();
    expect(photo).toMatchObject({ text: signed('Dit is de brief van school.'), file: { kind: 'image', mimetype: 'image/jpeg' } });
    expect(same(photo!.file!.bytes, JPEG)).toBe(true);
    expect(pdf).toMatchObject({
      text: signed('Het formulier'),
      file: { kind: 'document', mimetype: 'application/pdf', fileName: 'document.pdf' },
    });
    expect(webp).toMatchObject({ text: '', file: { kind: 'document', mimetype: 'image/webp', fileName: 'photo.webp' } });

    // The phone could not decrypt the photo and asks again: Baileys gets the message as it was sent
    // (the upload), never the caption alone as a text.
    await eventually(async () => (await outboxOf(testDb, await idOf(photo!.id))).status === 'sent', 5000, 'recorded');
    const again = await fake.current!.config.getMessage({ remoteJid: jid, fromMe: true, id: photo!.id });
    expect(again?.imageMessage).toMatchObject({ caption: signed('Dit is de brief van school.'), mimetype: 'image/jpeg' });
  });

  /** The message id of the outbox row that WhatsApp's id names. */
  async function idOf(channelMessageId: string): Promise<number> {
    let found: number | undefined;
    await eventually(
      async () => {
        const [row] = await testDb.database.db.select().from(outbox).where(eq(outbox.channelMessageId, channelMessageId));
        found = row?.messageId;
        return found !== undefined;
      },
      5000,
      'the sent row',
    );
    return found!;
  }
});

describe('WhatsApp Cloud API', () => {
  const APP_SECRET = 'appsecret0123456789abcdef';
  let testDb: TestDatabase;
  let graph: FakeGraphApi;
  let app: App;
  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    testDb = await createTestDatabase();
    app = await createTestApp(testDb.database, {
      WHATSAPP_MODE: 'cloud',
      WHATSAPP_CLOUD_TOKEN: TEST_GRAPH_TOKEN,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: TEST_PHONE_NUMBER_ID,
      WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-token-for-cloud-tests',
      WHATSAPP_CLOUD_API_ROOT: graph.url,
      WHATSAPP_CLOUD_API_VERSION: TEST_API_VERSION,
      WHATSAPP_CLOUD_REPLY_TEMPLATES: 'nl=tussenin_bericht_wacht',
    });
    await app.start();
  });
  afterAll(async () => {
    await app.close();
    await testDb.destroy();
    await graph.close();
  });
  it('uploads the file, then sends it as an image or a document by its media id, with the caption', async () => {
    const samira = await claimedBySamira(app, testDb, 'whatsapp', `${RESIDENT_WA_ID}@s.whatsapp.net`);
    await samira.send(JPEG, 'IMG_2231.jpg', 'Dit is de brief van school.');
    await samira.send(PDF, 'Aanvraag familie.pdf');
    await eventually(() => graph.filesTo(RESIDENT_WA_ID).length === 2, 10_000, 'two files on the phone');
    const [photo, pdf] = graph.filesTo(RESIDENT_WA_ID);
    expect(photo).toMatchObject({ type: 'image', caption: signed('Dit is de brief van school.'), filename: undefined });
    expect(photo!.upload).toMatchObject({ type: 'image/jpeg', filename: 'photo.jpg' });
    expect(same(photo!.upload.bytes, JPEG)).toBe(true);
    expect(pdf).toMatchObject({ type: 'document', caption: undefined, filename: 'document.pdf' });
    expect(same(pdf!.upload.bytes, PDF)).toBe(true);
    // Every upload carried the token and messaging_product, as Meta wants.
    const uploads = graph.requests.filter((r) => r.path.endsWith('/media') && r.method === 'POST');
    expect(
      uploads.every((r) => r.authorization === `Bearer ${TEST_GRAPH_TOKEN}` && r.body?.['messaging_product'] === 'whatsapp'),
    ).toBe(true);
  });

  it('outside the 24-hour window: not uploaded; the resident is told a message waits, and gets the file once they write', async () => {
    const waId = '31687654321';
    const samira = await claimedBySamira(app, testDb, 'whatsapp', `${waId}@s.whatsapp.net`);
    await testDb.database.db
      .update(residents)
      .set({ lastInboundAt: new Date(Date.now() - 48 * 3600_000) })
      .where(eq(residents.externalId, `${waId}@s.whatsapp.net`));
    const sentBefore = graph.sent.length;
    const uploadsBefore = graph.uploads.length;
    const messageId = await samira.send(PDF, 'form.pdf', 'Het formulier');
    await eventually(
      async () => (await outboxOf(testDb, messageId)).lastError?.startsWith('window-closed: waiting') === true,
      5000,
      'the file waiting for the resident',
    );
    expect(graph.uploads.length).toBe(uploadsBefore);
    expect(graph.sent.slice(sentBefore).map((m) => [m.to, m.type])).toEqual([[waId, 'template']]);
    expect(graph.filesTo(waId)).toEqual([]);

    const raw = JSON.stringify(messagesBody(textItem('ja?', { from: waId })));
    const res = await app.server.request('/whatsapp/cloud/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, APP_SECRET) },
      body: raw,
    });
    expect(res.status).toBe(200);
    await eventually(() => graph.filesTo(waId).length === 1, 10_000, 'the file after the resident wrote');
    expect(graph.filesTo(waId)[0]).toMatchObject({ type: 'document', caption: signed('Het formulier') });
  });
});

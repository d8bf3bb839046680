import { and, asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { createStatusRecorder, recordCloudStatuses } from '../../../src/channels/whatsapp-cloud/cloud-statuses.js';
import { CLOUD_WEBHOOK_PATH } from '../../../src/channels/whatsapp-cloud/cloud-webhook-routes.js';
import { createWindowCheck } from '../../../src/channels/whatsapp-cloud/customer-window.js';
import { signWebhookBody } from '../../../src/channels/whatsapp-cloud/webhook-signature.js';
import {
  createWhatsAppCloudChannel,
  type WhatsAppCloudChannel,
} from '../../../src/channels/whatsapp-cloud/whatsapp-cloud-channel.js';
import type { InboundOutcome } from '../../../src/conversation/conversation-service.js';
import type { InboundMessage } from '../../../src/conversation/inbound-message.js';
import { media, messages, outbox, residents } from '../../../src/db/schema.js';
import { createDispatcher, type Dispatcher } from '../../../src/outbox/dispatcher.js';
import { texts } from '../../helpers/engine-driver.js';
import { waitFor } from '../../helpers/fake-whatsapp.js';
import { FakeGraphApi, TEST_API_VERSION, TEST_GRAPH_TOKEN, TEST_PHONE_NUMBER_ID } from '../../helpers/fake-graph-api.js';
import { silentLogger, useTestApp } from '../../helpers/test-app.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  messageItem,
  messagesBody,
  RESIDENT_JID,
  RESIDENT_WA_ID,
  statusesBody,
  statusItem,
  textItem,
  windowClosedError,
  type MessageItem,
} from './cloud-payloads.js';

/**
 * The WhatsApp Cloud channel on a real database: the real conversation service behind the webhook,
 * files in the media table, replies sent by a dispatcher through the Cloud adapter to the fake Graph
 * API, and statuses recorded on the outbox. The app itself does not wire the channel (yet): the test
 * builds it beside the app with createWhatsAppCloudChannel, as app.ts would.
 */

const APP_SECRET = 'cloud-app-secret-for-db-tests-0123';
const MAX_MEDIA_BYTES = 4000;

let app: App;
let testDb: TestDatabase;
let fake: FakeGraphApi;
let channel: WhatsAppCloudChannel;
let dispatcher: Dispatcher;
let outcomes: { message: InboundMessage; outcome: InboundOutcome }[];
let tokenAlerts: number;

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

useTestApp((made) => ({ app, testDb } = made));

beforeAll(async () => {
  fake = await FakeGraphApi.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  outcomes = [];
  tokenAlerts = 0;
  fake.requests.length = 0;
  fake.sent.length = 0;
  fake.reads.length = 0;
  channel = createWhatsAppCloudChannel(
    {
      token: TEST_GRAPH_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      appSecret: APP_SECRET,
      verifyToken: 'not-used-here-0123456789',
      apiRoot: fake.url,
      apiVersion: TEST_API_VERSION,
      maxMediaBytes: MAX_MEDIA_BYTES,
    },
    {
      conversations: {
        handleInbound: async (message) => {
          const outcome = await app.conversations.handleInbound(message);
          outcomes.push({ message, outcome });
          return outcome;
        },
      },
      database: testDb.database,
      texts,
      logger: silentLogger,
      onTokenExpired: () => tokenAlerts++,
    },
  );
  dispatcher = createDispatcher({
    database: testDb.database,
    adapters: new Map([['whatsapp', channel.adapter]]),
    logger: silentLogger,
    maxAttempts: 3,
    pollMs: 3_600_000,
    dirOf: (locale) => texts.dir(locale),
  });
});
afterEach(() => channel.stop());

async function post(body: unknown, signature: string | undefined = undefined) {
  const raw = JSON.stringify(body);
  return channel.routes.request(CLOUD_WEBHOOK_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? signWebhookBody(raw, APP_SECRET) },
    body: raw,
  });
}

/** Posts the resident's message, then sends what the bot queued; returns what the resident's phone shows of it. */
async function send(item: MessageItem): Promise<string[]> {
  const before = fake.visibleTo(item.from).length;
  const response = await post(messagesBody(item));
  expect(response.status).toBe(200);
  await dispatcher.runOnce();
  return fake.visibleTo(item.from).slice(before);
}
const say = (words: string) => send(textItem(words));

const rows = {
  inbound: () => testDb.database.db.select().from(messages).where(eq(messages.direction, 'in')).orderBy(asc(messages.id)),
  media: () => testDb.database.db.select().from(media),
  outbox: () => testDb.database.db.select().from(outbox).orderBy(asc(outbox.id)),
};

describe('the WhatsApp Cloud channel on a database', () => {
  it('stores a resident’s first message under the WhatsApp Web key, answers through the Graph API and marks it read', async () => {
    const item = textItem('hoi');
    const shown = await send(item);
    expect(shown.length).toBeGreaterThan(0);
    const [resident] = await testDb.database.db.select().from(residents);
    expect(resident).toMatchObject({ channel: 'whatsapp', externalId: RESIDENT_JID, displayName: 'Samira' });
    const [inbound] = await rows.inbound();
    expect(inbound).toMatchObject({ channel: 'whatsapp', externalId: `${RESIDENT_JID}:${item.id}` });
    // Every reply went to the wa_id, and its row holds the wamid(s) the Graph API gave.
    const sent = (await rows.outbox()).filter((o) => o.status === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    const wamids = sent.flatMap((o) => o.channelMessageId!.split(','));
    expect(wamids.sort()).toEqual(fake.sent.map((m) => m.wamid).sort());
    expect(fake.sent.every((m) => m.to === RESIDENT_WA_ID)).toBe(true);
    await waitFor(
      () => fake.reads.includes(item.id),
      2000,
      () => 'the read receipt',
    );
  });

  it('stores a message delivered twice once: the second time handleInbound says duplicate', async () => {
    const item = textItem('hoi');
    await send(item);
    const repliesBefore = fake.sent.length;
    await send(item);
    expect(outcomes.map((o) => o.outcome.status)).toEqual(['processed', 'duplicate']);
    expect(outcomes[0]!.message.externalMessageId).toBe(outcomes[1]!.message.externalMessageId);
    expect(await rows.inbound()).toHaveLength(1);
    expect(fake.sent).toHaveLength(repliesBefore);
  });

  it('stores nothing for a body with a wrong signature', async () => {
    const response = await post(messagesBody(textItem('hoi')), signWebhookBody('{}', APP_SECRET));
    expect(response.status).toBe(401);
    expect(outcomes).toEqual([]);
    expect(await testDb.database.db.select().from(residents)).toEqual([]);
    expect(await rows.inbound()).toEqual([]);
  });

  it('downloads a voice note with the bearer token and keeps it byte for byte in the media table', async () => {
    await say('hoi');
    const ogg = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02, ...Array.from({ length: 900 }, (_, i) => (i * 7) % 256)]);
    fake.addMedia('wa-media-voice', { bytes: ogg, mimeType: 'audio/ogg; codecs=opus' });
    const voice = messageItem('audio', { id: 'wa-media-voice', mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true });
    await send(voice);
    expect(fake.mediaDownloads().map((r) => r.authorization)).toEqual([`Bearer ${TEST_GRAPH_TOKEN}`]);
    const [stored] = await rows.media();
    expect(stored).toMatchObject({ kind: 'voice', contentType: 'audio/ogg', byteSize: ogg.byteLength });
    expect(Buffer.from(stored!.content).equals(Buffer.from(ogg))).toBe(true);
    const [inbound] = await testDb.database.db.select().from(messages).where(eq(messages.mediaId, stored!.id));
    expect(inbound).toMatchObject({ direction: 'in', mediaKind: 'voice', externalId: `${RESIDENT_JID}:${voice.id}` });
    // Delivered again: not downloaded or stored a second time.
    await send(voice);
    expect(fake.mediaDownloads()).toHaveLength(1);
    expect(await rows.media()).toHaveLength(1);
  });

  it('answers a file over the limit with the “too large” notice, without downloading or storing it', async () => {
    await say('hoi');
    fake.addMedia('wa-media-big', { bytes: new Uint8Array(MAX_MEDIA_BYTES + 1), mimeType: 'video/mp4' });
    const shown = await send(messageItem('video', { id: 'wa-media-big', mime_type: 'video/mp4', sha256: 'x' }));
    expect(shown[0]).toBe(t('nl', 'bot:notice.tooLarge'));
    // One whose metadata understates its size is cut off while reading.
    fake.addMedia('wa-media-sneaky', {
      bytes: new Uint8Array(MAX_MEDIA_BYTES * 2),
      mimeType: 'application/pdf',
      declaredSize: 10,
      chunked: true,
    });
    const sneaky = await send(messageItem('document', { id: 'wa-media-sneaky', mime_type: 'application/pdf', sha256: 'x' }));
    expect(sneaky[0]).toBe(t('nl', 'bot:notice.tooLarge'));
    expect(await rows.media()).toEqual([]);
    expect(fake.mediaDownloads()).toHaveLength(1);
  });
});

describe('delivery statuses', () => {
  async function sentRows() {
    await say('hoi');
    const sent = (await rows.outbox()).filter((o) => o.status === 'sent' && o.channelMessageId);
    expect(sent.length).toBeGreaterThan(0);
    return sent;
  }
  const rowOf = async (id: number) => (await testDb.database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

  it('moves a message’s ticks forward only: sent, delivered, read, and never back', async () => {
    const [row] = await sentRows();
    const wamid = row!.channelMessageId!.split(',')[0]!;
    expect((await post(statusesBody(statusItem(wamid, 'sent')))).status).toBe(200);
    expect((await rowOf(row!.id)).deliveryStatus).toBe('server');
    // Read may come before delivered; delivered then does not undo it.
    await post(statusesBody(statusItem(wamid, 'read')));
    await post(statusesBody(statusItem(wamid, 'delivered')));
    await post(statusesBody(statusItem(wamid, 'sent')));
    const read = await rowOf(row!.id);
    expect(read).toMatchObject({ status: 'sent', deliveryStatus: 'read' });
    // A failure after it arrived changes nothing either.
    await post(statusesBody(statusItem(wamid, 'failed', [windowClosedError])));
    expect(await rowOf(row!.id)).toMatchObject({ status: 'sent', deliveryStatus: 'read', lastError: null });
  });

  it('records a 131047 failure as window-closed: the row failed, the reason in last_error', async () => {
    const [row] = await sentRows();
    const wamid = row!.channelMessageId!.split(',')[0]!;
    await post(statusesBody(statusItem(wamid, 'sent')));
    await post(statusesBody(statusItem(wamid, 'failed', [windowClosedError])));
    const failed = await rowOf(row!.id);
    expect(failed).toMatchObject({ status: 'failed', deliveryStatus: 'window-closed' });
    expect(failed.lastError).toMatch(/^window-closed: WhatsApp Cloud 131047: Re-engagement message: Message failed to send/);
    // A later "delivered" cannot make it look delivered.
    await post(statusesBody(statusItem(wamid, 'delivered')));
    expect((await rowOf(row!.id)).deliveryStatus).toBe('window-closed');
  });

  it('records another failure as error with Meta’s words', async () => {
    const [row] = await sentRows();
    const wamid = row!.channelMessageId!.split(',')[0]!;
    await post(
      statusesBody(
        statusItem(wamid, 'failed', [
          { code: 131026, title: 'Message undeliverable', error_data: { details: 'Unable to deliver the message.' } },
        ]),
      ),
    );
    expect(await rowOf(row!.id)).toMatchObject({
      status: 'failed',
      deliveryStatus: 'error',
      lastError: 'WhatsApp Cloud 131026: Message undeliverable: Unable to deliver the message.',
    });
  });

  it('finds a split message by any of its wamids', async () => {
    const [row] = await sentRows();
    await testDb.database.db.update(outbox).set({ channelMessageId: 'wamid.PART1,wamid.PART2' }).where(eq(outbox.id, row!.id));
    expect(await recordCloudStatuses(testDb.database, [{ id: 'wamid.PART2', status: 'delivered' }])).toEqual([]);
    expect((await rowOf(row!.id)).deliveryStatus).toBe('delivered');
  });

  it('tries a status once more when it came before its send was recorded, and leaves unknown ids alone', async () => {
    const [row] = await sentRows();
    const recorder = createStatusRecorder(testDb.database, silentLogger, 50);
    try {
      await recorder.record([{ id: 'wamid.LATE', status: 'read' }]);
      expect(await recordCloudStatuses(testDb.database, [{ id: 'wamid.NEVER', status: 'read' }])).toHaveLength(1);
      // The dispatcher records the id just after.
      await testDb.database.db.update(outbox).set({ channelMessageId: 'wamid.LATE' }).where(eq(outbox.id, row!.id));
      await waitFor(
        async () => (await rowOf(row!.id)).deliveryStatus === 'read',
        2000,
        () => 'the retried status',
      );
    } finally {
      recorder.stop();
    }
  });
});

describe('the 24-hour window', () => {
  it('knows whether the resident wrote within 24 hours', async () => {
    await say('hoi');
    const [resident] = await testDb.database.db.select().from(residents);
    const recipient = { residentId: resident!.id, externalUserId: RESIDENT_JID };
    expect(await createWindowCheck(testDb.database)(recipient)).toBe(true);
    expect(await createWindowCheck(testDb.database, () => Date.now() + 25 * 3600_000)(recipient)).toBe(false);
    expect(
      await createWindowCheck(testDb.database)({
        residentId: '00000000-0000-0000-0000-000000000000',
        externalUserId: RESIDENT_JID,
      }),
    ).toBe(false);
  });

  it('gives up on a reply once the window closed, without calling the Graph API: the row says window-closed', async () => {
    await say('hoi');
    const [resident] = await testDb.database.db.select().from(residents);
    await testDb.database.db
      .update(residents)
      .set({ lastInboundAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(residents.id, resident!.id));
    const [conversationMessage] = await rows.inbound();
    // A reply queued after the window closed (as a trust person's late answer would be).
    const [reply] = await testDb.database.db
      .insert(messages)
      .values({
        residentId: resident!.id,
        conversationId: conversationMessage!.conversationId,
        direction: 'out',
        channel: 'whatsapp',
        author: 'bot',
        text: testDb.database.cipher.encryptText('Ben je er nog?'),
        locale: 'nl',
      })
      .returning({ id: messages.id });
    await testDb.database.db.insert(outbox).values({ messageId: reply!.id, residentId: resident!.id, channel: 'whatsapp' });
    const sentBefore = fake.sent.length;
    await dispatcher.runOnce();
    expect(fake.sent).toHaveLength(sentBefore);
    const [row] = await testDb.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.messageId, reply!.id), eq(outbox.channel, 'whatsapp')));
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.lastError).toMatch(/^window-closed: /);
  });
});

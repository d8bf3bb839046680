import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCloudInbound, type MediaStore } from '../../../src/channels/whatsapp-cloud/cloud-inbound.js';
import { CLOUD_WEBHOOK_PATH, createCloudWebhookRoutes } from '../../../src/channels/whatsapp-cloud/cloud-webhook-routes.js';
import { createGraphApi } from '../../../src/channels/whatsapp-cloud/graph-api.js';
import type { CloudStatus } from '../../../src/channels/whatsapp-cloud/webhook-payload.js';
import { signWebhookBody } from '../../../src/channels/whatsapp-cloud/webhook-signature.js';
import type { InboundOutcome } from '../../../src/conversation/conversation-service.js';
import type { InboundMessage } from '../../../src/conversation/inbound-message.js';
import { waitFor } from '../../helpers/fake-whatsapp.js';
import { FakeGraphApi, TEST_API_VERSION, TEST_GRAPH_TOKEN, TEST_PHONE_NUMBER_ID } from '../../helpers/fake-graph-api.js';
import { silentLogger } from '../../helpers/test-app.js';
import {
  changeValue,
  messageItem,
  messagesBody,
  RESIDENT_JID,
  statusesBody,
  statusItem,
  textItem,
  webhookBody,
} from './cloud-payloads.js';

/**
 * The webhook routes with everything behind them but the database: a stub handleInbound that records
 * what it is given, files kept in memory, the fake Graph API for downloads and read receipts.
 */

const APP_SECRET = 'cloud-app-secret-0123456789';
const VERIFY_TOKEN = 'verify-token-for-tests-0123456789';

let fake: FakeGraphApi;
let handled: InboundMessage[];
let statuses: CloudStatus[];
let failStore: Error | null;
let storeDelay: (message: InboundMessage) => number;
let files: { kind: string; contentType: string; bytes: Uint8Array }[];

beforeAll(async () => {
  fake = await FakeGraphApi.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  handled = [];
  statuses = [];
  failStore = null;
  storeDelay = () => 0;
  files = [];
  fake.requests.length = 0;
  fake.reads.length = 0;
});

const seen = new Set<string>();
const media: MediaStore = {
  alreadyStored: async (inbound) => seen.has(inbound.externalMessageId),
  attach: async (inbound, file) => {
    files.push(file);
    return { ...inbound, media: { kind: file.kind, mediaId: `media-${files.length}` } };
  },
};

function routes(maxBodyBytes?: number) {
  const inbound = createCloudInbound({
    graph: createGraphApi({
      token: TEST_GRAPH_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      apiRoot: fake.url,
      apiVersion: TEST_API_VERSION,
    }),
    handleInbound: async (message): Promise<InboundOutcome> => {
      await new Promise((resolve) => setTimeout(resolve, storeDelay(message)));
      if (failStore) throw failStore;
      const duplicate = seen.has(message.externalMessageId);
      seen.add(message.externalMessageId);
      handled.push(message);
      return duplicate
        ? { status: 'duplicate', residentId: 'r' }
        : { status: 'processed', residentId: 'r', conversationId: 'c', replies: 1 };
    },
    media,
    recordStatuses: async (updates) => {
      statuses.push(...updates);
    },
    maxMediaBytes: 5000,
    logger: silentLogger,
  });
  return createCloudWebhookRoutes({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    inbound,
    logger: silentLogger,
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
  });
}

function post(app: ReturnType<typeof routes>, body: unknown, signature: string | null = 'sign') {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature === 'sign') headers['x-hub-signature-256'] = signWebhookBody(raw, APP_SECRET);
  else if (signature !== null) headers['x-hub-signature-256'] = signature;
  return app.request(CLOUD_WEBHOOK_PATH, { method: 'POST', headers, body: raw });
}

describe('subscribing the webhook (GET)', () => {
  const verify = (query: Record<string, string>) =>
    routes().request(`${CLOUD_WEBHOOK_PATH}?${new URLSearchParams(query)}`, { method: 'GET' });

  it('answers the challenge as text/plain to the right verify token', async () => {
    const response = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  it('refuses a wrong or missing token, and another mode', async () => {
    const queries: Record<string, string>[] = [
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': `${VERIFY_TOKEN}x`, 'hub.challenge': '1' },
      { 'hub.mode': 'subscribe', 'hub.challenge': '1' },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' },
      {},
    ];
    for (const query of queries) {
      const response = await verify(query);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('1');
    }
  });
});

describe('receiving a webhook (POST)', () => {
  it('stores a text, answers 200, then marks it read', async () => {
    const item = textItem('Hallo, ik wil met iemand praten');
    const response = await post(routes(), messagesBody(item));
    expect(response.status).toBe(200);
    expect(handled).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        externalUserId: RESIDENT_JID,
        externalMessageId: `${RESIDENT_JID}:${item.id}`,
        text: 'Hallo, ik wil met iemand praten',
        displayName: 'Samira',
      }),
    ]);
    await waitFor(
      () => fake.reads.includes(item.id),
      2000,
      () => 'the read receipt',
    );
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const app = routes();
    const body = messagesBody(textItem('niet ondertekend'));
    expect((await post(app, body, null)).status).toBe(401);
    expect((await post(app, body, signWebhookBody(JSON.stringify(body), 'another-secret'))).status).toBe(401);
    expect((await post(app, body, 'sha256=abc')).status).toBe(401);
    expect(handled).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('answers 400 to a signed body that is not JSON, and 413 to one over the cap', async () => {
    expect((await post(routes(), '{"object": "whatsapp_business_account",')).status).toBe(400);
    const big = messagesBody(textItem('x'.repeat(3000)));
    expect((await post(routes(2000), big)).status).toBe(413);
    expect(handled).toEqual([]);
  });

  it('answers 200 to a signed body of another kind, storing nothing (Meta would only send it again)', async () => {
    const response = await post(routes(), { object: 'page', entry: [] });
    expect(response.status).toBe(200);
    expect(handled).toEqual([]);
  });

  it('answers 500 when storing fails, so Meta delivers the body again; the same message id comes back', async () => {
    const app = routes();
    const item = textItem('database weg');
    failStore = new Error('connection refused');
    expect((await post(app, messagesBody(item))).status).toBe(500);
    failStore = null;
    expect((await post(app, messagesBody(item))).status).toBe(200);
    expect(handled.map((m) => m.externalMessageId)).toEqual([`${RESIDENT_JID}:${item.id}`]);
  });

  it('hands a message delivered twice over twice with the same externalMessageId (dedup happens in handleInbound)', async () => {
    const app = routes();
    const body = messagesBody(textItem('twee keer'));
    expect((await post(app, body)).status).toBe(200);
    expect((await post(app, body)).status).toBe(200);
    expect(handled).toHaveLength(2);
    expect(handled[0]!.externalMessageId).toBe(handled[1]!.externalMessageId);
  });

  it('handles several entries, changes and messages, each resident’s in order, and passes the statuses on', async () => {
    const slowVoice = messageItem('audio', { id: 'voice-1', mime_type: 'audio/ogg', voice: true });
    fake.addMedia('voice-1', { bytes: new Uint8Array(1200).fill(7), mimeType: 'audio/ogg; codecs=opus' });
    const afterVoice = textItem('en nog iets');
    const other = textItem('ik ook', { from: '212612345678' });
    const third = textItem('derde');
    // The voice note's step is slow: the text after it must still come after it.
    storeDelay = (m) => (m.media ? 150 : 0);
    const body = webhookBody(
      changeValue({ messages: [slowVoice, other] }),
      changeValue({ messages: [afterVoice, third], statuses: [statusItem('wamid.OURS', 'read')] }),
    );
    expect((await post(routes(), body)).status).toBe(200);
    const resident = handled.filter((m) => m.externalUserId === RESIDENT_JID).map((m) => m.externalMessageId.split(':')[1]);
    expect(resident).toEqual([slowVoice.id, afterVoice.id, third.id]);
    expect(handled.map((m) => m.externalUserId)).toContain('212612345678@s.whatsapp.net');
    expect(statuses).toEqual([expect.objectContaining({ id: 'wamid.OURS', status: 'read' })]);
    expect(handled[0]!.externalUserId).toBe('212612345678@s.whatsapp.net'); // not held up by the voice note
  });

  it('answers 200 to a body of statuses only', async () => {
    const response = await post(routes(), statusesBody(statusItem('wamid.OURS', 'delivered')));
    expect(response.status).toBe(200);
    expect(statuses).toHaveLength(1);
    expect(handled).toEqual([]);
  });

  it('fetches a voice note with the bearer token before the message is handled, and not again when it was stored', async () => {
    const bytes = new Uint8Array(2000).fill(3);
    fake.addMedia('voice-2', { bytes, mimeType: 'audio/ogg; codecs=opus' });
    const voice = messageItem('audio', { id: 'voice-2', mime_type: 'audio/ogg; codecs=opus', voice: true });
    const app = routes();
    expect((await post(app, messagesBody(voice))).status).toBe(200);
    expect(files).toEqual([{ kind: 'voice', contentType: 'audio/ogg; codecs=opus', bytes }]);
    expect(handled[0]!.media).toEqual({ kind: 'voice', mediaId: 'media-1' });
    expect(fake.mediaDownloads().map((r) => r.authorization)).toEqual([`Bearer ${TEST_GRAPH_TOKEN}`]);
    expect((await post(app, messagesBody(voice))).status).toBe(200);
    expect(files).toHaveLength(1);
    expect(fake.mediaDownloads()).toHaveLength(1);
  });

  it('turns a file over the cap into the tooLarge notice, and a failed download into mediaFailed', async () => {
    fake.addMedia('video-big', { bytes: new Uint8Array(6000), mimeType: 'video/mp4' });
    const big = messageItem('video', { id: 'video-big', mime_type: 'video/mp4' });
    const gone = messageItem('image', { id: 'image-gone', mime_type: 'image/jpeg' });
    expect((await post(routes(), messagesBody(big, gone))).status).toBe(200);
    expect(handled[0]).toMatchObject({ notice: 'tooLarge' });
    expect(handled[0]!.media).toBeUndefined();
    expect(handled[1]).toMatchObject({ notice: 'mediaFailed', media: { kind: 'image', mediaId: null } });
    expect(files).toEqual([]);
  });

  it('ignores a reaction and answers a sticker with the unsupported notice', async () => {
    const reaction = messageItem('reaction', { message_id: 'wamid.OURS', emoji: '❤️' });
    const sticker = messageItem('sticker', { id: 'sticker-1', mime_type: 'image/webp' });
    expect((await post(routes(), messagesBody(reaction, sticker))).status).toBe(200);
    expect(handled).toEqual([expect.objectContaining({ notice: 'unsupported', summary: 'sticker' })]);
    expect(fake.mediaDownloads()).toEqual([]);
  });
});

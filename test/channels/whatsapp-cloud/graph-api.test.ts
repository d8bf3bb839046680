import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGraphApi, type GraphApi } from '../../../src/channels/whatsapp-cloud/graph-api.js';
import {
  FakeGraphApi,
  graphErrors,
  TEST_API_VERSION,
  TEST_GRAPH_TOKEN,
  TEST_PHONE_NUMBER_ID,
} from '../../helpers/fake-graph-api.js';

/** The Graph API client against a local fake: what it sends, and what it makes of every kind of answer. */

let fake: FakeGraphApi;
let graph: GraphApi;
const TO = '31612345678';

beforeAll(async () => {
  fake = await FakeGraphApi.start();
  graph = createGraphApi({
    token: TEST_GRAPH_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    apiRoot: `${fake.url}/`,
    apiVersion: TEST_API_VERSION,
    timeoutMs: 300,
    mediaTimeoutMs: 300,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.sent.length = 0;
});

const messagesPath = `/${TEST_API_VERSION}/${TEST_PHONE_NUMBER_ID}/messages`;

describe('the Graph API client', () => {
  it('posts a text to /<version>/<phone number id>/messages with the bearer token and returns the wamid', async () => {
    const result = await graph.sendMessage(TO, { type: 'text', text: { body: 'Hallo', preview_url: false } });
    expect(result).toEqual({ ok: true, value: { wamid: fake.sent[0]!.wamid } });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: messagesPath, authorization: `Bearer ${TEST_GRAPH_TOKEN}` });
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'text',
      text: { body: 'Hallo', preview_url: false },
    });
  });

  it('posts interactive messages as given', async () => {
    const interactive = {
      type: 'button' as const,
      body: { text: 'Mogen we je gegevens bewaren?' },
      action: { buttons: [{ type: 'reply' as const, reply: { id: 'consent:yes', title: 'Ja' } }] },
    };
    expect((await graph.sendMessage(TO, { type: 'interactive', interactive })).ok).toBe(true);
    expect(fake.requests[0]!.body).toMatchObject({ to: TO, type: 'interactive', interactive });
  });

  it('sends a template with its language and the quick-reply payloads in button order', async () => {
    const result = await graph.sendTemplate(TO, {
      name: 'aftercare_question',
      language: 'nl',
      buttons: ['aftercare:good', 'aftercare:notGood'],
    });
    expect(result.ok).toBe(true);
    expect(fake.requests[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'template',
      template: {
        name: 'aftercare_question',
        language: { code: 'nl' },
        components: [
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'aftercare:good' }] },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '1',
            parameters: [{ type: 'payload', payload: 'aftercare:notGood' }],
          },
        ],
      },
    });
    await graph.sendTemplate(TO, { name: 'reminder', language: 'en' });
    expect(fake.requests[1]!.body!['template']).toEqual({ name: 'reminder', language: { code: 'en' } });
  });

  it('marks a message read', async () => {
    expect(await graph.markRead('wamid.THEIRS')).toEqual({ ok: true, value: undefined });
    expect(fake.requests[0]!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.THEIRS' });
    expect(fake.reads).toContain('wamid.THEIRS');
  });

  it('returns a Graph error with its code, subcode, message, details and Retry-After', async () => {
    fake.failNext({ ...graphErrors.windowClosed(), subcode: 2494010, retryAfterSeconds: 7 });
    const result = await graph.sendMessage(TO, { type: 'text', text: { body: 'te laat', preview_url: false } });
    expect(result).toEqual({
      ok: false,
      error: {
        httpStatus: 400,
        code: 131047,
        subcode: 2494010,
        message: 'Re-engagement message',
        details: expect.stringContaining('24 hours'),
        retryAfterMs: 7000,
      },
    });
  });

  it('says 401 with code 190 when the token is wrong', async () => {
    const wrong = createGraphApi({
      token: 'EAAwrong',
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      apiRoot: fake.url,
      apiVersion: TEST_API_VERSION,
    });
    const result = await wrong.sendMessage(TO, { type: 'text', text: { body: 'x', preview_url: false } });
    expect(result).toMatchObject({ ok: false, error: { httpStatus: 401, code: 190 } });
  });

  it('turns a dropped connection and a timeout into errors without an HTTP status, never a throw', async () => {
    fake.dropNext();
    const dropped = await graph.sendMessage(TO, { type: 'text', text: { body: 'x', preview_url: false } });
    expect(dropped).toMatchObject({ ok: false, error: { httpStatus: 0, code: null } });
    fake.hangNext(1000);
    const started = Date.now();
    const late = await graph.sendMessage(TO, { type: 'text', text: { body: 'x', preview_url: false } });
    expect(late).toMatchObject({ ok: false, error: { httpStatus: 0, timedOut: true } });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('fetching a file a resident sent', () => {
  const bytes = new Uint8Array(Array.from({ length: 3000 }, (_, i) => i % 251));

  it('reads the metadata, then the bytes from its url with the bearer token', async () => {
    fake.addMedia('media-voice-1', { bytes, mimeType: 'audio/ogg; codecs=opus' });
    const download = await graph.downloadMedia('media-voice-1', 10_000);
    expect(download).toEqual({ status: 'ok', bytes, mimeType: 'audio/ogg; codecs=opus' });
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: `/${TEST_API_VERSION}/media-voice-1`,
      query: { phone_number_id: TEST_PHONE_NUMBER_ID },
      authorization: `Bearer ${TEST_GRAPH_TOKEN}`,
    });
    expect(fake.mediaDownloads()).toEqual([expect.objectContaining({ authorization: `Bearer ${TEST_GRAPH_TOKEN}` })]);
  });

  it('refuses a file whose declared size is over the cap without downloading it', async () => {
    fake.addMedia('media-big', { bytes, mimeType: 'video/mp4' });
    expect(await graph.downloadMedia('media-big', 2000)).toEqual({ status: 'tooLarge' });
    expect(fake.mediaDownloads()).toEqual([]);
  });

  it('stops reading once past the cap when the metadata says less, or nothing', async () => {
    // By the Content-Length of the download …
    fake.addMedia('media-lying', { bytes, mimeType: 'audio/ogg', declaredSize: 100 });
    expect(await graph.downloadMedia('media-lying', 2000)).toEqual({ status: 'tooLarge' });
    // … or, without one, while reading.
    fake.addMedia('media-streamed', { bytes, mimeType: 'audio/ogg', declaredSize: 100, chunked: true });
    expect(await graph.downloadMedia('media-streamed', 2000)).toEqual({ status: 'tooLarge' });
    fake.addMedia('media-unsized', { bytes, mimeType: 'audio/ogg', noSize: true, chunked: true });
    expect(await graph.downloadMedia('media-unsized', 2000)).toEqual({ status: 'tooLarge' });
    expect(await graph.downloadMedia('media-unsized', 3000)).toEqual({ status: 'ok', bytes, mimeType: 'audio/ogg' });
  });

  it('reports a Graph error for unknown media, and never sends the token to a plain-http host elsewhere', async () => {
    expect(await graph.downloadMedia('no-such-media', 2000)).toMatchObject({ status: 'failed', error: { httpStatus: 404 } });
    const elsewhere = createGraphApi({
      token: TEST_GRAPH_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      // The metadata's url points at the fake's own 127.0.0.1 origin; seen from "localhost" it is another host.
      apiRoot: fake.url.replace('127.0.0.1', 'localhost'),
      apiVersion: TEST_API_VERSION,
    });
    fake.addMedia('media-elsewhere', { bytes, mimeType: 'image/jpeg' });
    fake.requests.length = 0;
    expect(await elsewhere.downloadMedia('media-elsewhere', 10_000)).toMatchObject({ status: 'failed' });
    expect(fake.mediaDownloads()).toEqual([]);
  });

  it('times out a download that does not come', async () => {
    fake.addMedia('media-slow', { bytes, mimeType: 'audio/ogg' });
    fake.hangNext(1000, 'media');
    expect(await graph.downloadMedia('media-slow', 10_000)).toMatchObject({ status: 'failed', error: { timedOut: true } });
  });
});

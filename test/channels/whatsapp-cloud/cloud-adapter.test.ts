import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloudAdapter, type CloudAdapterOptions } from '../../../src/channels/whatsapp-cloud/cloud-adapter.js';
import { createGraphApi } from '../../../src/channels/whatsapp-cloud/graph-api.js';
import type { OutboundMessage } from '../../../src/engine/types.js';
import { texts } from '../../helpers/engine-driver.js';
import {
  FakeGraphApi,
  graphErrors,
  TEST_API_VERSION,
  TEST_GRAPH_TOKEN,
  TEST_PHONE_NUMBER_ID,
} from '../../helpers/fake-graph-api.js';
import { RESIDENT_JID, RESIDENT_WA_ID } from './cloud-payloads.js';

/** The Cloud API adapter on the fake Graph API: rendering, ids, the 24-hour window, templates, the token. */

let fake: FakeGraphApi;
const recipient = { residentId: 'r-cloud', externalUserId: RESIDENT_JID };
const meta = { messageId: 1 };

beforeAll(async () => {
  fake = await FakeGraphApi.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.sent.length = 0;
});

function adapter(options: Partial<CloudAdapterOptions> = {}): CloudAdapter {
  return new CloudAdapter({
    graph: createGraphApi({
      token: TEST_GRAPH_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      apiRoot: fake.url,
      apiVersion: TEST_API_VERSION,
    }),
    texts,
    listButtonLabel: (locale) => (locale === 'ar' ? 'اختر' : 'Kies'),
    ...options,
  });
}

const aftercare: OutboundMessage = {
  text: 'Hoe gaat het nu met je?',
  choices: [
    { id: 'aftercare:good', label: 'Goed', number: 1 },
    { id: 'aftercare:notGood', label: 'Niet zo goed', number: 2 },
    { id: 'aftercare:talk', label: 'Ik wil praten', number: 3 },
  ],
  locale: 'nl',
  dir: 'ltr',
  template: 'aftercare_question',
};
const templates = { aftercare_question: { nl: { name: 'tussenin_aftercare', language: 'nl' } } };
const text = (body: string, locale = 'nl'): OutboundMessage => ({ text: body, locale, dir: locale === 'ar' ? 'rtl' : 'ltr' });

describe('the WhatsApp Cloud adapter', () => {
  it('sends to the wa_id of the resident’s JID and names the message by its wamid', async () => {
    const result = await adapter().send(recipient, text('Hallo Samira'), meta);
    expect(result).toEqual({ ok: true, channelMessageId: fake.sent[0]!.wamid });
    expect(fake.sent[0]).toMatchObject({ to: RESIDENT_WA_ID, type: 'text' });
  });

  it('names a split message by its wamids comma-joined, in order', async () => {
    const result = await adapter().send(recipient, text('woord '.repeat(1000).trim()), meta);
    expect(fake.sent).toHaveLength(2);
    expect(result).toEqual({ ok: true, channelMessageId: fake.sent.map((m) => m.wamid).join(',') });
  });

  it('opens a list with the label of the message’s language', async () => {
    const choices = ['a', 'b', 'c', 'd'].map((label, i) => ({ id: `q:${label}`, label, number: i + 1 }));
    await adapter().send(recipient, { ...text('؟', 'ar'), choices }, meta);
    expect(fake.sent[0]!.body['interactive']).toMatchObject({ type: 'list', action: { button: 'اختر' } });
  });

  it('calls a resident known only by a LID unreachable: the Cloud API has no number to write to', async () => {
    const result = await adapter().send({ residentId: 'r-lid', externalUserId: '98765432101234@lid' }, text('Hallo'), meta);
    expect(result).toMatchObject({ ok: false, retry: false, unreachable: true });
    expect(fake.requests).toEqual([]);
  });

  it('is always ready, and has no deleteMessage (the Cloud API cannot take a message off the phone)', () => {
    const cloud = adapter();
    expect(cloud.isReady()).toBe(true);
    expect((cloud as { deleteMessage?: unknown }).deleteMessage).toBeUndefined();
    expect(cloud.channel).toBe('whatsapp');
  });
});

describe('the 24-hour customer service window', () => {
  it('gives up at once, as window-closed, when the resident last wrote more than 24 hours ago', async () => {
    const windowOpen = vi.fn(async () => false);
    const result = await adapter({ windowOpen }).send(recipient, text('Een late reactie'), meta);
    expect(result).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(/^window-closed: /) });
    expect(windowOpen).toHaveBeenCalledWith(recipient);
    expect(fake.requests).toEqual([]);
  });

  it('sends the template of a marked message instead, with the choices as its quick-reply payloads', async () => {
    const result = await adapter({ windowOpen: async () => false, templates }).send(recipient, aftercare, meta);
    expect(result).toEqual({ ok: true, channelMessageId: fake.sent[0]!.wamid });
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.body['template']).toMatchObject({
      name: 'tussenin_aftercare',
      language: { code: 'nl' },
      components: aftercare.choices!.map((c, index) => ({
        type: 'button',
        sub_type: 'quick_reply',
        index: String(index),
        parameters: [{ type: 'payload', payload: c.id }],
      })),
    });
  });

  it('sends a marked message as it is while the window is open', async () => {
    await adapter({ windowOpen: async () => true, templates }).send(recipient, aftercare, meta);
    expect(fake.sent.map((m) => m.type)).toEqual(['interactive']);
  });

  it('falls back to the template when Graph itself refuses with 131047, and gives up without one', async () => {
    fake.failNext(graphErrors.windowClosed());
    const templated = await adapter({ templates }).send(recipient, aftercare, meta);
    expect(templated).toMatchObject({ ok: true });
    expect(fake.sent.map((m) => m.type)).toEqual(['template']);
    fake.failNext(graphErrors.windowClosed());
    const plain = await adapter({ templates }).send(recipient, text('Nog een bericht'), meta);
    expect(plain).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(/^window-closed: .*131047/) });
  });

  it('has no template for a locale without one, or for a marker it does not know', async () => {
    const result = await adapter({ windowOpen: async () => false, templates }).send(
      recipient,
      { ...aftercare, locale: 'tr' },
      meta,
    );
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^window-closed/) });
  });

  it('sends anyway when it cannot read when the resident last wrote', async () => {
    const result = await adapter({
      windowOpen: async () => {
        throw new Error('database away');
      },
    }).send(recipient, text('Hallo'), meta);
    expect(result).toMatchObject({ ok: true });
  });
});

describe('an access token that stopped working', () => {
  it('gives up and reports it once, until a send succeeds again', async () => {
    const onTokenExpired = vi.fn();
    const cloud = adapter({ onTokenExpired });
    fake.failNext(graphErrors.tokenExpired(), 2);
    expect(await cloud.send(recipient, text('een'), meta)).toMatchObject({ ok: false, retry: false });
    expect(await cloud.send(recipient, text('twee'), meta)).toMatchObject({ ok: false, retry: false });
    expect(onTokenExpired).toHaveBeenCalledTimes(1);
    expect(cloud.tokenInvalidSince()).toBeInstanceOf(Date);
    expect(await cloud.send(recipient, text('drie'), meta)).toMatchObject({ ok: true });
    expect(cloud.tokenInvalidSince()).toBeNull();
    fake.failNext(graphErrors.tokenExpired());
    await cloud.send(recipient, text('vier'), meta);
    expect(onTokenExpired).toHaveBeenCalledTimes(2);
  });
});

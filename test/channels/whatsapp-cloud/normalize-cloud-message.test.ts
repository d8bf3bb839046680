import { describe, expect, it } from 'vitest';
import { normalizeCloudMessage, waIdOfJid } from '../../../src/channels/whatsapp-cloud/normalize-cloud-message.js';
import { readWebhook } from '../../../src/channels/whatsapp-cloud/webhook-payload.js';
import { TEST_PHONE_NUMBER_ID } from '../../helpers/fake-graph-api.js';
import {
  changeValue,
  messageItem,
  messagesBody,
  RESIDENT_JID,
  RESIDENT_WA_ID,
  statusItem,
  textItem,
  webhookBody,
  type MessageItem,
} from './cloud-payloads.js';

/** Reading Cloud API webhooks: the body, then each message as our InboundMessage. */

function normalizeOne(item: MessageItem) {
  const content = readWebhook(messagesBody(item), TEST_PHONE_NUMBER_ID);
  if (!content.ok) throw new Error(content.reason);
  expect(content.messages).toHaveLength(1);
  return normalizeCloudMessage(content.messages[0]!);
}

describe('reading a WhatsApp Cloud message', () => {
  it('reads a text, keyed like a WhatsApp Web phone-number chat, with the profile name, the country’s language and the number', () => {
    const item = textItem('Hallo, ik heb een vraag over mijn huur');
    expect(normalizeOne(item)).toEqual({
      kind: 'inbound',
      wamid: item.id,
      inbound: {
        channel: 'whatsapp',
        externalUserId: RESIDENT_JID,
        externalMessageId: `${RESIDENT_JID}:${item.id}`,
        localeHint: 'nl',
        displayName: 'Samira',
        knownPhone: `+${RESIDENT_WA_ID}`,
        text: 'Hallo, ik heb een vraag over mijn huur',
      },
    });
    expect(waIdOfJid(RESIDENT_JID)).toBe(RESIDENT_WA_ID);
    expect(waIdOfJid('98765432101234@lid')).toBeUndefined();
  });

  it('gives the language of other country codes, and none for a code we have no language for', () => {
    expect(normalizeOne(textItem('مرحبا', { from: '212612345678' }))).toMatchObject({ inbound: { localeHint: 'ar' } });
    expect(normalizeOne(textItem('Merhaba', { from: '905321234567' }))).toMatchObject({ inbound: { localeHint: 'tr' } });
    expect(normalizeOne(textItem('Cześć', { from: '48601234567' }))).toMatchObject({ inbound: { localeHint: undefined } });
  });

  it('reads a pressed reply button and a picked list row as the choice id we sent', () => {
    const button = messageItem('interactive', {
      type: 'button_reply',
      button_reply: { id: 'topic:money', title: 'Geld en schulden' },
    });
    const pressed = normalizeOne({ ...button, context: { from: '31201234567', id: 'wamid.OURS' } });
    expect(pressed).toMatchObject({ kind: 'inbound', inbound: { choice: 'topic:money' } });
    expect(pressed.kind === 'inbound' && pressed.inbound.text).toBeUndefined();
    const row = messageItem('interactive', {
      type: 'list_reply',
      list_reply: { id: 'lang:ar', title: 'العربية', description: 'Arabisch' },
    });
    expect(normalizeOne(row)).toMatchObject({ inbound: { choice: 'lang:ar' } });
  });

  it('reads a template’s quick reply by its payload, and its text when it has none', () => {
    expect(normalizeOne(messageItem('button', { payload: 'aftercare:good', text: 'Goed' }))).toMatchObject({
      inbound: { choice: 'aftercare:good' },
    });
    const typed = normalizeOne(messageItem('button', { text: 'Goed' }));
    expect(typed).toMatchObject({ inbound: { text: 'Goed' } });
    expect(typed.kind === 'inbound' && typed.inbound.choice).toBeUndefined();
  });

  it('hands voice notes, audio, images, videos and documents over as a media id to fetch, with captions as text', () => {
    const voice = normalizeOne(
      messageItem('audio', { mime_type: 'audio/ogg; codecs=opus', sha256: 'abc=', id: '1029384756', voice: true }),
    );
    expect(voice).toMatchObject({
      kind: 'inbound',
      media: { mediaId: '1029384756', kind: 'voice', contentType: 'audio/ogg; codecs=opus' },
    });
    expect(voice.kind === 'inbound' && voice.inbound.media).toBeUndefined();
    expect(normalizeOne(messageItem('audio', { mime_type: 'audio/mpeg', sha256: 'abc=', id: '11' }))).toMatchObject({
      media: { mediaId: '11', kind: 'audio', contentType: 'audio/mpeg' },
    });
    expect(
      normalizeOne(messageItem('image', { caption: 'de brief', mime_type: 'image/jpeg', sha256: 'abc=', id: '12' })),
    ).toMatchObject({ inbound: { text: 'de brief' }, media: { mediaId: '12', kind: 'image', contentType: 'image/jpeg' } });
    expect(normalizeOne(messageItem('video', { mime_type: 'video/mp4', sha256: 'abc=', id: '13' }))).toMatchObject({
      inbound: { text: undefined },
      media: { mediaId: '13', kind: 'video' },
    });
    expect(
      normalizeOne(
        messageItem('document', {
          caption: 'aanmaning',
          filename: 'aanmaning.pdf',
          mime_type: 'application/pdf',
          sha256: 'abc=',
          id: '14',
        }),
      ),
    ).toMatchObject({
      inbound: { text: 'aanmaning' },
      media: { mediaId: '14', kind: 'document', contentType: 'application/pdf' },
    });
    // No mime type given: the same defaults as the WhatsApp Web channel.
    expect(normalizeOne(messageItem('audio', { id: '15' }))).toMatchObject({
      media: { kind: 'audio', contentType: 'audio/ogg' },
    });
  });

  it('answers a sticker with the “cannot read this” notice, as the WhatsApp Web channel does, without fetching it', () => {
    const sticker = normalizeOne(messageItem('sticker', { mime_type: 'image/webp', sha256: 'abc=', id: '16', animated: false }));
    expect(sticker).toMatchObject({ kind: 'inbound', inbound: { notice: 'unsupported', summary: 'sticker' } });
    expect(sticker).not.toHaveProperty('media');
  });

  it('keeps a location as geo:lat,lon with its name and address, and shared contacts as names and numbers', () => {
    expect(
      normalizeOne(
        messageItem('location', { latitude: 52.3702, longitude: 4.8952, name: 'Wijkcentrum', address: 'Dam 1, Amsterdam' }),
      ),
    ).toMatchObject({
      inbound: { media: { kind: 'location', mediaId: null }, summary: 'geo:52.3702,4.8952\nWijkcentrum, Dam 1, Amsterdam' },
    });
    expect(normalizeOne(messageItem('location', { latitude: 51.9, longitude: 4.5 }))).toMatchObject({
      inbound: { summary: 'geo:51.9,4.5' },
    });
    const contacts = messageItem('contacts', {});
    contacts['contacts'] = [
      {
        name: { formatted_name: 'Buurvrouw Fatima', first_name: 'Fatima' },
        phones: [{ phone: '+31 6 11122233', wa_id: '31611122233', type: 'CELL' }],
      },
      { name: { formatted_name: 'Huisarts' }, phones: [{ phone: '+31 20 5550000', type: 'WORK' }] },
    ];
    expect(normalizeOne(contacts)).toMatchObject({
      inbound: { media: { kind: 'contact', mediaId: null }, summary: 'Buurvrouw Fatima +31 6 11122233\nHuisarts +31 20 5550000' },
    });
  });

  it('ignores a reaction', () => {
    expect(normalizeOne(messageItem('reaction', { message_id: 'wamid.OURS', emoji: '👍' }))).toEqual({
      kind: 'ignore',
      reason: 'reaction',
    });
  });

  it('answers anything else it cannot read with the “unsupported” notice: unsupported, order, system, a new interactive kind', () => {
    const unsupported = messageItem('unsupported', {});
    unsupported['errors'] = [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }];
    const order = messageItem('order', { catalog_id: '1', product_items: [] });
    const system = messageItem('system', { body: 'User changed number', type: 'user_changed_number' });
    const flow = messageItem('interactive', { type: 'nfm_reply', nfm_reply: { response_json: '{}' } });
    // A known type whose content is broken (an image without an id): still answered, never dropped.
    const broken = messageItem('image', { mime_type: 'image/jpeg' });
    for (const item of [unsupported, order, system, flow, broken]) {
      expect(normalizeOne(item)).toMatchObject({
        kind: 'inbound',
        wamid: item.id,
        inbound: { externalMessageId: `${RESIDENT_JID}:${item.id}`, notice: 'unsupported' },
      });
    }
  });
});

describe('reading a Cloud API webhook body', () => {
  it('collects every message and status of every entry and change, in order, and skips other phone numbers and fields', () => {
    const first = textItem('een');
    const second = textItem('twee', { from: '212612345678' });
    const third = textItem('drie');
    const elsewhere = textItem('voor een ander nummer');
    const body = webhookBody(
      changeValue({ messages: [first, second] }),
      changeValue({ messages: [third], statuses: [statusItem('wamid.OURS', 'delivered')] }),
      changeValue({ messages: [elsewhere], phoneNumberId: '999999999999' }),
    );
    (body['entry'] as any[]).push({
      id: '1',
      changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }],
    });
    const content = readWebhook(body, TEST_PHONE_NUMBER_ID);
    expect(content).toMatchObject({ ok: true, skipped: 1 });
    if (!content.ok) return;
    expect(content.messages.map((m) => m.message.id)).toEqual([first.id, second.id, third.id]);
    expect(content.messages.map((m) => m.profileName)).toEqual(['Samira', 'Youssef', 'Samira']);
    expect(content.statuses).toEqual([expect.objectContaining({ id: 'wamid.OURS', status: 'delivered' })]);
  });

  it('refuses a body that is not a WhatsApp Business Account webhook', () => {
    expect(readWebhook({ object: 'page', entry: [] }, TEST_PHONE_NUMBER_ID)).toMatchObject({ ok: false });
    expect(readWebhook('hello', TEST_PHONE_NUMBER_ID)).toMatchObject({ ok: false });
    expect(readWebhook({ object: 'whatsapp_business_account' }, TEST_PHONE_NUMBER_ID)).toMatchObject({ ok: false });
  });

  it('skips an item without a sender or id, and keeps the others', () => {
    const good = textItem('hallo');
    const body = messagesBody(good, { type: 'text', text: { body: 'no sender' } } as unknown as MessageItem);
    const content = readWebhook(body, TEST_PHONE_NUMBER_ID);
    expect(content).toMatchObject({ ok: true, skipped: 1 });
    if (content.ok) expect(content.messages.map((m) => m.message.id)).toEqual([good.id]);
  });
});

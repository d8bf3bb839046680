import type { WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { CALLING_CODE_LOCALES, localeForPhone } from '../../src/channels/whatsapp/country-locale.js';
import { deliveryStatusOf } from '../../src/channels/whatsapp/delivery-status.js';
import { normalizeMessage } from '../../src/channels/whatsapp/normalize-message.js';
import { renderForWhatsApp } from '../../src/channels/whatsapp/render-whatsapp.js';
import { SendPacer } from '../../src/channels/whatsapp/send-pacer.js';
import { statusCodeOf } from '../../src/channels/whatsapp/whatsapp-connection.js';
import { whatsappFailure as sendFailure } from '../../src/retry/classify.js';
import { texts } from '../helpers/engine-driver.js';
import { boom } from '../helpers/fake-whatsapp.js';

/** The pure parts of the WhatsApp channel: reading Baileys messages, the language table, rendering, pacing. */

const PN = '31612345678@s.whatsapp.net';
const from = (message: WAMessage['message'], key: Partial<WAMessage['key']> = {}): WAMessage => ({
  key: { remoteJid: PN, fromMe: false, id: 'ABC123', ...key },
  message,
  pushName: 'Samira',
});

describe('reading a WhatsApp message', () => {
  it('reads a plain text, keyed by the phone number and the message id, with the language of the country code and the number to call', () => {
    expect(normalizeMessage(from({ conversation: 'Hallo' }))).toEqual({
      kind: 'inbound',
      jid: PN,
      inbound: {
        channel: 'whatsapp',
        externalUserId: PN,
        externalMessageId: `${PN}:ABC123`,
        localeHint: 'nl',
        displayName: 'Samira',
        knownPhone: `+${PN.split('@')[0]}`,
        text: 'Hallo',
      },
    });
  });

  it('knows one person by the phone number whether WhatsApp addresses the chat by LID or by number (v7)', () => {
    const byLid = normalizeMessage(from({ conversation: 'hi' }, { remoteJid: '98765432101234@lid', remoteJidAlt: PN }));
    const byPn = normalizeMessage(from({ conversation: 'hi' }, { remoteJid: PN, remoteJidAlt: '98765432101234@lid' }));
    const withDevice = normalizeMessage(from({ conversation: 'hi' }, { remoteJid: '31612345678:3@s.whatsapp.net' }));
    const olderShape = normalizeMessage(from({ conversation: 'hi' }, { remoteJid: '98765432101234@lid', senderPn: PN } as never));
    for (const result of [byLid, byPn, withDevice, olderShape]) {
      expect(result).toMatchObject({ kind: 'inbound', jid: PN, inbound: { externalUserId: PN, localeHint: 'nl' } });
    }
    // Only a LID: kept by the LID, no language hint.
    expect(normalizeMessage(from({ conversation: 'hi' }, { remoteJid: '98765432101234@lid' }))).toMatchObject({
      inbound: { externalUserId: '98765432101234@lid', localeHint: undefined },
    });
  });

  it('reads an extended text and a quoted reply by their own words', () => {
    expect(normalizeMessage(from({ extendedTextMessage: { text: 'zie https://x.nl' } }))).toMatchObject({
      inbound: { text: 'zie https://x.nl' },
    });
    const reply = from({
      extendedTextMessage: { text: '2', contextInfo: { stanzaId: 'OUT1', quotedMessage: { conversation: 'Hoe dringend?' } } },
    });
    expect(normalizeMessage(reply)).toMatchObject({ inbound: { text: '2' } });
  });

  it('unwraps disappearing and view-once messages', () => {
    expect(normalizeMessage(from({ ephemeralMessage: { message: { conversation: 'weg' } } }))).toMatchObject({
      inbound: { text: 'weg' },
    });
  });

  it.each([
    [
      { audioMessage: { ptt: true, mimetype: 'audio/ogg; codecs=opus', fileLength: 4000 } },
      'voice',
      'audio/ogg; codecs=opus',
      4000,
    ],
    [{ audioMessage: { ptt: false, mimetype: 'audio/mpeg', fileLength: 9000 } }, 'audio', 'audio/mpeg', 9000],
    [{ imageMessage: { mimetype: 'image/jpeg', caption: 'brief', fileLength: 10 } }, 'image', 'image/jpeg', 10],
    [{ documentMessage: { mimetype: 'application/pdf', fileLength: '12' } }, 'document', 'application/pdf', 12],
    [{ videoMessage: {} }, 'video', 'video/mp4', undefined],
  ] as const)('announces a file to download: %j', (message, kind, contentType, declaredBytes) => {
    const result = normalizeMessage(from(message as WAMessage['message']));
    expect(result).toMatchObject({ kind: 'inbound', media: { kind, contentType, declaredBytes } });
  });

  it('keeps a caption as the text of an image', () => {
    expect(normalizeMessage(from({ imageMessage: { caption: 'de brief' } }))).toMatchObject({ inbound: { text: 'de brief' } });
  });

  it('keeps a location and a contact as a summary', () => {
    expect(normalizeMessage(from({ locationMessage: { degreesLatitude: 52.1, degreesLongitude: 5.1 } }))).toMatchObject({
      inbound: { media: { kind: 'location', mediaId: null }, summary: 'geo:52.1,5.1' },
    });
    expect(normalizeMessage(from({ contactMessage: { displayName: 'Buurvrouw' } }))).toMatchObject({
      inbound: { media: { kind: 'contact', mediaId: null }, summary: 'Buurvrouw' },
    });
  });

  it('answers a sticker and an edit kindly instead of ignoring them', () => {
    expect(normalizeMessage(from({ stickerMessage: {} }))).toMatchObject({
      inbound: { notice: 'unsupported', summary: 'sticker' },
    });
    const edit = from({ protocolMessage: { type: 14, editedMessage: { conversation: 'nieuwe tekst' } } });
    expect(normalizeMessage(edit)).toMatchObject({ inbound: { notice: 'edited', summary: 'nieuwe tekst' } });
  });

  it.each([
    ['a status update', from({ conversation: 'x' }, { remoteJid: 'status@broadcast', participant: PN }), 'status'],
    ['a group', from({ conversation: 'x' }, { remoteJid: '120363025246125486@g.us', participant: PN }), 'group'],
    ['a broadcast list', from({ conversation: 'x' }, { remoteJid: '1234@broadcast' }), 'broadcast'],
    ['a channel', from({ conversation: 'x' }, { remoteJid: '1203630@newsletter' }), 'newsletter'],
    ['our own message', from({ conversation: 'x' }, { fromMe: true }), 'fromMe'],
    ['a protocol message', from({ protocolMessage: { type: 0 } }), 'protocol'],
    ['a reaction', from({ reactionMessage: { text: '👍' } }), 'protocol'],
    ['a message that could not be decrypted', from(undefined), 'empty'],
  ])('ignores %s', (_what, message, reason) => {
    expect(normalizeMessage(message)).toEqual({ kind: 'ignore', reason });
  });
});

describe('the language of a phone number', () => {
  it.each([
    ['31612345678', 'nl'],
    ['+32 470 12 34 56', 'nl'],
    ['212612345678', 'ar'],
    ['213551234567', 'ar'],
    ['216201234567', 'ar'],
    ['201001234567', 'ar'],
    ['966501234567', 'ar'],
    ['971501234567', 'ar'],
    ['905321234567', 'tr'],
    ['447911123456', 'en'],
    ['14155552671', 'en'],
    ['0048601234567', undefined], // Poland: no Polish intake yet, so no hint
    ['4915112345678', undefined],
    ['123', undefined],
    [undefined, undefined],
  ])('%s → %s', (phone, locale) => {
    expect(localeForPhone(phone)).toBe(locale);
  });

  it('names only languages the intake speaks, and no calling code is the start of another', () => {
    const codes = Object.keys(CALLING_CODE_LOCALES);
    for (const locale of Object.values(CALLING_CODE_LOCALES)) expect(texts.locales).toContain(locale);
    for (const a of codes) for (const b of codes) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).toBe(false);
  });
});

describe('a reply as WhatsApp text', () => {
  it('lists the options by number and names the command words to type, in the resident’s language', () => {
    const text = renderForWhatsApp(
      {
        text: 'Waar gaat het over?',
        locale: 'nl',
        choices: [
          { id: 'domains:school', label: 'School', number: 1 },
          { id: 'domains:money', label: 'Geld', number: 2 },
          { id: 'cmd:continue', label: 'Verder' },
          { id: 'cmd:skip', label: 'Overslaan' },
        ],
      },
      texts,
    );
    expect(text).toBe('Waar gaat het over?\n\n1. School\n2. Geld\n\nOf typ *Verder*, *Overslaan*');
    expect(renderForWhatsApp({ text: 'Klaar.', locale: 'nl' }, texts)).toBe('Klaar.');
    expect(
      renderForWhatsApp({ text: 'هل تريد المتابعة؟', locale: 'ar', choices: [{ id: 'cmd:continue', label: 'متابعة' }] }, texts),
    ).toBe('هل تريد المتابعة؟\n\nاكتب *متابعة*');
  });
});

describe('pacing', () => {
  it('spaces messages per chat and overall, with jitter, and queues concurrent sends', async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new SendPacer({
      perChatPerMinute: 20, // one per 3 s per chat
      globalPerMinute: 60, // one per second overall
      jitterMs: 1000,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });
    await Promise.all([pacer.wait('a'), pacer.wait('a'), pacer.wait('b')]);
    // a at 500 (jitter); a again 3 s later plus jitter; b one global gap after the first a, not held up by the second.
    expect(waits).toEqual([500, 4000, 1500]);
    now = 100_000;
    waits.length = 0;
    await pacer.wait('c');
    expect(waits).toEqual([500]);
  });

  it('lets a short turn to one chat go together (a global gap apart), then keeps to the chat’s rate', async () => {
    const waits: number[] = [];
    const pacer = new SendPacer({
      perChatPerMinute: 20, // one per 3 s per chat
      perChatBurst: 2,
      globalPerMinute: 60, // one per second overall
      jitterMs: 0,
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all([pacer.wait('a'), pacer.wait('a'), pacer.wait('a')]);
    expect(waits).toEqual([1000, 3000]); // the first at once, the second a global gap later, the third on the chat's rate
  });

  it('keeps a burst to many chats at the global rate', async () => {
    const waits: number[] = [];
    const pacer = new SendPacer({
      perChatPerMinute: 20,
      globalPerMinute: 30, // one per 2 s
      jitterMs: 0,
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all(['a', 'b', 'c', 'd'].map((chat) => pacer.wait(chat)));
    expect(waits).toEqual([2000, 4000, 6000]); // the first goes at once
  });
});

describe('send errors and close codes', () => {
  it('retries a closed connection or a timeout, gives up on a refused request, waits when logged out', () => {
    expect(sendFailure(boom(428, 'Connection Closed'))).toMatchObject({ ok: false, retry: true });
    expect(sendFailure(boom(408, 'Timed Out'))).toMatchObject({ ok: false, retry: true });
    expect(sendFailure(new Error('socket hang up'))).toMatchObject({ ok: false, retry: true });
    expect(sendFailure(boom(400, 'bad-request'))).toMatchObject({ ok: false, retry: false });
    expect(sendFailure(boom(401, 'logged out'))).toMatchObject({ ok: false, retry: true, retryAfterMs: 30_000 });
    expect(statusCodeOf(boom(515))).toBe(515);
    expect(statusCodeOf(new Error('x'))).toBeNull();
    expect(statusCodeOf(undefined)).toBeNull();
  });

  it('names WhatsApp’s ticks', () => {
    expect([0, 1, 2, 3, 4, 5, null].map(deliveryStatusOf)).toEqual([
      'error',
      undefined,
      'server',
      'delivered',
      'read',
      'played',
      undefined,
    ]);
  });
});

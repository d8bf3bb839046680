import { GrammyError, HttpError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { normalizeUpdate } from '../../src/channels/telegram/normalize-update.js';
import { Pacer } from '../../src/channels/telegram/pacer.js';
import { renderForTelegram, splitText, TELEGRAM_TEXT_LIMIT } from '../../src/channels/telegram/render-telegram.js';
import { TelegramAdapter } from '../../src/channels/telegram/telegram-adapter.js';
import type { OutboundMessage } from '../../src/engine/types.js';
import { telegramFailure as sendFailure } from '../../src/retry/classify.js';

/** Pure parts of the Telegram channel: reading updates, rendering replies, pacing, and what a failed send means. */

const resident = { id: 42, is_bot: false as const, first_name: 'Fatima', language_code: 'ar' };
const privateChat = { id: 42, type: 'private' as const, first_name: 'Fatima' };
const group = { id: -1001, type: 'supergroup' as const, title: 'Buurt' };
const date = 1_700_000_000;

const messageUpdate = (fields: Record<string, unknown>, chat: object = privateChat): Update =>
  ({ update_id: 1, message: { message_id: 7, date, chat, from: resident, ...fields } }) as unknown as Update;

describe('normalizeUpdate', () => {
  it('reads a private text message with the sender’s language as a hint and a dedup key of chat and message id', () => {
    expect(normalizeUpdate(messageUpdate({ text: 'مرحبا' }))).toEqual({
      kind: 'inbound',
      chatId: 42,
      inbound: {
        channel: 'telegram',
        externalUserId: '42',
        externalMessageId: '42:7',
        text: 'مرحبا',
        localeHint: 'ar',
        displayName: 'Fatima',
      },
    });
  });

  it('reads a pressed button as a choice, keyed by the callback query id', () => {
    const update = {
      update_id: 2,
      callback_query: {
        id: 'q-1',
        from: resident,
        chat_instance: 'ci',
        data: 'consent:yes',
        message: { message_id: 9, date, chat: privateChat, text: 'Is dat goed?' },
      },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toMatchObject({
      kind: 'inbound',
      chatId: 42,
      callbackQueryId: 'q-1',
      inbound: { externalMessageId: 'cb:q-1', choice: 'consent:yes', localeHint: 'ar' },
    });
  });

  it('ignores a button press without data or without its message, but still lets it be answered', () => {
    const update = {
      update_id: 3,
      callback_query: { id: 'q-2', from: resident, chat_instance: 'ci', data: 'x' },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toEqual({ kind: 'ignore', callbackQueryId: 'q-2' });
  });

  it('marks group messages and group button presses as group, with the sender’s language', () => {
    expect(normalizeUpdate(messageUpdate({ text: 'hoi' }, group))).toEqual({ kind: 'group', chatId: -1001, localeHint: 'ar' });
    const press = {
      update_id: 4,
      callback_query: {
        id: 'q-3',
        from: resident,
        chat_instance: 'ci',
        data: 'a',
        message: { message_id: 1, date, chat: group },
      },
    } as unknown as Update;
    expect(normalizeUpdate(press)).toEqual({ kind: 'group', chatId: -1001, localeHint: 'ar', callbackQueryId: 'q-3' });
  });

  it('turns an edit into an "edited" notice keeping the new text for the trust person, keyed by the edit time', () => {
    const update = {
      update_id: 5,
      edited_message: { message_id: 7, date, edit_date: date + 60, chat: privateChat, from: resident, text: 'nieuw' },
    } as unknown as Update;
    expect(normalizeUpdate(update)).toMatchObject({
      kind: 'inbound',
      inbound: { externalMessageId: `42:7:edit:${date + 60}`, notice: 'edited', summary: 'nieuw' },
    });
  });

  it('does not answer the stream of edits a shared live location sends (they are not edits by the resident)', () => {
    // Telegram delivers every move of a live location as an edited_message with only `location` changed.
    const update = {
      update_id: 6,
      edited_message: {
        message_id: 8,
        date,
        edit_date: date + 5,
        chat: privateChat,
        from: resident,
        location: { latitude: 52.1, longitude: 5.1, live_period: 900 },
      },
    } as unknown as Update;
    expect(normalizeUpdate(update).kind).toBe('ignore');
  });

  it('turns a sticker into an "unsupported" notice, with its emoji kept', () => {
    const sticker = {
      file_id: 's',
      file_unique_id: 'us',
      type: 'regular',
      width: 1,
      height: 1,
      is_animated: false,
      is_video: false,
      emoji: '👍',
    };
    expect(normalizeUpdate(messageUpdate({ sticker }))).toMatchObject({
      kind: 'inbound',
      inbound: { notice: 'unsupported', summary: 'sticker 👍' },
    });
    expect(normalizeUpdate(messageUpdate({ sticker }))).not.toHaveProperty('file'); // nothing to download
  });

  it('names the file to fetch for a voice note, audio, photo (largest size), video note and document', () => {
    const voice = normalizeUpdate(
      messageUpdate({ voice: { file_id: 'v', file_unique_id: 'uv', duration: 2, mime_type: 'audio/ogg', file_size: 900 } }),
    );
    expect(voice).toMatchObject({ kind: 'inbound', file: { fileId: 'v', size: 900, contentType: 'audio/ogg', kind: 'voice' } });
    const audio = normalizeUpdate(
      messageUpdate({ audio: { file_id: 'a', file_unique_id: 'ua', duration: 2 }, caption: 'luister' }),
    );
    expect(audio).toMatchObject({
      file: { fileId: 'a', contentType: 'audio/mpeg', kind: 'audio' },
      inbound: { text: 'luister' },
    });
    const photo = normalizeUpdate(
      messageUpdate({
        photo: [
          { file_id: 'small', file_unique_id: 'p1', width: 90, height: 90, file_size: 1000 },
          { file_id: 'large', file_unique_id: 'p3', width: 1280, height: 1280, file_size: 90_000 },
          { file_id: 'medium', file_unique_id: 'p2', width: 320, height: 320, file_size: 9000 },
        ],
      }),
    );
    expect(photo).toMatchObject({ file: { fileId: 'large', size: 90_000, contentType: 'image/jpeg', kind: 'image' } });
    const note = normalizeUpdate(
      messageUpdate({ video_note: { file_id: 'vn', file_unique_id: 'uvn', length: 240, duration: 3 } }),
    );
    expect(note).toMatchObject({ file: { fileId: 'vn', contentType: 'video/mp4', kind: 'video' } });
    const doc = normalizeUpdate(
      messageUpdate({ document: { file_id: 'd', file_unique_id: 'ud', mime_type: 'application/pdf' } }),
    );
    expect(doc).toMatchObject({ file: { fileId: 'd', size: undefined, contentType: 'application/pdf', kind: 'document' } });
  });

  it('keeps a location and a shared contact as text for the trust person', () => {
    expect(normalizeUpdate(messageUpdate({ location: { latitude: 52.09, longitude: 5.12 } }))).toMatchObject({
      inbound: { media: { kind: 'location', mediaId: null }, summary: 'geo:52.09,5.12' },
    });
    expect(
      normalizeUpdate(messageUpdate({ contact: { phone_number: '+31612345678', first_name: 'Omar', last_name: 'B' } })),
    ).toMatchObject({
      inbound: { media: { kind: 'contact', mediaId: null }, summary: 'Omar B +31612345678' },
    });
  });

  it('ignores updates that are not messages, edits or button presses', () => {
    expect(normalizeUpdate({ update_id: 9 } as Update)).toEqual({ kind: 'ignore' });
    const channelEdit = {
      update_id: 10,
      edited_message: { message_id: 1, date, edit_date: date, chat: group, text: 'x' },
    } as unknown as Update;
    expect(normalizeUpdate(channelEdit)).toEqual({ kind: 'ignore' });
  });
});

const question = (text: string, choices: OutboundMessage['choices']): OutboundMessage => ({
  text,
  choices,
  locale: 'nl',
  dir: 'ltr',
});

/** Half of a surrogate pair: what a cut through an emoji leaves (Telegram rejects or shows garbage). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('renderForTelegram', () => {
  it('shows the options both as buttons and as a numbered list in the text', () => {
    const chunks = renderForTelegram(
      question('Is dat goed?', [
        { id: 'consent:yes', label: 'Ja', number: 1 },
        { id: 'consent:no', label: 'Nee', number: 2 },
        { id: 'cmd:skip', label: 'Overslaan' },
      ]),
    );
    expect(chunks).toEqual([
      {
        text: 'Is dat goed?\n\n1. Ja\n2. Nee',
        reply_markup: {
          inline_keyboard: [
            [{ text: '1. Ja', callback_data: 'consent:yes' }],
            [{ text: '2. Nee', callback_data: 'consent:no' }],
            [{ text: 'Overslaan', callback_data: 'cmd:skip' }],
          ],
        },
      },
    ]);
  });

  it('sends a plain message without a keyboard', () => {
    expect(renderForTelegram(question('Dank je wel.', undefined))).toEqual([{ text: 'Dank je wel.' }]);
  });

  it('leaves out a button whose payload Telegram would refuse (over 64 bytes)', () => {
    const [chunk] = renderForTelegram(
      question('Kies', [
        { id: 'ok:1', label: 'A', number: 1 },
        { id: `x:${'é'.repeat(40)}`, label: 'B', number: 2 },
      ]),
    );
    expect(chunk!.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['ok:1']);
  });

  it('splits a reply over 4,096 characters at paragraph breaks, every part within the limit, the keyboard on the last', () => {
    const paragraph = (i: number) => `Alinea ${i}: ${'woord '.repeat(120).trim()}.`;
    const text = Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n');
    expect(text.length).toBeGreaterThan(2 * TELEGRAM_TEXT_LIMIT);
    const chunks = renderForTelegram(question(text, [{ id: 'summary:confirm', label: 'Ja', number: 1 }]));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(chunk.text.length).toBeGreaterThan(0);
      expect(chunk.text).toMatch(/^Alinea \d+:/); // each part starts at a paragraph
      expect(chunk.text).toMatch(/\S$/); // and ends without dangling whitespace
    }
    expect(chunks.slice(0, -1).every((c) => c.reply_markup === undefined)).toBe(true);
    expect(chunks.at(-1)!.reply_markup!.inline_keyboard).toEqual([[{ text: '1. Ja', callback_data: 'summary:confirm' }]]);
    expect(chunks.at(-1)!.text.endsWith('\n\n1. Ja')).toBe(true);
    // Nothing lost: the parts are the text, only the breaks between them gone.
    expect(chunks.map((c) => c.text).join('\n\n')).toBe(`${text}\n\n1. Ja`);
  });

  it('keeps exactly 4,096 characters in one part', () => {
    expect(splitText('a'.repeat(TELEGRAM_TEXT_LIMIT), TELEGRAM_TEXT_LIMIT)).toHaveLength(1);
    expect(splitText('', TELEGRAM_TEXT_LIMIT)).toEqual(['']);
  });

  it('splits a text without breaks at a space, and a single enormous word hard', () => {
    const words = splitText('woord '.repeat(1000).trim(), TELEGRAM_TEXT_LIMIT);
    expect(words.every((p) => p.length <= TELEGRAM_TEXT_LIMIT && /^woord( woord)*$/.test(p))).toBe(true);
    const word = splitText('x'.repeat(9000), TELEGRAM_TEXT_LIMIT);
    expect(word.map((p) => p.length)).toEqual([4096, 4096, 808]);
  });

  it('never cuts an emoji (a surrogate pair) in half when it has to cut hard', () => {
    const parts = splitText(`a${'😀'.repeat(3000)}`, TELEGRAM_TEXT_LIMIT);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(LONE_SURROGATE.test(part), 'a part with half an emoji').toBe(false);
    }
  });
});

describe('Pacer', () => {
  /** A pacer on a fake clock: sleeping moves the clock on. */
  function pacedClock(perChatMs: number, perSecond: number, burst = 1) {
    let now = 0;
    const slept: number[] = [];
    const pacer = new Pacer({
      perChatIntervalMs: perChatMs,
      globalPerSecond: perSecond,
      burst,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    return { pacer, slept, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('lets a first message go at once and holds the next one to the same chat for a second', async () => {
    const { pacer, slept, now } = pacedClock(1000, 25);
    await pacer.wait('42');
    expect(now()).toBe(0);
    await pacer.wait('42');
    expect(slept).toEqual([1000]);
    await pacer.wait('42');
    expect(now()).toBe(2000);
  });

  it('lets another chat go after only the global gap', async () => {
    const { pacer, slept } = pacedClock(1000, 25);
    await pacer.wait('a');
    await pacer.wait('b');
    expect(slept).toEqual([40]); // 25 a second
  });

  it('lets a turn of up to three messages to one chat go at once, then one a second', async () => {
    const { pacer, slept, now } = pacedClock(1000, 1000, 3);
    for (let i = 0; i < 3; i++) await pacer.wait('42');
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThan(10); // only the global gaps of 1 ms
    await pacer.wait('42');
    expect(now()).toBeGreaterThanOrEqual(1000);
    await pacer.wait('42');
    expect(now()).toBeGreaterThanOrEqual(2000);
  });

  it('gives a chat its burst back after a quiet spell', async () => {
    const { pacer, slept, advance } = pacedClock(1000, 1000, 3);
    for (let i = 0; i < 3; i++) await pacer.wait('42');
    advance(3000);
    const before = slept.length;
    for (let i = 0; i < 3; i++) await pacer.wait('42');
    expect(slept.slice(before).every((ms) => ms <= 1)).toBe(true);
  });

  it('does not wait when the chat has been quiet long enough', async () => {
    const { pacer, slept, advance } = pacedClock(1000, 25);
    await pacer.wait('a');
    advance(1500);
    await pacer.wait('a');
    expect(slept).toEqual([]);
  });

  /** Runs sends under fake timers and returns when (ms after start) each one was let go, in call order. */
  async function releaseTimes(perChatMs: number, perSecond: number, chats: string[], burst = 1): Promise<number[]> {
    vi.useFakeTimers({ now: 0 });
    try {
      const pacer = new Pacer({ perChatIntervalMs: perChatMs, globalPerSecond: perSecond, burst });
      const times: number[] = [];
      const all = Promise.all(chats.map((chat, i) => pacer.wait(chat).then(() => void (times[i] = Date.now()))));
      await vi.runAllTimersAsync();
      await all;
      return times;
    } finally {
      vi.useRealTimers();
    }
  }

  it('queues concurrent sends to one chat behind each other, a second apart', async () => {
    expect(await releaseTimes(1000, 25, ['a', 'a', 'a'])).toEqual([0, 1000, 2000]);
  });

  it('lets concurrent sends of one turn go together, and queues the rest a second apart', async () => {
    expect(await releaseTimes(1000, 1000, ['a', 'a', 'a', 'a', 'a'], 3)).toEqual([0, 1, 2, 1000, 2000]);
  });

  it('does not hold other chats back while one chat waits for its gap', async () => {
    expect(await releaseTimes(1000, 1000, ['a', 'a', 'b', 'c'])).toEqual([0, 1000, 1, 2]);
  });

  it('spreads sends to many chats over the global rate', async () => {
    expect(await releaseTimes(1000, 10, ['a', 'b', 'c'])).toEqual([0, 100, 200]);
  });
});

const apiError = (error_code: number, description: string, parameters = {}) =>
  new GrammyError(
    `Call to 'sendMessage' failed! (${error_code}: ${description})`,
    { ok: false, error_code, description, parameters },
    'sendMessage',
    {},
  );

describe('what a failed send means (telegramFailure)', () => {
  it('429: try again after the time Telegram asks for', () => {
    expect(sendFailure(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }))).toMatchObject({
      ok: false,
      retry: true,
      retryAfterMs: 7000,
    });
  });
  it('403 (blocked, deactivated): stop for good, the resident is unreachable', () => {
    expect(sendFailure(apiError(403, 'Forbidden: bot was blocked by the user'))).toEqual({
      ok: false,
      retry: false,
      unreachable: true,
      reason: 'Telegram 403: Forbidden: bot was blocked by the user',
    });
  });
  it('5xx and network trouble: try again with backoff', () => {
    expect(sendFailure(apiError(502, 'Bad Gateway'))).toMatchObject({ ok: false, retry: true });
    expect(sendFailure(apiError(502, 'Bad Gateway')).retryAfterMs).toBeUndefined();
    expect(sendFailure(new HttpError('Network request failed', new Error('ECONNRESET')))).toMatchObject({
      ok: false,
      retry: true,
    });
  });
  it('other 4xx (a bad request will not get better): give up, but the resident is not unreachable', () => {
    const result = sendFailure(apiError(400, 'Bad Request: message is too long'));
    expect(result).toMatchObject({ ok: false, retry: false });
    expect(result.unreachable).toBeFalsy();
  });
});

describe('TelegramAdapter.send', () => {
  const fakeApi = (answer: (chatId: string, text: string) => Promise<{ message_id: number }>) => {
    const sent: { chatId: string; text: string; options: unknown }[] = [];
    const api = {
      sendMessage: async (chatId: string, text: string, options: unknown) => {
        sent.push({ chatId, text, options });
        return answer(chatId, text);
      },
    } as unknown as Api;
    return { api, sent };
  };
  const recipient = { residentId: 'r', externalUserId: '42' };

  it('sends a long message as parts in order and reports every part’s message id', async () => {
    let id = 100;
    const { api, sent } = fakeApi(async () => ({ message_id: ++id }));
    const adapter = new TelegramAdapter(api, { messagesPerSecond: 1000, perChatIntervalMs: 0 });
    const long = `${'a '.repeat(1500).trim()}\n\n${'b '.repeat(1500).trim()}`;
    const result = await adapter.send(recipient, question(long, [{ id: 'x:y', label: 'X', number: 1 }]));
    expect(result).toEqual({ ok: true, channelMessageId: '101,102' });
    expect(sent.map((s) => s.options)).toEqual([
      {},
      { reply_markup: { inline_keyboard: [[{ text: '1. X', callback_data: 'x:y' }]] } },
    ]);
  });

  it('turns a Telegram error into a result instead of throwing', async () => {
    const { api } = fakeApi(async () => {
      throw apiError(403, 'Forbidden: bot was blocked by the user');
    });
    const adapter = new TelegramAdapter(api, { messagesPerSecond: 1000, perChatIntervalMs: 0 });
    await expect(adapter.send(recipient, question('hoi', undefined))).resolves.toMatchObject({ ok: false, unreachable: true });
  });
});

import { Api } from 'grammy';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { WebchatAdapter } from '../../../src/channels/webchat/webchat-adapter.js';
import { SendPacer } from '../../../src/channels/whatsapp/send-pacer.js';
import { WhatsAppAdapter } from '../../../src/channels/whatsapp/whatsapp-adapter.js';
import type { WhatsAppSocket, WhatsAppSocketConfig } from '../../../src/channels/whatsapp/whatsapp-socket.js';
import { texts } from '../../helpers/engine-driver.js';
import { botBlocked, FakeTelegram, serverError, tooManyRequests, TEST_BOT_TOKEN } from '../../helpers/fake-telegram.js';
import { boom, FakeWhatsApp } from '../../helpers/fake-whatsapp.js';
import { describeAdapterContract, type FailureKind } from './adapter-contract.js';

describeAdapterContract('Telegram', {
  failures: ['wait', 'blocked', 'transient', 'refused'],
  showsMessages: true,
  async create() {
    const fake = await FakeTelegram.start();
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: fake.url });
    const chatId = 4242;
    const failures: Record<FailureKind, () => void> = {
      wait: () => fake.failNext('sendMessage', tooManyRequests(3)),
      blocked: () => fake.failNext('sendMessage', botBlocked()),
      transient: () => fake.failNext('sendMessage', serverError(502)),
      refused: () =>
        fake.failNext('sendMessage', {
          status: 400,
          body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
        }),
    };
    return {
      adapter: new TelegramAdapter(api, { messagesPerSecond: 1000, perChatIntervalMs: 0 }),
      recipient: { residentId: 'r-telegram', externalUserId: String(chatId) },
      textLimit: 4096,
      shown: () =>
        fake
          .visibleTo(chatId)
          .map((m) => [m.text, ...(m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [])].join('\n')),
      filesShown: () =>
        fake
          .visibleTo(chatId)
          .flatMap((m) => (m.file ? [m.file] : []))
          .map((f) => ({
            shownAs: f.method === 'sendPhoto' ? 'photo' : 'document',
            bytes: f.bytes,
            name: f.method === 'sendDocument' ? f.filename : undefined,
            caption: f.caption ?? '',
          })),
      failNext: (kind) => failures[kind](),
      failNextFile: (kind) => {
        if (kind !== 'transient') throw new Error(`no ${kind} failure for files in this harness`);
        fake.failNext('sendDocument', serverError(502));
      },
      close: () => fake.close(),
    };
  },
});

describeAdapterContract('WhatsApp Web', {
  failures: ['wait', 'transient', 'refused'],
  showsMessages: true,
  async create() {
    const fake = new FakeWhatsApp({ behaviour: 'manual' });
    const socket = (await fake.factory({} as WhatsAppSocketConfig)) as WhatsAppSocket;
    const jid = '31612345678@s.whatsapp.net';
    const pacer = new SendPacer({ perChatPerMinute: 60_000, globalPerMinute: 600_000, jitterMs: 0 });
    const failures: Record<Exclude<FailureKind, 'blocked'>, () => void> = {
      // Logged out (401): the channel cannot send until a coordinator pairs again; try after a while.
      wait: () => fake.sendFailures.push(boom(401, 'logged out')),
      transient: () => fake.sendFailures.push(boom(428, 'Connection Closed')),
      refused: () => fake.sendFailures.push(boom(400, 'bad-request')),
    };
    return {
      adapter: new WhatsAppAdapter({ socket: () => socket }, pacer, texts),
      recipient: { residentId: 'r-whatsapp', externalUserId: jid },
      textLimit: 65_536,
      shown: () => fake.visibleTo(jid).map((m) => m.text),
      filesShown: () =>
        fake
          .visibleTo(jid)
          .filter((m) => m.file)
          .map((m) => ({
            shownAs: m.file!.kind === 'image' ? 'photo' : 'document',
            bytes: m.file!.bytes,
            name: m.file!.fileName,
            caption: m.text,
          })),
      failNext: (kind) => failures[kind as Exclude<FailureKind, 'blocked'>](),
      close: async () => undefined,
    };
  },
});

describeAdapterContract('web chat', {
  failures: [],
  showsMessages: false,
  async create() {
    const adapter = new WebchatAdapter();
    return {
      adapter,
      recipient: { residentId: 'r-web', externalUserId: 'visitor-1' },
      textLimit: Number.POSITIVE_INFINITY,
      shown: () => null,
      // The page's long poll wakes when a message is "sent" (it then reads the stored message itself).
      nextDelivery: async () => {
        let woken = false;
        const started = Date.now();
        await adapter.waitForMessage('visitor-1', 2000).then(() => (woken = Date.now() - started < 1900));
        return woken;
      },
      failNext: () => {
        throw new Error('the web chat has no channel to fail');
      },
      close: async () => undefined,
    };
  },
});

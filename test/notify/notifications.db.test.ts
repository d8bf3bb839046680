import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { FakeTelegram, serverError, TEST_BOT_TOKEN, testBotInfo } from '../helpers/fake-telegram.js';
import { eventually } from '../helpers/sse.js';
import { listenLocally } from '../helpers/local-server.js';
import { residentAsksForPerson } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SECRET = 'webhook-secret-for-tests-0123456789';
const STAFF_CHAT = '-1001234567890';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The organisation's own system: records requests and answers with the scripted statuses (then 200). */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  server!: Server;
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        res.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    this.url = `${await listenLocally(this.server)}/hooks/tussenin`;
  }
  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let testDb: TestDatabase;
let app: App;
let telegram: FakeTelegram;
let receiver: Receiver;

beforeAll(async () => {
  testDb = await createTestDatabase();
  telegram = await FakeTelegram.start();
  receiver = new Receiver();
  await receiver.start();
  app = await createTestApp(
    testDb.database,
    {
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'polling',
      STAFF_TELEGRAM_CHAT_ID: STAFF_CHAT,
      STAFF_WEBHOOK_URL: receiver.url,
      STAFF_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: 'https://chat.example.org',
    },
    { telegramBotInfo: testBotInfo, inbox: { notifyRetry: { maxAttempts: 4, backoff: { firstMs: 20, maxMs: 100 } } } },
  );
});
afterAll(async () => {
  await app.close();
  await telegram.close();
  await receiver.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  receiver.received.length = 0;
  receiver.statuses = [];
  telegram.sent.length = 0;
});

const staffChatMessages = () => telegram.sent.filter((m) => String(m.chat_id) === STAFF_CHAT);

describe('notifications of new and urgent handoffs', () => {
  it('tell the staff Telegram chat and the webhook once, signed, with a link and without the resident’s words', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app, 'Mijn geheime verhaal over geld');
    await app.services.idle();
    const [message] = await eventually(() => (staffChatMessages().length > 0 ? staffChatMessages() : null));
    expect(message!.text).toBe(
      `🔔 Nieuwe aanmelding (Nederlands, webchat)\nOnderwerp: Vroeg om een persoon\nOpenen: https://chat.example.org/inbox/handoffs/${handoffId}`,
    );

    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    const body = JSON.parse(hook!.body);
    expect(body).toMatchObject({
      event: 'handoff.new',
      handoffId,
      urgent: false,
      reason: 'asked-for-person',
      language: 'nl',
      channel: 'web',
      domains: [],
      url: `https://chat.example.org/inbox/handoffs/${handoffId}`,
    });
    expect(hook!.body).not.toContain('geheime');
    expect(message!.text).not.toContain('geheime');
    const timestamp = String(hook!.headers['x-tussenin-timestamp']);
    const expected = 'sha256=' + createHmac('sha256', SECRET).update(`${timestamp}.${hook!.body}`).digest('hex');
    expect(hook!.headers['x-tussenin-signature']).toBe(expected);
    expect(hook!.headers['x-tussenin-event']).toBe('handoff.new');
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);

    // asking again does not notify again
    await chat.say('persoon');
    await app.services.idle();
    expect(staffChatMessages()).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);

    // danger words make it urgent: one more notification, marked urgent
    await chat.say('mijn man slaat mij');
    await app.services.idle();
    expect(staffChatMessages()).toHaveLength(2);
    expect(staffChatMessages()[1]!.text).toMatch(/^🚨 DRINGENDE aanmelding/);
    expect(receiver.received).toHaveLength(2);
    expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({ event: 'handoff.urgent', urgent: true });
    expect(receiver.received[1]!.body).not.toContain('slaat');
  });

  it('retries the webhook with backoff after 5xx, keeping the delivery id, and gives up on a 4xx', async () => {
    receiver.statuses = [500, 503];
    telegram.failNext('sendMessage', serverError(502));
    await residentAsksForPerson(app);
    await app.services.idle();
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['x-tussenin-delivery']));
    expect(ids.size).toBe(1);
    expect(receiver.received.map((r) => r.headers['x-tussenin-attempt'])).toEqual(['1', '2', '3']);
    expect(staffChatMessages()).toHaveLength(1); // Telegram was retried after its 502 as well

    receiver.received.length = 0;
    receiver.statuses = [400];
    await residentAsksForPerson(app);
    await app.services.idle();
    expect(receiver.received).toHaveLength(1);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { residents } from '../../src/db/schema.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { texts } from '../helpers/engine-driver.js';
import { boom, FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { WhatsAppResident } from '../helpers/whatsapp-resident.js';

/**
 * Logs hold no message content and no phone numbers: the whole app with the production logger
 * (its redaction included) at `trace`, every line captured, while residents go through the intake on
 * WhatsApp and the web chat with words and a number no log line may show, a send fails and is retried,
 * staff erase one of them and the retention purge runs.
 */

const STAFF_TOKEN = 'staff-token-0123456789-abcdefghijklmnop';
const PHONE = '31687654321';
const SECRET_WORDS = 'ZQXL mijn schulden bij de woningcorporatie';
const NAME = 'Zeynep ZQXN';

let testDb: TestDatabase;
const lines: string[] = [];
let app: App;
let fake: FakeWhatsApp;

beforeAll(async () => {
  testDb = await createTestDatabase();
  fake = new FakeWhatsApp();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    WEBCHAT_SECRET: 'test-secret-test-secret-test-secret-123',
    WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '1000000',
    INBOUND_PER_RESIDENT_PER_MINUTE: '100000',
    INBOUND_GLOBAL_PER_SECOND: '100000',
    OUTBOX_POLL_MS: '20',
    TIMER_POLL_MS: '20',
    STAFF_API_TOKEN: STAFF_TOKEN,
    WHATSAPP_ENABLED: 'true',
    WHATSAPP_MESSAGES_PER_MINUTE: '60000',
    WHATSAPP_CHAT_MESSAGES_PER_MINUTE: '60000',
    WHATSAPP_SEND_JITTER_MS: '0',
    WHATSAPP_LEASE_MS: '1000',
  });
  app = await createApp({
    config,
    logger: capturingLogger(config.LOG_LEVEL, lines),
    database: testDb.database,
    whatsappSocketFactory: fake.factory,
    whatsappMediaDownloader: fake.downloadMedia,
    whatsappPrintQr: () => undefined,
    whatsappReconnectBackoffMs: 50,
    instanceId: 'log-test',
    retentionPollMs: 50,
  });
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

describe(`what the logs hold, on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('never a resident’s words, name or phone number, whatever happens to their messages', async () => {
    const resident = new WhatsAppResident(fake, testDb.database, { phone: PHONE, name: NAME });
    fake.sendFailures.push(boom(428, 'Connection Closed'));
    for (const text of ['hallo', '1', 'ja', SECRET_WORDS, 'verder', 'mijn man slaat me ZQXL']) await resident.say(text);
    await resident.say('persoon');

    const chat = await new WebchatClient(app.server).startSession();
    for (const text of ['hallo', '1', 'ja', `web ${SECRET_WORDS}`]) await chat.say(text);
    // an invalid request body is logged as a failed request, never with its content
    await app.server.request('/api/handoffs/not-a-uuid/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `reply ${SECRET_WORDS}` }),
    });

    const [row] = await testDb.database.db.select().from(residents).where(eq(residents.externalId, resident.jid));
    const erased = await app.server.request(`/api/residents/${row!.id}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}` },
    });
    expect(erased.status).toBe(200);
    await waitFor(
      () =>
        fake.messagesTo(resident.jid).some((m) => m.text === texts.t('nl', 'bot:stop.erasedByStaff')) &&
        lines.some((l) => l.includes('scheduled job done')),
      10_000,
      () => 'the confirmation to leave and the retention job to have run',
    );

    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => l.includes('outbound message will be retried'))).toBe(true);
    expect(lines.some((l) => l.includes('resident data erased by staff'))).toBe(true);
    for (const forbidden of ['ZQXL', 'ZQXN', 'Zeynep', PHONE, PHONE.slice(2), 'woningcorporatie', 'slaat']) {
      expect(lines.filter((l) => l.includes(forbidden))).toEqual([]);
    }
  }, 60_000);

  it('redacts the fields that could hold them, should a log call ever pass one', () => {
    const out: string[] = [];
    const logger = capturingLogger('info', out);
    logger.info(
      {
        text: 'ZQXL a',
        phone: PHONE,
        jid: `${PHONE}@s.whatsapp.net`,
        externalId: `${PHONE}@s.whatsapp.net`,
        message: { text: 'ZQXL b', key: { remoteJid: `${PHONE}@s.whatsapp.net` } },
        err: { message: 'Forbidden', payload: { chat_id: 123456789, text: 'ZQXL c' } },
        displayName: NAME,
      },
      'a careless line',
    );
    expect(out).toHaveLength(1);
    for (const forbidden of ['ZQXL', PHONE, 'Zeynep', '123456789']) expect(out[0]).not.toContain(forbidden);
    expect(out[0]).toContain('a careless line');
    expect(out[0]).toContain('Forbidden');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/project-path.js';
import { FakeTelegram, TEST_BOT_TOKEN, waitUntil } from '../helpers/fake-telegram.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

/**
 * Two tussenin processes on one Postgres database, both taking Telegram's webhook load, as behind a
 * load balancer: what one resident sends may reach either. Checked from what residents receive (the
 * fake Bot API) against what the database recorded. Postgres only: PGlite is one process's database.
 */

const SECRET = 'two-instances-webhook-secret-0123456789';
const LEASE_SECONDS = 2;

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  alive: boolean;
  log: () => string;
}

let testDb: TestDatabase;
let fake: FakeTelegram;
let dataDir: string;
const instances: Instance[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `npm start`'s command as its own process, on the test's database and the fake Bot API. */
async function startInstance(name: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectPath(),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DATA_DIR: path.join(dataDir, name),
      DATABASE_URL: testDb.url,
      LOG_LEVEL: 'warn',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // The residents here answer in milliseconds; Telegram's pace per chat is not what is tested.
      TELEGRAM_MESSAGES_PER_SECOND: '1000',
      TELEGRAM_CHAT_BURST: '100',
      OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
      OUTBOX_POLL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const instance: Instance = { name, port, child, alive: true, log: () => stderr };
  child.on('exit', () => (instance.alive = false));
  await waitUntil(
    async () => {
      if (!instance.alive) throw new Error(`instance ${name} exited:\n${stderr}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return res?.ok === true;
    },
    90_000,
    () => `instance ${name} to start:\n${stderr}`,
  );
  instances.push(instance);
  return instance;
}

/**
 * Posts an update as Telegram does: to one instance, and while no instance answers 200, again (to the
 * next one). Resolves with the instance that took it.
 */
async function deliver(update: Update, preferred: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const target = instances[(preferred + attempt) % instances.length]!;
    if (target.alive) {
      const res = await fetch(`http://127.0.0.1:${target.port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      }).catch(() => null);
      if (res?.status === 200) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no instance took update ${update.update_id}`);
}

let nextUpdateId = 900_000;
const SCRIPT = [
  'hallo',
  'Nederlands',
  'ja',
  'Ik heb een brief van de deurwaarder en ik snap het niet',
  'weet ik niet',
  'ok dank je',
];

/**
 * One resident writing the script, each message to the instance after the last one's, waiting for an
 * answer in between (or a moment); some send two messages at once, to both instances.
 */
async function resident(chatId: number, doubleTexts: boolean, sentUpdates: Set<number>): Promise<void> {
  let messageId = 0;
  const update = (text: string): Update => {
    const id = ++nextUpdateId;
    sentUpdates.add(id);
    const chat = { id: chatId, type: 'private' as const, first_name: 'Resident' };
    return {
      update_id: id,
      message: {
        message_id: ++messageId,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: chatId, is_bot: false, first_name: 'Resident' },
        text,
      },
    } as Update;
  };
  for (let k = 0; k < SCRIPT.length; k++) {
    const before = fake.messagesTo(chatId).length;
    if (doubleTexts && k === 2 && k + 1 < SCRIPT.length) {
      await Promise.all([deliver(update(SCRIPT[k]!), chatId + k), deliver(update(SCRIPT[k + 1]!), chatId + k + 1)]);
      k++;
    } else {
      await deliver(update(SCRIPT[k]!), chatId + k);
    }
    await waitUntil(
      () => fake.messagesTo(chatId).length > before,
      3_000,
      () => 'a reply',
    ).catch(() => undefined);
  }
}

/** Raw SQL of this file's own making (chat ids are numbers). */
const sqlText = (text: string) => sql.raw(text);

interface OutboxRow {
  chat: string;
  status: string;
  cmid: string | null;
}

/** Every outbox row of the Telegram residents whose chat ids are given, in the order the bot wrote them. */
async function outboxOf(chatIds: readonly number[]): Promise<OutboxRow[]> {
  return testDb.database.rows<OutboxRow>(
    sqlText(`select r.external_id as chat, o.status::text as status, o.channel_message_id as cmid
             from outbox o join residents r on r.id = o.resident_id
             where r.channel = 'telegram' and r.external_id in (${chatIds.map((id) => `'${id}'`).join(', ')})
             order by o.message_id`),
  );
}

async function inboundUpdateCount(chatIds: readonly number[]): Promise<number> {
  const [row] = await testDb.database.rows<{ n: string | number }>(
    sqlText(`select count(*) as n from messages m join residents r on r.id = m.resident_id
             where m.direction = 'in' and r.channel = 'telegram' and r.external_id in (${chatIds.map((id) => `'${id}'`).join(', ')})`),
  );
  return Number(row!.n);
}

/** Waits until every reply to these chats is sent (none pending), then returns the rows. */
async function settledOutbox(chatIds: readonly number[]): Promise<OutboxRow[]> {
  let rows: OutboxRow[] = [];
  await waitUntil(
    async () => {
      rows = await outboxOf(chatIds);
      return rows.length > 0 && rows.every((r) => r.status !== 'pending');
    },
    30_000,
    () => `every reply to be sent (${rows.filter((r) => r.status === 'pending').length} pending)`,
  );
  return rows;
}

/** Per chat, the recorded Telegram message ids in the order the bot wrote the replies. */
function recordedOrder(rows: readonly OutboxRow[]): Map<string, number[]> {
  const byChat = new Map<string, number[]>();
  for (const row of rows) byChat.set(row.chat, [...(byChat.get(row.chat) ?? []), Number(row.cmid)]);
  return byChat;
}

const isIncreasing = (ids: readonly number[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]!);

describe.skipIf(!onPostgres)('two instances on one Postgres, both taking the webhook load', () => {
  beforeAll(async () => {
    testDb = await createTestDatabase();
    fake = await FakeTelegram.start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tussenin-two-'));
    // One after the other: the first migrates, the second finds the schema ready.
    await startInstance('a');
    await startInstance('b');
  }, 200_000);

  afterAll(async () => {
    for (const instance of instances) if (instance.alive) instance.child.kill('SIGKILL');
    await fake?.close();
    await testDb?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every message once, in order within each chat', async () => {
    const chats = Array.from({ length: 24 }, (_, i) => 710_000 + i);
    const sentUpdates = new Set<number>();
    await Promise.all(chats.map((chat, i) => resident(chat, i % 4 === 0, sentUpdates)));

    expect(await inboundUpdateCount(chats)).toBe(sentUpdates.size);
    const rows = await settledOutbox(chats);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const received = fake.sent.filter((m) => chats.includes(m.chat_id));
    // No duplicates: each reply reached the resident once, and it is the message its row recorded.
    expect(received.length).toBe(rows.length);
    expect(new Set(received.map((m) => m.message_id))).toEqual(new Set(rows.map((r) => Number(r.cmid))));
    // In order: a chat's replies arrived in the order the bot wrote them.
    for (const [chat, ids] of recordedOrder(rows)) expect(isIncreasing(ids), `chat ${chat}: ${ids}`).toBe(true);
    expect(instances.map((i) => i.log())).toEqual(['', '']);
  }, 120_000);

  it('loses nothing when one instance is killed (kill -9) mid-load; a reply may come twice only if sent just before', async () => {
    const chats = Array.from({ length: 24 }, (_, i) => 720_000 + i);
    const sentUpdates = new Set<number>();
    const load = Promise.all(chats.map((chat, i) => resident(chat, i % 4 === 0, sentUpdates)));
    await waitUntil(
      () => fake.sent.filter((m) => chats.includes(m.chat_id)).length >= 40,
      30_000,
      () => 'the load to be under way',
    );
    const killed = instances[0]!;
    killed.child.kill('SIGKILL');
    const killedAt = Date.now();
    await load;

    // Every update Telegram delivered is stored once (those the killed one never answered went to the other).
    expect(await inboundUpdateCount(chats)).toBe(sentUpdates.size);
    // Every reply is sent: the killed instance's leased ones by the other, once their lease ran out.
    const rows = await settledOutbox(chats);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const received = fake.sent.filter((m) => chats.includes(m.chat_id));
    const receivedIds = new Set(received.map((m) => m.message_id));
    for (const row of rows) expect(receivedIds.has(Number(row.cmid))).toBe(true);
    // A reply that came twice: the killed instance sent it in its last moment and died before recording
    // it (sends are recorded in batches, every 20 ms), so the other sent it again after the lease.
    const recorded = new Set(rows.map((r) => Number(r.cmid)));
    const twice = received.filter((m) => !recorded.has(m.message_id));
    for (const message of twice) {
      expect(message.at).toBeGreaterThan(killedAt - 1_000);
      expect(message.at).toBeLessThanOrEqual(killedAt + 500);
    }
    for (const [chat, ids] of recordedOrder(rows)) expect(isIncreasing(ids), `chat ${chat}: ${ids}`).toBe(true);
    expect(instances[1]!.log()).toBe('');
  }, 150_000);
});

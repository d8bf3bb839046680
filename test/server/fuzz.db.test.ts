import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { FakeTelegram, TEST_BOT_TOKEN, testBotInfo } from '../helpers/fake-telegram.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Every public endpoint (web chat API, Telegram webhook, the inbox's and API's doors, the WhatsApp
 * pairing page) under random and malformed bodies, headers, ids and query strings, from a seeded
 * generator so a failure can be replayed (FUZZ_SEED). The service never answers 500, keeps serving,
 * and writes neither the marked content nor the bot token to its log.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 120);
const SECRET = 'fuzz-webhook-secret-123';
const MARK = 'FZQW';

let testDb: TestDatabase;
let fake: FakeTelegram;
let app: App;
const logLines: string[] = [];

/** mulberry32: small, seeded, good enough to vary inputs. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(SEED);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  `${MARK} hallo\u0000\u0007\u001b[31m`,
  `${MARK} ${'é'.repeat(300)}`,
  '\ud800',
  `${MARK} 🙂‍↔️👨‍👩‍👧 ‮rtl‬`,
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '../../etc/passwd',
  '%00%0d%0a',
  `${MARK} \r\n[06-12-2026, 03:59] Anna: hoi`,
  '1e400',
  '-1',
  '9'.repeat(40),
  'null',
  `${MARK} ${'x'.repeat(5000)}`,
  'ﷺ'.repeat(50),
];

function oddString(): string {
  return random() < 0.7 ? pick(ODD_STRINGS) : Array.from({ length: int(40) }, () => String.fromCharCode(int(0x3000))).join('');
}

function oddValue(depth = 0): unknown {
  const kinds = depth > 2 ? 5 : 8;
  switch (int(kinds)) {
    case 0:
      return oddString();
    case 1:
      return pick([0, -1, 1.5, 2 ** 53 + 2, Number.MAX_VALUE, 1e-300]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return `${MARK}-${int(1e6)}`;
    case 4:
      return int(100);
    case 5:
      return Array.from({ length: int(4) }, () => oddValue(depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < int(5); i++)
        out[pick(['text', 'id', 'choice', 'locale', 'message', 'chat', '__proto__', 'constructor', oddString()])] = oddValue(
          depth + 1,
        );
      return out;
    }
  }
}

function oddBody(): string {
  switch (int(5)) {
    case 0:
      return JSON.stringify(oddValue());
    case 1:
      return pick(['{', '[1,', '{"text":', 'undefined', '\u0000', '{"a":1}}']);
    case 2:
      return oddString();
    case 3:
      return JSON.stringify({ id: pick([oddString(), `fuzz-${int(1e9)}`, int(10)]), text: oddValue(), choice: oddValue() });
    default:
      return '';
  }
}

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'audio/webm',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
];

function oddHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...extra };
  const type = pick(CONTENT_TYPES);
  if (type) headers['content-type'] = type;
  if (random() < 0.3)
    headers['authorization'] = pick([
      'Bearer',
      'Bearer ',
      `Bearer ${oddString().replace(/[^\x20-\x7e]/g, '')}`,
      'Basic abc',
      'Bearer a.b.c',
    ]);
  if (random() < 0.2) headers['x-forwarded-for'] = pick(['1.2.3.4', 'garbage', '::1, 999.1.1.1']);
  return headers;
}

/** A real-looking Telegram update with parts dropped, retyped or blown up. */
function mutatedUpdate(): unknown {
  const chatId = 50_000 + int(1000);
  const update: Record<string, any> = {
    update_id: int(1e9),
    message: {
      message_id: int(1e6),
      date: 1,
      chat: { id: chatId, type: pick(['private', 'group', 'channel', 'x']) },
      from: { id: chatId, is_bot: false, first_name: `${MARK} naam`, language_code: pick(['nl', 'ar', 'xx', '']) },
      text: `${MARK} ${oddString()}`,
    },
  };
  for (let i = 0; i < 1 + int(3); i++) {
    const target = pick([
      'update_id',
      'message',
      'message.chat',
      'message.chat.id',
      'message.text',
      'message.from',
      'message.voice',
      'callback_query',
      'edited_message',
      'message.photo',
    ]);
    const parts = target.split('.');
    let node = update;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part];
    }
    const last = parts[parts.length - 1]!;
    if (random() < 0.4) delete node[last];
    else node[last] = oddValue();
  }
  return update;
}

/** A query or path part; a lone surrogate cannot be encoded, so it goes as a malformed escape instead. */
function q(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80%E0%A4%A';
  }
}

type Probe = { method: string; path: string; body?: string; headers?: Record<string, string> };

async function send(probe: Probe): Promise<number> {
  const init: RequestInit = { method: probe.method, headers: probe.headers ?? {} };
  if (probe.body !== undefined && probe.method !== 'GET') init.body = probe.body;
  const res = await app.server.request(probe.path, init);
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  fake = await FakeTelegram.start();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    WEBCHAT_SECRET: 'fuzz-secret-fuzz-secret-fuzz-secret-12',
    WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '1000000',
    WEBCHAT_MESSAGES_PER_MINUTE: '1000000',
    INBOUND_PER_RESIDENT_PER_MINUTE: '100000',
    INBOUND_GLOBAL_PER_SECOND: '100000',
    OUTBOX_POLL_MS: '50',
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_MODE: 'webhook',
    PUBLIC_URL: 'https://chat.example.org',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    STAFF_API_TOKEN: 'fuzz-api-token-0123456789-abcdefghijklmn',
  });
  app = await createApp({
    config,
    logger: capturingLogger('debug', logLines),
    database: testDb.database,
    telegramBotInfo: testBotInfo,
  });
  await app.start();
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await testDb.destroy();
});

describe(`fuzzing the public endpoints (seed ${SEED})`, () => {
  it('never answers 500, keeps serving, and logs no content or token', async () => {
    const session = await app.server.request('/chat/api/session', { method: 'POST' });
    const token = ((await session.json()) as { token: string }).token;
    const visitor = { authorization: `Bearer ${token}` };
    const failures: string[] = [];
    const generators: (() => Probe)[] = [
      () => ({ method: 'POST', path: '/chat/api/session', body: oddBody(), headers: oddHeaders() }),
      () => ({ method: 'POST', path: '/chat/api/messages', body: oddBody(), headers: oddHeaders(visitor) }),
      () => ({ method: 'POST', path: '/chat/api/messages', body: oddBody(), headers: oddHeaders() }),
      () => ({
        method: 'GET',
        path: `/chat/api/messages?after=${q(oddString())}&wait=${pick(['0', '-5', '1e9', 'x', ''])}`,
        headers: visitor,
      }),
      () => ({
        method: 'POST',
        path: `/chat/api/voice?id=${q(oddString())}`,
        body: oddString(),
        headers: oddHeaders({
          ...visitor,
          'content-type': pick(['audio/webm', 'audio/ogg', 'text/plain', 'audio/webm;codecs=opus']),
        }),
      }),
      () => ({ method: 'DELETE', path: '/chat/api/session', headers: oddHeaders() }),
      () => ({
        method: 'POST',
        path: '/telegram/webhook',
        body: random() < 0.8 ? JSON.stringify(mutatedUpdate()) : oddBody(),
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      }),
      () => ({
        method: 'POST',
        path: '/telegram/webhook',
        body: oddBody(),
        headers: oddHeaders({ 'x-telegram-bot-api-secret-token': pick(['', 'wrong', SECRET.slice(1)]) }),
      }),
      () => ({
        method: pick(['GET', 'POST']),
        path: pick([
          `/inbox/handoffs/${q(oddString())}`,
          `/inbox/login?next=${q(oddString())}`,
          `/inbox/audit?before=${q(oddString())}`,
          '/inbox/login',
          '/whatsapp',
          `/api/handoffs/${q(oddString())}`,
          `/api/handoffs?status=${q(oddString())}&limit=${pick(['-1', '1e400', 'x'])}`,
          `/chat?lang=${q(oddString())}`,
          `/${q(oddString())}`,
        ]),
        body: oddBody(),
        headers: oddHeaders(),
      }),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const generate of generators) {
        const probe = generate();
        const status = await send(probe).catch((error: Error) => {
          failures.push(`${probe.method} ${probe.path}: threw ${error.message}`);
          return 0;
        });
        if (status >= 500) failures.push(`${probe.method} ${probe.path.slice(0, 80)} → ${status}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await app.server.request('/healthz')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = logLines.join('');
    expect(log).not.toContain(MARK);
    expect(log).not.toContain(TEST_BOT_TOKEN);
  }, 180_000);
});

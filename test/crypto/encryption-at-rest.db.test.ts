import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { runCommand } from '../../src/cli/commands.js';
import { createFieldCipher, newEncryptionKey, parseEncryptionKeys } from '../../src/crypto/field-cipher.js';
import { withCipher, type Database } from '../../src/db/database.js';
import { addStaff, openHandoffOf, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Encryption at rest, end to end: with ENCRYPTION_KEYS set, what a resident and a trust person wrote
 * is unreadable in the database (every table read out as a dump would), while the inbox, the web chat
 * and the channels still show it; keys rotate, and `crypto reencrypt` moves everything to the new one.
 */

const KEY_1 = newEncryptionKey('k1');
const KEY_2 = newEncryptionKey('k2');
const OWN_WORDS = 'Mijn zoon Yusuf heeft een schuld van 4312 euro bij DUO';
const REPLY = 'Ik bel Veilig Thuis samen met je op donderdag';
const NOTE = 'Moeder wil niet dat de school het weet';
const VOICE = new Uint8Array([26, 69, 223, 163, ...randomBytes(64)]);

let testDb: TestDatabase;
const apps: App[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function appWithKeys(keys: string): Promise<App> {
  const app = await createTestApp(testDb.database, { ENCRYPTION_KEYS: keys });
  apps.push(app);
  await app.start();
  return app;
}

/** A resident who tells their story, sends a voice note and is handed over; a trust person replies and notes. */
async function caseWithContent(app: App): Promise<{ chat: WebchatClient; handoffId: string; staff: StaffBrowser }> {
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say('hallo');
  await chat.press('language:nl');
  await chat.press('consent:yes');
  await chat.say(OWN_WORDS);
  const voice = await app.server.request(`/chat/api/voice?id=${chat.nextId()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/webm' },
    body: VOICE,
  });
  expect(voice.status).toBe(202);
  await chat.press('domains:money');
  await chat.say('persoon');
  const handoffId = await openHandoffOf(app, chat);
  const person = await addStaff(app, { role: 'trust_person' });
  const staff = new StaffBrowser(app.server);
  await staff.login(person.email);
  await staff.page(`/inbox/handoffs/${handoffId}`);
  expect((await staff.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  expect((await staff.post(`/inbox/handoffs/${handoffId}/messages`, { text: REPLY })).status).toBe(303);
  expect((await staff.post(`/inbox/handoffs/${handoffId}/notes`, { text: NOTE })).status).toBe(303);
  return { chat, handoffId, staff };
}

/** Every row of every table as text, the way a logical dump holds it (bytea as \x hex). */
async function dumpAllTables(database: Database): Promise<string> {
  const tables = await database.rows<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['messages', 'media', 'intakes', 'handoff_notes']));
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await database.rows<{ row: string }>(sql`select t::text as row from ${sql.identifier(name)} t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function cli(database: Database, argv: string[]): Promise<string> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  await runCommand(argv, database, { stdin: Readable.from(['']), stdout, stderr: new PassThrough() });
  return out;
}

describe('resident content encrypted at rest', () => {
  it('keeps text, voice notes, answers, replies and notes unreadable in the database, readable in the inbox', async () => {
    const app = await appWithKeys(KEY_1);
    const { chat, handoffId, staff } = await caseWithContent(app);

    const dump = await dumpAllTables(testDb.database);
    for (const secret of [OWN_WORDS, 'Yusuf', REPLY, NOTE, 'Veilig Thuis samen']) expect(dump).not.toContain(secret);
    expect(dump).not.toContain(hex(VOICE).slice(8, 72));
    expect(dump).toContain('enc:v1:k1:');
    // The answers (option ids such as "money") appear only in the bot's offered choices, never as the resident's:
    // answers, summaries, snapshots and pressed buttons are ciphertext.
    const stored = await testDb.database.rows<{ value: string }>(sql`
      select answers::text as value from intakes union all select notes::text from intakes
      union all select summary::text from handoffs union all select snapshot::text from conversations
      union all select choice from messages where direction = 'in' and choice is not null`);
    expect(stored.length).toBeGreaterThanOrEqual(6);
    for (const { value } of stored) expect(value).toMatch(/^"?enc:v1:k1:/);

    // Postgres: the real pg_dump too, where the client tools are installed (Debian's postgresql-client).
    if (testDb.database.kind === 'postgres' && spawnSync('pg_dump', ['--version']).status === 0) {
      const pgDump = execFileSync('pg_dump', ['--data-only', testDb.url!], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(pgDump).toContain('COPY public.messages');
      for (const secret of [OWN_WORDS, REPLY, NOTE]) expect(pgDump).not.toContain(secret);
      expect(pgDump).not.toContain(hex(VOICE).slice(8, 72));
      expect(pgDump).toContain('enc:v1:k1:');
    }

    // Everyone entitled still reads it: the trust person's case page, the voice note, the resident's chat.
    const page = await staff.page(`/inbox/handoffs/${handoffId}`);
    for (const text of [OWN_WORDS, REPLY, NOTE]) expect(page.html).toContain(text);
    const mediaId = /\/media\/([0-9a-f-]{36})/.exec(page.html)![1]!;
    const file = await staff.request(`/inbox/handoffs/${handoffId}/media/${mediaId}`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(VOICE);
    // the resident's page, reloaded: its whole history
    const history = await app.server.request('/chat/api/messages?after=0&wait=0', {
      headers: { authorization: `Bearer ${chat.token}` },
    });
    const { messages } = (await history.json()) as { messages: { text: string | null }[] };
    expect(messages.map((m) => m.text)).toEqual(expect.arrayContaining([OWN_WORDS, REPLY]));
  });

  it('rotates keys: old rows stay readable, new writes use the new key, reencrypt moves the rest', async () => {
    const first = await appWithKeys(KEY_1);
    const { handoffId } = await caseWithContent(first);
    await first.close();
    apps.splice(0);

    // The new key first, the old one kept for reading.
    const second = await appWithKeys(`${KEY_2},${KEY_1}`);
    const staff = new StaffBrowser(second.server);
    await staff.login((await addStaff(second, { role: 'coordinator' })).email);
    const page = await staff.page(`/inbox/handoffs/${handoffId}`);
    for (const text of [OWN_WORDS, REPLY, NOTE]) expect(page.html).toContain(text);
    await staff.post(`/inbox/handoffs/${handoffId}/notes`, { text: 'Tweede notitie' });

    const rotated = withCipher(testDb.database, createFieldCipher(parseEncryptionKeys(`${KEY_2},${KEY_1}`)));
    const before = await cli(rotated, ['crypto', 'status']);
    expect(before).toMatch(/handoff_notes\.text\s+k1: 1, k2: 1/);
    expect(before).toMatch(/media\.content\s+k1: 1/);

    const result = await cli(rotated, ['crypto', 'reencrypt']);
    expect(result).toMatch(/re-encrypted \d+ stored values with key "k2"/);
    const after = await cli(rotated, ['crypto', 'status']);
    expect(after).not.toMatch(/k1:|plain:/);

    // The old key can go now.
    await second.close();
    apps.splice(0);
    const third = await appWithKeys(KEY_2);
    const reader = new StaffBrowser(third.server);
    await reader.login((await addStaff(third, { role: 'coordinator' })).email);
    const again = await reader.page(`/inbox/handoffs/${handoffId}`);
    for (const text of [OWN_WORDS, REPLY, NOTE, 'Tweede notitie']) expect(again.html).toContain(text);
    const mediaId = /\/media\/([0-9a-f-]{36})/.exec(again.html)![1]!;
    const file = await reader.request(`/inbox/handoffs/${handoffId}/media/${mediaId}`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(VOICE);
  });

  it('encrypts rows stored before a key was set, once reencrypt runs', async () => {
    const plain = await createTestApp(testDb.database, {});
    apps.push(plain);
    await plain.start();
    await caseWithContent(plain);
    expect(await dumpAllTables(testDb.database)).toContain(OWN_WORDS);

    const keyed = withCipher(testDb.database, createFieldCipher(parseEncryptionKeys(KEY_1)));
    expect(await cli(keyed, ['crypto', 'status'])).toMatch(/messages\.text\s+plain: \d+/);
    await cli(keyed, ['crypto', 'reencrypt']);
    const dump = await dumpAllTables(testDb.database);
    for (const secret of [OWN_WORDS, REPLY, NOTE]) expect(dump).not.toContain(secret);
    expect(dump).not.toContain(hex(VOICE).slice(8, 72));
  });
});

import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH } from '../../src/audit/audit-chain.js';
import { createAuditLog, type AuditEntry } from '../../src/audit/audit-log.js';
import { runCommand } from '../../src/cli/commands.js';
import { openDatabase } from '../../src/db/database.js';
import { auditLog, residents } from '../../src/db/schema.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.destroy());
beforeEach(() => testDb.truncate());

const staffId = randomUUID();
const person = { id: staffId, name: 'Fatima', via: 'session' as const };
const integration = { id: 'api', name: 'API', via: 'api-token' as const };

function entry(i: number, actor: AuditEntry['actor'] = person): AuditEntry {
  return {
    actor,
    action: i % 3 === 0 ? 'media.view' : 'transcript.view',
    outcome: i % 5 === 0 ? 'denied' : 'allowed',
    residentId: randomUUID(),
    handoffId: randomUUID(),
    detail: i % 3 === 0 ? { mediaId: randomUUID(), n: i, nested: { z: 1, a: [1, 'b'] } } : undefined,
  };
}

/** `npm run cli -- audit verify`, in-process: the exit code and what it printed. */
async function verifyCli(): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCommand(['audit', 'verify'], testDb.database, { stdin: Readable.from(['']), stdout, stderr });
  return { code: code ?? 0, out, err };
}

async function ids(): Promise<number[]> {
  const rows = await testDb.database.db.select({ id: auditLog.id }).from(auditLog).orderBy(asc(auditLog.id));
  return rows.map((r) => Number(r.id));
}

describe(`the audit log's hash chain on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('keeps one unbroken chain under many concurrent appends (and, on Postgres, from two instances)', async () => {
    const audit = createAuditLog(testDb.database);
    const second = onPostgres ? await openDatabase({ databaseUrl: testDb.url!, dataDir: '', poolSize: 10 }) : null;
    try {
      const other = second ? createAuditLog(second) : audit;
      const n = 120;
      await Promise.all(
        Array.from({ length: n }, (_, i) => (i % 2 ? other : audit).record(entry(i, i % 4 === 0 ? integration : person))),
      );
      const check = await audit.verify();
      expect(check).toMatchObject({ ok: true, entries: n, unchained: 0 });
      const rows = await testDb.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
      expect(rows).toHaveLength(n);
      expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
      expect(new Set(rows.map((r) => r.hash)).size).toBe(n);
      // times follow the chain (one clock: the database's)
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.at.getTime());
      // on whose behalf: the staff member themselves, or the integration for the shared token
      expect(rows.find((r) => r.actorId === 'api')).toMatchObject({ onBehalfOf: 'integration', via: 'api-token' });
      expect(rows.find((r) => r.actorId === staffId)).toMatchObject({ onBehalfOf: staffId, via: 'session' });
      if (check.ok) expect(check.head).toEqual({ id: Number(rows.at(-1)!.id), hash: rows.at(-1)!.hash });
      const cli = await verifyCli();
      expect(cli.code).toBe(0);
      expect(cli.out).toMatch(new RegExp(`^audit log OK: ${n} entries verified; chain head: entry \\d+ [0-9a-f]{64}\\n$`));
    } finally {
      await second?.close();
    }
  });

  it('names the entry whose detail was edited in the database', async () => {
    const audit = createAuditLog(testDb.database);
    for (let i = 0; i < 10; i++) await audit.record(entry(i));
    const [, , , fourth] = await ids();
    await testDb.database.db.execute(sql`update audit_log set detail = '{"mediaId":"something else"}' where id = ${fourth}`);
    expect(await audit.verify()).toMatchObject({ ok: false, brokenId: fourth, entries: 3 });
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.err).toContain(`audit log BROKEN at entry ${fourth}: its fields do not match its hash`);
  });

  it('notices a change to any covered field: time, actor, on whose behalf, outcome, via, resident', async () => {
    const audit = createAuditLog(testDb.database);
    for (let i = 1; i < 5; i++) await audit.record(entry(i));
    const [, second] = await ids();
    for (const [field, change] of [
      ['at', sql`at = at + interval '1 millisecond'`],
      ['actor', sql`actor_name = 'Someone else'`],
      ['on behalf of', sql`on_behalf_of = 'integration'`],
      ['outcome', sql`outcome = case when outcome = 'allowed' then 'denied' else 'allowed' end`],
      ['via', sql`via = 'cli'`],
      ['resident', sql`resident_id = ${randomUUID()}`],
    ] as const) {
      const [before] = await testDb.database.db.select().from(auditLog).where(eq(auditLog.id, second!));
      await testDb.database.db.execute(sql`update audit_log set ${change} where id = ${second}`);
      expect(await audit.verify(), field).toMatchObject({ ok: false, brokenId: second });
      await testDb.database.db.update(auditLog).set(before!).where(eq(auditLog.id, second!));
      expect(await audit.verify()).toMatchObject({ ok: true });
    }
  });

  it('names the entry after a deleted middle one, and an entry whose hash was recomputed after an edit', async () => {
    const audit = createAuditLog(testDb.database);
    for (let i = 0; i < 8; i++) await audit.record(entry(i));
    const all = await ids();
    await testDb.database.db.delete(auditLog).where(eq(auditLog.id, all[4]!));
    expect(await audit.verify()).toMatchObject({ ok: false, brokenId: all[5], entries: 4 });
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.err).toContain(`audit log BROKEN at entry ${all[5]}: its prev_hash does not match entry ${all[3]} before it`);

    // A forger who edits an entry and recomputes its hash is caught at the next entry.
    await testDb.truncate();
    for (let i = 0; i < 4; i++) await audit.record(entry(i));
    const [first, next] = await ids();
    const [row] = await testDb.database.db.select().from(auditLog).where(eq(auditLog.id, first!));
    const forged = { ...row!, id: first!, at: row!.at.toISOString(), prevHash: row!.prevHash!, outcome: 'allowed' };
    await testDb.database.db
      .update(auditLog)
      .set({ outcome: 'allowed', hash: entryHash(forged) })
      .where(eq(auditLog.id, first!));
    expect(await audit.verify()).toMatchObject({ ok: false, brokenId: next, entries: 1 });
  });

  it('refuses a fork: two entries cannot follow the same one', async () => {
    const audit = createAuditLog(testDb.database);
    await audit.record(entry(1));
    const [row] = await testDb.database.db.select().from(auditLog);
    await expect(
      testDb.database.db.insert(auditLog).values({ ...row!, id: Number(row!.id) + 100, hash: 'x'.repeat(64) }),
    ).rejects.toThrow();
  });

  it('accepts entries from before the chain only at its start', async () => {
    const audit = createAuditLog(testDb.database);
    const legacy = { actorId: staffId, actorName: 'Fatima', onBehalfOf: staffId, action: 'transcript.view', outcome: 'allowed' };
    await testDb.database.db.insert(auditLog).values([legacy, legacy]);
    await audit.record(entry(1));
    await audit.record(entry(2));
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 4, unchained: 2 });
    expect((await verifyCli()).out).toMatch(
      /^audit log OK: 4 entries verified, 2 older entries from before the chain; chain head/,
    );
    const last = (await ids()).at(-1)!;
    await testDb.database.db.execute(sql`update audit_log set hash = null, prev_hash = null where id = ${last}`);
    expect(await audit.verify()).toMatchObject({ ok: false, brokenId: last });
  });

  it('keeps the chain and the resident id when the resident is erased', async () => {
    const [resident] = await testDb.database.db
      .insert(residents)
      .values({ channel: 'web', externalId: 'visitor-1' })
      .returning({ id: residents.id });
    const audit = createAuditLog(testDb.database);
    await audit.record({ ...entry(1), residentId: resident!.id });
    await audit.record(entry(2));
    await testDb.database.db.delete(residents).where(eq(residents.id, resident!.id));
    expect(await audit.list({ residentId: resident!.id })).toHaveLength(1);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('an empty log verifies', async () => {
    expect(await createAuditLog(testDb.database).verify()).toEqual({ ok: true, entries: 0, unchained: 0, head: null });
    expect((await verifyCli()).out).toBe('audit log OK: 0 entries verified\n');
  });
});

describe('canonical JSON', () => {
  it('is the same whatever the key order, and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ a: 'ü"\n' })).toBe(JSON.stringify({ a: 'ü"\n' }));
  });
});

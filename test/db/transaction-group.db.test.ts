import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { Query } from '../../src/db/query.js';
import { GROUP_MEMBERS_MAX } from '../../src/db/transaction-group.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.destroy());
beforeEach(() => testDb.truncate());

/** A body like the per-message step's: a read, then its last write with the commit. */
function addResident(externalId: string, options: { fail?: 'throw' | 'sql'; commitWithLast?: boolean } = {}) {
  return async (_tx: unknown, query: Query) => {
    const [{ txid }] = (await query<{ txid: string }>('select txid_current()::text as txid')) as [{ txid: string }];
    if (options.fail === 'throw') throw new Error(`${externalId} changed its mind`);
    const sql =
      options.fail === 'sql'
        ? `insert into residents (id, channel, external_id) values ('not a uuid', 'web', $1)`
        : `insert into residents (id, channel, external_id) values ('${randomUUID()}'::uuid, 'web', $1)`;
    await query(sql, [externalId], { thenCommit: options.commitWithLast ?? true });
    return txid;
  };
}

/** A step for a resident of its own, in a transaction it may share. */
const grouped = (externalId: string, options?: Parameters<typeof addResident>[1]) =>
  testDb.database.transaction(addResident(externalId, options), { groupKey: externalId });

const stored = async () =>
  (
    await testDb.database.transaction((_tx, query) =>
      query<{ externalId: string }>('select external_id as "externalId" from residents order by external_id'),
    )
  ).map((r) => r.externalId);

describe.runIf(onPostgres)('per-message transactions sharing one transaction (group commit, Postgres)', () => {
  it('commits steps that start together in one transaction, each with its own writes', async () => {
    const txids = await Promise.all(['a', 'b', 'c'].map((id) => grouped(id)));
    expect(new Set(txids).size).toBe(1);
    expect(await stored()).toEqual(['a', 'b', 'c']);
  });

  it(`puts at most ${GROUP_MEMBERS_MAX} steps in one transaction`, async () => {
    const ids = Array.from({ length: 3 * GROUP_MEMBERS_MAX }, (_, i) => `r${String(i).padStart(2, '0')}`);
    const txids = await Promise.all(ids.map((id) => grouped(id)));
    const sizes = new Map<string, number>();
    for (const txid of txids) sizes.set(txid, (sizes.get(txid) ?? 0) + 1);
    expect(Math.max(...sizes.values())).toBe(GROUP_MEMBERS_MAX);
    expect(await stored()).toEqual(ids);
  });

  it('gives each step its own transaction when group commit is off (DATABASE_GROUP_COMMIT=1)', async () => {
    const alone = await openDatabase({ databaseUrl: testDb.url, dataDir: '', groupCommit: 1 });
    try {
      const txids = await Promise.all(['a', 'b', 'c'].map((id) => alone.transaction(addResident(id), { groupKey: id })));
      expect(new Set(txids).size).toBe(3);
    } finally {
      await alone.close();
    }
    expect(await stored()).toEqual(['a', 'b', 'c']);
  });

  it('never puts two steps of one key in one transaction: the second waits for the first', async () => {
    const [first, second] = await Promise.all([
      testDb.database.transaction(addResident('a'), { groupKey: 'same' }),
      testDb.database.transaction(addResident('b'), { groupKey: 'same' }),
    ]);
    expect(first).not.toBe(second);
    expect(await stored()).toEqual(['a', 'b']);
  });

  it('commits a step that returns without marking its last statement', async () => {
    const txids = await Promise.all([grouped('a', { commitWithLast: false }), grouped('b')]);
    expect(txids[0]).toBe(txids[1]);
    expect(await stored()).toEqual(['a', 'b']);
  });

  it('undoes only the step that throws: its error comes back, the others are stored (run again alone)', async () => {
    const results = await Promise.allSettled([grouped('a'), grouped('b', { fail: 'throw' }), grouped('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('b changed its mind');
    expect(await stored()).toEqual(['a', 'c']);
  });

  it("undoes only the step whose statement fails: Postgres's error comes back, the others are stored", async () => {
    const results = await Promise.allSettled([grouped('a'), grouped('b', { fail: 'sql' }), grouped('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('22P02'); // invalid input syntax for uuid
    expect(await stored()).toEqual(['a', 'c']);
  });

  it('runs the steps again alone when the commit itself fails, and hands the connection back', async () => {
    // One connection: had the failed commit kept it, the next transaction would wait for ever.
    const single = await openDatabase({ databaseUrl: testDb.url, dataDir: '', poolSize: 1 });
    try {
      await single.transaction((_tx, query) =>
        query('create table if not exists checked_at_commit (k text unique deferrable initially deferred)'),
      );
      const insert = (key: string) =>
        single.transaction(
          (_tx, query) => query('insert into checked_at_commit (k) values ($1)', ['same'], { thenCommit: true }),
          {
            groupKey: key,
          },
        );
      const results = await Promise.allSettled([insert('a'), insert('b')]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')!.reason.code).toBe('23505');
      const rows = await single.transaction((_tx, query) => query('select k from checked_at_commit'));
      expect(rows).toEqual([{ k: 'same' }]);
      await single.transaction((_tx, query) => query('drop table checked_at_commit'));
    } finally {
      await single.close();
    }
  });

  it('reports a lost connection to its steps, and the next step gets a working one', async () => {
    const killer = async (_tx: unknown, query: Query) => {
      await query('select pg_terminate_backend(pg_backend_pid())');
      return 'never';
    };
    const results = await Promise.allSettled([grouped('a'), testDb.database.transaction(killer, { groupKey: 'killer' })]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(await stored()).toEqual([]);
    await grouped('after');
    expect(await stored()).toEqual(['after']);
  });
});

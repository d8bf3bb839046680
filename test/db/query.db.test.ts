import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAsOneStatement, type WritePart } from '../../src/db/query.js';
import { residents as residentsTable } from '../../src/db/schema.js';
import postgres from 'postgres';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.destroy());
beforeEach(() => testDb.truncate());

const resident = (id: string): WritePart => ({
  name: 'new_resident',
  sql: `insert into residents (id, channel, external_id) values ($1::uuid, 'web', $2)`,
  params: [id, `visitor-${id}`],
});

describe('the raw query port (Database.transaction)', () => {
  it('reads the same values on both drivers: jsonb parsed, timestamps through new Date(), int8 through Number()', async () => {
    const [row] = await testDb.database.transaction((_tx, query) =>
      query<{ doc: { a: number[] }; at: Date | string; big: string | number; yes: boolean }>(
        'select $1::jsonb as doc, $2::timestamptz as at, 9007199254740991::int8 as big, $3 = 1 as yes',
        [JSON.stringify({ a: [1, 2] }), '2026-01-02T03:04:05.000Z', 1],
      ),
    );
    expect(row!.doc).toEqual({ a: [1, 2] });
    expect(new Date(row!.at).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(Number(row!.big)).toBe(Number.MAX_SAFE_INTEGER);
    expect(row!.yes).toBe(true);
  });

  it('runs several writes as one statement: parameters renumbered, returning rows and foreign keys across parts', async () => {
    const residentId = randomUUID();
    const conversationId = randomUUID();
    await testDb.database.transaction((_tx, query) =>
      runAsOneStatement(query, [
        resident(residentId),
        {
          name: 'new_conversation',
          // Points at the resident inserted by the part before it, in the same statement.
          sql: `insert into conversations (id, resident_id, flow_id, flow_version, snapshot)
                values ($1::uuid, $2::uuid, 'intake', 1, $3::jsonb) returning id`,
          params: [conversationId, residentId, JSON.stringify({ value: 'start', context: {} })],
        },
        {
          name: 'first_message',
          sql: `insert into messages (resident_id, conversation_id, direction, channel, text)
                select $1::uuid, id, 'out', 'web', $2 from new_conversation`,
          params: [residentId, 'hallo'],
        },
      ]),
    );
    const rows = await testDb.database.transaction((_tx, query) =>
      query<{ text: string; conversationId: string; snapshot: unknown }>(
        `select m.text, m.conversation_id as "conversationId", c.snapshot
         from messages m join conversations c on c.id = m.conversation_id`,
      ),
    );
    expect(rows).toEqual([{ text: 'hallo', conversationId, snapshot: { value: 'start', context: {} } }]);
  });

  it('rolls the whole statement back with the transaction when one part fails', async () => {
    const residentId = randomUUID();
    const failing = testDb.database.transaction((_tx, query) =>
      runAsOneStatement(query, [
        resident(residentId),
        {
          name: 'orphan',
          sql: `insert into conversations (resident_id, flow_id, flow_version, snapshot) values ($1::uuid, 'intake', 1, '{}')`,
          params: [randomUUID()], // no such resident
        },
      ]),
    );
    await expect(failing).rejects.toThrow();
    const residents = await testDb.database.transaction((_tx, query) => query('select id from residents'));
    expect(residents).toEqual([]);
  });

  it('commits with the last statement (thenCommit): what came before it and it are kept; nothing may follow', async () => {
    const first = randomUUID();
    const second = randomUUID();
    const after = await testDb.database.transaction(async (_tx, query) => {
      await runAsOneStatement(query, [resident(first)]);
      await runAsOneStatement(query, [resident(second)], { thenCommit: true });
      return query('select 1').then(
        () => 'ran',
        (error: Error) => error.message,
      );
    });
    expect(after).toContain('after the transaction was committed');
    const ids = await testDb.database.transaction((_tx, query) => query<{ id: string }>('select id from residents'));
    expect(ids.map((r) => r.id).sort()).toEqual([first, second].sort());
  });

  it('keeps nothing when the last statement fails, and nothing when the body throws after its first statement', async () => {
    const kept = randomUUID();
    const failingLast = testDb.database.transaction(async (_tx, query) => {
      await runAsOneStatement(query, [resident(kept)]);
      await runAsOneStatement(query, [resident(kept)], { thenCommit: true }); // the same id again
    });
    await expect(failingLast).rejects.toThrow();
    const throwing = testDb.database.transaction(async (_tx, query) => {
      await runAsOneStatement(query, [resident(randomUUID())]);
      throw new Error('the step failed');
    });
    await expect(throwing).rejects.toThrow('the step failed');
    expect(await testDb.database.transaction((_tx, query) => query('select id from residents'))).toEqual([]);
  });

  it('gives its connection back whatever happens: many more transactions than connections, failing ones among them', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        testDb.database.transaction(async (tx, query) => {
          if (i % 3 === 0) await query('select * from no_such_table');
          if (i % 3 === 1) await tx.select().from(residentsTable); // drizzle on the same connection
          return runAsOneStatement(query, [resident(randomUUID())], { thenCommit: true });
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(20);
    const [count] = await testDb.database.transaction((_tx, query) =>
      query<{ n: string | number }>('select count(*) as n from residents'),
    );
    expect(Number(count!.n)).toBe(40);
  });

  it.skipIf(!onPostgres)(
    'on Postgres, fails a transaction whose connection is lost and goes on with new connections',
    async () => {
      const admin = postgres(testDb.url!, { max: 1, onnotice: () => {} });
      const crashes: unknown[] = [];
      const onCrash = (error: unknown) => crashes.push(error);
      process.on('uncaughtException', onCrash);
      try {
        const terminate = (pid: number) => admin`select pg_terminate_backend(${pid})`;
        // Lost while the transaction waits between two statements (as during a step).
        const idle = testDb.database.transaction(async (_tx, query) => {
          const [{ pid }] = (await query<{ pid: number }>('select pg_backend_pid() as pid')) as [{ pid: number }];
          await terminate(pid);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return runAsOneStatement(query, [resident(randomUUID())], { thenCommit: true });
        });
        await expect(idle).rejects.toThrow();
        // Lost while a statement runs, with another queued behind it.
        const busy = testDb.database.transaction(async (_tx, query) => {
          const [{ pid }] = (await query<{ pid: number }>('select pg_backend_pid() as pid')) as [{ pid: number }];
          const both = Promise.all([query('select pg_sleep(2)'), runAsOneStatement(query, [resident(randomUUID())])]);
          both.catch(() => {}); // it fails while this body still waits for the termination; returned below
          await new Promise((resolve) => setTimeout(resolve, 100));
          await terminate(pid);
          return both;
        });
        await expect(busy).rejects.toThrow();
        // Neither left anything, and the pool serves new transactions (more than it has connections).
        const ids = await Promise.all(
          Array.from({ length: 30 }, () => {
            const id = randomUUID();
            return testDb.database
              .transaction((_tx, query) => runAsOneStatement(query, [resident(id)], { thenCommit: true }))
              .then(() => id);
          }),
        );
        const rows = await testDb.database.transaction((_tx, query) => query<{ id: string }>('select id from residents'));
        expect(rows.map((r) => r.id).sort()).toEqual(ids.sort());
        expect(crashes).toEqual([]);
      } finally {
        process.off('uncaughtException', onCrash);
        await admin.end();
      }
    },
    30_000,
  );
});

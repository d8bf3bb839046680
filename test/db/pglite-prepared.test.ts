import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedQueryOf } from '../../src/db/pglite-prepared.js';

let pg: PGlite;

beforeAll(async () => {
  pg = new PGlite();
  await pg.exec('create table notes (id bigserial primary key, body text not null unique, doc jsonb, at timestamptz)');
});
afterAll(() => pg.close());

const prepared = async () =>
  (await pg.query<{ statement: string }>('select statement from pg_prepared_statements')).rows.map((r) => r.statement);

describe('raw statements on PGlite as prepared statements', () => {
  it('gives the rows PGlite’s own query() gives: int8, jsonb, timestamps, booleans, arrays, nulls', async () => {
    const sql = `select 9007199254740991::int8 as big, $1::jsonb as doc, $2::timestamptz as at, $3::boolean as yes,
                        array['a', $4] as list, null::text as nothing, $5::int as n`;
    const params = [JSON.stringify({ a: [1, 'twee'] }), '2026-01-02T03:04:05.000Z', true, 'b', 7];
    const fast = await preparedQueryOf(pg)(sql, params);
    const plain = (await pg.query(sql, params)).rows;
    expect(fast).toEqual(plain);
    expect(fast[0]).toMatchObject({ big: Number.MAX_SAFE_INTEGER, doc: { a: [1, 'twee'] }, yes: true, list: ['a', 'b'], n: 7 });
    expect((fast[0] as { at: Date }).at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('parses a statement once and runs it again by name, also after a transaction that rolled back', async () => {
    const query = preparedQueryOf(pg);
    const insert = 'insert into notes (body, doc) values ($1, $2::jsonb) returning id, body, doc';
    await expect(
      pg.transaction(async () => {
        await query(insert, ['rolled back', null]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [first] = await query<{ id: number; body: string; doc: unknown }>(insert, ['kept', '{"k":1}']);
    await query(insert, ['kept too', null]);
    expect(first).toMatchObject({ body: 'kept', doc: { k: 1 } });
    expect((await prepared()).filter((s) => s === insert)).toHaveLength(1);
    expect((await pg.query('select body from notes order by id')).rows).toEqual([{ body: 'kept' }, { body: 'kept too' }]);
  });

  it('throws the database error with its code and statement, and the session goes on', async () => {
    const query = preparedQueryOf(pg);
    const insert = 'insert into notes (body) values ($1)';
    await query(insert, ['once']);
    await expect(query(insert, ['once'])).rejects.toMatchObject({ code: '23505', query: insert });
    await query(insert, ['twice']);

    const broken = 'selec body from notes';
    await expect(query(broken, [])).rejects.toMatchObject({ code: '42601' });
    await expect(query(broken, [])).rejects.toMatchObject({ code: '42601' });
    expect(await prepared()).not.toContain(broken);
    expect(await query('select count(*)::int as n from notes where body = $1', ['twice'])).toEqual([{ n: 1 }]);
  });
});

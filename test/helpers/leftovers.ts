import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database.js';

export interface Leftover {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

/**
 * Looks for strings in EVERY column of EVERY table of the database, as the catalogue lists them
 * (information_schema: base tables of every schema but the system's), so a table added later is
 * searched too without anyone remembering to. Each column is compared as text (uuid, jsonb, enums,
 * arrays, timestamps cast to text); bytea is searched for the needle's UTF-8 bytes. `allowed` names
 * columns (`table.column`) that may hold a needle, e.g. the audit log's resident id.
 */
export async function findLeftovers(
  database: Database,
  needles: readonly string[],
  options: { allowed?: readonly string[] } = {},
): Promise<Leftover[]> {
  const columns = await database.rows<{ schema: string; table: string; column: string; type: string }>(sql`
    select c.table_schema as schema, c.table_name as "table", c.column_name as column, c.data_type as type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where t.table_type = 'BASE TABLE'
      and c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg\\_%'
    order by 1, 2, 3`);
  if (columns.length === 0) throw new Error('the catalogue lists no tables: the search would prove nothing');
  const allowed = new Set(options.allowed ?? []);
  const found: Leftover[] = [];
  for (const c of columns) {
    const qualified = `${c.table}.${c.column}`;
    if (allowed.has(qualified)) continue;
    const target = sql.raw(`"${c.schema}"."${c.table}"`);
    const column = sql.raw(`"${c.column}"`);
    for (const needle of needles) {
      const match =
        c.type === 'bytea'
          ? sql`position(convert_to(${needle}, 'UTF8') in ${column}) > 0`
          : sql`strpos(lower(${column}::text), lower(${needle})) > 0`;
      const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from ${target} where ${match}`);
      if (row && Number(row.n) > 0) found.push({ table: c.table, column: c.column, needle, rows: Number(row.n) });
    }
  }
  return found;
}

/** The base tables the catalogue lists (for a test to show it searched them all). */
export async function allTables(database: Database): Promise<string[]> {
  const rows = await database.rows<{ table: string }>(sql`
    select table_schema || '.' || table_name as "table" from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg\\_%'
    order by 1`);
  return rows.map((r) => r.table);
}

import type { PreparedQuery } from './pglite-prepared.js';

/**
 * A parameter of a raw statement. Anything else is passed as text and cast in the SQL: jsonb as
 * `JSON.stringify(x)` with `$n::jsonb`, timestamps as `date.toISOString()` with `$n::timestamptz`,
 * uuids with `$n::uuid`.
 */
export type SqlParam = string | number | boolean | null;

/**
 * One raw SQL statement on a transaction's connection, resolving to its rows. The per-message path
 * uses it instead of drizzle's query builder, whose query building took about half of Node's CPU
 * per message.
 *
 * Rows come back as the driver parses them, which differs between the two: int8 (bigserial ids) is
 * text on postgres.js and a number on PGlite, so read it with Number(); timestamps are text on
 * postgres.js (drizzle switches its date parsing off) and Dates on PGlite, so read them with
 * new Date(x). jsonb comes back parsed on both.
 *
 * Statements start in the order they are called. Statements called together (for example in one
 * Promise.all) are pipelined: sent without waiting for each other's answers, and run one after
 * another on the transaction's connection, each with its own snapshot.
 */
export type Query = <Row extends object = Record<string, unknown>>(
  text: string,
  params?: readonly SqlParam[],
  options?: StatementOptions,
) => Promise<Row[]>;

export interface StatementOptions {
  /**
   * The transaction's last statement: on Postgres its `commit` is sent with it, saving a round trip,
   * and it resolves once both are done. A statement after it throws. (PGlite commits when the body returns.)
   */
  thenCommit?: boolean;
}

/**
 * A transaction's statements on PGlite, as prepared statements (src/db/pglite-prepared.ts). PGlite
 * commits when the transaction's body returns; a statement after `thenCommit` throws, as on Postgres.
 */
export function pgliteQuery(run: PreparedQuery): Query {
  let committed = false;
  return async <Row extends object>(text: string, params: readonly SqlParam[] = [], options?: StatementOptions) => {
    if (committed) throw new Error(STATEMENT_AFTER_COMMIT);
    if (options?.thenCommit) committed = true;
    return run<Row>(text, params);
  };
}

export const STATEMENT_AFTER_COMMIT = 'a statement after the transaction was committed';

/**
 * One data-modifying statement (insert, update, delete) with its own parameters $1…$n. A later part
 * of the same combined statement can read its `returning` rows under `name`.
 */
export interface WritePart {
  name: string;
  sql: string;
  params: SqlParam[];
}

/**
 * Runs several writes as ONE statement: every part but the last becomes a CTE of a `with`, and its
 * parameters are renumbered to follow the parts before it. One statement instead of several saves the
 * server a plan lookup, an executor start-up and a reply each, and the client a round of protocol.
 *
 * The parts run on one snapshot and do not see each other's changes (only `returning` rows), so no
 * two parts may touch the same row. The rows of the last part come back (a last `select` may read an
 * earlier part's `returning` rows). Foreign keys are checked at the end of the statement, so a part
 * may point at a row that another part inserts.
 */
export async function runAsOneStatement<Row extends object = Record<string, unknown>>(
  query: Query,
  parts: readonly WritePart[],
  options?: StatementOptions,
): Promise<Row[]> {
  if (parts.length === 0) return [];
  const params: SqlParam[] = [];
  const statements = parts.map((part) => {
    const offset = params.length;
    params.push(...part.params);
    return offset === 0 ? part.sql : part.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const last = statements.pop()!;
  const ctes = statements.map((statement, i) => `${parts[i]!.name} as (${statement})`);
  return query<Row>(ctes.length > 0 ? `with ${ctes.join(',\n')}\n${last}` : last, params, options);
}

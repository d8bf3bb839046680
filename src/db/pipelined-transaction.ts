import postgres from 'postgres';
import { STATEMENT_AFTER_COMMIT, type Query, type SqlParam } from './query.js';

/**
 * A Postgres transaction on one reserved connection that spends no round trip of its own: `begin` goes
 * out in the same write as the body's first statements, and `commit` with the statement marked
 * `thenCommit` (else on its own after the body). postgres.js's `begin()` waits for `begin` and for
 * `commit` separately; on a step of two statements that was four round trips instead of two, and on a
 * loaded machine every round trip is a write, a wake-up of the server process and a read.
 *
 * If a statement fails, Postgres aborts the transaction and a `commit` already sent after it answers
 * as a rollback; if the body throws, a `rollback` is sent. A connection that broke is not handed back
 * (postgres.js has already put it with its closed ones).
 */
export async function pipelinedTransaction<T, Tx>(
  client: postgres.Sql,
  /** The query builder on the reserved connection, made only when the body asks for it. */
  builderOn: (reserved: postgres.Sql) => Tx,
  body: (tx: Tx, query: Query) => Promise<T>,
): Promise<T> {
  const reserved = await client.reserve();
  let broken = false;
  let committed = false;
  const send = async (text: string, params: readonly SqlParam[], prepare: boolean) => {
    try {
      return await reserved.unsafe(text, params as SqlParam[], { prepare });
    } catch (error) {
      if (isConnectionFailure(error)) broken = true;
      throw error;
    }
  };
  // Not awaited: it is written together with the statements the body sends in this same tick. Should
  // it fail, the statements after it fail too, and the body sees that.
  send('begin', [], false).catch(() => {});

  const query: Query = async <Row extends object>(
    text: string,
    params: readonly SqlParam[] = [],
    options?: { thenCommit?: boolean },
  ) => {
    if (committed) throw new Error(STATEMENT_AFTER_COMMIT);
    if (!options?.thenCommit) return (await send(text, params, true)) as unknown as Row[];
    committed = true;
    const [rows, commit] = await Promise.allSettled([send(text, params, true), send('commit', [], false)]);
    if (rows.status === 'rejected') throw rows.reason;
    if (commit.status === 'rejected') throw commit.reason;
    return rows.value as unknown as Row[];
  };

  let tx: Tx | undefined;
  const lazyTx = new Proxy({} as object, {
    get: (_target, property) => {
      tx ??= builderOn(reserved);
      const value = Reflect.get(tx as object, property) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(tx) : value;
    },
  }) as Tx;

  try {
    const result = await body(lazyTx, query);
    if (!committed) {
      committed = true;
      await send('commit', [], false);
    }
    return result;
  } catch (error) {
    if (!committed && !broken) await send('rollback', [], false).catch(() => {});
    throw error;
  } finally {
    if (!broken) reserved.release();
  }
}

/** The connection itself failed (closed, reset, timed out), as opposed to an error the server answered. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof postgres.PostgresError) return false;
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return (typeof code === 'string' && code.startsWith('CONNECT')) || typeof syscall === 'string';
}

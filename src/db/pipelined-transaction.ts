import type postgres from 'postgres';
import { builtOnFirstUse } from './built-on-first-use.js';
import { STATEMENT_AFTER_COMMIT, type Query, type SqlParam } from './query.js';

/**
 * A Postgres transaction on one reserved connection that spends no round trip of its own: `begin` goes
 * out in the same write as the body's first statements, and `commit` with the statement marked
 * `thenCommit` (else on its own after the body). postgres.js's `begin()` waits for `begin` and for
 * `commit` separately; on a step of two statements that was four round trips instead of two, and on a
 * loaded machine every round trip is a write, a wake-up of the server process and a read.
 *
 * If a statement fails, Postgres aborts the transaction and a `commit` already sent after it answers
 * as a rollback; if the body throws, a `rollback` is sent. A connection lost on the way (the server
 * restarted, a backend was terminated) fails the statements in flight and any after them, and is not
 * handed back: postgres.js has put it with its closed ones and reconnects it when needed. Before this
 * watch, a statement sent on such a connection crashed the process inside postgres.js.
 */
export async function pipelinedTransaction<T, Tx extends object>(
  client: postgres.Sql,
  /** The query builder on the reserved connection, made only when the body asks for it. */
  builderOn: (reserved: postgres.Sql) => Tx,
  body: (tx: Tx, query: Query) => Promise<T>,
): Promise<T> {
  const connection = new WatchedConnection(await client.reserve());
  let committed = false;
  const send = (text: string, params: readonly SqlParam[], prepare: boolean) => connection.send(text, params, { prepare });
  // Not awaited: it is written together with the statements the body sends in this same tick. Should
  // it fail, the statements after it fail too, and the body sees that.
  connection.begin();

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

  try {
    const result = await body(connection.builder(builderOn), query);
    if (!committed) {
      committed = true;
      await send('commit', [], false);
    }
    return result;
  } catch (error) {
    if (!committed) await send('rollback', [], false).catch(() => {});
    throw error;
  } finally {
    connection.handBack();
  }
}

/**
 * A reserved postgres.js connection that notices when it closes. postgres.js hands the connection that
 * runs a statement to its `onexecute` option, and calls that connection's `onclose` when it closes: the
 * two hooks its own `begin()` uses to notice a connection lost mid-transaction. A reserved connection
 * has no such watch.
 */
interface UnderlyingConnection {
  onclose: ((error: unknown) => void) | null;
}

export class WatchedConnection {
  #underlying: UnderlyingConnection | undefined;
  #closedWith: unknown;
  /** Rejects when the connection closes. */
  readonly #closed: Promise<never>;
  #reject: (error: unknown) => void = () => {};

  constructor(readonly reserved: postgres.ReservedSql) {
    this.#closed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.#closed.catch(() => {}); // awaited only by statements in flight
  }

  /** Sends `begin`, not awaited: it goes out with the statements sent after it in the same tick. */
  begin(): void {
    this.send('begin', [], { prepare: false, onexecute: this.#watch }).catch(() => {});
  }

  /** One statement; it fails at once on a closed connection, and when the connection closes under it. */
  send(text: string, params: readonly SqlParam[], options: object): Promise<unknown> {
    // A statement written to a connection that has closed throws inside postgres.js, out of reach.
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    // One still waiting in the reserved connection's own queue when it closes is never answered.
    return Promise.race([this.reserved.unsafe(text, params as SqlParam[], options), this.#closed]);
  }

  /**
   * The query builder over this connection, made on first use. `check` may throw to refuse a statement
   * before it is sent (besides a closed connection).
   */
  builder<Tx extends object>(builderOn: (reserved: postgres.Sql) => Tx, check: () => void = () => {}): Tx {
    // drizzle reads the result through postgres.js's query object (`.values()`), so it gets that object.
    const unsafe = (text: string, params: SqlParam[], options?: object) => {
      if (this.#closedWith !== undefined) throw this.#closedWith;
      check();
      return this.reserved.unsafe(text, params, options);
    };
    return builtOnFirstUse(() =>
      builderOn(
        new Proxy(this.reserved, {
          get: (target, name, receiver) => (name === 'unsafe' ? unsafe : Reflect.get(target, name, receiver)),
        }),
      ),
    );
  }

  /**
   * Back to the pool, unless it closed: a closed connection is with postgres.js's closed ones already
   * (it reconnects it when needed); handing it back as open would give the next transaction a dead one.
   */
  handBack(): void {
    if (this.#closedWith !== undefined) return;
    if (this.#underlying) this.#underlying.onclose = null;
    this.reserved.release();
  }

  /** The `onexecute` option of the transaction's first statement. */
  readonly #watch = (underlying: UnderlyingConnection) => {
    this.#underlying = underlying;
    underlying.onclose = (error) => {
      this.#closedWith = error ?? new Error('the database connection closed');
      this.#reject(this.#closedWith);
    };
    return true; // go on sending on it (a falsy answer would hold the statements after it back)
  };
}

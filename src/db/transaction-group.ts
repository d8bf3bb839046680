import type postgres from 'postgres';
import { pipelinedTransaction, WatchedConnection } from './pipelined-transaction.js';
import { STATEMENT_AFTER_COMMIT, type Query, type SqlParam } from './query.js';

/**
 * Group commit for the per-message transactions on Postgres: the bodies that ask for a transaction
 * while a group is forming share ONE transaction on one connection (one `begin`, one `commit`), their
 * statements pipelined one after another in the order they are sent.
 *
 * Under load most of Postgres's work per message was not the statements but what surrounds them: a
 * transaction's `begin` and `commit` (with its write to the log), and waking the server process for
 * every write. Four residents answered at once now cost one of each instead of four.
 *
 * A group takes new members until its first member finishes (sends its last statement or returns), or
 * it has `maxMembers`; it commits when every member has finished. Members must not touch the same rows,
 * so each comes with a key (the resident's address), and a group takes one member per key: a second
 * body of that key goes to the next group and waits there for the first one's row locks, as its own
 * transaction would. (One process serialises a resident's messages before it asks, see KeyedQueue;
 * the key also holds when two services share one database, as two instances' tests do.)
 *
 * It commits only if every member succeeded. When one fails, the group rolls back; that member's error
 * is its own (its writes are undone as in a transaction of its own), and every other member runs again
 * in a transaction of its own. So does every member when Postgres aborted the group for a deadlock or a
 * serialisation failure. A body may therefore run twice: it must do nothing outside the database that
 * a second run would get wrong.
 */
export interface TransactionGroups<Tx> {
  /** `key` names the rows the body touches (a resident's address): a group never takes two bodies of one key. */
  run<T>(key: string, body: (tx: Tx, query: Query) => Promise<T>): Promise<T>;
}

/** Members of one group at most: a failure makes each of the others run again. */
export const GROUP_MEMBERS_MAX = 4;

export function transactionGroups<Tx extends object>(
  client: postgres.Sql,
  /** The query builder on the reserved connection, made only when a member asks for it. */
  builderOn: (reserved: postgres.Sql) => Tx,
  maxMembers = GROUP_MEMBERS_MAX,
): TransactionGroups<Tx> {
  let forming: TransactionGroup<Tx> | undefined;
  return {
    async run(key, body) {
      if (!forming?.takes(key)) forming = new TransactionGroup(client, builderOn, maxMembers);
      const { settled, committed } = await forming.join(key, body);
      if (settled.ok && committed) return settled.value;
      if (!settled.ok && !isCollateral(settled.error)) throw settled.error;
      return pipelinedTransaction(client, builderOn, body);
    },
  };
}

/** Thrown to a member when the group rolled back for another member. */
class GroupRolledBack extends Error {
  constructor() {
    super('the shared transaction was rolled back for another message');
  }
}

/**
 * Postgres's codes for a statement that failed for the transaction rather than for itself: the
 * transaction was aborted before it, a deadlock, a serialisation failure.
 */
const TRANSACTION_FAILURES = new Set(['25P02', '40P01', '40001']);

function isCollateral(error: unknown): boolean {
  if (error instanceof GroupRolledBack) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSACTION_FAILURES.has(code);
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

class TransactionGroup<Tx extends object> {
  private readonly keys = new Set<string>();
  private members = 0;
  private finished = 0;
  private closed = false;
  /** A statement failed, or a member's body threw: the group rolls back. */
  private failed = false;
  private readonly connection: Promise<WatchedConnection>;
  /** True once committed, false once rolled back. */
  private readonly outcome: Promise<boolean>;
  private settle: (committed: boolean) => void = () => {};

  constructor(
    client: postgres.Sql,
    private readonly builderOn: (reserved: postgres.Sql) => Tx,
    private readonly maxMembers: number,
  ) {
    this.outcome = new Promise<boolean>((resolve) => (this.settle = resolve));
    this.connection = client.reserve().then((reserved) => {
      const connection = new WatchedConnection(reserved);
      // Not awaited: it is written together with the first member's statements.
      connection.begin();
      return connection;
    });
    this.connection.catch(() => {});
  }

  takes(key: string): boolean {
    return !this.closed && this.members < this.maxMembers && !this.keys.has(key);
  }

  /** Runs the body in the group; resolves once the group committed or rolled back. */
  async join<T>(key: string, body: (tx: Tx, query: Query) => Promise<T>): Promise<{ settled: Settled<T>; committed: boolean }> {
    this.keys.add(key);
    this.members++;
    let connection: WatchedConnection;
    try {
      connection = await this.connection;
    } catch (error) {
      this.memberFinished(true);
      return { settled: { ok: false, error }, committed: false };
    }
    let finished = false;
    const query: Query = async <Row extends object>(
      text: string,
      params: readonly SqlParam[] = [],
      options?: { thenCommit?: boolean },
    ) => {
      if (finished) throw new Error(STATEMENT_AFTER_COMMIT);
      if (this.failed) throw new GroupRolledBack();
      const statement = connection.send(text, params, { prepare: true });
      statement.catch(() => (this.failed = true));
      if (!options?.thenCommit) return (await statement) as unknown as Row[];
      finished = true;
      this.memberFinished(false);
      const rows = (await statement) as unknown as Row[];
      if (!(await this.outcome)) throw new GroupRolledBack();
      return rows;
    };
    // Each member's own builder, made only when it asks for one.
    const tx = connection.builder(this.builderOn, () => {
      if (this.failed) throw new GroupRolledBack();
    });
    let settled: Settled<T>;
    try {
      settled = { ok: true, value: await body(tx, query) };
    } catch (error) {
      settled = { ok: false, error };
    }
    if (!finished) {
      finished = true;
      this.memberFinished(!settled.ok);
    }
    return { settled, committed: await this.outcome };
  }

  private memberFinished(failed: boolean): void {
    this.closed = true; // the first member to finish closes the group: its commit should not wait long
    if (failed) this.failed = true;
    this.finished++;
    if (this.finished === this.members) void this.end();
  }

  /** Commits (or rolls back) once every member has finished, then hands the connection back. */
  private async end(): Promise<void> {
    let committed = false;
    let connection: WatchedConnection | undefined;
    try {
      connection = await this.connection;
      if (this.failed) {
        await connection.send('rollback', [], { prepare: false }).catch(() => {});
      } else {
        const commit = await connection.send('commit', [], { prepare: false });
        // Postgres answers a commit after a failed statement with ROLLBACK, not with an error.
        committed = (commit as { command?: string }).command === 'COMMIT' && !this.failed;
      }
    } catch {
      committed = false; // a commit that failed ended the transaction too
    } finally {
      connection?.handBack();
      this.settle(committed);
    }
  }
}

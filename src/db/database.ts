import { PLAIN_CIPHER, type FieldCipher } from '../crypto/field-cipher.js';
import { mkdirSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { initPgliteFolder } from './pglite-initdb.js';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { projectPath } from '../project-path.js';
import { pipelinedTransaction } from './pipelined-transaction.js';
import { coalescedSocketFactory } from './coalesced-socket.js';
import { GROUP_MEMBERS_MAX, transactionGroups } from './transaction-group.js';
import { pgliteQuery, type Query } from './query.js';
import { preparedQueryOf } from './pglite-prepared.js';
import { builtOnFirstUse } from './built-on-first-use.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Encrypts resident content before it is written and decrypts it after it is read (see field-cipher.ts). */
  readonly cipher: FieldCipher;
  /**
   * A transaction: drizzle's query builder and a raw query port on the same connection (the hot path,
   * see query.ts). On Postgres, begin and commit travel with the statements (pipelined-transaction.ts).
   */
  transaction<T>(body: (tx: Tx, query: Query) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Rows of a raw query, whichever driver runs it (PGlite returns { rows }, postgres.js an array). */
  rows<T>(query: ReturnType<typeof sql>, executor?: Executor): Promise<T[]>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * On Postgres, the transaction may be shared with transactions of other keys that start at the same
   * time (group commit, transaction-group.ts), never with one of the same key. The key names the rows
   * the body touches (a resident's address); the body may run twice, so it does nothing outside the
   * database a second run would get wrong. The per-message step asks for it. PGlite runs one
   * transaction at a time and ignores it.
   */
  groupKey?: string;
}

const MIGRATIONS_FOLDER = projectPath('migrations');
/** Any fixed number shared by every instance: it keeps two processes from migrating at once. */
const MIGRATION_LOCK_KEY = 727_1001;

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** Postgres: how many messages' transactions may share one (transaction-group.ts); 1: none. */
  groupCommit?: number;
}

/** The same connections, with the cipher of the configured keys (src/app.ts, the CLI). */
export function withCipher(database: Database, cipher: FieldCipher): Database {
  return { ...database, cipher };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.groupCommit ?? GROUP_MEMBERS_MAX)
    : openPglite(options.dataDir);
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * drizzle runs its queries through postgres.js `unsafe()` unprepared, which costs every parameterised
 * statement an extra Describe round trip and a fresh plan. Our statements are few and fixed, so we
 * let postgres.js prepare (and cache per connection) every one, inside transactions too.
 * Not for a pooler in transaction mode (PgBouncer), which cannot keep prepared statements.
 */
function preparedByDefault(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: object) =>
          target.unsafe(query, params as never, { ...options, prepare: true });
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const callback = args.at(-1) as (tx: postgres.Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args.slice(0, -1), (tx: postgres.Sql) =>
            callback(preparedByDefault(tx)),
          );
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

async function openPostgres(url: string, poolSize: number, groupCommit: number): Promise<Database> {
  const options = { max: poolSize, onnotice: () => {}, connection: { application_name: 'tussenin' } };
  // `socket` (a socket factory) is an option of postgres.js its types leave out.
  const client = postgres(url, { ...options, socket: coalescedSocketsFor(url) } as typeof options);
  const db = drizzlePostgres(preparedByDefault(client), { schema }) as unknown as Db;
  // drizzle sets its type parsers on `options`, which a reserved connection lacks; they are the pool's
  // own (set already by `db` above), so the reserved connection is given those.
  const builderOn = (reserved: postgres.Sql) =>
    drizzlePostgres(preparedByDefault(Object.assign(reserved, { options: client.options }))) as unknown as Tx;
  const groups = groupCommit > 1 ? transactionGroups(client, builderOn, groupCommit) : undefined;
  await migrateWithLock(url);
  let ended = false;
  return {
    db,
    kind: 'postgres',
    cipher: PLAIN_CIPHER,
    transaction: async (body, transactionOptions) => {
      // postgres.js's reserve() waits for ever on a pool that was ended; a query would fail at once.
      if (ended) throw new Error('the database connections are closed');
      if (groups && transactionOptions?.groupKey !== undefined) return groups.run(transactionOptions.groupKey, body);
      return pipelinedTransaction(client, builderOn, body);
    },
    rows: async (query, executor = db) => rowsOf(await executor.execute(query)),
    ping: async () => {
      try {
        await client`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    close: () => {
      ended = true;
      return client.end({ timeout: 5 });
    },
  };
}

/**
 * Sockets that send a statement and the `commit` after it in one write (coalesced-socket.ts), for a
 * single host; with several, postgres.js's own sockets (it moves on to the next host itself).
 */
function coalescedSocketsFor(url: string): (() => net.Socket) | undefined {
  const parsed = postgres(url); // only parses: postgres.js connects on the first query
  const { host, port, path } = parsed.options as unknown as { host: string[]; port: number[]; path: string | false };
  void parsed.end();
  if (path) return coalescedSocketFactory({ path });
  if (host.length !== 1) return undefined;
  return coalescedSocketFactory({ host: host[0]!, port: port[0]! });
}

/** drizzle's migrator takes no lock; with several instances one must migrate while the others wait. */
async function migrateWithLock(url: string): Promise<void> {
  const lockClient = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder: MIGRATIONS_FOLDER });
    await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await lockClient.end({ timeout: 5 });
  }
}

/**
 * PGlite's Postgres runs inside the process's memory: its 128 MB of shared buffers (Postgres's default)
 * were a third of the process. 16 MB hold a small organisation's busy pages (the open conversations,
 * the indexes' upper levels); the rest is read from the files, through the system's page cache. Under
 * the Telegram benchmark's load the process peaked at 341–414 MB with 16 MB against 389–433 with 32,
 * at the same updates/s.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

async function openPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let client;
  if (dataDir === 'memory://') {
    client = new PGlite();
  } else {
    const folder = path.resolve(dataDir, 'pglite');
    mkdirSync(folder, { recursive: true });
    await initPgliteFolder(folder);
    client = new PGlite(folder, { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_FOLDER });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    cipher: PLAIN_CIPHER,
    // PGlite's transaction holds its lock: the raw statements go straight to the instance, prepared, and
    // drizzle is built over the transaction only when the body uses it.
    transaction: (body) =>
      client.transaction((pgliteTx) =>
        body(
          builtOnFirstUse(() => drizzlePglite({ client: pgliteTx as unknown as typeof client, schema }) as unknown as Tx),
          pgliteQuery(preparedQueryOf(client)),
        ),
      ),
    rows: async (query, executor = db) => rowsOf(await executor.execute(query)),
    ping: async () => {
      if (closed) return false;
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

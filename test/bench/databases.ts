import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/database.js';

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A migrated database the bench may empty and throw away. */
export interface BenchDatabase {
  database: Database;
  /** Empties every table of the app's schema, keeping the schema. */
  truncate(): Promise<void>;
  /** Closes the app's connections and removes the database; safe to call twice. */
  destroy(): Promise<void>;
}

/** A fresh in-memory PGlite, migrated. */
export async function openPgliteBench(): Promise<BenchDatabase> {
  const database = await openDatabase({ dataDir: 'memory://' });
  return { database, truncate: () => truncateAppTables(database), destroy: () => database.close() };
}

export interface PostgresBench extends BenchDatabase {
  /** Connection URL of the fresh database (the floor connects to it too). */
  url: string;
  name: string;
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Why Postgres cannot be used at adminUrl, or null when it answers. */
export async function postgresUnavailable(adminUrl: string): Promise<string | null> {
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin`select 1`;
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await admin.end({ timeout: 1 }).catch(() => undefined);
  }
}

/**
 * Creates `tussenin_bench_<random>` on the server of adminUrl and migrates it with openDatabase
 * (a pool of poolSize connections). destroy() drops it with (force), whatever state it is in.
 */
export async function createPostgresBench(adminUrl: string, poolSize: number): Promise<PostgresBench> {
  const name = `tussenin_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  let database: Database | null = null;
  let destroyed: Promise<void> | null = null;
  const destroy = () =>
    (destroyed ??= (async () => {
      await database?.close().catch(() => undefined);
      try {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    })());

  try {
    database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize });
  } catch (error) {
    await destroy();
    throw error;
  }
  const opened = database;
  return { name, url: url.toString(), database: opened, truncate: () => truncateAppTables(opened), destroy };
}

/** Truncates every table in the public schema (the app's), so a warm-up leaves nothing behind. */
async function truncateAppTables(database: Database): Promise<void> {
  const tables = await database.rows<{ name: string }>(
    sql`select quote_ident(tablename) as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  if (tables.length === 0) return;
  await database.db.execute(sql.raw(`truncate table ${tables.map((t) => t.name).join(', ')} restart identity cascade`));
}

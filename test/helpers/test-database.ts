import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/database.js';

/** Which database the db tests run on: real Postgres when TEST_DATABASE_URL is set, else embedded PGlite. */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabase {
  database: Database;
  /** On Postgres: the test database's URL, for a second connection pool (another instance). */
  url?: string;
  /** Reopens the same data (after close), as a process restart would. */
  reopen(): Promise<Database>;
  /** Empties every table, keeping the schema. */
  truncate(): Promise<void>;
  /** Closes and removes the database or data folder. */
  destroy(): Promise<void>;
}

/** A fresh, migrated database of its own: a new Postgres database per call, or a PGlite folder in /tmp. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (onPostgres) {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const name = `tussenin_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    let database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 20 });
    return {
      get database() {
        return database;
      },
      url: url.toString(),
      reopen: async () => (database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 20 })),
      truncate: () => truncateAll(database),
      destroy: async () => {
        await database.close().catch(() => undefined);
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tussenin-test-'));
  let database = await openDatabase({ dataDir: dir });
  return {
    get database() {
      return database;
    },
    reopen: async () => (database = await openDatabase({ dataDir: dir })),
    truncate: () => truncateAll(database),
    destroy: async () => {
      await database.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TRUNCATE_ALL = sql.raw(
  'truncate table timers, outbox, handoffs, intakes, messages, media, conversations, residents, settings, whatsapp_auth, channel_leases, audit_log, handoff_notes, handoff_referrals, case_reminders, staff_sessions, staff_tokens, staff, login_throttle, consents, erasure_counts, scheduled_jobs, language_jobs, canned_replies restart identity cascade',
);

/**
 * Between tests, after the apps are closed. A Postgres deadlock here means work outlived an app's
 * close() (a bug to fix there); it is retried so the next test still starts clean, and reported.
 */
async function truncateAll(database: Database): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Outbox ids go on where they were: a running app's dispatcher records sends a moment after they
      // went out, by outbox id, and a restarted id would let the test before mark a row of this one sent.
      const [seq] = await database.rows<{ last: string | number; called: boolean }>(
        sql.raw('select last_value as last, is_called as called from outbox_id_seq'),
      );
      await database.db.execute(TRUNCATE_ALL);
      if (seq?.called) await database.db.execute(sql`select setval('outbox_id_seq', ${Number(seq.last)})`);
      return;
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code !== '40P01' || attempt === 3) throw error;
      console.warn(`truncate between tests deadlocked with leftover work (attempt ${attempt}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

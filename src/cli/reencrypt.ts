import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';

/** Every column that holds resident content, and how it is stored (see field-cipher.ts). */
export const ENCRYPTED_COLUMNS = [
  { table: 'messages', column: 'text', key: 'id', keyType: 'bigint', kind: 'text' },
  { table: 'messages', column: 'choice', key: 'id', keyType: 'bigint', kind: 'text' },
  { table: 'handoff_notes', column: 'text', key: 'id', keyType: 'bigint', kind: 'text' },
  { table: 'case_reminders', column: 'note', key: 'id', keyType: 'bigint', kind: 'text' },
  { table: 'media', column: 'content', key: 'id', keyType: 'uuid', kind: 'bytes' },
  { table: 'intakes', column: 'answers', key: 'conversation_id', keyType: 'uuid', kind: 'json' },
  { table: 'intakes', column: 'notes', key: 'conversation_id', keyType: 'uuid', kind: 'json' },
  { table: 'conversations', column: 'snapshot', key: 'id', keyType: 'uuid', kind: 'json' },
  { table: 'handoffs', column: 'summary', key: 'id', keyType: 'uuid', kind: 'json' },
] as const;

type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];
const BATCH = 200;

/** `messages.text` → { k2: 1200, plain: 3 }: how many stored values each key id (or `plain`) holds. */
export type KeyCounts = Record<string, Record<string, number>>;

const name = (c: EncryptedColumn) => `${c.table}.${c.column}`;

/** Walks a column in primary-key order, a batch at a time. */
async function* batches(database: Database, c: EncryptedColumn) {
  let after: string | null = null;
  for (;;) {
    const rows: { k: string; v: unknown }[] = await database.rows<{ k: string; v: unknown }>(
      sql`select ${sql.identifier(c.key)}::text as k, ${sql.identifier(c.column)} as v
          from ${sql.identifier(c.table)}
          where ${sql.identifier(c.column)} is not null
            and (${after}::text is null or ${sql.identifier(c.key)} > ${after}::text::${sql.raw(c.keyType)})
          order by ${sql.identifier(c.key)}
          limit ${BATCH}`,
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!.k;
  }
}

export async function countByKey(database: Database): Promise<KeyCounts> {
  const counts: KeyCounts = {};
  for (const c of ENCRYPTED_COLUMNS) {
    const perKey: Record<string, number> = {};
    for await (const rows of batches(database, c)) {
      for (const row of rows) {
        const id = database.cipher.keyIdOf(row.v) ?? 'plain';
        perKey[id] = (perKey[id] ?? 0) + 1;
      }
    }
    counts[name(c)] = perKey;
  }
  return counts;
}

/**
 * Rewrites every stored value not under the current key (older keys, or plain rows from before
 * encryption was switched on) with the current key. Safe beside a running server on Postgres: each
 * update only applies if the value is still the one read (a row the server rewrote meanwhile is
 * already under the current key). Returns how many values each column had rewritten.
 */
export async function reencryptAll(database: Database): Promise<Record<string, number>> {
  const { cipher } = database;
  if (!cipher.enabled) throw new Error('ENCRYPTION_KEYS is not set: there is no key to encrypt with');
  const rewritten: Record<string, number> = {};
  for (const c of ENCRYPTED_COLUMNS) {
    let count = 0;
    for await (const rows of batches(database, c)) {
      for (const row of rows) {
        if (cipher.keyIdOf(row.v) === cipher.currentKeyId) continue;
        const next = reseal(c, row.v, cipher);
        const updated = await database.rows(
          c.kind === 'json'
            ? sql`update ${sql.identifier(c.table)} set ${sql.identifier(c.column)} = ${JSON.stringify(next)}::jsonb
                  where ${sql.identifier(c.key)}::text = ${row.k} and ${sql.identifier(c.column)} = ${JSON.stringify(row.v)}::jsonb
                  returning 1 as one`
            : sql`update ${sql.identifier(c.table)} set ${sql.identifier(c.column)} = ${next}
                  where ${sql.identifier(c.key)}::text = ${row.k} and ${sql.identifier(c.column)} = ${row.v}
                  returning 1 as one`,
        );
        count += updated.length;
      }
    }
    rewritten[name(c)] = count;
  }
  return rewritten;
}

function reseal(c: EncryptedColumn, stored: unknown, cipher: Database['cipher']): unknown {
  switch (c.kind) {
    case 'text':
      return cipher.encryptText(cipher.decryptText(stored as string));
    case 'bytes':
      return Buffer.from(cipher.encryptBytes(cipher.decryptBytes(stored as Uint8Array)));
    case 'json':
      return cipher.encryptJson(cipher.decryptJson(stored));
  }
}

import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';
import { auditLog } from '../db/schema.js';
import type { Actor } from '../staff/staff-types.js';
import { entryHash, GENESIS_HASH } from './audit-chain.js';

/**
 * What was done. Reads of resident content, exports, and refused attempts at either; erasures of a
 * resident's data (by staff or by the resident's own "stop": `resident.erase`; by the retention rules:
 * `resident.purge`); repeated wrong passwords on a staff account (`staff.login_failures`).
 */
export type AuditAction =
  | 'transcript.view'
  | 'transcript.live'
  | 'transcript.export'
  | 'media.view'
  | 'resident.erase'
  | 'resident.purge'
  | 'staff.login_failures'
  /** A search by case number, name, phone or the resident's words (issue 16): which fields, how many found; never the terms. */
  | 'case.search'
  /** The newest message of a case shown on its card in "Mijn zaken" (issue 16). */
  | 'transcript.preview';

/**
 * How the actor came in: the inbox pages, a personal API token, the shared STAFF_API_TOKEN, the CLI;
 * `chat` for a resident in their own chat, `system` for the retention purge.
 */
export type AuditVia = Actor['via'] | 'cli' | 'chat' | 'system';

/** `on_behalf_of` of the shared STAFF_API_TOKEN: the organisation's integration, no person. */
export const ON_BEHALF_OF_INTEGRATION = 'integration';

export interface AuditEntry {
  actor: Pick<Actor, 'id' | 'name'> & { via?: AuditVia | undefined };
  /** On whose behalf; by default the actor themselves, or `integration` for STAFF_API_TOKEN. */
  onBehalfOf?: string | undefined;
  action: AuditAction;
  outcome: 'allowed' | 'denied';
  residentId?: string | null | undefined;
  handoffId?: string | null | undefined;
  /** Ids and kinds only, never anything the resident wrote. */
  detail?: Record<string, unknown> | undefined;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actorId: string;
  actorName: string;
  onBehalfOf: string;
  via: string | null;
  action: string;
  outcome: string;
  residentId: string | null;
  handoffId: string | null;
  detail: Record<string, unknown> | null;
  prevHash: string | null;
  hash: string | null;
}

export type ChainCheck =
  | { ok: true; entries: number; unchained: number; head: { id: number; hash: string } | null }
  | { ok: false; entries: number; brokenId: number; reason: string };

/** Any fixed number shared by every instance: one append to the chain at a time, across processes. */
const AUDIT_CHAIN_LOCK_KEY = 727_1002;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERIFY_PAGE = 1000;

function uuidOrNull(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const id = value.toLowerCase();
  if (!UUID.test(id)) throw new Error(`audit ${field} is not a uuid`);
  return id;
}

/**
 * The audit log: who read or exported which resident's content, when, on whose behalf, and who was
 * refused. Ids only, no resident text. Each entry is chained to the one before by a hash.
 */
export function createAuditLog(database: Database) {
  const { db } = database;

  async function append(entry: AuditEntry, tx: Tx): Promise<void> {
    // Held until the transaction ends: appends from every request and every instance queue here,
    // so each one reads the head the previous one wrote.
    await tx.execute(sql.raw(`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`));
    const [head] = await database.rows<{ id: string; at: string; prev: string | null }>(
      sql`select nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id,
                 to_char(date_trunc('milliseconds', clock_timestamp()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
                 (select hash from audit_log order by id desc limit 1) as prev`,
      tx,
    );
    const via = entry.actor.via ?? null;
    const fields = {
      id: Number(head!.id),
      at: new Date(head!.at).toISOString(),
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      onBehalfOf: entry.onBehalfOf ?? (via === 'api-token' ? ON_BEHALF_OF_INTEGRATION : entry.actor.id),
      via,
      action: entry.action,
      outcome: entry.outcome,
      residentId: uuidOrNull(entry.residentId, 'residentId'),
      handoffId: uuidOrNull(entry.handoffId, 'handoffId'),
      // as jsonb will give it back: plain JSON values only
      detail: entry.detail ? (JSON.parse(JSON.stringify(entry.detail)) as Record<string, unknown>) : null,
      prevHash: head!.prev ?? GENESIS_HASH,
    };
    await tx.insert(auditLog).values({ ...fields, at: new Date(fields.at), hash: entryHash(fields) });
  }

  return {
    /**
     * Appends an entry. Inside `tx` when given (the chain's lock is then held until it commits), else
     * in a transaction of its own.
     */
    async record(entry: AuditEntry, tx?: Tx): Promise<void> {
      if (tx) return append(entry, tx);
      await database.transaction((own) => append(entry, own));
    },

    /** Newest first; `before` (an id) pages back. */
    async list(
      filter: { limit?: number; before?: number; handoffId?: string; residentId?: string; actorId?: string } = {},
    ): Promise<AuditRecord[]> {
      const where: SQL[] = [];
      if (filter.before) where.push(lt(auditLog.id, filter.before));
      if (filter.handoffId) where.push(eq(auditLog.handoffId, filter.handoffId));
      if (filter.residentId) where.push(eq(auditLog.residentId, filter.residentId));
      if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
      const rows = await db
        .select()
        .from(auditLog)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500));
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },

    /**
     * Walks the chain from the first entry: every entry's hash must match its fields, and its
     * `prev_hash` the hash of the entry before it. Entries without a hash are allowed only before the
     * first chained one (written before the chain existed). Reports the first broken entry.
     */
    async verify(): Promise<ChainCheck> {
      let expectedPrev = GENESIS_HASH;
      let previousId: number | null = null;
      let entries = 0;
      let unchained = 0;
      let afterId = 0;
      for (;;) {
        const rows = await db
          .select()
          .from(auditLog)
          .where(gt(auditLog.id, afterId))
          .orderBy(asc(auditLog.id))
          .limit(VERIFY_PAGE);
        for (const row of rows) {
          const id = Number(row.id);
          entries++;
          if (row.hash === null || row.prevHash === null) {
            if (previousId === null && row.hash === null && row.prevHash === null) {
              unchained++;
              continue;
            }
            return { ok: false, entries: entries - 1, brokenId: id, reason: 'it has no hash, but entries before it do' };
          }
          if (row.prevHash !== expectedPrev) {
            return {
              ok: false,
              entries: entries - 1,
              brokenId: id,
              reason:
                previousId === null
                  ? 'its prev_hash is not the start of the chain: the entries before it were removed or changed'
                  : `its prev_hash does not match entry ${previousId} before it: an entry between them was removed, or entry ${previousId} was changed`,
            };
          }
          const hash = entryHash({
            id,
            at: row.at.toISOString(),
            actorId: row.actorId,
            actorName: row.actorName,
            onBehalfOf: row.onBehalfOf,
            via: row.via,
            action: row.action,
            outcome: row.outcome,
            residentId: row.residentId,
            handoffId: row.handoffId,
            detail: row.detail,
            prevHash: row.prevHash,
          });
          if (hash !== row.hash) {
            return {
              ok: false,
              entries: entries - 1,
              brokenId: id,
              reason: 'its fields do not match its hash: it was changed after it was written',
            };
          }
          expectedPrev = row.hash;
          previousId = id;
        }
        if (rows.length < VERIFY_PAGE) break;
        afterId = Number(rows.at(-1)!.id);
      }
      return {
        ok: true,
        entries,
        unchained,
        head: previousId === null ? null : { id: previousId, hash: expectedPrev },
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

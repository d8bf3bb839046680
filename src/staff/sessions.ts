import { and, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff, staffSessions } from '../db/schema.js';
import { randomToken, sha256Hex } from './secret-token.js';
import { staffMemberColumns } from './staff-store.js';
import type { StaffMember } from './staff-types.js';

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after log-in, however active. */
  maxMs: number;
}

export interface ActiveSession {
  staff: StaffMember;
  csrfToken: string;
  expiresAt: Date;
}

export type SessionLookup = { status: 'active'; session: ActiveSession } | { status: 'expired' } | { status: 'none' };

/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Browser sessions of staff, kept in the database (so they hold across restarts and instances).
 * The cookie holds a random token; the row's id is its SHA-256.
 */
export function createSessionStore(database: Database, policy: SessionPolicy, now: () => Date = () => new Date()) {
  const { db } = database;
  return {
    policy,

    async create(staffId: string): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
      const at = now();
      const token = randomToken();
      const csrfToken = randomToken();
      const expiresAt = new Date(at.getTime() + policy.maxMs);
      await db
        .insert(staffSessions)
        .values({ id: sha256Hex(token), staffId, csrfToken, createdAt: at, lastSeenAt: at, expiresAt });
      await this.sweep();
      return { token, csrfToken, expiresAt };
    },

    /** The session of a cookie token; ends (deletes) one that is idle or past its end. */
    async lookup(token: string | undefined, options: { touch?: boolean } = {}): Promise<SessionLookup> {
      if (!token || token.length > 200) return { status: 'none' };
      const id = sha256Hex(token);
      const [row] = await db
        .select({
          csrfToken: staffSessions.csrfToken,
          lastSeenAt: staffSessions.lastSeenAt,
          expiresAt: staffSessions.expiresAt,
          staff: staffMemberColumns,
        })
        .from(staffSessions)
        .innerJoin(staff, eq(staff.id, staffSessions.staffId))
        .where(eq(staffSessions.id, id));
      if (!row) return { status: 'none' };
      const at = now();
      const lastSeen = new Date(row.lastSeenAt);
      const expiresAt = new Date(row.expiresAt);
      if (!row.staff.active || expiresAt <= at || at.getTime() - lastSeen.getTime() > policy.idleMs) {
        await db.delete(staffSessions).where(eq(staffSessions.id, id));
        return { status: 'expired' };
      }
      if (options.touch !== false && at.getTime() - lastSeen.getTime() > TOUCH_EVERY_MS) {
        await db.update(staffSessions).set({ lastSeenAt: at }).where(eq(staffSessions.id, id));
      }
      return { status: 'active', session: { staff: row.staff, csrfToken: row.csrfToken, expiresAt } };
    },

    async destroy(token: string | undefined): Promise<void> {
      if (token) await db.delete(staffSessions).where(eq(staffSessions.id, sha256Hex(token)));
    },

    /** Logs a person out everywhere (password change, account disabled). */
    async destroyAllFor(staffId: string): Promise<void> {
      await db.delete(staffSessions).where(eq(staffSessions.staffId, staffId));
    },

    /** Removes ended sessions (called at every log-in, so the table stays small without a job). */
    async sweep(): Promise<void> {
      const at = now();
      await db
        .delete(staffSessions)
        .where(or(lt(staffSessions.expiresAt, at), lt(staffSessions.lastSeenAt, new Date(at.getTime() - policy.idleMs))));
    },

    /** For tests and the CLI: sessions of one person. */
    async countFor(staffId: string): Promise<number> {
      return (
        await db
          .select({ id: staffSessions.id })
          .from(staffSessions)
          .where(and(eq(staffSessions.staffId, staffId)))
      ).length;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

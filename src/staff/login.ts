import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff } from '../db/schema.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import { normalizeEmail } from './staff-store.js';

export interface LoginPolicy {
  /** Failed attempts in a row after which the account is locked. */
  maxFailures: number;
  lockoutMs: number;
}

export type LoginOutcome =
  { ok: true; staffId: string } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * Checks an email and password. Every path verifies one scrypt hash (a dummy for an unknown address)
 * so timing does not reveal which addresses exist. `maxFailures` wrong passwords in a row lock the
 * account for `lockoutMs`; the counter is kept in the database, so it holds across processes.
 */
export function createLogin(database: Database, policy: LoginPolicy, now: () => Date = () => new Date()) {
  const { db } = database;
  return async function login(email: string, password: string): Promise<LoginOutcome> {
    const [row] = await db
      .select({ id: staff.id, hash: staff.passwordHash, active: staff.active, lockedUntil: staff.lockedUntil })
      .from(staff)
      .where(eq(staff.email, normalizeEmail(email)));
    if (!row) {
      await verifyPassword(password, await dummyPasswordHash());
      return { ok: false, reason: 'invalid' };
    }
    const at = now();
    const lockedUntil = row.lockedUntil ? new Date(row.lockedUntil) : null;
    const matches = await verifyPassword(password, row.hash);
    if (lockedUntil && lockedUntil > at) {
      return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((lockedUntil.getTime() - at.getTime()) / 1000) };
    }
    if (!matches || !row.active) {
      const until = new Date(at.getTime() + policy.lockoutMs).toISOString();
      const [updated] = await db
        .update(staff)
        .set({
          // Locking starts a fresh count, so after the lockout the person has all attempts again.
          failedLogins: sql`case when ${staff.failedLogins} + 1 >= ${policy.maxFailures} then 0 else ${staff.failedLogins} + 1 end`,
          lockedUntil: sql`case when ${staff.failedLogins} + 1 >= ${policy.maxFailures} then ${until}::timestamptz else ${staff.lockedUntil} end`,
        })
        .where(eq(staff.id, row.id))
        .returning({ lockedUntil: staff.lockedUntil });
      const nowLocked = updated?.lockedUntil ? new Date(updated.lockedUntil) : null;
      if (nowLocked && nowLocked > at) {
        return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(policy.lockoutMs / 1000) };
      }
      return { ok: false, reason: 'invalid' };
    }
    await db.update(staff).set({ failedLogins: 0, lockedUntil: null, lastLoginAt: at }).where(eq(staff.id, row.id));
    return { ok: true, staffId: row.id };
  };
}

export type Login = ReturnType<typeof createLogin>;

import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff } from '../db/schema.js';
import { createLoginThrottle, DEFAULT_THROTTLE_POLICY, type LoginThrottlePolicy } from './login-throttle.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import { normalizeEmail } from './staff-store.js';

export interface LoginPolicy extends LoginThrottlePolicy {
  /** Failures in a row on an existing account after which coordinators are told (and again at each multiple). */
  alertAfter: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { ...DEFAULT_THROTTLE_POLICY, alertAfter: 10 };

/** An existing account that just had `failures` wrong passwords in a row. No password, ever. */
export interface RepeatedLoginFailures {
  staffId: string;
  name: string;
  email: string;
  failures: number;
  at: Date;
}

/**
 * `invalid` is the one answer to a wrong password, an unknown address and a disabled account alike;
 * `throttled` says to wait, the same for known and unknown addresses.
 */
export type LoginOutcome =
  | { ok: true; staffId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface LoginOptions {
  now?: () => Date;
  /** Told (without being awaited) when an existing account reaches `alertAfter` failures in a row. */
  onRepeatedFailures?: (event: RepeatedLoginFailures) => void;
}

/**
 * Checks an email and password, without telling which addresses have accounts: every checked attempt
 * verifies one scrypt hash (a dummy for an unknown address), and failures are counted the same way for
 * every email, known or not (src/staff/login-throttle.ts). After a few failures each further attempt
 * waits a growing, capped delay; an attempt during the wait is refused before any lookup, so its answer
 * and its timing depend on the counts only. The counts are in the database, so they hold across
 * processes. There is no lock: once the wait is over, the right password works.
 */
export function createLogin(database: Database, policy: LoginPolicy = DEFAULT_LOGIN_POLICY, options: LoginOptions = {}) {
  const { db } = database;
  const now = options.now ?? (() => new Date());
  const throttle = createLoginThrottle(database, policy);

  /** `address` is the client's (per-address delays); the CLI and tests may leave it out. */
  return async function login(email: string, password: string, address?: string): Promise<LoginOutcome> {
    const at = now();
    const normalised = normalizeEmail(email);
    const keys = throttle.keys(normalised, address);
    const waitMs = await throttle.waitMs(keys, at);
    if (waitMs > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };

    const [row] = await db
      .select({ id: staff.id, name: staff.name, email: staff.email, hash: staff.passwordHash, active: staff.active })
      .from(staff)
      .where(eq(staff.email, normalised));
    const matches = await verifyPassword(password, row?.hash ?? (await dummyPasswordHash()));
    if (row && matches && row.active) {
      await throttle.clear(keys);
      await db.update(staff).set({ lastLoginAt: at }).where(eq(staff.id, row.id));
      return { ok: true, staffId: row.id };
    }
    const [failures = 0] = await throttle.fail(keys, at);
    if (row && failures > 0 && failures % policy.alertAfter === 0) {
      options.onRepeatedFailures?.({ staffId: row.id, name: row.name, email: row.email, failures, at });
    }
    return { ok: false, reason: 'invalid' };
  };
}

export type Login = ReturnType<typeof createLogin>;

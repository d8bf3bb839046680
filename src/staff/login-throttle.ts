import { createHash } from 'node:crypto';
import { inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { loginThrottle } from '../db/schema.js';

export interface LoginThrottlePolicy {
  /** Wrong passwords in a row for one email address before each further try has to wait. */
  freeFailures: number;
  /** The same for one client address, counted over every email tried from it. */
  addressFreeFailures: number;
  /** The first wait; every further failure doubles it. */
  firstDelayMs: number;
  /** The longest wait, so nobody can keep the real person out for longer than this after a failure. */
  maxDelayMs: number;
  /** A count without a new failure for this long starts again from zero (and its row is deleted). */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE_POLICY: LoginThrottlePolicy = {
  freeFailures: 5,
  addressFreeFailures: 10,
  firstDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** What one failure counts against: its hashed key and how many failures it gets before the delays start. */
export interface ThrottleKey {
  key: string;
  free: number;
}

/** The wait after the `failures`-th failure in a row: none before `free`, then 1 s, 2 s, 4 s … up to the cap. */
export function delayAfter(failures: number, free: number, policy: Pick<LoginThrottlePolicy, 'firstDelayMs' | 'maxDelayMs'>) {
  if (failures < free) return 0;
  return Math.min(policy.firstDelayMs * 2 ** Math.min(failures - free, 40), policy.maxDelayMs);
}

const hashKey = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Growing delays after wrong passwords, per email address and per client address, kept in the
 * database (`login_throttle`) so every instance sees the same counts. An unknown email is counted
 * exactly like a known one, so the delays do not tell which addresses have accounts. A failure sets
 * the next allowed time; attempts refused during the wait do not count, so hammering cannot push it
 * further out than `maxDelayMs`.
 */
export function createLoginThrottle(database: Database, policy: LoginThrottlePolicy) {
  const { db } = database;
  const forgetAfterMs = Math.max(policy.forgetAfterMs, policy.maxDelayMs);
  let lastSweep = 0;

  return {
    /** The keys of one attempt: the normalised email, and the client address when known. */
    keys(normalisedEmail: string, address: string | undefined): ThrottleKey[] {
      const keys = [{ key: hashKey(`email:${normalisedEmail}`), free: policy.freeFailures }];
      if (address) keys.push({ key: hashKey(`address:${address}`), free: policy.addressFreeFailures });
      return keys;
    },

    /** Milliseconds until an attempt under all of these keys is allowed; 0 for now. */
    async waitMs(keys: ThrottleKey[], at: Date): Promise<number> {
      const [row] = await db
        .select({ next: sql<string | null>`max(${loginThrottle.nextAttemptAt})` })
        .from(loginThrottle)
        .where(
          inArray(
            loginThrottle.key,
            keys.map((k) => k.key),
          ),
        );
      const next = row?.next ? new Date(row.next).getTime() : 0;
      return Math.max(0, next - at.getTime());
    },

    /**
     * Counts one failure against each key (one atomic upsert each, so concurrent failures on several
     * instances all count) and returns the new counts, in the order of `keys`.
     */
    async fail(keys: ThrottleKey[], at: Date): Promise<number[]> {
      const atText = at.toISOString();
      const forgetBefore = new Date(at.getTime() - forgetAfterMs).toISOString();
      const counts: number[] = [];
      for (const { key, free } of keys) {
        const count = sql`(case when ${loginThrottle.lastFailureAt} < ${forgetBefore}::timestamptz then 1 else ${loginThrottle.failures} + 1 end)`;
        const [row] = await db
          .insert(loginThrottle)
          .values({
            key,
            failures: 1,
            lastFailureAt: at,
            nextAttemptAt: new Date(at.getTime() + delayAfter(1, free, policy)),
          })
          .onConflictDoUpdate({
            target: loginThrottle.key,
            set: {
              failures: count,
              lastFailureAt: at,
              // delayAfter() in SQL, on the new count
              nextAttemptAt: sql`${atText}::timestamptz + (case when ${count} < ${free} then 0
                else least(${policy.firstDelayMs}::float8 * power(2, least(${count} - ${free}, 40)), ${policy.maxDelayMs}::float8)
                end) * interval '1 millisecond'`,
            },
          })
          .returning({ failures: loginThrottle.failures });
        counts.push(row!.failures);
      }
      if (at.getTime() - lastSweep > forgetAfterMs / 4) {
        lastSweep = at.getTime();
        await db.delete(loginThrottle).where(lt(loginThrottle.lastFailureAt, new Date(forgetBefore)));
      }
      return counts;
    },

    /** A successful log-in: the counts start again. */
    async clear(keys: ThrottleKey[]): Promise<void> {
      await db.delete(loginThrottle).where(
        inArray(
          loginThrottle.key,
          keys.map((k) => k.key),
        ),
      );
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

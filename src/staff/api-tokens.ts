import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff, staffTokens } from '../db/schema.js';
import { randomToken, sha256Hex } from './secret-token.js';
import { staffMemberColumns } from './staff-store.js';
import type { StaffMember } from './staff-types.js';

/** Personal API tokens start with this, so a leaked one is recognisable (e.g. by secret scanners). */
export const TOKEN_PREFIX = 'tsi_';

/** Personal API tokens: made by the CLI, shown once, kept only as a SHA-256. */
export function createApiTokenStore(database: Database, now: () => Date = () => new Date()) {
  const { db } = database;
  return {
    async create(staffId: string, label: string | null): Promise<{ id: string; token: string }> {
      const token = randomToken(TOKEN_PREFIX);
      const [row] = await db
        .insert(staffTokens)
        .values({ staffId, label, tokenHash: sha256Hex(token) })
        .returning({ id: staffTokens.id });
      return { id: row!.id, token };
    },

    /** The active staff member a token belongs to, or undefined (unknown, revoked, or the person is disabled). */
    async verify(token: string): Promise<StaffMember | undefined> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
      const [row] = await db
        .select({
          tokenId: staffTokens.id,
          lastUsedAt: staffTokens.lastUsedAt,
          staff: staffMemberColumns,
        })
        .from(staffTokens)
        .innerJoin(staff, eq(staff.id, staffTokens.staffId))
        .where(and(eq(staffTokens.tokenHash, sha256Hex(token)), isNull(staffTokens.revokedAt)));
      if (!row || !row.staff.active) return undefined;
      const at = now();
      if (!row.lastUsedAt || at.getTime() - new Date(row.lastUsedAt).getTime() > 60_000) {
        await db.update(staffTokens).set({ lastUsedAt: at }).where(eq(staffTokens.id, row.tokenId));
      }
      return row.staff;
    },

    async list(staffId: string) {
      return db
        .select({
          id: staffTokens.id,
          label: staffTokens.label,
          createdAt: staffTokens.createdAt,
          lastUsedAt: staffTokens.lastUsedAt,
          revokedAt: staffTokens.revokedAt,
        })
        .from(staffTokens)
        .where(eq(staffTokens.staffId, staffId))
        .orderBy(desc(staffTokens.createdAt));
    },

    async revoke(tokenId: string): Promise<boolean> {
      const rows = await db
        .update(staffTokens)
        .set({ revokedAt: now() })
        .where(and(eq(staffTokens.id, tokenId), isNull(staffTokens.revokedAt)))
        .returning({ id: staffTokens.id });
      return rows.length > 0;
    },
  };
}

export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;

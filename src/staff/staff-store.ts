import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff } from '../db/schema.js';
import { hashPassword } from './password.js';
import type { StaffMember, StaffRole } from './staff-types.js';

export interface NewStaff {
  name: string;
  email: string;
  role: StaffRole;
  languages: string[];
  gender: string | null;
  uiLocale?: string;
  password: string;
}

/** The columns of a StaffMember, for every query that returns one. */
export const staffMemberColumns = {
  id: staff.id,
  name: staff.name,
  email: staff.email,
  role: staff.role,
  languages: staff.languages,
  gender: staff.gender,
  uiLocale: staff.uiLocale,
  residentLabel: staff.residentLabel,
  active: staff.active,
};

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class DuplicateEmailError extends Error {
  constructor(email: string) {
    super(`a staff member with email ${email} exists already`);
    this.name = 'DuplicateEmailError';
  }
}

/** Staff accounts: create, look up, list; passwords go in hashed. */
export function createStaffStore(database: Database) {
  const { db } = database;
  return {
    async create(input: NewStaff): Promise<StaffMember> {
      const email = normalizeEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      const [row] = await db
        .insert(staff)
        .values({
          name: input.name.trim(),
          email,
          role: input.role,
          languages: [...new Set(input.languages.map((l) => l.trim().toLowerCase()).filter(Boolean))],
          gender: input.gender,
          uiLocale: input.uiLocale ?? 'nl',
          passwordHash,
        })
        .onConflictDoNothing()
        .returning(staffMemberColumns);
      if (!row) throw new DuplicateEmailError(email);
      return row;
    },

    async byId(id: string): Promise<StaffMember | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const [row] = await db.select(staffMemberColumns).from(staff).where(eq(staff.id, id));
      return row;
    },

    async byEmail(email: string): Promise<StaffMember | undefined> {
      const [row] = await db
        .select(staffMemberColumns)
        .from(staff)
        .where(eq(staff.email, normalizeEmail(email)));
      return row;
    },

    async list(): Promise<StaffMember[]> {
      return db.select(staffMemberColumns).from(staff).orderBy(asc(staff.name));
    },

    async setPassword(id: string, password: string): Promise<void> {
      await db
        .update(staff)
        .set({ passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: null })
        .where(eq(staff.id, id));
    },

    async setActive(id: string, active: boolean): Promise<void> {
      await db.update(staff).set({ active }).where(eq(staff.id, id));
    },

    async setUiLocale(id: string, uiLocale: string): Promise<void> {
      await db.update(staff).set({ uiLocale }).where(eq(staff.id, id));
    },

    /** A role label residents see instead of the first name; null goes back to the first name. */
    async setResidentLabel(id: string, label: string | null): Promise<void> {
      await db.update(staff).set({ residentLabel: label }).where(eq(staff.id, id));
    },

    /** Names of staff ids, for showing who holds or wrote something (`api` is the shared token). */
    async names(): Promise<Map<string, string>> {
      const rows = await db.select({ id: staff.id, name: staff.name }).from(staff);
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async count(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(staff);
      return Number(row?.n ?? 0);
    },
  };
}

export type StaffStore = ReturnType<typeof createStaffStore>;

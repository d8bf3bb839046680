import { asc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { cannedReplies } from '../db/schema.js';

export interface CannedReply {
  id: number;
  locale: string;
  title: string;
  body: string;
  createdBy: string;
  updatedAt: Date;
}

export interface CannedReplyInput {
  locale: string;
  title: string;
  body: string;
}

/** What a canned reply's placeholders become for one case: the trust person, the organisation, the walk-in hours. */
export interface CannedReplyValues {
  name: string;
  org: string;
  walkInHours: string;
  walkInAddress: string;
}

/** The placeholders a canned reply may hold; anything else in double braces is left as written. */
export const CANNED_REPLY_PLACEHOLDERS = ['name', 'org', 'walkInHours', 'walkInAddress'] as const;

/** A canned reply's text for one case: its placeholders filled in. */
export function fillCannedReply(body: string, values: CannedReplyValues): string {
  return body.replace(/\{\{\s*(name|org|walkInHours|walkInAddress)\s*\}\}/g, (_, key: keyof CannedReplyValues) => values[key]);
}

/** Coordinators' snippets per language (issue 16); who may change them is the routes' to check. */
export function createCannedReplies(database: Database) {
  const { db } = database;
  return {
    async list(locale?: string): Promise<CannedReply[]> {
      return db
        .select()
        .from(cannedReplies)
        .where(locale ? eq(cannedReplies.locale, locale) : undefined)
        .orderBy(asc(cannedReplies.locale), asc(cannedReplies.title))
        .then((rows) => rows.map((r) => ({ ...r, id: Number(r.id) })));
    },

    async create(createdBy: string, input: CannedReplyInput): Promise<CannedReply> {
      const [row] = await db.insert(cannedReplies).values({ ...input, createdBy }).returning();
      return { ...row!, id: Number(row!.id) };
    },

    /** Undefined when there is no such snippet. */
    async update(id: number, input: CannedReplyInput): Promise<CannedReply | undefined> {
      const [row] = await db
        .update(cannedReplies)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(cannedReplies.id, id))
        .returning();
      return row ? { ...row, id: Number(row.id) } : undefined;
    },

    async remove(id: number): Promise<boolean> {
      const rows = await db.delete(cannedReplies).where(eq(cannedReplies.id, id)).returning({ id: cannedReplies.id });
      return rows.length > 0;
    },
  };
}

export type CannedReplies = ReturnType<typeof createCannedReplies>;

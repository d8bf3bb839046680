import { asc, desc } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { erasureCounts } from '../db/schema.js';

/** One line of the anonymous counts left by erasures: a month, a channel, a reason. No ids. */
export interface ErasureCountRow {
  month: string;
  channel: string;
  reason: string;
  residents: number;
  conversations: number;
  handoffs: number;
  urgentHandoffs: number;
  messages: number;
}

/** The counts for reports, newest month first (coordinators; see src/inbox). */
export function createErasureReport(database: Database) {
  return async function erasureReport(): Promise<ErasureCountRow[]> {
    return database.db
      .select()
      .from(erasureCounts)
      .orderBy(desc(erasureCounts.month), asc(erasureCounts.channel), asc(erasureCounts.reason));
  };
}

import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';

/** One month of aftercare questions (by when they were asked): how they were answered, how many were not asked. */
export interface AftercareReportRow {
  month: string;
  asked: number;
  good: number;
  notGood: number;
  talk: number;
  unanswered: number;
  /** Cases whose question was not asked (discreet mode, "later", no consent, already in touch, unreachable). */
  skipped: number;
}

/**
 * The aftercare answers counted per month in the organisation's time zone, newest first (coordinators;
 * issue 13). Counts only: no ids, no words. Cases of erased residents are gone and no longer counted.
 */
export function createAftercareReport(database: Database, timezone: string) {
  return async function aftercareReport(): Promise<AftercareReportRow[]> {
    const rows = await database.rows<Record<keyof AftercareReportRow, string | number>>(sql`
      select to_char(date_trunc('month', aftercare_sent_at at time zone ${timezone}), 'YYYY-MM') as month,
             count(*) filter (where aftercare_skipped is null) as asked,
             count(*) filter (where aftercare_answer = 'good') as good,
             count(*) filter (where aftercare_answer = 'notGood') as "notGood",
             count(*) filter (where aftercare_answer = 'talk') as talk,
             count(*) filter (where aftercare_skipped is null and aftercare_answer is null) as unanswered,
             count(*) filter (where aftercare_skipped is not null) as skipped
      from handoffs
      where aftercare_sent_at is not null
      group by 1
      order by 1 desc`);
    return rows.map((r) => ({
      month: String(r.month),
      asked: Number(r.asked),
      good: Number(r.good),
      notGood: Number(r.notGood),
      talk: Number(r.talk),
      unanswered: Number(r.unanswered),
      skipped: Number(r.skipped),
    }));
  };
}

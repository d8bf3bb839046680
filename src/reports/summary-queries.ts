import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.js';
import type { ClosedCaseCount } from './cost-estimate.js';
import type { ReportPeriod } from './report-period.js';
import type { Tally } from './tally.js';

/**
 * The reads of the summary report (issue 16), each one statement over a period. Counts only: no ids,
 * no words leave these functions. Times are compared as `start <= t < end` (report-period.ts).
 */

type Run = <T>(query: ReturnType<typeof sql>) => Promise<T[]>;

export const runner =
  (database: Database, executor?: Executor): Run =>
  (query) =>
    database.rows(query, executor);

const range = (p: ReportPeriod) => ({ start: p.start.toISOString(), end: p.end.toISOString() });

/** The plain columns new cases are counted by, each as a dimension: channel, language, trajectory, phase, reason, urgent. */
export async function newCaseDimensions(run: Run, p: ReportPeriod): Promise<Map<string, Tally[]>> {
  const { start, end } = range(p);
  const rows = await run<{ dimension: string; key: string | null; cases: number | string }>(sql`
    with c as (
      select r.channel, h.preferences->>'language' as language, h.trajectory::text as trajectory,
             h.phase::text as phase, h.reason, h.urgent::text as urgent
      from handoffs h join residents r on r.id = h.resident_id
      where h.created_at >= ${start}::timestamptz and h.created_at < ${end}::timestamptz
    )
    select 'channel' as dimension, channel as key, count(*)::int as cases from c group by channel
    union all select 'language', language, count(*)::int from c group by language
    union all select 'trajectory', trajectory, count(*)::int from c group by trajectory
    union all select 'phase', phase, count(*)::int from c group by phase
    union all select 'reason', reason, count(*)::int from c group by reason
    union all select 'urgent', urgent, count(*)::int from c group by urgent`);
  const dimensions = new Map<string, Tally[]>();
  for (const row of rows) {
    const list = dimensions.get(row.dimension) ?? [];
    list.push({ key: row.key, cases: Number(row.cases) });
    dimensions.set(row.dimension, list);
  }
  return dimensions;
}

/**
 * The intake summaries of new cases, decrypted: topics and urgency live in them, and they are encrypted
 * at rest (SQL never filters on an encrypted column), so they are counted in Node (tally.ts).
 */
export async function newCaseSummaries(run: Run, database: Database, p: ReportPeriod): Promise<Record<string, unknown>[]> {
  const { start, end } = range(p);
  const rows = await run<{ summary: unknown }>(sql`
    select summary from handoffs
    where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz`);
  return rows.map((r) => database.cipher.decryptJson<Record<string, unknown> | null>(r.summary) ?? {});
}

/** Referrals made in the period, by agency, and how many cases they were for. */
export async function referralCounts(run: Run, p: ReportPeriod): Promise<{ byAgency: Tally[]; cases: number }> {
  const { start, end } = range(p);
  const rows = await run<{ agency: string | null; referrals: number | string; cases: number | string }>(sql`
    select agency, count(*)::int as referrals, count(distinct handoff_id)::int as cases
    from handoff_referrals
    where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz
    group by grouping sets ((agency), ())`);
  const total = rows.find((r) => r.agency === null);
  return {
    byAgency: rows.filter((r) => r.agency !== null).map((r) => ({ key: r.agency, cases: Number(r.referrals) })),
    cases: Number(total?.cases ?? 0),
  };
}

export interface FirstReplyTimes {
  /** New cases in the period, and how many of them a staff member has written to. */
  cases: number;
  replied: number;
  /** Seconds from the handoff to the first message a staff member wrote in its conversation. */
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/**
 * Time to the first human reply of the new cases: from the handoff's creation to the first outbound
 * message a staff member wrote in that conversation (author a staff id or `api`; the bot's messages,
 * "X joined" included, are `bot`). Median and 90th percentile by linear interpolation
 * (`percentile_cont`); cases nobody has written to yet are left out of both and counted apart.
 */
export async function firstReplyTimes(run: Run, p: ReportPeriod): Promise<FirstReplyTimes> {
  const { start, end } = range(p);
  const [row] = await run<{
    cases: number | string;
    replied: number | string;
    median: number | string | null;
    p90: number | string | null;
  }>(sql`
    with firsts as (
      select extract(epoch from (
               select min(m.created_at) from messages m
               where m.resident_id = h.resident_id and m.conversation_id = h.conversation_id
                 and m.direction = 'out' and m.author is not null and m.author <> 'bot'
                 and m.created_at >= h.created_at
             ) - h.created_at)::float8 as seconds
      from handoffs h
      where h.created_at >= ${start}::timestamptz and h.created_at < ${end}::timestamptz
    )
    select count(*)::int as cases, count(seconds)::int as replied,
           percentile_cont(0.5) within group (order by seconds) as median,
           percentile_cont(0.9) within group (order by seconds) as p90
    from firsts`);
  const seconds = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    cases: Number(row?.cases ?? 0),
    replied: Number(row?.replied ?? 0),
    medianSeconds: seconds(row?.median),
    p90Seconds: seconds(row?.p90),
  };
}

export interface AftercareCounts {
  /** Questions asked in the period, and how they were answered; `skipped`: not asked, and why is on the case. */
  asked: number;
  good: number;
  notGood: number;
  talk: number;
  unanswered: number;
  skipped: number;
}

/** The aftercare questions of the period (by when the bot came to ask: asked, or not and why), as the aftercare report counts them. */
export async function aftercareCounts(run: Run, p: ReportPeriod): Promise<AftercareCounts> {
  const { start, end } = range(p);
  const [row] = await run<Record<keyof AftercareCounts, number | string>>(sql`
    select count(*) filter (where aftercare_skipped is null)::int as asked,
           count(*) filter (where aftercare_answer = 'good')::int as good,
           count(*) filter (where aftercare_answer = 'notGood')::int as "notGood",
           count(*) filter (where aftercare_answer = 'talk')::int as talk,
           count(*) filter (where aftercare_skipped is null and aftercare_answer is null)::int as unanswered,
           count(*) filter (where aftercare_skipped is not null)::int as skipped
    from handoffs
    where aftercare_sent_at >= ${start}::timestamptz and aftercare_sent_at < ${end}::timestamptz`);
  return {
    asked: Number(row?.asked ?? 0),
    good: Number(row?.good ?? 0),
    notGood: Number(row?.notGood ?? 0),
    talk: Number(row?.talk ?? 0),
    unanswered: Number(row?.unanswered ?? 0),
    skipped: Number(row?.skipped ?? 0),
  };
}

/** Cases closed in the period, by what they likely prevented and their trajectory (the estimate's input). */
export async function closedCaseCounts(run: Run, p: ReportPeriod): Promise<ClosedCaseCount[]> {
  const { start, end } = range(p);
  const rows = await run<{ prevented: string | null; trajectory: string | null; cases: number | string }>(sql`
    select prevented, trajectory::text as trajectory, count(*)::int as cases
    from handoffs
    where status = 'closed' and closed_at >= ${start}::timestamptz and closed_at < ${end}::timestamptz
    group by prevented, trajectory`);
  return rows.map((r) => ({ prevented: r.prevented, trajectory: r.trajectory, cases: Number(r.cases) }));
}

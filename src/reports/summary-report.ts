import type { Database } from '../db/database.js';
import { PHASES, TRAJECTORIES } from '../handoff/handoff-service.js';
import { estimateCosts, type CostEstimate } from './cost-estimate.js';
import type { ReportPeriod } from './report-period.js';
import {
  aftercareCounts,
  closedCaseCounts,
  firstReplyTimes,
  newCaseDimensions,
  newCaseSummaries,
  referralCounts,
  runner,
  type AftercareCounts,
  type FirstReplyTimes,
} from './summary-queries.js';
import { sortTallies, tallySummaries, type Tally } from './tally.js';

/**
 * The summary report for funders over one period (issue 16): exact counts (the page and the JSON API
 * show them as they are; the CSV download hides small ones, small-counts.ts).
 */
export interface SummaryReport {
  period: { kind: ReportPeriod['kind']; from: string; to: string; timezone: string };
  /** Cases (handoffs) opened in the period, whatever became of them since. */
  newCases: {
    total: number;
    /** Marked urgent (danger named, or "now" at the urgency question). */
    urgent: number;
    byChannel: Tally[];
    byLanguage: Tally[];
    /** Life domains: a case may name several, so these add up to more than `total`. */
    byTopic: Tally[];
    byUrgency: Tally[];
    byTrajectory: Tally[];
    /** The phase each new case has reached now. */
    byPhase: Tally[];
    byReason: Tally[];
  };
  /** Referrals made in the period, per agency, and how many cases they were for. */
  referrals: { total: number; cases: number; byAgency: Tally[] };
  firstReply: FirstReplyTimes;
  aftercare: AftercareCounts & {
    /** New cases opened from an aftercare answer ("not so good", "I want to talk"): reason `aftercare`. */
    reopened: number;
  };
  /** Cases closed in the period: the estimate of costs prevented, with its arithmetic. */
  costs: CostEstimate;
}

/**
 * Builds the summary report for a period: every read in one read-only repeatable-read transaction, so
 * the numbers agree with each other while residents and staff keep writing. Cases of erased residents
 * are gone and are not counted (see the README: run and keep the report at the end of each period).
 */
export function createSummaryReport(database: Database, timezone: string) {
  return async function summaryReport(period: ReportPeriod): Promise<SummaryReport> {
    return database.db.transaction(
      async (tx) => {
        const run = runner(database, tx);
        // One after another: a transaction is one connection.
        const dimensions = await newCaseDimensions(run, period);
        const summaries = await newCaseSummaries(run, database, period);
        const referrals = await referralCounts(run, period);
        const firstReply = await firstReplyTimes(run, period);
        const aftercare = await aftercareCounts(run, period);
        const closed = await closedCaseCounts(run, period);
        const dimension = (name: string) => dimensions.get(name) ?? [];
        const { topics, urgency } = tallySummaries(summaries);
        const total = dimension('channel').reduce((sum, t) => sum + t.cases, 0);
        return {
          period: { kind: period.kind, from: period.from, to: period.to, timezone },
          newCases: {
            total,
            urgent: dimension('urgent').find((t) => t.key === 'true')?.cases ?? 0,
            byChannel: sortTallies(dimension('channel')),
            byLanguage: sortTallies(dimension('language')),
            byTopic: topics,
            byUrgency: urgency,
            byTrajectory: sortTallies(dimension('trajectory'), [...TRAJECTORIES, null]),
            byPhase: sortTallies(dimension('phase'), PHASES),
            byReason: sortTallies(dimension('reason')),
          },
          referrals: {
            total: referrals.byAgency.reduce((sum, t) => sum + t.cases, 0),
            cases: referrals.cases,
            byAgency: sortTallies(referrals.byAgency),
          },
          firstReply,
          aftercare: { ...aftercare, reopened: dimension('reason').find((t) => t.key === 'aftercare')?.cases ?? 0 },
          costs: estimateCosts(closed),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  };
}

export type SummaryReportReader = ReturnType<typeof createSummaryReport>;

import { PREVENTED_OUTCOMES, type PreventedOutcome, isPreventedOutcome } from '../handoff/prevented.js';
import {
  COST_FIGURES_SOURCE,
  PREVENTED_COST,
  TRAJECTORY_COST,
  UNKNOWN_TRAJECTORY_COUNTS_AS,
  type CostRange,
} from './cost-figures.js';

/** Cases closed in the period, by what they likely prevented (null: not recorded) and trajectory (null: not set). */
export interface ClosedCaseCount {
  prevented: string | null;
  trajectory: string | null;
  cases: number;
}

export type TrajectoryKey = 'light' | 'heavy' | 'unknown';

/** One line of the arithmetic: cases × the figure per case = the total (null: no figure, no money). */
export interface PreventedLine {
  outcome: PreventedOutcome;
  cases: number;
  perCase: CostRange | null;
  total: CostRange | null;
}

export interface TrajectoryLine {
  trajectory: TrajectoryKey;
  cases: number;
  perCase: number;
  total: number;
}

/**
 * The estimate of costs prevented, with its arithmetic (issue 16). For every case closed in the period
 * with a recorded outcome: what that outcome would have cost (PREVENTED_COST; eviction and "other" have
 * no figure and add nothing), minus what Al Amal's trajectory for the case cost (TRAJECTORY_COST; an
 * unset trajectory counts as UNKNOWN_TRAJECTORY_COUNTS_AS). Cases without a recorded outcome are left out
 * of both sides and counted in `unrecordedCases`. An estimate: the outcomes are the trust persons'
 * judgement, the figures averages.
 */
export interface CostEstimate {
  closedCases: number;
  recordedCases: number;
  unrecordedCases: number;
  /** Cases whose outcome has no cost figure (eviction, other): their trajectory's cost is still counted. */
  casesWithoutFigure: number;
  prevented: PreventedLine[];
  preventedTotal: CostRange;
  trajectories: TrajectoryLine[];
  trajectoryTotal: number;
  /** preventedTotal − trajectoryTotal: the estimate (a range when closed residential care is in it). */
  net: CostRange;
  unknownTrajectoryCountsAs: 'light' | 'heavy';
  source: string;
}

const times = (range: CostRange, n: number): CostRange => ({ low: range.low * n, high: range.high * n });

/** The arithmetic, from the counts of closed cases; pure. Outcomes the code does not know are not recorded. */
export function estimateCosts(rows: readonly ClosedCaseCount[]): CostEstimate {
  const byOutcome = new Map<PreventedOutcome, number>();
  const byTrajectory = new Map<TrajectoryKey, number>();
  let closedCases = 0;
  for (const row of rows) {
    closedCases += row.cases;
    if (!isPreventedOutcome(row.prevented)) continue;
    byOutcome.set(row.prevented, (byOutcome.get(row.prevented) ?? 0) + row.cases);
    const trajectory: TrajectoryKey = row.trajectory === 'light' || row.trajectory === 'heavy' ? row.trajectory : 'unknown';
    byTrajectory.set(trajectory, (byTrajectory.get(trajectory) ?? 0) + row.cases);
  }
  const prevented = PREVENTED_OUTCOMES.map((outcome): PreventedLine => {
    const cases = byOutcome.get(outcome) ?? 0;
    const perCase = PREVENTED_COST[outcome];
    return { outcome, cases, perCase, total: perCase ? times(perCase, cases) : null };
  });
  const preventedTotal = prevented.reduce<CostRange>(
    (sum, line) => ({ low: sum.low + (line.total?.low ?? 0), high: sum.high + (line.total?.high ?? 0) }),
    { low: 0, high: 0 },
  );
  const trajectories = (['light', 'heavy', 'unknown'] as const).map((trajectory): TrajectoryLine => {
    const cases = byTrajectory.get(trajectory) ?? 0;
    const perCase = TRAJECTORY_COST[trajectory === 'unknown' ? UNKNOWN_TRAJECTORY_COUNTS_AS : trajectory];
    return { trajectory, cases, perCase, total: perCase * cases };
  });
  const trajectoryTotal = trajectories.reduce((sum, line) => sum + line.total, 0);
  const recordedCases = prevented.reduce((sum, line) => sum + line.cases, 0);
  return {
    closedCases,
    recordedCases,
    unrecordedCases: closedCases - recordedCases,
    casesWithoutFigure: prevented.filter((line) => line.perCase === null).reduce((sum, line) => sum + line.cases, 0),
    prevented,
    preventedTotal,
    trajectories,
    trajectoryTotal,
    net: { low: preventedTotal.low - trajectoryTotal, high: preventedTotal.high - trajectoryTotal },
    unknownTrajectoryCountsAs: UNKNOWN_TRAJECTORY_COUNTS_AS,
    source: COST_FIGURES_SOURCE,
  };
}

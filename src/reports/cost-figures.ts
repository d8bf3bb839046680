import type { PreventedOutcome } from '../handoff/prevented.js';

/**
 * The cost figures the estimate of costs prevented multiplies with (issue 16). All of them, in one
 * place, with where they come from: Stichting Al Amal's folder on Tussen In, its table "Kosten
 * hulpverlening jeugdzorg" (../shared/seeds/, summarised in ../shared/DOMAIN.md, "Cost figures from the
 * folder"): one client, an average trajectory, in euros; the OTS rate from the Ministry of Justice and
 * Security, the others from youth care institutions in the province of Utrecht. Change a figure here
 * and nowhere else; the report prints this source beside its arithmetic (in Dutch, the folder's own
 * language, in every staff language: it names a document).
 */
export const COST_FIGURES_SOURCE =
  'Stichting Al Amal, folder "Het project Tussen In", tabel "Kosten hulpverlening jeugdzorg" (één cliënt, gemiddeld traject; ' +
  'OTS-tarief van het ministerie van V&J, de andere van jeugdzorginstellingen in de provincie Utrecht; zonder voortraject)';

/** A cost in whole euros: one amount, or a range the folder gives (closed residential care). */
export interface CostRange {
  low: number;
  high: number;
}

/**
 * What each outcome would have cost, per case. `null`: the folder gives no figure (eviction, other), so
 * such a case is counted but adds nothing to what was prevented. `none` prevented nothing: 0.
 */
export const PREVENTED_COST: Readonly<Record<PreventedOutcome, CostRange | null>> = {
  none: { low: 0, high: 0 },
  /** Ondertoezichtstelling (OTS), the first year. */
  supervisionOrder: { low: 8_257, high: 8_257 },
  ambulant: { low: 9_500, high: 9_500 },
  /** Pleeggezin. */
  fosterCare: { low: 14_200, high: 14_200 },
  residentialOpen: { low: 64_700, high: 64_700 },
  /** The folder gives a range: EUR 67,500 to 81,000. */
  residentialClosed: { low: 67_500, high: 81_000 },
  eviction: null,
  other: null,
};

/** What an Al Amal trajectory costs, per case: light EUR 2,500, heavy (the whole method) EUR 5,000. */
export const TRAJECTORY_COST = { light: 2_500, heavy: 5_000 } as const;

/**
 * A closed case whose trajectory was never set is counted at the heavy trajectory's cost: the higher of
 * the two, so the estimate of what was saved is not flattered by a missing field.
 */
export const UNKNOWN_TRAJECTORY_COUNTS_AS = 'heavy' as const;

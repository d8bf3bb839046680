/** How many cases have one value of a field (`key` null: not given, unknown). */
export interface Tally {
  key: string | null;
  cases: number;
}

/**
 * Counts values into tallies, most first (ties by key; "not given" always last), or in `order` when
 * given (keys it does not name come after, most first). Pure.
 */
export function tallyOf(values: Iterable<string | null>, order?: readonly (string | null)[]): Tally[] {
  const counts = new Map<string | null, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return sortTallies(
    [...counts].map(([key, cases]) => ({ key, cases })),
    order,
  );
}

/** Tallies in a fixed order (with zeros for the keys it names), the rest most first. */
export function sortTallies(tallies: readonly Tally[], order?: readonly (string | null)[]): Tally[] {
  const rank = (t: Tally) => (order ? order.indexOf(t.key) : -1);
  const known = order ? order.map((key) => ({ key, cases: tallies.find((t) => t.key === key)?.cases ?? 0 })) : [];
  const rest = tallies
    .filter((t) => rank(t) < 0)
    .sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : b.cases - a.cases || a.key.localeCompare(b.key)));
  return [...known, ...rest];
}

/**
 * The topics (life domains) and urgency of the intake summaries of new cases. A case names any number
 * of domains, so the topics add up to more than the cases; a case without any counts once as not given.
 */
export function tallySummaries(summaries: readonly Record<string, unknown>[]): { topics: Tally[]; urgency: Tally[] } {
  const topics: (string | null)[] = [];
  const urgency: (string | null)[] = [];
  for (const summary of summaries) {
    const domains = summary.domains;
    const list = (Array.isArray(domains) ? domains : [domains]).filter((d): d is string => typeof d === 'string' && d !== '');
    topics.push(...(list.length ? new Set(list) : [null]));
    urgency.push(typeof summary.urgency === 'string' && summary.urgency ? summary.urgency : null);
  }
  return { topics: tallyOf(topics), urgency: tallyOf(urgency, ['now', 'week', 'notUrgent', null]) };
}

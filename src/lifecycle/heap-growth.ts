import v8 from 'node:v8';
import type { Config } from '../config/config.js';

/**
 * How far V8 lets the JavaScript heap grow past what survived its last full collection before it
 * collects again. Left to itself on a machine with plenty of memory, V8 lets it reach up to four times
 * the live heap: under load the process then holds hundreds of megabytes of garbage. With PGlite the
 * database lives in the same process, so the default there is a tight 25% (a little more CPU spent
 * collecting, for a peak that stays near the live heap); on Postgres V8 keeps its own heuristics.
 * 0 means V8's own. Measured in the README's benchmark section.
 */
export const PGLITE_HEAP_GROWTH_PERCENT = 25;

export function heapGrowthPercent(config: Pick<Config, 'HEAP_GROWTH_PERCENT' | 'DATABASE_URL'>): number {
  return config.HEAP_GROWTH_PERCENT ?? (config.DATABASE_URL ? 0 : PGLITE_HEAP_GROWTH_PERCENT);
}

/**
 * Sets V8's heap growing factor for this process (`--heap-growing-percent`). V8 reads it each time it
 * works out the next collection's limit, so it takes effect after start-up as well, on Node 20 and 22
 * (test/lifecycle/heap-growth.test.ts runs it in a fresh process).
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

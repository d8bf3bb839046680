/** What every simulated resident does, and the worker pool that keeps C of them in flight. */

/** One resident's whole intake, message by message; it ends in a handoff. */
export const SCRIPT: readonly string[] = [
  'hallo',
  '1',
  'ja',
  '3 6',
  'mijn huisbaas wil de huur verhogen',
  'verder',
  '2',
  '2',
  '06 12345678',
  '1',
  '1',
  '1',
];

export const MESSAGES_PER_RESIDENT = SCRIPT.length;

/**
 * Runs task(0) … task(count - 1) with `concurrency` workers pulling the next index from a shared
 * queue; the first failure stops the workers from taking more and is rethrown.
 */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Wall-clock time of an async run, in milliseconds. */
export async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

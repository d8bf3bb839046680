import type { Logger } from '../logging/logger.js';

export interface Poller {
  /** Runs the work once now (tests call it with a moved clock instead of waiting). */
  tick(): Promise<void>;
  start(): void;
  /** Stops the loop and waits for a run under way, so nothing touches the database afterwards. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `everyMs`, one run at a time (the next waits for the end of the last), and logs a
 * failure instead of stopping. What the work does must be safe on several instances at once: each job
 * claims its rows with a conditional update.
 */
export function createPoller(options: { name: string; everyMs: number; logger: Logger; work: () => Promise<void> }): Poller {
  const { name, everyMs, logger, work } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  const tick = async () => {
    try {
      await work();
    } catch (error) {
      logger.error({ err: error, job: name }, 'background job failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, everyMs);
  };

  return {
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

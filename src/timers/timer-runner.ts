import { asc, lte } from 'drizzle-orm';
import type { ConversationService } from '../conversation/conversation-service.js';
import type { Database } from '../db/database.js';
import { timers } from '../db/schema.js';
import type { Logger } from '../logging/logger.js';

export interface TimerRunner {
  /** Feeds every due timer through the conversation step; resolves with how many fired. */
  runOnce(now?: Date): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Polls the timers table. Several instances may poll at once: each timer is deleted inside the
 * conversation's transaction, so exactly one of them fires it.
 */
export function createTimerRunner(deps: {
  database: Database;
  conversations: ConversationService;
  logger: Logger;
  pollMs: number;
}): TimerRunner {
  const { database, conversations, logger, pollMs } = deps;
  let handle: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;

  async function runOnce(now = new Date()): Promise<number> {
    const due = await database.db
      .select({ id: timers.id })
      .from(timers)
      .where(lte(timers.dueAt, now))
      .orderBy(asc(timers.dueAt))
      .limit(100);
    let fired = 0;
    for (const { id } of due) {
      try {
        if (await conversations.handleTimer(id)) fired++;
      } catch (error) {
        logger.error({ err: error, timerId: id }, 'timer failed');
      }
    }
    return fired;
  }

  const tick = () => {
    if (stopped) return;
    handle = setTimeout(async () => {
      running = runOnce();
      await running.catch((error) => logger.error({ err: error }, 'timer poll failed'));
      running = null;
      tick();
    }, pollMs);
  };

  return {
    runOnce,
    start: () => {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    stop: async () => {
      stopped = true;
      if (handle) clearTimeout(handle);
      await running?.catch(() => undefined);
    },
  };
}

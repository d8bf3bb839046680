import { sql } from 'drizzle-orm';
import type { AftercareOutcome, ConversationService } from '../conversation/conversation-service.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';

/** How many due cases one run looks at; the rest wait for the next run. */
const BATCH = 50;

/**
 * Aftercare (issue 13): some time after a case closed (`handoffs.aftercare_at`, set at closing from
 * AFTERCARE_AFTER_DAYS or the trust person's choice), the bot asks the resident how things are now.
 * This finds the due cases; the conversation service claims each in the resident's transaction, so
 * with several instances each question goes out once.
 */
export function createAftercare(deps: {
  database: Database;
  conversations: Pick<ConversationService, 'startAftercare'>;
  now: () => Date;
  logger: Logger;
}) {
  return {
    /** Asks (or records why not) for every due case; resolves with how many of each outcome. */
    async runDue(): Promise<Partial<Record<AftercareOutcome, number>>> {
      const due = await deps.database.rows<{ id: string }>(sql`
        select id from handoffs
        where status = 'closed' and aftercare_at <= ${deps.now().toISOString()}::timestamptz and aftercare_sent_at is null
        order by aftercare_at
        limit ${BATCH}`);
      const counts: Partial<Record<AftercareOutcome, number>> = {};
      for (const { id } of due) {
        try {
          const outcome = await deps.conversations.startAftercare(id);
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        } catch (error) {
          deps.logger.error({ err: error, handoffId: id }, 'aftercare question failed');
        }
      }
      if (due.length > 0) deps.logger.info({ job: 'aftercare', ...counts }, 'aftercare questions');
      return counts;
    },
  };
}

export type Aftercare = ReturnType<typeof createAftercare>;

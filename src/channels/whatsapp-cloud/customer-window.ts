import { eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { residents } from '../../db/schema.js';
import type { Recipient } from '../../outbox/channel-adapter.js';

/** Meta's customer service window: free-form messages until 24 hours after the resident last wrote. */
export const CUSTOMER_WINDOW_MS = 24 * 3600_000;

/** Whether a free-form message to this resident can still be delivered. */
export type WindowCheck = (recipient: Recipient) => Promise<boolean>;

/**
 * Reads the resident's last inbound time (`residents.last_inbound_at`, set with every message they
 * send). The Cloud API accepts a message outside the window and only reports the failure later in a
 * status webhook (131047); asking first lets the outbox give up, or send a template, at once.
 */
export function createWindowCheck(database: Database, now: () => number = Date.now): WindowCheck {
  return async (recipient) => {
    const [row] = await database.db
      .select({ at: residents.lastInboundAt })
      .from(residents)
      .where(eq(residents.id, recipient.residentId));
    return row?.at != null && now() - row.at.getTime() < CUSTOMER_WINDOW_MS;
  };
}

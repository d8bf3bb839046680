import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import type { DeliveryStatus } from '../whatsapp/delivery-status.js';
import { GRAPH_ERROR, WINDOW_CLOSED } from './classify-cloud-error.js';
import type { CloudStatus } from './webhook-payload.js';

/**
 * The ticks of WhatsApp Web's receipts (../whatsapp/delivery-status.ts) plus `window-closed`: a
 * message the Cloud API accepted and then could not deliver because the resident last wrote more
 * than 24 hours before (error 131047).
 */
export type CloudDeliveryStatus = Exclude<DeliveryStatus, 'played'> | typeof WINDOW_CLOSED;

/** A status as we record it: the tick, and for a failure what went wrong. */
export interface CloudDelivery {
  status: CloudDeliveryStatus;
  error?: string | undefined;
}

/** sent → one grey tick (`server`), delivered → two, read → two blue; failed → `error` or `window-closed`. */
export function cloudDeliveryOf(update: CloudStatus): CloudDelivery | undefined {
  switch (update.status) {
    case 'sent':
      return { status: 'server' };
    case 'delivered':
      return { status: 'delivered' };
    case 'read':
      return { status: 'read' };
    case 'failed': {
      const error = update.errors?.[0];
      const code = error?.code;
      const words = [error?.title ?? error?.message, error?.error_data?.details].filter(Boolean).join(': ');
      const reason = `WhatsApp Cloud${code !== undefined ? ` ${code}` : ''}: ${words || 'failed'}`;
      return code === GRAPH_ERROR.windowClosed
        ? { status: WINDOW_CLOSED, error: `${WINDOW_CLOSED}: ${reason}` }
        : { status: 'error', error: reason };
    }
    default:
      return undefined; // `deleted`, `warning` and the like: nothing to record
  }
}

const TICKS = sql`array['server', 'delivered', 'read']`;

/**
 * Records each status on the outbox row of our message, only ever forward (statuses can arrive out
 * of order: read before delivered), as the Baileys receipts do. A failure replaces no tick or one grey
 * tick only, and marks the row `failed` with its reason in `last_error`, so the inbox says the message
 * did not arrive (and why, for `window-closed`). A split message's row holds its ids comma-joined;
 * the exact id is looked up first (indexed), the list only for an id no row has by itself. Returns
 * the statuses that matched no sent row yet (the dispatcher records the id a moment after the send).
 */
export async function recordCloudStatuses(database: Database, updates: readonly CloudStatus[]): Promise<CloudStatus[]> {
  const unmatched: CloudStatus[] = [];
  for (const update of updates) {
    const delivery = cloudDeliveryOf(update);
    if (!delivery) continue;
    const exact = sql`channel_message_id = ${update.id}`;
    const inList = sql`strpos(channel_message_id, ',') > 0 and ${update.id} = any(string_to_array(channel_message_id, ','))`;
    let matched = false;
    for (const match of [exact, inList]) {
      // Nothing updated: a row may still have it (a status that does not move it forward).
      if ((await apply(database, match, delivery)) || (await isKnown(database, match))) {
        matched = true;
        break;
      }
    }
    if (!matched) unmatched.push(update);
  }
  return unmatched;
}

async function isKnown(database: Database, match: SQL): Promise<boolean> {
  const rows = await database.rows<{ id: number }>(
    sql`select id from outbox where channel = 'whatsapp' and status <> 'pending' and ${match} limit 1`,
  );
  return rows.length > 0;
}

/** True when a row was updated. */
async function apply(database: Database, match: SQL, delivery: CloudDelivery): Promise<boolean> {
  const rows =
    delivery.error !== undefined
      ? await database.rows<{ id: number }>(sql`
          update outbox set status = 'failed', delivery_status = ${delivery.status}, delivery_status_at = now(),
            last_error = ${delivery.error.slice(0, 500)}
          where channel = 'whatsapp' and status = 'sent' and ${match}
            and (delivery_status is null or delivery_status = 'server')
          returning id`)
      : await database.rows<{ id: number }>(sql`
          update outbox set delivery_status = ${delivery.status}, delivery_status_at = now()
          where channel = 'whatsapp' and status = 'sent' and ${match}
            and (delivery_status is null
                 or array_position(${TICKS}, delivery_status) < array_position(${TICKS}, ${delivery.status}::text))
          returning id`);
  return rows.length > 0;
}

/** Statuses that came before their send was recorded are tried once more after this. */
const STATUS_RETRY_MS = 2000;

export interface StatusRecorder {
  /** Records a webhook's statuses; throws when the database does not answer (the webhook then says 500). */
  record(updates: readonly CloudStatus[]): Promise<void>;
  /** Drops the retries still waiting. */
  stop(): void;
}

export function createStatusRecorder(database: Database, logger: Logger, retryMs = STATUS_RETRY_MS): StatusRecorder {
  const timers = new Set<NodeJS.Timeout>();
  return {
    async record(updates) {
      const unmatched = await recordCloudStatuses(database, updates);
      if (unmatched.length === 0) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void recordCloudStatuses(database, unmatched).catch((error) =>
          logger.warn({ err: error }, 'recording WhatsApp Cloud statuses failed'),
        );
      }, retryMs);
      timers.add(timer);
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

import { proto, type WAMessageUpdate } from '@whiskeysockets/baileys';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';

export type DeliveryStatus = 'error' | 'server' | 'delivered' | 'read' | 'played';

const STATUS = proto.WebMessageInfo.Status;

/** WhatsApp's ticks by name: one grey (server), two grey (delivered), two blue (read), a played voice note. */
export function deliveryStatusOf(status: number | null | undefined): DeliveryStatus | undefined {
  switch (status) {
    case STATUS.ERROR:
      return 'error';
    case STATUS.SERVER_ACK:
      return 'server';
    case STATUS.DELIVERY_ACK:
      return 'delivered';
    case STATUS.READ:
      return 'read';
    case STATUS.PLAYED:
      return 'played';
    default:
      return undefined; // pending: nothing to record
  }
}

/**
 * Records on the outbox row of each of our messages the furthest status WhatsApp reported: receipts
 * can arrive out of order (read before delivered), and a later lower one never overwrites. `error`
 * only replaces "reached the server". Returns the updates that matched no row yet (the dispatcher
 * stores the message id just after the send, and a quick receipt can beat it).
 */
export async function recordDeliveryStatuses(database: Database, updates: WAMessageUpdate[]): Promise<WAMessageUpdate[]> {
  const unmatched: WAMessageUpdate[] = [];
  for (const update of updates) {
    const status = deliveryStatusOf(update.update.status);
    if (!update.key.fromMe || !update.key.id || !status) continue;
    const rows = await database.rows<{ id: number }>(sql`
      update outbox set delivery_status = ${status}, delivery_status_at = now()
      where channel = 'whatsapp' and channel_message_id = ${update.key.id}
        and (delivery_status is null
             or array_position(array['server', 'delivered', 'read', 'played'], delivery_status)
                < array_position(array['server', 'delivered', 'read', 'played'], ${status}::text)
             or (${status}::text = 'error' and delivery_status = 'server'))
      returning id`);
    if (rows.length === 0) {
      const known = await database.rows<{ id: number }>(
        sql`select id from outbox where channel = 'whatsapp' and channel_message_id = ${update.key.id} limit 1`,
      );
      if (known.length === 0) unmatched.push(update);
    }
  }
  return unmatched;
}

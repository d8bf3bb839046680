import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { App } from '../../src/app.js';

/** A moment in the organisation's time (ORG_TIMEZONE, Europe/Amsterdam by default), as it reads it. */
export const amsterdam = (text: string): Date => DateTime.fromISO(text, { zone: 'Europe/Amsterdam' }).toJSDate();

export interface ReportCase {
  channel: 'web' | 'telegram' | 'whatsapp';
  language: string;
  summary: Record<string, string | string[]>;
  reason: string;
  /** Amsterdam time, `2026-03-01T00:30`. */
  createdAt: string;
  urgent?: boolean;
}

/**
 * A handed-over case as the conversation service leaves it (a resident, a conversation waiting for a
 * person, a waiting handoff), at a known time, content encrypted with the app's keys. For the reports'
 * tests, which need cases spread over weeks and channels.
 */
export async function seedCase(app: App, c: ReportCase): Promise<string> {
  const { database } = app;
  const created = amsterdam(c.createdAt).toISOString();
  const [resident] = await database.rows<{ id: string }>(sql`
    insert into residents (channel, external_id, locale) values (${c.channel}, ${randomUUID()}, ${c.language}) returning id`);
  const snapshot = JSON.stringify(database.cipher.encryptJson({ value: 'person', context: {} }));
  const [conversation] = await database.rows<{ id: string }>(sql`
    insert into conversations (resident_id, flow_id, flow_version, snapshot, mode, created_at, updated_at)
    values (${resident!.id}::uuid, 'intake', 1, ${snapshot}::jsonb, 'waiting', ${created}::timestamptz, ${created}::timestamptz)
    returning id`);
  const summary = JSON.stringify(database.cipher.encryptJson(c.summary));
  const [handoff] = await database.rows<{ id: string }>(sql`
    insert into handoffs (conversation_id, resident_id, status, urgent, reason, locale, summary, preferences, created_at, updated_at)
    values (${conversation!.id}::uuid, ${resident!.id}::uuid, 'waiting', ${c.urgent ?? false}, ${c.reason}, ${c.language},
            ${summary}::jsonb, ${JSON.stringify({ language: c.language })}::jsonb, ${created}::timestamptz, ${created}::timestamptz)
    returning id`);
  return handoff!.id;
}

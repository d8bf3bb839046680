import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { WritePart } from '../db/query.js';
import { languageJobs, media, messages, residents } from '../db/schema.js';

export type LanguageJobKind = 'transcribe' | 'translate';

export interface LanguageJob {
  id: number;
  kind: LanguageJobKind;
  messageId: number;
  residentId: string;
  /** Tries so far, this one included. */
  attempts: number;
}

/** Queues one job in the step's own statement (see runAsOneStatement); a second for the same message and kind is ignored. */
export function queueLanguageJobPart(kind: LanguageJobKind, messageId: number, residentId: string): WritePart {
  return {
    name: `language_job_${kind}`,
    sql: `insert into language_jobs (kind, message_id, resident_id) values ($1, $2, $3::uuid)
          on conflict (message_id, kind) do nothing`,
    params: [kind, messageId, residentId],
  };
}

/** Queues a job outside a step (a transcript that now wants translating). */
export async function queueLanguageJob(database: Database, kind: LanguageJobKind, messageId: number, residentId: string) {
  await database.db.insert(languageJobs).values({ kind, messageId, residentId }).onConflictDoNothing();
}

/**
 * Takes up to `limit` due jobs of one kind for `leaseMs`: another instance (or this one after a crash)
 * takes them again only once the lease ran out. Oldest first.
 */
export async function claimLanguageJobs(
  database: Database,
  kind: LanguageJobKind,
  options: { limit: number; leaseMs: number },
): Promise<LanguageJob[]> {
  const rows = await database.rows<{ id: string | number; messageId: string | number; residentId: string; attempts: number }>(sql`
    update language_jobs j set lease_until = now() + (${`${options.leaseMs} milliseconds`})::interval, attempts = j.attempts + 1
    where j.id in (
      select id from language_jobs
      where kind = ${kind} and due_at <= now() and (lease_until is null or lease_until < now())
      order by due_at, id
      limit ${options.limit}
      for update skip locked
    )
    returning j.id, j.message_id as "messageId", j.resident_id as "residentId", j.attempts`);
  return rows.map((r) => ({
    id: Number(r.id),
    kind,
    messageId: Number(r.messageId),
    residentId: r.residentId,
    attempts: r.attempts,
  }));
}

export async function finishLanguageJob(database: Database, jobId: number): Promise<void> {
  await database.db.delete(languageJobs).where(eq(languageJobs.id, jobId));
}

/** Lets go of a job to try again after `delayMs`. */
export async function retryLanguageJobLater(database: Database, jobId: number, delayMs: number): Promise<void> {
  await database.rows(sql`
    update language_jobs set lease_until = null, due_at = now() + (${`${delayMs} milliseconds`})::interval
    where id = ${jobId}`);
}

/** A voice note to transcribe: its sound, and the language the resident chose (a hint for the server). */
export async function readVoiceNote(
  database: Database,
  messageId: number,
): Promise<{ mediaId: string; bytes: Uint8Array; contentType: string; residentLocale: string | null } | null> {
  const [row] = await database.db
    .select({ mediaId: media.id, content: media.content, contentType: media.contentType, residentLocale: residents.locale })
    .from(messages)
    .innerJoin(media, eq(media.id, messages.mediaId))
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .where(eq(messages.id, messageId));
  if (!row) return null;
  return {
    mediaId: row.mediaId,
    bytes: database.cipher.decryptBytes(row.content),
    contentType: row.contentType,
    residentLocale: row.residentLocale,
  };
}

export async function saveTranscript(
  database: Database,
  mediaId: string,
  transcript: { text: string; locale: string | null },
): Promise<void> {
  await database.db
    .update(media)
    .set({
      transcript: database.cipher.encryptText(transcript.text),
      transcriptLocale: transcript.locale,
      transcriptStatus: 'done',
    })
    .where(eq(media.id, mediaId));
}

export async function markTranscriptFailed(database: Database, messageId: number): Promise<void> {
  await database.rows(sql`
    update media set transcript_status = 'failed'
    where id = (select media_id from messages where id = ${messageId}) and transcript_status is null`);
}

/** What a message says, to translate: what the resident typed, else its voice note's transcript. */
export async function readWordsToTranslate(
  database: Database,
  messageId: number,
): Promise<{ text: string; locale: string | null; fromTranscript: boolean; residentLocale: string | null } | null> {
  const [row] = await database.db
    .select({
      text: messages.text,
      transcript: media.transcript,
      transcriptLocale: media.transcriptLocale,
      residentLocale: residents.locale,
    })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .leftJoin(media, eq(media.id, messages.mediaId))
    .where(and(eq(messages.id, messageId), eq(messages.direction, 'in')));
  if (!row) return null;
  const typed = database.cipher.decryptText(row.text);
  if (typed) return { text: typed, locale: null, fromTranscript: false, residentLocale: row.residentLocale };
  const transcript = database.cipher.decryptText(row.transcript);
  if (!transcript) return null;
  return { text: transcript, locale: row.transcriptLocale, fromTranscript: true, residentLocale: row.residentLocale };
}

export async function saveTranslation(
  database: Database,
  messageId: number,
  translation: { text: string; locale: string; source: string | null },
): Promise<void> {
  await database.db
    .update(messages)
    .set({
      translation: database.cipher.encryptText(translation.text),
      translationLocale: translation.locale,
      // An inbound message's own language, as far as we know it: the label says "translated from …".
      ...(translation.source ? { locale: translation.source } : {}),
    })
    .where(eq(messages.id, messageId));
}

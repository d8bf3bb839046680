import { eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { handoffReferrals, handoffs, media, messages, residents } from '../db/schema.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../staff/staff-types.js';
import { messagesOfCase, type HandoffQueries, type QueueFilter, type QueueItem } from './handoff-queries.js';
import { canReadCase, type CaseHolders } from './access.js';

/**
 * What staff search cases by (issue 16), beyond the queue's status, language and "mine". Fields of the
 * case itself (phase, trajectory, dates, agency, trust person) narrow every staff member's queue;
 * `text` (case number, resident name or handle, phone) and `words` (what the resident wrote or said)
 * find only cases the searcher may read, so a search never tells who else has a case.
 */
export interface CaseSearch {
  /** The start of a case number (its id), a resident's name or channel handle, or a phone number. */
  text?: string | undefined;
  phase?: string | undefined;
  trajectory?: string | undefined;
  /** Cases opened on or after `from` and before `to` (the end of the day the searcher picked). */
  from?: Date | undefined;
  to?: Date | undefined;
  /** Referred to this agency. */
  agency?: string | undefined;
  /** Held by or assigned to this staff member. */
  staffId?: string | undefined;
  /** Words the resident wrote, or said in a transcribed voice note, or their machine translation. */
  words?: string | undefined;
}

/** The search's conditions on the case row, for the queue query. */
export function searchConditions(search: CaseSearch): SQL[] {
  const where: SQL[] = [];
  if (search.phase) where.push(sql`${handoffs.phase} = ${search.phase}`);
  if (search.trajectory) where.push(sql`${handoffs.trajectory} = ${search.trajectory}`);
  if (search.from) where.push(sql`${handoffs.createdAt} >= ${search.from.toISOString()}::timestamptz`);
  if (search.to) where.push(sql`${handoffs.createdAt} < ${search.to.toISOString()}::timestamptz`);
  if (search.staffId) where.push(or(eq(handoffs.claimedBy, search.staffId), eq(handoffs.assignedTo, search.staffId))!);
  if (search.agency) {
    where.push(
      sql`exists (select 1 from ${handoffReferrals} where ${handoffReferrals.handoffId} = ${handoffs.id} and ${handoffReferrals.agency} = ${search.agency})`,
    );
  }
  const text = search.text?.trim();
  if (text) {
    const like = `%${escapeLike(text)}%`;
    const matches: SQL[] = [sql`${residents.displayName} ilike ${like}`, sql`${residents.externalId} ilike ${like}`];
    // A case number: the first characters of its id, as the case page shows it.
    if (/^[0-9a-f-]{4,36}$/i.test(text)) matches.push(sql`${handoffs.id}::text like ${`${text.toLowerCase()}%`}`);
    const phone = phoneDigits(text);
    if (phone) matches.push(sql`regexp_replace(${residents.externalId}, '[^0-9]', '', 'g') like ${`%${phone}`}`);
    where.push(or(...matches)!);
  }
  return where;
}

/**
 * A phone number as the last digits to compare, so 06 12 34 56 78, +31 6 12345678 and 0031612345678 all
 * find WhatsApp's 31612345678: the national number without its leading 0 or country code.
 */
export function phoneDigits(text: string): string | null {
  if (!/^[+\d\s().-]+$/.test(text)) return null;
  let digits = text.replace(/\D/g, '');
  if (digits.length < 6) return null;
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits.startsWith('31')) digits = digits.slice(2);
  if (digits.startsWith('0')) digits = digits.slice(1);
  return digits;
}

/** Keeps the cases this actor may read: the only ones a search by name, phone or words may show. */
export function readableBy<T extends CaseHolders>(actor: Actor, items: T[]): T[] {
  return items.filter((item) => canReadCase(actor, item));
}

/** How many cases a search by words reads through at most: narrow it with the other fields beyond that. */
export const MAX_CASES_SCANNED = 300;

/**
 * The cases among `candidates` (ids with their conversations) in which the resident used every one of
 * `words`. Nothing a resident wrote is stored in the clear, so there is no index to ask: the messages of
 * the candidates the other filters left are decrypted here and scanned, and nothing of them is kept.
 * That is exact, needs no second copy of their words in any form, and is fast enough for the few
 * hundred cases an organisation works at once; `MAX_CASES_SCANNED` bounds it.
 */
export async function casesWithWords(database: Database, handoffIds: readonly string[], words: string): Promise<Set<string>> {
  const wanted = normalizeForSearch(words).split(' ').filter(Boolean);
  const found = new Set<string>();
  if (wanted.length === 0 || handoffIds.length === 0) return found;
  const rows = await database.db
    .select({ handoffId: handoffs.id, text: messages.text, translation: messages.translation, transcript: media.transcript })
    .from(handoffs)
    .innerJoin(messages, messagesOfCase('in'))
    .leftJoin(media, eq(media.id, messages.mediaId))
    .where(inArray(handoffs.id, handoffIds.slice(0, MAX_CASES_SCANNED)));
  const textOf = new Map<string, string[]>();
  const { cipher } = database;
  for (const row of rows) {
    const parts = textOf.get(row.handoffId) ?? [];
    for (const stored of [row.text, row.translation, row.transcript]) {
      const plain = cipher.decryptText(stored);
      if (plain) parts.push(normalizeForSearch(plain));
    }
    textOf.set(row.handoffId, parts);
  }
  for (const [handoffId, parts] of textOf) {
    const all = ` ${parts.join(' ')} `;
    if (wanted.every((word) => all.includes(word))) found.add(handoffId);
  }
  return found;
}

/**
 * Lower case, without accents, Arabic diacritics and tatweel, and the alef and yeh/teh marbuta forms
 * folded, so "Schuld" finds "schulden", "école" finds "ecole" and "مدرسه" finds "مدرسة".
 */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u0652\u0670\u0640]/g, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The queue with a search (page and API alike): the case fields in SQL, then, for a search by name,
 * phone or words, only the cases the actor may read, then the words. Every search is audited: which
 * fields were used and how many cases were found, never what was searched for (it may be a name).
 */
export async function findCases(
  /** `audit` absent: a repeat of a search already audited (the live refresh of its list). */
  deps: { queries: HandoffQueries; audit: Pick<AuditLog, 'record'> | undefined },
  actor: Actor,
  filter: QueueFilter & { words?: string | undefined },
): Promise<{ items: QueueItem[]; scanLimited: boolean }> {
  const { words, ...queueFilter } = filter;
  let items = await deps.queries.queue(words ? { ...queueFilter, limit: 500 } : queueFilter);
  const fields = Object.entries({ ...filter.search, words })
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k]) => k);
  if (fields.length === 0) return { items, scanLimited: false };
  if (filter.search?.text || words) items = readableBy(actor, items);
  let scanLimited = false;
  if (words) {
    scanLimited = items.length > MAX_CASES_SCANNED;
    const found = await deps.queries.casesWithWords(
      items.map((i) => i.id),
      words,
    );
    items = items.filter((i) => found.has(i.id));
  }
  await deps.audit?.record({
    actor,
    action: 'case.search',
    outcome: 'allowed',
    detail: { fields: fields.sort(), results: items.length, ...(scanLimited ? { scanLimited } : {}) },
  });
  return { items, scanLimited };
}

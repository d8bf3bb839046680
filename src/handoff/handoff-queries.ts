import type { FieldCipher } from '../crypto/field-cipher.js';
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { ON_BEHALF_OF_INTEGRATION } from '../audit/audit-log.js';
import { auditLog, handoffReferrals, handoffs, intakes, media, messages, outbox, residents, staff } from '../db/schema.js';
import { checkHandoffId } from './handoff-error.js';
import { casesWithWords, searchConditions, type CaseSearch } from './case-search.js';

export type QueueStatus = 'waiting' | 'claimed' | 'closed' | 'open' | 'all';

export interface QueueFilter {
  status?: QueueStatus | undefined;
  urgent?: boolean | undefined;
  language?: string | undefined;
  /** Cases this staff id holds or was assigned. */
  mine?: string | undefined;
  /** Cases nobody holds or was assigned. */
  unassigned?: boolean | undefined;
  /** Phase, trajectory, dates, agency, trust person, and a case number, name or phone (case-search.ts). */
  search?: Omit<CaseSearch, 'words'> | undefined;
  limit?: number | undefined;
}

/** One line of the queue: everything but the resident's own words, so every staff member may see it. */
export interface QueueItem {
  id: string;
  status: 'waiting' | 'claimed' | 'closed';
  urgent: boolean;
  reason: string;
  channel: string;
  language: string | null;
  /**
   * The language the resident's first message was written in when we have no texts for it (an ISO 639-1
   * code such as `pl`), or `darija-latin` (Moroccan Arabic in Latin letters; the bot answers in Arabic).
   * Routing, like the language: kept without consent too.
   */
  writtenLanguage: string | null;
  domains: string[];
  urgency: string | null;
  contact: string | null;
  reachable: string | null;
  helperGender: string | null;
  /** After danger: `safe`, `later` (wait until they write), `chatOnly` (never call), `callAfter` (only at their time). */
  safety: string | null;
  /** The resident chose discreet mode (the bot deletes its messages from their chat). */
  discreet: boolean;
  /** The resident chose neutral wording: replies must not name the organisation or the topic up front. */
  neutral: boolean;
  claimedBy: string | null;
  assignedTo: string | null;
  phase: string;
  trajectory: string | null;
  createdAt: Date;
  updatedAt: Date;
  claimedAt: Date | null;
  closedAt: Date | null;
  /** A returning resident's case: the closed case it follows (issue 13). */
  previousHandoffId: string | null;
}

export interface CaseRecord extends QueueItem {
  conversationId: string;
  residentId: string;
  closedBy: string | null;
  summary: Record<string, string | string[]>;
  residentName: string | null;
  residentUnreachable: boolean;
  /** When the resident last wrote (a channel's service window counts from it: WhatsApp's Cloud API, 24 hours). */
  residentLastInboundAt: Date | null;
  /**
   * The phone number (digits, optional leading +) and the address or neighbourhood the resident gave for a
   * call or a visit: content (kept only with consent), so only for a reader of the case.
   */
  contactDetails: ContactDetails;
  intake: { answers: Record<string, string | string[]>; notes: { step: string; messageId: number; kind: string }[] } | null;
  referrals: string[];
  /** The aftercare question of a closed case: planned for, asked at, the answer or why it was not asked. */
  aftercare: { at: Date | null; sentAt: Date | null; answer: string | null; skipped: string | null };
  /** What the work likely prevented, recorded at closing (issue 16; src/handoff/prevented.ts), or null. */
  prevented: string | null;
}

export interface ContactDetails {
  phone: string | null;
  address: string | null;
}

/** The answers that hold contact details: a summary reader (see CaseReader.summary) never gets them. */
export const CONTACT_DETAIL_ANSWERS = ['contactPhone', 'contactAddress'] as const;

export interface TranscriptMessage {
  id: number;
  direction: 'in' | 'out';
  author: string | null;
  text: string | null;
  choice: string | null;
  mediaId: string | null;
  mediaKind: string | null;
  locale: string | null;
  createdAt: Date;
  /** A voice or audio note's transcript (issue 15): its text, or 'failed' when the speech server could not read it. */
  transcript: { text: string; locale: string | null } | 'failed' | null;
  /**
   * Inbound: a machine translation of the text or transcript into the staff language. Outbound: the
   * trust person's original, when what went out was a translation of it.
   */
  translation: { text: string; locale: string | null } | null;
  /** Outbound only: our outbox state (pending/sent/failed) and what the channel reported after. */
  delivery: { status: 'pending' | 'sent' | 'failed'; channelStatus: string | null; lastError: string | null } | null;
}

/** The newest message of a case, for its card in "Mijn zaken". */
export interface CardMessage {
  id: number;
  direction: 'in' | 'out';
  author: string | null;
  text: string | null;
  mediaKind: string | null;
  createdAt: Date;
}

/** An earlier or parallel case of the same resident: its course, never their words. */
export interface ResidentCase {
  id: string;
  status: 'waiting' | 'claimed' | 'closed';
  phase: string;
  trajectory: string | null;
  referrals: string[];
  claimedBy: string | null;
  createdAt: Date;
  closedAt: Date | null;
}

export interface StaffLoad {
  id: string;
  name: string;
  role: 'trust_person' | 'coordinator';
  languages: string[];
  gender: string | null;
  openCases: number;
}

const queueColumns = {
  id: handoffs.id,
  status: handoffs.status,
  urgent: handoffs.urgent,
  reason: handoffs.reason,
  channel: residents.channel,
  summary: handoffs.summary,
  preferences: handoffs.preferences,
  claimedBy: handoffs.claimedBy,
  assignedTo: handoffs.assignedTo,
  phase: handoffs.phase,
  trajectory: handoffs.trajectory,
  createdAt: handoffs.createdAt,
  updatedAt: handoffs.updatedAt,
  claimedAt: handoffs.claimedAt,
  closedAt: handoffs.closedAt,
  previousHandoffId: handoffs.previousHandoffId,
};

type QueueRow = {
  [K in keyof typeof queueColumns]: (typeof queueColumns)[K]['_']['notNull'] extends true
    ? (typeof queueColumns)[K]['_']['data']
    : (typeof queueColumns)[K]['_']['data'] | null;
};

/** A language code as the filters take it (`pl`, `pt-BR`); not "darija-latin". */
const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function toQueueItem(row: QueueRow, cipher: FieldCipher): QueueItem {
  const { summary: stored, preferences, ...rest } = row;
  const summary = cipher.decryptJson<QueueRow['summary']>(stored);
  const domains = summary.domains;
  return {
    ...rest,
    language: text(preferences.language),
    writtenLanguage: text(preferences.writtenLanguage),
    domains: Array.isArray(domains) ? domains : typeof domains === 'string' ? [domains] : [],
    urgency: text(summary.urgency),
    contact: text(preferences.contact ?? summary.contact),
    reachable: text(preferences.reachable ?? summary.reachable),
    helperGender: text(preferences.helperGender ?? summary.helperGender),
    safety: text(preferences.safety),
    discreet: preferences.discreet === 'on',
    neutral: preferences.neutral === 'on',
  };
}

/**
 * Messages of one conversation, found through the resident's index (`messages_resident_id`): there is no
 * index on the conversation, which would cost every message written one more entry.
 */
function ofConversation(conversationId: string): SQL {
  return and(
    sql`${messages.residentId} = (select resident_id from conversations where id = ${conversationId}::uuid)`,
    eq(messages.conversationId, conversationId),
  )!;
}

/**
 * The join from a handoff to the messages of its conversation (with `direction`: only those going that
 * way), found through the resident's index (`messages_resident_id`) as `ofConversation` finds them.
 */
export function messagesOfCase(direction?: 'in' | 'out'): SQL {
  return and(
    eq(messages.residentId, handoffs.residentId),
    eq(messages.conversationId, handoffs.conversationId),
    direction ? eq(messages.direction, direction) : undefined,
  )!;
}

/** Reads for the inbox and the API. Authorisation and auditing are the caller's (see case-reader.ts). */
export function createHandoffQueries(database: Database) {
  const { db, cipher } = database;
  return {
    async queue(filter: QueueFilter = {}): Promise<QueueItem[]> {
      const where: SQL[] = [];
      const status = filter.status ?? 'waiting';
      if (status === 'open') where.push(inArray(handoffs.status, ['waiting', 'claimed']));
      else if (status !== 'all') where.push(eq(handoffs.status, status));
      if (filter.urgent !== undefined) where.push(eq(handoffs.urgent, filter.urgent));
      // The chat's language, or the language the first message was written in (a Polish speaker finds "pl").
      if (filter.language) {
        where.push(
          sql`(${handoffs.preferences}->>'language' = ${filter.language} or ${handoffs.preferences}->>'writtenLanguage' = ${filter.language})`,
        );
      }
      if (filter.mine) where.push(or(eq(handoffs.claimedBy, filter.mine), eq(handoffs.assignedTo, filter.mine))!);
      if (filter.unassigned) where.push(and(isNull(handoffs.claimedBy), isNull(handoffs.assignedTo))!);
      if (filter.search) where.push(...searchConditions(filter.search));
      const rows = await db
        .select(queueColumns)
        .from(handoffs)
        .innerJoin(residents, eq(residents.id, handoffs.residentId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(
          desc(sql`${handoffs.status} = 'waiting'`),
          desc(handoffs.urgent),
          asc(sql`case when ${handoffs.status} = 'waiting' then ${handoffs.createdAt} end`),
          desc(handoffs.updatedAt),
        )
        .limit(Math.min(Math.max(filter.limit ?? 200, 1), 500));
      return rows.map((row) => toQueueItem(row, cipher));
    },

    /**
     * "Mijn zaken" (issue 16): per case, its conversation's newest message (decrypted: only for cases the
     * caller may read) and how many of the resident's messages came after `staffId` last read the case
     * (opened it, or wrote in it).
     */
    async cardDetails(
      staffId: string,
      handoffIds: readonly string[],
    ): Promise<Map<string, { last: CardMessage | null; unread: number }>> {
      const result = new Map<string, { last: CardMessage | null; unread: number }>();
      if (handoffIds.length === 0) return result;
      const ids = [...handoffIds];
      const [lastRows, unreadRows] = await Promise.all([
        db
          .selectDistinctOn([handoffs.id], {
            handoffId: handoffs.id,
            id: messages.id,
            direction: messages.direction,
            author: messages.author,
            text: messages.text,
            mediaKind: messages.mediaKind,
            createdAt: messages.createdAt,
          })
          .from(handoffs)
          .innerJoin(messages, messagesOfCase())
          .where(inArray(handoffs.id, ids))
          .orderBy(handoffs.id, desc(messages.id)),
        db
          .select({ handoffId: handoffs.id, unread: sql<number>`count(${messages.id})::int` })
          .from(handoffs)
          .innerJoin(messages, messagesOfCase('in'))
          .where(
            and(
              inArray(handoffs.id, ids),
              sql`${messages.createdAt} > greatest(
                (select max(a.at) from ${auditLog} a where a.handoff_id = ${handoffs.id} and a.actor_id = ${staffId}
                   and a.action in ('transcript.view', 'transcript.live') and a.outcome = 'allowed'),
                (select max(o.created_at) from ${messages} o where o.resident_id = ${handoffs.residentId}
                   and o.conversation_id = ${handoffs.conversationId} and o.direction = 'out' and o.author = ${staffId}),
                '-infinity'::timestamptz)`,
            ),
          )
          .groupBy(handoffs.id),
      ]);
      for (const id of ids) result.set(id, { last: null, unread: 0 });
      for (const row of lastRows) {
        result.get(row.handoffId)!.last = {
          id: Number(row.id),
          direction: row.direction,
          author: row.author,
          text: cipher.decryptText(row.text),
          mediaKind: row.mediaKind,
          createdAt: row.createdAt,
        };
      }
      for (const row of unreadRows) result.get(row.handoffId)!.unread = Number(row.unread);
      return result;
    },

    /** Which of these cases hold all the words in what the resident wrote or said (see case-search.ts). */
    casesWithWords: (handoffIds: readonly string[], words: string) => casesWithWords(database, handoffIds, words),

    /** The newest change to any handoff, so a live view can tell that something changed elsewhere. */
    async lastChange(): Promise<string> {
      const [row] = await db
        .select({ at: sql<string>`coalesce(max(${handoffs.updatedAt}), 'epoch')::text`, n: sql<number>`count(*)::int` })
        .from(handoffs);
      return `${row?.at}/${row?.n}`;
    },

    async case(handoffId: string): Promise<CaseRecord | undefined> {
      const id = checkHandoffId(handoffId);
      const [row] = await db
        .select({
          ...queueColumns,
          conversationId: handoffs.conversationId,
          residentId: handoffs.residentId,
          closedBy: handoffs.closedBy,
          residentName: residents.displayName,
          residentUnreachable: residents.unreachable,
          residentLastInboundAt: residents.lastInboundAt,
          intakeAnswers: intakes.answers,
          intakeNotes: intakes.notes,
          aftercareAt: handoffs.aftercareAt,
          aftercareSentAt: handoffs.aftercareSentAt,
          aftercareAnswer: handoffs.aftercareAnswer,
          aftercareSkipped: handoffs.aftercareSkipped,
          prevented: handoffs.prevented,
        })
        .from(handoffs)
        .innerJoin(residents, eq(residents.id, handoffs.residentId))
        .leftJoin(intakes, eq(intakes.conversationId, handoffs.conversationId))
        .where(eq(handoffs.id, id));
      if (!row) return undefined;
      const referrals = await db
        .select({ agency: handoffReferrals.agency })
        .from(handoffReferrals)
        .where(eq(handoffReferrals.handoffId, id))
        .orderBy(asc(handoffReferrals.id));
      const {
        conversationId,
        residentId,
        closedBy,
        residentName,
        residentUnreachable,
        residentLastInboundAt,
        intakeAnswers,
        intakeNotes,
        aftercareAt,
        aftercareSentAt,
        aftercareAnswer,
        aftercareSkipped,
        prevented,
        ...queue
      } = row;
      // Decrypted once; toQueueItem passes an already plain summary through.
      const summary = cipher.decryptJson<QueueRow['summary']>(queue.summary);
      const intake = intakeAnswers
        ? {
            answers: cipher.decryptJson<Record<string, string | string[]>>(intakeAnswers),
            notes: cipher.decryptJson<NonNullable<CaseRecord['intake']>['notes']>(intakeNotes) ?? [],
          }
        : null;
      // The intake is the living copy (a change at the summary step); the handoff's summary is what was handed over.
      const answer = (field: string) => text(intake?.answers[field]) ?? text(summary[field]);
      return {
        ...toQueueItem({ ...queue, summary }, cipher),
        conversationId,
        residentId,
        closedBy,
        summary,
        residentName,
        residentUnreachable,
        residentLastInboundAt,
        contactDetails: { phone: answer('contactPhone'), address: answer('contactAddress') },
        intake,
        referrals: referrals.map((r) => r.agency),
        aftercare: { at: aftercareAt, sentAt: aftercareSentAt, answer: aftercareAnswer, skipped: aftercareSkipped },
        prevented,
      };
    },

    /**
     * Per handoff, how many voice or audio notes of its intake nobody on staff has listened to yet. A note
     * counts as listened once any staff member fetched its file: every fetch goes through CaseReader.media,
     * which writes a `media.view` audit entry (outcome `allowed`, detail `{ mediaId }`) before it answers.
     * A fetch by the shared STAFF_API_TOKEN (`on_behalf_of` = integration) is a system, not a person
     * listening, so it does not count. Handoffs without unheard notes are left out of the map.
     * Three small reads at most: the intakes (their notes are encrypted, so they are read here, not
     * filtered in SQL), the notes' messages, and the audit entries of those handoffs (indexed by handoff).
     */
    async unheardVoiceNotes(handoffIds: string[]): Promise<Map<string, number>> {
      const result = new Map<string, number>();
      if (handoffIds.length === 0) return result;
      const intakeRows = await db
        .select({ handoffId: handoffs.id, notes: intakes.notes })
        .from(handoffs)
        .innerJoin(intakes, eq(intakes.conversationId, handoffs.conversationId))
        .where(inArray(handoffs.id, handoffIds));
      const voiceNotes = new Map<number, string>(); // message id -> handoff id
      for (const row of intakeRows) {
        const notes = cipher.decryptJson<{ messageId: number; kind: string }[]>(row.notes) ?? [];
        for (const note of notes) {
          if ((note.kind === 'voice' || note.kind === 'audio') && Number.isSafeInteger(note.messageId)) {
            voiceNotes.set(note.messageId, row.handoffId);
          }
        }
      }
      if (voiceNotes.size === 0) return result;
      const files = await db
        .select({ messageId: messages.id, mediaId: messages.mediaId })
        .from(messages)
        .where(and(inArray(messages.id, [...voiceNotes.keys()]), sql`${messages.mediaId} is not null`));
      const mediaOf = new Map<string, string>(); // media id -> handoff id
      for (const f of files) mediaOf.set(f.mediaId!, voiceNotes.get(Number(f.messageId))!);
      if (mediaOf.size === 0) return result;
      // The address's id as requested (the route accepts either case); media ids are stored lower case.
      const fetchedId = sql<string>`lower(${auditLog.detail}->>'mediaId')`;
      const heard = await db
        .selectDistinct({ mediaId: fetchedId })
        .from(auditLog)
        .where(
          and(
            inArray(auditLog.handoffId, [...new Set(mediaOf.values())]),
            eq(auditLog.action, 'media.view'),
            eq(auditLog.outcome, 'allowed'),
            ne(auditLog.onBehalfOf, ON_BEHALF_OF_INTEGRATION),
            inArray(
              fetchedId,
              [...mediaOf.keys()].map((id) => id.toLowerCase()),
            ),
          ),
        );
      const listened = new Set(heard.map((h) => h.mediaId));
      for (const [mediaId, handoffId] of mediaOf) {
        if (!listened.has(mediaId.toLowerCase())) result.set(handoffId, (result.get(handoffId) ?? 0) + 1);
      }
      return result;
    },

    /** The resident's other cases, newest first: what a trust person needs to see they were here before. */
    async otherCases(residentId: string, exceptHandoffId: string): Promise<ResidentCase[]> {
      const rows = await db
        .select({
          id: handoffs.id,
          status: handoffs.status,
          phase: handoffs.phase,
          trajectory: handoffs.trajectory,
          claimedBy: handoffs.claimedBy,
          createdAt: handoffs.createdAt,
          closedAt: handoffs.closedAt,
        })
        .from(handoffs)
        .where(and(eq(handoffs.residentId, residentId), ne(handoffs.id, exceptHandoffId)))
        .orderBy(desc(handoffs.createdAt))
        .limit(20);
      if (rows.length === 0) return [];
      const referrals = await db
        .select({ handoffId: handoffReferrals.handoffId, agency: handoffReferrals.agency })
        .from(handoffReferrals)
        .where(
          inArray(
            handoffReferrals.handoffId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(handoffReferrals.id));
      return rows.map((row) => ({
        ...row,
        referrals: referrals.filter((r) => r.handoffId === row.id).map((r) => r.agency),
      }));
    },

    /** The conversation's messages with each reply's delivery state, oldest first. */
    async transcript(conversationId: string, afterId = 0): Promise<TranscriptMessage[]> {
      const rows = await db
        .select({
          id: messages.id,
          direction: messages.direction,
          author: messages.author,
          text: messages.text,
          choice: messages.choice,
          mediaId: messages.mediaId,
          mediaKind: messages.mediaKind,
          locale: messages.locale,
          createdAt: messages.createdAt,
          transcriptText: media.transcript,
          transcriptLocale: media.transcriptLocale,
          transcriptStatus: media.transcriptStatus,
          translationText: messages.translation,
          translationLocale: messages.translationLocale,
          outboxStatus: outbox.status,
          channelStatus: outbox.deliveryStatus,
          lastError: outbox.lastError,
        })
        .from(messages)
        .leftJoin(outbox, eq(outbox.messageId, messages.id))
        .leftJoin(media, eq(media.id, messages.mediaId))
        .where(and(ofConversation(conversationId), gt(messages.id, afterId)))
        .orderBy(asc(messages.id))
        .limit(2000);
      return rows.map(
        ({
          outboxStatus,
          channelStatus,
          lastError,
          transcriptText,
          transcriptLocale,
          transcriptStatus,
          translationText,
          translationLocale,
          ...m
        }) => ({
          ...m,
          text: cipher.decryptText(m.text),
          choice: cipher.decryptText(m.choice),
          id: Number(m.id),
          transcript:
            transcriptText !== null
              ? { text: cipher.decryptText(transcriptText), locale: transcriptLocale }
              : transcriptStatus === 'failed'
                ? 'failed'
                : null,
          translation: translationText !== null ? { text: cipher.decryptText(translationText), locale: translationLocale } : null,
          delivery: outboxStatus ? { status: outboxStatus, channelStatus, lastError } : null,
        }),
      );
    },

    /**
     * Staff replies of a conversation, up to `upToId`, whose delivery mark may still change: not sent yet,
     * or sent since `sentSince` and not yet read or failed. A page that opens its live stream has them
     * drawn as they were; the stream sends them again as they change.
     */
    async changingStaffReplies(conversationId: string, upToId: number, sentSince: Date): Promise<number[]> {
      const rows = await db
        .select({ id: messages.id })
        .from(messages)
        .innerJoin(outbox, eq(outbox.messageId, messages.id))
        .where(
          and(
            ofConversation(conversationId),
            lte(messages.id, upToId),
            eq(messages.direction, 'out'),
            isNotNull(messages.author),
            ne(messages.author, 'bot'),
            or(
              eq(outbox.status, 'pending'),
              and(
                eq(outbox.status, 'sent'),
                gte(messages.createdAt, sentSince),
                sql`coalesce(${outbox.deliveryStatus}, '') not in ('read', 'played')`,
              ),
            ),
          ),
        )
        .orderBy(asc(messages.id))
        .limit(200);
      return rows.map((r) => Number(r.id));
    },

    /** Delivery states of some messages (for updating a live view). */
    async deliveries(messageIds: number[]): Promise<Map<number, TranscriptMessage['delivery']>> {
      if (messageIds.length === 0) return new Map();
      const rows = await db
        .select({
          messageId: outbox.messageId,
          status: outbox.status,
          channelStatus: outbox.deliveryStatus,
          lastError: outbox.lastError,
        })
        .from(outbox)
        .where(inArray(outbox.messageId, messageIds));
      return new Map(
        rows.map((r) => [Number(r.messageId), { status: r.status, channelStatus: r.channelStatus, lastError: r.lastError }]),
      );
    },

    /** Active staff with how many cases each holds now (for the matching hint). */
    async staffLoad(): Promise<StaffLoad[]> {
      const people = await db
        .select({
          id: staff.id,
          name: staff.name,
          role: staff.role,
          languages: staff.languages,
          gender: staff.gender,
          openCases: sql<number>`(select count(*)::int from ${handoffs} h where h.status = 'claimed' and h.claimed_by = ${staff.id}::text)`,
        })
        .from(staff)
        .where(eq(staff.active, true));
      return people.map((p) => ({ ...p, openCases: Number(p.openCases) }));
    },

    /**
     * Languages that occur in open handoffs, for the language filter: the chats' languages and the languages
     * first messages were written in (language codes only; "darija-latin" cases are in Arabic already).
     */
    async languages(): Promise<string[]> {
      const rows = await db
        .selectDistinct({
          language: sql<string>`${handoffs.preferences}->>'language'`,
          written: sql<string | null>`${handoffs.preferences}->>'writtenLanguage'`,
        })
        .from(handoffs)
        .where(inArray(handoffs.status, ['waiting', 'claimed']));
      const codes = new Set<string>();
      for (const r of rows) {
        if (r.language) codes.add(r.language);
        if (r.written && LANGUAGE_CODE.test(r.written)) codes.add(r.written);
      }
      return [...codes].sort();
    },
  };
}

export type HandoffQueries = ReturnType<typeof createHandoffQueries>;

import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const conversationMode = pgEnum('conversation_mode', ['bot', 'waiting', 'with_person', 'closed']);
export const messageDirection = pgEnum('message_direction', ['in', 'out']);
export const deliveryStatus = pgEnum('delivery_status', ['pending', 'sent', 'failed']);
export const handoffStatus = pgEnum('handoff_status', ['waiting', 'claimed', 'closed']);
/** The four phases of Tussen In: win trust, motivate and activate, refer and build bridges, aftercare. */
export const tussenInPhase = pgEnum('tussen_in_phase', ['trust', 'motivate', 'refer', 'aftercare']);
export const trajectory = pgEnum('trajectory', ['light', 'heavy']);
export const staffRole = pgEnum('staff_role', ['trust_person', 'coordinator']);
/** A resident's answer to the consent question: yes, no, or no after an earlier yes in the same conversation. */
export const consentDecision = pgEnum('consent_decision', ['agreed', 'declined', 'withdrawn']);

/** A person on one channel: `channel` + `external_id` is their address (a URN such as telegram:123). */
export const residents = pgTable(
  'residents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').notNull(),
    externalId: text('external_id').notNull(),
    locale: text('locale'),
    displayName: text('display_name'),
    unreachable: boolean('unreachable').notNull().default(false),
    createdAt: createdAt(),
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    /**
     * Set when staff erased the resident and a confirmation is on its way: the row then holds only the
     * channel address (and locale) the confirmation needs, and is deleted once it has left (src/privacy).
     * Cleared when the resident writes again in the meantime.
     */
    erasurePendingSince: timestamp('erasure_pending_since', { withTimezone: true }),
    /** Discreet mode and neutral wording, as last set: a new conversation (after a closed case) starts with them. */
    discreet: boolean('discreet').notNull().default(false),
    neutral: boolean('neutral').notNull().default(false),
  },
  (t) => [
    uniqueIndex('residents_channel_external_id').on(t.channel, t.externalId),
    index('residents_erasure_pending')
      .on(t.erasurePendingSince)
      .where(sql`${t.erasurePendingSince} is not null`),
  ],
);

/** One conversation per resident at a time; a closed one stays for the record and a new one starts. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    flowId: text('flow_id').notNull(),
    flowVersion: integer('flow_version').notNull(),
    /** XState persisted state as { value, context }; restored with machine.resolveState. */
    snapshot: jsonb('snapshot').$type<{ value: string; context: unknown }>().notNull(),
    mode: conversationMode('mode').notNull().default('bot'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_one_open_per_resident')
      .on(t.residentId)
      .where(sql`${t.mode} <> 'closed'`),
  ],
);

export const media = pgTable('media', {
  id: uuid('id').primaryKey().defaultRandom(),
  residentId: uuid('resident_id')
    .notNull()
    .references(() => residents.id, { onDelete: 'cascade' }),
  kind: text('kind').notNull(),
  contentType: text('content_type').notNull(),
  byteSize: integer('byte_size').notNull(),
  content: bytea('content').notNull(),
  /** What a voice or audio note says (issue 15), encrypted; in `transcriptLocale`. */
  transcript: text('transcript'),
  transcriptLocale: text('transcript_locale'),
  /** 'done', or 'failed' once the speech server could not read it (after retries); null: not (yet) asked. */
  transcriptStatus: text('transcript_status'),
  createdAt: createdAt(),
});

/**
 * Both directions. Inbound rows are unique per resident on the channel's message id (dedup): a web chat
 * visitor picks its own ids, so two visitors may use the same one; Telegram and WhatsApp ids already name
 * the chat. The resident implies the channel (residents are unique on channel + address).
 */
export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    direction: messageDirection('direction').notNull(),
    channel: text('channel').notNull(),
    externalId: text('external_id'),
    /** Who wrote an outbound message: 'bot' or a staff member's id (later). */
    author: text('author'),
    text: text('text'),
    /** Inbound: the button payload the resident pressed. Outbound: the choices offered. */
    choice: text('choice'),
    choices: jsonb('choices').$type<{ id: string; label: string }[]>(),
    mediaId: uuid('media_id').references(() => media.id, { onDelete: 'set null' }),
    mediaKind: text('media_kind'),
    locale: text('locale'),
    /** Outbound: the approved template that stands in for it outside a channel's service window (WhatsApp Cloud API). */
    template: text('template'),
    /**
     * Inbound: a machine translation (issue 15) of the text, or of the voice note's transcript, into
     * `translationLocale` (STAFF_LOCALE), encrypted. Outbound: the original a trust person wrote, when
     * they sent a translation of it.
     */
    translation: text('translation'),
    translationLocale: text('translation_locale'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_inbound_dedup_per_resident')
      .on(t.residentId, t.externalId)
      .where(sql`${t.direction} = 'in'`),
    index('messages_resident_id').on(t.residentId, t.id),
  ],
);

/** Structured answers of one conversation's intake; notes point at messages (own words, voice notes). */
export const intakes = pgTable('intakes', {
  conversationId: uuid('conversation_id')
    .primaryKey()
    .references(() => conversations.id, { onDelete: 'cascade' }),
  residentId: uuid('resident_id')
    .notNull()
    .references(() => residents.id, { onDelete: 'cascade' }),
  answers: jsonb('answers').$type<Record<string, string | string[]>>().notNull(),
  notes: jsonb('notes').$type<{ step: string; messageId: number; kind: string }[]>().notNull(),
  consent: boolean('consent'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const handoffs = pgTable(
  'handoffs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    status: handoffStatus('status').notNull().default('waiting'),
    urgent: boolean('urgent').notNull().default(false),
    /** Why it was opened: intake complete, asked for a person, danger, consent declined. */
    reason: text('reason').notNull(),
    locale: text('locale'),
    /** Answers as option ids (language-neutral); the inbox renders them in the staff member's language. */
    summary: jsonb('summary').$type<Record<string, string | string[]>>().notNull(),
    preferences: jsonb('preferences').$type<Record<string, string>>().notNull(),
    /** The staff member who holds the case (a staff id, or `api` for the shared API token). */
    claimedBy: text('claimed_by'),
    /** Who a coordinator gave the case to; they may read it before they claim it. */
    assignedTo: text('assigned_to'),
    /** Where the case is in the Tussen In method, and how heavy the trajectory is (unknown at first). */
    phase: tussenInPhase('phase').notNull().default('trust'),
    trajectory: trajectory('trajectory'),
    closedBy: text('closed_by'),
    /** Set once staff were told of the handoff, and once of its urgency: each notification goes out once. */
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
    notifiedUrgent: boolean('notified_urgent').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** When the case became urgent; an urgent case nobody claims is raised again from then on (issue 13). */
    urgentAt: timestamp('urgent_at', { withTimezone: true }),
    /** The last time an unclaimed urgent case was raised again with staff, and how often it was. */
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    escalations: integer('escalations').notNull().default(0),
    /**
     * Aftercare (issue 13): when the bot asks the resident how things are now (set at closing, per case;
     * null: never), when it asked, and the answer (`good`, `notGood`, `talk`) or why it did not ask
     * (`skipped`: `discreet`, `later`, `consent`, `active`, `unreachable`).
     */
    aftercareAt: timestamp('aftercare_at', { withTimezone: true }),
    aftercareSentAt: timestamp('aftercare_sent_at', { withTimezone: true }),
    aftercareAnswer: text('aftercare_answer'),
    aftercareAnsweredAt: timestamp('aftercare_answered_at', { withTimezone: true }),
    aftercareSkipped: text('aftercare_skipped'),
    /** A returning resident's new case points at the closed one it follows (issue 13). */
    previousHandoffId: uuid('previous_handoff_id').references((): AnyPgColumn => handoffs.id, { onDelete: 'set null' }),
    /**
     * What the work likely prevented, in the trust person's judgement, recorded at closing (issue 16,
     * reports for funders): one of PREVENTED_OUTCOMES (src/handoff/prevented.ts); null: not recorded.
     */
    prevented: text('prevented'),
  },
  (t) => [
    uniqueIndex('handoffs_one_open_per_conversation')
      .on(t.conversationId)
      .where(sql`${t.status} <> 'closed'`),
    index('handoffs_status_urgent').on(t.status, t.urgent, t.createdAt),
    index('handoffs_resident_id').on(t.residentId, t.createdAt),
    index('handoffs_aftercare_due')
      .on(t.aftercareAt)
      .where(sql`${t.aftercareAt} is not null and ${t.aftercareSentAt} is null`),
  ],
);

/**
 * What a resident answered to the consent question, when, in which language, and to which text: the
 * version is a short hash of the consent text (question and answers) as shown in that language
 * (src/privacy/consent-version.ts, src/conversation/effects/consent.ts). One row per decision, written in the transaction of the step that took it.
 */
export const consents = pgTable(
  'consents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    decision: consentDecision('decision').notNull(),
    locale: text('locale').notNull(),
    textVersion: text('text_version').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('consents_resident_id').on(t.residentId, t.id), index('consents_conversation_id').on(t.conversationId, t.id)],
);

/** Replies waiting to leave through a channel adapter; written in the same transaction as the step. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    status: deliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A dispatcher that picked the row holds it until then; a crashed one lets go by itself. */
    leasedUntil: timestamp('leased_until', { withTimezone: true }),
    lastError: text('last_error'),
    channelMessageId: text('channel_message_id'),
    /**
     * What the channel reported after the send, furthest first reached: `server`, `delivered`, `read`,
     * `played` (WhatsApp's ticks) or `error`. Not our own state, which is `status`.
     */
    deliveryStatus: text('delivery_status'),
    deliveryStatusAt: timestamp('delivery_status_at', { withTimezone: true }),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_pending')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index('outbox_resident_pending')
      .on(t.residentId, t.id)
      .where(sql`${t.status} = 'pending'`),
    index('outbox_message_id').on(t.messageId),
    index('outbox_channel_message_id').on(t.channel, t.channelMessageId),
  ],
);

/** Delayed machine events (XState `after`), which XState itself does not persist. */
export const timers = pgTable(
  'timers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    sendId: text('send_id').notNull(),
    event: jsonb('event').$type<{ type: string }>().notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('timers_conversation_send_id').on(t.conversationId, t.sendId), index('timers_due_at').on(t.dueAt)],
);

/** Small key-value store for values the process makes once and keeps (e.g. the web chat signing secret). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * The WhatsApp (Baileys) auth state: the credentials under (`creds`, `creds`) and every signal key
 * under (its type, its id). Values are JSON written with Baileys' BufferJSON, so Buffers survive.
 */
export const whatsappAuth = pgTable(
  'whatsapp_auth',
  {
    type: text('type').notNull(),
    id: text('id').notNull(),
    value: text('value').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.type, t.id] })],
);

/**
 * Who may hold a connection that only one process may have (the WhatsApp socket). Taken and renewed
 * with a conditional upsert; a holder that stops releases it, one that dies lets it expire.
 */
export const channelLeases = pgTable('channel_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  acquiredAt: timestamp('acquired_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Trust persons and coordinators. Email is stored lower-case; the password as an scrypt hash. */
export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    role: staffRole('role').notNull(),
    /** Languages the person speaks (locale codes or names such as `tzm` for Tarifit), for matching. */
    languages: jsonb('languages').$type<string[]>().notNull(),
    /** `woman` or `man` (matched with the resident's helper preference), or null. */
    gender: text('gender'),
    /** The language of the inbox pages for this person. */
    uiLocale: text('ui_locale').notNull().default('nl'),
    /** What residents are told this person is called (a role label such as "Vertrouwenspersoon"); null: their first name. */
    residentLabel: text('resident_label'),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_email').on(t.email)],
);

/**
 * Wrong passwords counted per email address (whether or not it has an account) and per client
 * address, for the growing delays of src/staff/login-throttle.ts. The key is the SHA-256 of
 * `email:<normalised>` or `address:<ip>`, so no address is stored; a row quiet for an hour is forgotten.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull(),
    /** Until then every attempt under this key is refused unchecked. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('login_throttle_last_failure_at').on(t.lastFailureAt)],
);

/** A logged-in browser. The id is the SHA-256 of the cookie's token, so a database leak holds no usable cookie. */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: text('id').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    /** Sent back in every form and state-changing fetch of this session. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    /** The absolute end, however active the session is. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('staff_sessions_staff_id').on(t.staffId)],
);

/** Personal API tokens for integrations, made with the CLI; only their SHA-256 is kept. */
export const staffTokens = pgTable(
  'staff_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('staff_tokens_hash').on(t.tokenHash)],
);

/**
 * Every staff read of a transcript or media, every export and every refused attempt, kept to the
 * NEN 7513 fields (event, time, resident, staff member, on whose behalf). No foreign keys: the record
 * outlives an erased resident or handoff, and holds ids only, never resident text. Tamper-evident:
 * each entry's `hash` is the SHA-256 of its fields and the previous entry's hash (src/audit/audit-chain.ts);
 * appends are serialised by an advisory lock, and the unique `prev_hash` refuses a fork.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** A staff id, or `api` for the shared STAFF_API_TOKEN. */
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    /** On whose behalf: the staff member's own id (session, personal token), or `integration` (STAFF_API_TOKEN). */
    onBehalfOf: text('on_behalf_of').notNull(),
    /** How the actor came in: `session`, `token` (personal API token), `api-token`, `cli`. Null on entries from before the chain. */
    via: text('via'),
    action: text('action').notNull(),
    /** `allowed` or `denied`. */
    outcome: text('outcome').notNull(),
    residentId: uuid('resident_id'),
    handoffId: uuid('handoff_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    /** The previous entry's hash (64 zeros for the first); null only on entries from before the chain. */
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_at').on(t.at),
    index('audit_log_handoff_id').on(t.handoffId),
    index('audit_log_resident_id').on(t.residentId),
    uniqueIndex('audit_log_prev_hash').on(t.prevHash),
  ],
);

/** Private notes of staff on a case; never shown to the resident. */
export const handoffNotes = pgTable(
  'handoff_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id, { onDelete: 'cascade' }),
    authorId: text('author_id').notNull(),
    text: text('text').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('handoff_notes_handoff_id').on(t.handoffId, t.id)],
);

/**
 * A staff member's reminder on a case ("remind me on <date>", issue 13): shown in their "Mijn zaken"
 * and sent through the notifiers when due (without the note, which may hold the resident's words and is
 * encrypted). Erased with the case.
 */
export const caseReminders = pgTable(
  'case_reminders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    note: text('note').notNull(),
    createdAt: createdAt(),
    /** Set once the notifiers were told, so each reminder goes out once across instances. */
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    index('case_reminders_staff').on(t.staffId, t.dueAt),
    index('case_reminders_handoff').on(t.handoffId),
    index('case_reminders_due')
      .on(t.dueAt)
      .where(sql`${t.notifiedAt} is null and ${t.doneAt} is null`),
  ],
);

/** Agencies a case was referred to (ids from src/handoff/agencies.json), once each. */
export const handoffReferrals = pgTable(
  'handoff_referrals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id, { onDelete: 'cascade' }),
    agency: text('agency').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('handoff_referrals_handoff_agency').on(t.handoffId, t.agency)],
);

/**
 * What is left of erased residents for reports: counts per month of erasure, channel and reason
 * (`resident`, `staff`, `retention-closed`, `retention-abandoned`). No ids, no dates finer than a month.
 */
export const erasureCounts = pgTable(
  'erasure_counts',
  {
    /** `YYYY-MM` (UTC) of the erasure. */
    month: text('month').notNull(),
    channel: text('channel').notNull(),
    reason: text('reason').notNull(),
    residents: integer('residents').notNull().default(0),
    conversations: integer('conversations').notNull().default(0),
    handoffs: integer('handoffs').notNull().default(0),
    urgentHandoffs: integer('urgent_handoffs').notNull().default(0),
    messages: integer('messages').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.month, t.channel, t.reason] })],
);

/**
 * Background work that must run once however many instances run (the retention purge). An instance
 * claims a due job with one conditional update (next_run_at passed, nobody's lease running), which
 * only one of them can win; the next run time is written when it finishes, so a restart keeps the plan.
 */
export const scheduledJobs = pgTable('scheduled_jobs', {
  name: text('name').primaryKey(),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  /** The instance running it now, until `lease_until` (a crashed one lets go by itself). */
  holder: text('holder'),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  /** Counts of the last run (no ids), or its error message. */
  lastResult: jsonb('last_result').$type<Record<string, unknown>>(),
});

/**
 * Background work for the language servers (issue 15): transcribe a voice note, translate a message.
 * A row exists only while the work is to do, and only when that server is configured, so nothing is
 * added to the message path without it. Leased like the outbox: a crashed worker's rows come back.
 */
export const languageJobs = pgTable(
  'language_jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull().$type<'transcribe' | 'translate'>(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    attempts: integer('attempts').notNull().default(0),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('language_jobs_one_per_message').on(t.messageId, t.kind), index('language_jobs_due').on(t.dueAt)],
);

/**
 * Canned replies (issue 16): snippets coordinators keep per language, which a trust person inserts into
 * a reply in the resident's language. Placeholders: {{name}} (the trust person as residents see them),
 * {{org}}, {{walkInHours}}, {{walkInAddress}}. Organisation texts, not resident data: not encrypted.
 */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    locale: text('locale').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('canned_replies_locale').on(t.locale, t.title)],
);

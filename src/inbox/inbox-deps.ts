import type { AuditLog } from '../audit/audit-log.js';
import type { Reminders } from '../continuity/reminders.js';
import type { AftercareReportRow } from '../continuity/aftercare-report.js';
import type { CaseEvents } from '../handoff/case-events.js';
import type { CaseReader } from '../handoff/case-reader.js';
import type { HandoffQueries } from '../handoff/handoff-queries.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import type { LoadedTexts } from '../i18n/load-texts.js';
import type { Logger } from '../logging/logger.js';
import type { ErasureService } from '../privacy/erasure-service.js';
import type { ApiTokenStore } from '../staff/api-tokens.js';
import type { Login } from '../staff/login.js';
import type { SessionStore } from '../staff/sessions.js';
import type { StaffStore } from '../staff/staff-store.js';
import type { LiveStreams } from './live-events.js';
import type { SessionCookie } from './session-cookie.js';
import type { ErasureCountRow } from '../privacy/erasure-report.js';
import type { ChannelWarning } from './views/layout.js';
import type { VoiceNotePlayed } from './voice-notes.js';
import type { TranslateReply } from '../language/reply-translation.js';
import type { SetPrevented } from '../handoff/prevented.js';
import type { SummaryReportReader } from '../reports/summary-report.js';
import type { CannedReplies, CannedReplyValues } from '../staff/canned-replies.js';

/** Everything the inbox pages and the staff API need, built once in src/app.ts. */
export interface InboxDeps {
  texts: LoadedTexts;
  logger: Logger;
  org: string;
  staff: StaffStore;
  sessions: SessionStore;
  cookie: SessionCookie;
  login: Login;
  tokens: ApiTokenStore;
  /** STAFF_API_TOKEN: acts as a coordinator on the API. */
  apiToken: string | undefined;
  audit: AuditLog;
  queries: HandoffQueries;
  service: HandoffService;
  reader: CaseReader;
  erasure: ErasureService;
  events: CaseEvents;
  live: LiveStreams;
  agencies: string[];
  /** The origin of PUBLIC_URL, accepted as the Origin of form posts behind a proxy. */
  publicOrigin: string | undefined;
  /** How often live views re-check the database without an event. */
  livePollMs: number;
  loginAttemptsPerMinute?: number;
  /** Channels that need a coordinator now (WhatsApp logged out), for a warning on every page. */
  channelWarnings: () => ChannelWarning[];
  /** The anonymous counts erasures leave behind, for the coordinators' report. */
  erasureReport: () => Promise<ErasureCountRow[]>;
  /** The aftercare answers per month, for the coordinators' report. */
  aftercareReport: () => Promise<AftercareReportRow[]>;
  /** The report for funders over a period (issue 16; coordinators). */
  summaryReport: SummaryReportReader;
  /** What a closed case likely prevented, changed after closing (who closed it, or a coordinator). */
  setPrevented: SetPrevented;
  /** Staff members' own reminders on cases (issue 13). */
  reminders: Reminders;
  /** A waiting case older than one working day (marked in the queue and the API). */
  isOverdue: (item: { status: string; urgent: boolean; createdAt: Date }) => boolean;
  /** Channels that deliver free text only this long after the resident last wrote (WhatsApp's Cloud API: 24 hours). */
  serviceWindowMs?: Readonly<Record<string, number>>;
  /** AFTERCARE_AFTER_DAYS: the close form's suggestion. */
  aftercareDays: number;
  /** ORG_TIMEZONE: how a reminder's local date and time are read. */
  timezone: string;
  /** Machine translation of a trust person's draft into the resident's language (issue 15); absent without TRANSLATE_URL. */
  translateReply?: TranslateReply | undefined;
  /** STAFF_LOCALE: the language trust persons write in and residents' words are translated into. */
  staffLocale: string;
  /** Coordinators' canned replies (issue 16), and what their placeholders become in a language. */
  cannedReplies: CannedReplies;
  cannedValues: (locale: string) => Omit<CannedReplyValues, 'name'>;
  /** STAFF_MAX_FILE_BYTES: the largest file a trust person may send a resident (issue 15). */
  maxFileBytes: number;
  /** A staff member was served a voice note: wake the queue views (made by createInboxRoutes when not given). */
  voiceNotePlayed?: VoiceNotePlayed;
}

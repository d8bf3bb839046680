import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import type { CaseEvents } from './handoff/case-events.js';
import { createCaseReader, type CaseReader } from './handoff/case-reader.js';
import { createHandoffQueries, type HandoffQueries } from './handoff/handoff-queries.js';
import { createHandoffService, type HandoffService } from './handoff/handoff-service.js';
import { agencyIds } from './i18n/labels.js';
import type { LoadedTexts } from './i18n/load-texts.js';
import type { Logger } from './logging/logger.js';
import type { StaffAlert } from './notify/alert.js';
import { createAftercareReport, type AftercareReportRow } from './continuity/aftercare-report.js';
import { createEscalation, type Escalation } from './continuity/escalation.js';
import { isOverdue } from './continuity/overdue.js';
import { createReminders, type Reminders } from './continuity/reminders.js';
import type { OfficeHours } from './hours/office-hours.js';
import { createNotifiers } from './notify/create-notifiers.js';
import { createHandoffAlerts, type CommittedStep } from './notify/handoff-alerts.js';
import { createLoginAlerts } from './notify/login-alerts.js';
import { createErasureReport, type ErasureCountRow } from './privacy/erasure-report.js';
import { createErasureService, type ErasureService } from './privacy/erasure-service.js';
import { createPreventedRecorder, type SetPrevented } from './handoff/prevented.js';
import { createSummaryReport, type SummaryReportReader } from './reports/summary-report.js';
import type { RetryPolicy } from './retry/retrying-sender.js';
import { createApiTokenStore, type ApiTokenStore } from './staff/api-tokens.js';
import { createLogin, DEFAULT_LOGIN_POLICY, type Login, type LoginPolicy } from './staff/login.js';
import { createSessionStore, type SessionStore } from './staff/sessions.js';
import { createStaffStore, type StaffStore } from './staff/staff-store.js';
import { createCannedReplies, type CannedReplies } from './staff/canned-replies.js';

/**
 * The services the channels, the inbox and the background runners share, built once here and handed
 * to each (app.ts calls this; nothing else builds them): staff accounts and log-in, the audit log, the
 * handoff service and its reads, erasure, and the staff notifications.
 */
export interface Services {
  staff: StaffStore;
  sessions: SessionStore;
  tokens: ApiTokenStore;
  login: Login;
  audit: AuditLog;
  queries: HandoffQueries;
  handoffs: HandoffService;
  /** Audited reads of a case (transcript, media, export). */
  caseReader: CaseReader;
  /** Erasure of a resident's data: the resident's "stop", a coordinator, the retention purge. */
  erasure: ErasureService;
  /** The anonymous counts erasures leave behind, for the coordinators' report. */
  erasureReport: () => Promise<ErasureCountRow[]>;
  /** The aftercare answers per month, for the coordinators' report. */
  aftercareReport: () => Promise<AftercareReportRow[]>;
  /** The report for funders over a period (issue 16), in ORG_TIMEZONE. */
  summaryReport: SummaryReportReader;
  /** What a closed case likely prevented, changed after closing (issue 16). */
  setPrevented: SetPrevented;
  /** Referral agencies the locales name (inbox/labels). */
  agencies: string[];
  /** The organisation's office hours (ORG_HOURS, ORG_TIMEZONE, ORG_CLOSED_DATES). */
  officeHours: OfficeHours;
  /** A case waiting for a first trust person longer than a working day (the queue marks it). */
  isOverdue(item: { status: string; urgent: boolean; createdAt: Date }): boolean;
  /** Urgent cases nobody claimed, raised again with staff (issue 13). */
  escalation: Escalation;
  /** Staff members' own reminders on cases. */
  reminders: Reminders;
  /** Coordinators' canned replies per language (issue 16). */
  cannedReplies: CannedReplies;
  /** After each committed conversation step: inbox events and, once per handoff, staff alerts. */
  onStep(step: CommittedStep): void;
  /** Tells staff through every configured notifier (WhatsApp logged out, an escalation, a reminder). */
  alertStaff(alert: StaffAlert): void;
  /** Waits for alerts in flight (tests). */
  idle(): Promise<void>;
  /** Stops notifications and waits for alerts already under way, so nothing touches the database afterwards. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  database: Database;
  texts: LoadedTexts;
  config: Config;
  logger: Logger;
  events: CaseEvents;
  /** Wakes the dispatcher after a staff reply. */
  kickDispatcher: () => void;
  /** For tests: the notifiers' retry timing and fetch. */
  notifyRetry?: RetryPolicy;
  notifyFetch?: typeof fetch;
  /** For tests: the clock of the log-in delays. */
  loginClock?: () => Date;
  /** For tests: the clock of the continuity jobs (escalation, reminders) and the overdue mark. */
  clock?: () => Date;
}

/** The office hours from the configuration. */
export function officeHoursOf(config: Config): OfficeHours {
  return { timezone: config.ORG_TIMEZONE, weekly: config.ORG_HOURS, closedDates: config.ORG_CLOSED_DATES };
}

/**
 * The log-in delays from the configuration. STAFF_LOCKOUT_MINUTES, the name from when an account
 * locked, is still read as the longest delay when STAFF_LOGIN_MAX_DELAY_SECONDS is not set.
 */
export function loginPolicy(config: Config): LoginPolicy {
  const maxDelayMs =
    config.STAFF_LOGIN_MAX_DELAY_SECONDS !== undefined
      ? config.STAFF_LOGIN_MAX_DELAY_SECONDS * 1000
      : config.STAFF_LOCKOUT_MINUTES !== undefined
        ? config.STAFF_LOCKOUT_MINUTES * 60_000
        : DEFAULT_LOGIN_POLICY.maxDelayMs;
  return {
    ...DEFAULT_LOGIN_POLICY,
    freeFailures: config.STAFF_LOGIN_MAX_FAILURES,
    // Colleagues behind one office address share its count, so it allows more.
    addressFreeFailures: 2 * config.STAFF_LOGIN_MAX_FAILURES,
    maxDelayMs,
    alertAfter: config.STAFF_LOGIN_ALERT_AFTER,
  };
}

export function createServices(options: ServiceOptions): Services {
  const { database, texts, config, logger, events } = options;
  const agencies = agencyIds(texts);
  const audit = createAuditLog(database);
  const queries = createHandoffQueries(database);
  const handoffs = createHandoffService({
    database,
    events,
    onReply: options.kickDispatcher,
    agencies: () => agencies,
    neutralFirstLine: (locale) => texts.t(locale, 'bot:neutral.firstLine'),
    closingMessage: (locale, neutral) =>
      texts.t(locale, neutral ? 'bot:handoff.closed_neutral' : 'bot:handoff.closed', { org: config.ORG_NAME }),
    aftercareDays: config.AFTERCARE_AFTER_DAYS,
    joinedMessage: (locale, neutral, who) =>
      texts.t(locale, who.role ? 'bot:handoff.joinedAs' : neutral ? 'bot:handoff.joined_neutral' : 'bot:handoff.joined', {
        org: config.ORG_NAME,
        name: who.name,
      }),
    signature: (locale, name) => texts.t(locale, 'bot:handoff.signature', { name }),
    ...(options.clock ? { now: options.clock } : {}),
  });
  const erasure = createErasureService({
    database,
    audit,
    texts,
    render: { org: config.ORG_NAME },
    logger,
    events,
    kickDispatcher: options.kickDispatcher,
  });
  const publicUrl = config.PUBLIC_URL?.replace(/\/+$/, '');
  const notifiers = createNotifiers({ config, texts, logger, retry: options.notifyRetry, fetch: options.notifyFetch });
  const alerts = createHandoffAlerts({ database, events, queries, notifiers, logger, publicUrl });
  const loginAlerts = createLoginAlerts({ audit, notifiers, logger, publicUrl });
  const now = options.clock ?? (() => new Date());
  const alertStaff = (alert: StaffAlert) => {
    for (const notifier of notifiers) notifier.notify(alert);
  };
  const officeHours = officeHoursOf(config);
  const login = createLogin(database, loginPolicy(config), {
    onRepeatedFailures: (event) => loginAlerts.onRepeatedFailures(event),
    ...(options.loginClock ? { now: options.loginClock } : {}),
  });

  return {
    staff: createStaffStore(database),
    sessions: createSessionStore(database, {
      idleMs: config.STAFF_SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.STAFF_SESSION_MAX_HOURS * 3_600_000,
    }),
    tokens: createApiTokenStore(database),
    login,
    audit,
    queries,
    handoffs,
    caseReader: createCaseReader({ database, queries, service: handoffs, audit }),
    erasure,
    erasureReport: createErasureReport(database),
    aftercareReport: createAftercareReport(database, config.ORG_TIMEZONE),
    summaryReport: createSummaryReport(database, config.ORG_TIMEZONE),
    setPrevented: createPreventedRecorder({ database, events }),
    agencies,
    officeHours,
    isOverdue: (item) => isOverdue(officeHours, item, now()),
    escalation: createEscalation({
      database,
      queries,
      afterMinutes: config.ESCALATE_URGENT_AFTER_MINUTES,
      now,
      alert: alertStaff,
      publicUrl,
    }),
    reminders: createReminders({ database, now, alert: alertStaff, publicUrl }),
    cannedReplies: createCannedReplies(database),
    onStep: (step) => alerts.onStep(step),
    alertStaff,
    idle: async () => {
      await loginAlerts.idle();
      await alerts.idle();
    },
    async close() {
      await loginAlerts.idle();
      alerts.stop();
      await alerts.idle();
    },
  };
}

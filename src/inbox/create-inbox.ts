import type { Hono, MiddlewareHandler } from 'hono';
import { createAuditLog, type AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { CaseEvents } from '../handoff/case-events.js';
import { createCaseReader } from '../handoff/case-reader.js';
import { createHandoffQueries, type HandoffQueries } from '../handoff/handoff-queries.js';
import { createHandoffService, type HandoffService } from '../handoff/handoff-service.js';
import type { LoadedTexts } from '../i18n/load-texts.js';
import type { Logger } from '../logging/logger.js';
import { createErasureService, type ErasureService } from '../privacy/erasure-service.js';
import type { ChannelAlert, Notifier } from '../notify/alert.js';
import { formatAlert } from '../notify/format-alert.js';
import { createHandoffAlerts, type CommittedStep } from '../notify/handoff-alerts.js';
import { createLoginAlerts } from '../notify/login-alerts.js';
import { createTelegramNotifier } from '../notify/telegram-notifier.js';
import { createWebhookNotifier } from '../notify/webhook-notifier.js';
import type { RetryPolicy } from '../notify/retrying-sender.js';
import { createApiTokenStore, type ApiTokenStore } from '../staff/api-tokens.js';
import { createLogin, DEFAULT_LOGIN_POLICY, type LoginPolicy } from '../staff/login.js';
import { createSessionStore, type SessionStore } from '../staff/sessions.js';
import { createStaffStore, type StaffStore } from '../staff/staff-store.js';
import { loadInboxAssets } from './assets.js';
import { createInboxRoutes } from './inbox-routes.js';
import { agencyIds } from './labels.js';
import { LiveStreams } from './live-events.js';
import type { InboxEnv } from './inbox-env.js';
import type { ChannelWarning } from './views/layout.js';
import { createErasureReport } from '../privacy/erasure-report.js';
import { createSessionCookie } from './session-cookie.js';
import { requireCoordinator } from './staff-auth.js';

export interface Inbox {
  routes: Hono<any>;
  staff: StaffStore;
  sessions: SessionStore;
  tokens: ApiTokenStore;
  audit: AuditLog;
  queries: HandoffQueries;
  handoffs: HandoffService;
  /** Erasure of a resident's data by a coordinator; also the retention purge's way to erase. */
  erasure: ErasureService;
  live: LiveStreams;
  /** For the conversation service: after each committed step (live views, alerts). */
  onStep(step: CommittedStep): void;
  /** Middleware for coordinator-only routes elsewhere (the WhatsApp pairing page): a Bearer token or an inbox log-in. */
  coordinatorOnly: MiddlewareHandler<InboxEnv>;
  /** Tells staff through every configured notifier that a channel needs them (WhatsApp logged out). */
  alertStaff(alert: ChannelAlert): void;
  /** Waits for alerts in flight (tests). */
  idle(): Promise<void>;
  /** Stops notifications and waits for alerts already under way, so nothing touches the database afterwards. */
  close(): Promise<void>;
}

export interface InboxOptions {
  database: Database;
  texts: LoadedTexts;
  config: Config;
  logger: Logger;
  events: CaseEvents;
  /** Wakes the dispatcher after a staff reply. */
  kickDispatcher: () => void;
  /** For tests: how often live views re-check the database (default 5 s). */
  livePollMs?: number;
  /** For tests: the notifiers' retry timing and fetch. */
  notifyRetry?: RetryPolicy;
  notifyFetch?: typeof fetch;
  /** Channels that need a coordinator now (WhatsApp logged out), shown on every inbox page. */
  channelWarnings?: () => ChannelWarning[];
  /** Log-in attempts per minute per address (default 10). */
  loginAttemptsPerMinute?: number;
  /** For tests: the clock of the log-in delays. */
  loginClock?: () => Date;
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

/** The staff side, built once: accounts, sessions, audit, the handoff service, notifications, pages and API. */
export function createInbox(options: InboxOptions): Inbox {
  const { database, texts, config, logger, events } = options;
  const agencies = agencyIds(texts);
  const staff = createStaffStore(database);
  const sessions = createSessionStore(database, {
    idleMs: config.STAFF_SESSION_IDLE_MINUTES * 60_000,
    maxMs: config.STAFF_SESSION_MAX_HOURS * 3_600_000,
  });
  const tokens = createApiTokenStore(database);
  const audit = createAuditLog(database);
  const queries = createHandoffQueries(database);
  const handoffs = createHandoffService({
    database,
    events,
    onReply: options.kickDispatcher,
    agencies: () => agencies,
    neutralFirstLine: (locale) => texts.t(locale, 'bot:neutral.firstLine'),
  });
  const reader = createCaseReader({ database, queries, service: handoffs, audit });
  const erasure = createErasureService({
    database,
    audit,
    texts,
    render: { org: config.ORG_NAME },
    logger,
    events,
    kickDispatcher: options.kickDispatcher,
  });
  const live = new LiveStreams();
  const publicUrl = config.PUBLIC_URL?.replace(/\/+$/, '');
  const secure = Boolean(publicUrl?.startsWith('https:'));

  const notifiers: Notifier[] = [];
  const notifyOptions = {
    logger,
    ...(options.notifyRetry ? { retry: options.notifyRetry } : {}),
    ...(options.notifyFetch ? { fetch: options.notifyFetch } : {}),
  };
  if (config.STAFF_TELEGRAM_CHAT_ID && config.TELEGRAM_BOT_TOKEN) {
    notifiers.push(
      createTelegramNotifier({
        apiRoot: config.TELEGRAM_API_ROOT,
        token: config.TELEGRAM_BOT_TOKEN,
        chatId: config.STAFF_TELEGRAM_CHAT_ID,
        format: (alert) => formatAlert(texts, alert),
        ...notifyOptions,
      }),
    );
  }
  if (config.STAFF_WEBHOOK_URL && config.STAFF_WEBHOOK_SECRET) {
    notifiers.push(
      createWebhookNotifier({ url: config.STAFF_WEBHOOK_URL, secret: config.STAFF_WEBHOOK_SECRET, ...notifyOptions }),
    );
  }
  const alerts = createHandoffAlerts({ database, events, queries, notifiers, logger, publicUrl });
  const loginAlerts = createLoginAlerts({ audit, notifiers, logger, publicUrl });
  const login = createLogin(database, loginPolicy(config), {
    onRepeatedFailures: (event) => loginAlerts.onRepeatedFailures(event),
    ...(options.loginClock ? { now: options.loginClock } : {}),
  });

  const cookie = createSessionCookie(secure);
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  const routes = createInboxRoutes({
    texts,
    logger,
    org: config.ORG_NAME,
    staff,
    sessions,
    cookie,
    login,
    tokens,
    apiToken: config.STAFF_API_TOKEN,
    audit,
    queries,
    service: handoffs,
    reader,
    erasure,
    events,
    live,
    agencies,
    publicOrigin,
    livePollMs: options.livePollMs ?? 5000,
    ...(options.loginAttemptsPerMinute ? { loginAttemptsPerMinute: options.loginAttemptsPerMinute } : {}),
    assets: loadInboxAssets(),
    channelWarnings: options.channelWarnings ?? (() => []),
    erasureReport: createErasureReport(database),
    secure,
  });

  return {
    routes,
    staff,
    sessions,
    tokens,
    audit,
    queries,
    handoffs,
    erasure,
    live,
    coordinatorOnly: requireCoordinator({ sessions, cookie, apiToken: config.STAFF_API_TOKEN, tokens, publicOrigin }),
    onStep: (step) => alerts.onStep(step),
    alertStaff(alert) {
      for (const notifier of notifiers) notifier.notify(alert);
    },
    idle: async () => {
      await loginAlerts.idle();
      await alerts.idle();
    },
    async close() {
      live.closeAll();
      await loginAlerts.idle();
      alerts.stop();
      await alerts.idle();
    },
  };
}

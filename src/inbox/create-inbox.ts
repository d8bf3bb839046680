import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Config } from '../config/config.js';
import type { CaseEvents } from '../handoff/case-events.js';
import type { LoadedTexts } from '../i18n/load-texts.js';
import type { Logger } from '../logging/logger.js';
import type { HttpError } from '../server/http-error.js';
import type { Services } from '../services.js';
import { loadInboxAssets } from './assets.js';
import type { InboxEnv } from './inbox-env.js';
import { createInboxErrorPage, createInboxRoutes } from './inbox-routes.js';
import { LiveStreams } from './live-events.js';
import { createSessionCookie } from './session-cookie.js';
import { requireCoordinator } from './staff-auth.js';
import type { ChannelWarning } from './views/layout.js';
import type { TranslateReply } from '../language/reply-translation.js';
import type { InboxDeps } from './inbox-deps.js';
import { describeWeeklyHours } from '../hours/weekly-hours.js';

export interface Inbox {
  routes: Hono<any>;
  live: LiveStreams;
  /** Middleware for coordinator-only routes elsewhere (the WhatsApp pairing page): a Bearer token or an inbox log-in. */
  coordinatorOnly: MiddlewareHandler<InboxEnv>;
  /** The inbox's error page for a page load under /inbox; the server's one onError asks it (undefined: JSON). */
  errorPage(c: Context, error: HttpError): Response | Promise<Response> | undefined;
  /** Ends the live views (server-sent events) still open. */
  close(): void;
}

export interface InboxOptions {
  /** Built once in app.ts (services.ts); the inbox only uses them. */
  services: Services;
  texts: LoadedTexts;
  config: Config;
  logger: Logger;
  events: CaseEvents;
  /** For tests: how often live views re-check the database (default 5 s). */
  livePollMs?: number;
  /** Channels that deliver free text only this long after the resident last wrote (WhatsApp's Cloud API). */
  serviceWindowMs?: Readonly<Record<string, number>>;
  /** Channels that need a coordinator now (WhatsApp logged out), shown on every inbox page. */
  channelWarnings?: () => ChannelWarning[];
  /** Log-in attempts per minute per address (default 10). */
  loginAttemptsPerMinute?: number;
  /** Machine translation of replies (issue 15), when TRANSLATE_URL is set. */
  translateReply?: TranslateReply | undefined;
}

/** The staff side's web part: inbox pages, the staff API, live views, and the guard for coordinator pages elsewhere. */
export function createInbox(options: InboxOptions): Inbox {
  const { services, texts, config, logger, events } = options;
  const live = new LiveStreams();
  const publicUrl = config.PUBLIC_URL?.replace(/\/+$/, '');
  const secure = Boolean(publicUrl?.startsWith('https:'));
  const cookie = createSessionCookie(secure);
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  const assets = loadInboxAssets();
  const routes = createInboxRoutes({
    texts,
    logger,
    org: config.ORG_NAME,
    staff: services.staff,
    sessions: services.sessions,
    cookie,
    login: services.login,
    tokens: services.tokens,
    apiToken: config.STAFF_API_TOKEN,
    audit: services.audit,
    queries: services.queries,
    service: services.handoffs,
    reader: services.caseReader,
    erasure: services.erasure,
    events,
    live,
    agencies: services.agencies,
    publicOrigin,
    livePollMs: options.livePollMs ?? 5000,
    ...(options.loginAttemptsPerMinute ? { loginAttemptsPerMinute: options.loginAttemptsPerMinute } : {}),
    assets,
    channelWarnings: options.channelWarnings ?? (() => []),
    erasureReport: services.erasureReport,
    aftercareReport: services.aftercareReport,
    summaryReport: services.summaryReport,
    setPrevented: services.setPrevented,
    reminders: services.reminders,
    isOverdue: services.isOverdue,
    timezone: services.officeHours.timezone,
    aftercareDays: config.AFTERCARE_AFTER_DAYS,
    serviceWindowMs: options.serviceWindowMs ?? {},
    translateReply: options.translateReply,
    staffLocale: config.STAFF_LOCALE,
    cannedReplies: services.cannedReplies,
    cannedValues: cannedValuesOf(config),
    maxFileBytes: config.STAFF_MAX_FILE_BYTES,
    secure,
  });

  return {
    routes,
    live,
    coordinatorOnly: requireCoordinator({
      sessions: services.sessions,
      cookie,
      apiToken: config.STAFF_API_TOKEN,
      tokens: services.tokens,
      publicOrigin,
    }),
    errorPage: createInboxErrorPage({ texts, org: config.ORG_NAME, assets }),
    close: () => live.closeAll(),
  };
}

/** What canned replies' {{org}}, {{walkInHours}} and {{walkInAddress}} become, per language (worded once each). */
function cannedValuesOf(config: Config): InboxDeps['cannedValues'] {
  const hours = new Map<string, string>();
  return (locale) => {
    let walkInHours = hours.get(locale);
    if (walkInHours === undefined) {
      walkInHours = config.WALK_IN_HOURS ? describeWeeklyHours(config.WALK_IN_HOURS, locale).join('\n') : '';
      hours.set(locale, walkInHours);
    }
    return { org: config.ORG_NAME, walkInHours, walkInAddress: config.WALK_IN_ADDRESS ?? '' };
  };
}


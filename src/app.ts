import { randomUUID } from 'node:crypto';
import { loadDangerModel } from './engine/understanding/load-danger-model.js';
import path from 'node:path';
import type { Hono } from 'hono';
import type { ChannelName } from './conversation/inbound-message.js';
import type { ChannelAdapter } from './outbox/channel-adapter.js';
import { WebchatAdapter } from './channels/webchat/webchat-adapter.js';
import { createWebchatRoutes } from './channels/webchat/webchat-routes.js';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/telegram-channel.js';
import type { MediaDownloader } from './channels/whatsapp/download-media.js';
import type { WhatsAppChannel } from './channels/whatsapp/whatsapp-channel.js';
import { WHATSAPP_PAGE_PATH } from './channels/whatsapp/pairing-page.js';
import { createWhatsAppRoutes } from './channels/whatsapp/whatsapp-routes.js';
import type { WhatsAppSocketFactory } from './channels/whatsapp/whatsapp-socket.js';
import { telegramMode, whatsappMode, type Config } from './config/config.js';
import { CUSTOMER_WINDOW_MS } from './channels/whatsapp-cloud/customer-window.js';
import { createWhatsAppCloudChannel, type WhatsAppCloudChannel } from './channels/whatsapp-cloud/whatsapp-cloud-channel.js';
import { createConversationService, type ConversationService } from './conversation/conversation-service.js';
import { InboundLimits } from './conversation/inbound-limits.js';
import { createFieldCipher } from './crypto/field-cipher.js';
import { openDatabase, withCipher, type Database } from './db/database.js';
import { getOrCreateSetting } from './db/settings.js';
import { createEngine, type Engine } from './engine/engine.js';
import type { RenderDefaults } from './engine/render.js';
import { availabilityByMinute } from './hours/office-hours.js';
import { describeWeeklyHours } from './hours/weekly-hours.js';
import { CaseEvents } from './handoff/case-events.js';
import { createInbox, type Inbox, type InboxOptions } from './inbox/create-inbox.js';
import { createServices, officeHoursOf, type ServiceOptions, type Services } from './services.js';
import { createMetrics } from './metrics/metrics.js';
import { createMetricsRoutes } from './metrics/metrics-routes.js';
import { loadFlowFile } from './engine/load-flow.js';
import { detectLanguage } from './i18n/detect-language.js';
import { loadTexts, type LoadedTexts } from './i18n/load-texts.js';
import type { Logger } from './logging/logger.js';
import { createDispatcher, type Dispatcher } from './outbox/dispatcher.js';
import { readOutboxStats } from './outbox/outbox-stats.js';
import { createConsentVersions } from './privacy/consent-version.js';
import { createRetentionRunner, type RetentionRunner } from './privacy/retention.js';
import { projectPath } from './project-path.js';
import { createServer } from './server/create-server.js';
import { createTimerRunner, type TimerRunner } from './timers/timer-runner.js';
import { BackgroundWork } from './lifecycle/background-work.js';
import { createPoller, type Poller } from './lifecycle/poller.js';
import { createAftercare } from './continuity/aftercare.js';
import { createLanguageWorker, type LanguageWorker, type LanguageWorkerDeps } from './language/language-worker.js';
import { createTranscriptionClient } from './language/transcription-client.js';
import { createTranslationClient } from './language/translation-client.js';
import { createTranslateReply } from './language/reply-translation.js';

export interface App {
  config: Config;
  server: Hono;
  database: Database;
  texts: LoadedTexts;
  engine: Engine;
  conversations: ConversationService;
  dispatcher: Dispatcher;
  timers: TimerRunner;
  /** Finishes staff erasures and runs the retention purge (once over all instances). */
  retention: RetentionRunner;
  /** Raises unclaimed urgent cases again, sends staff reminders that came due, asks the aftercare questions (issue 13). */
  continuity: Poller;
  /** Transcribes voice notes and translates residents' words, when TRANSCRIBE_URL / TRANSLATE_URL are set (issue 15). */
  language: LanguageWorker;
  adapters: Map<ChannelName, ChannelAdapter>;
  telegram: TelegramChannel | null;
  whatsapp: WhatsAppChannel | null;
  /** What the channels, the inbox and the runners share: staff accounts, audit, handoffs, erasure, notifications. */
  services: Services;
  /** The staff side's pages and API. */
  inbox: Inbox;
  /** Starts the background work (dispatcher, timers, channel connections). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Use this database instead of opening one from the config (tests share one per worker). */
  database?: Database;
  /** For tests: a shorter reminder than the flow's. */
  reminderAfterMs?: number;
  /** For tests: a shorter discreet-mode deletion delay than the flow's. */
  discreetDeleteAfterMs?: number;
  /** For tests: the bot's identity, so grammY does not call getMe. */
  telegramBotInfo?: Parameters<typeof createTelegramChannel>[0]['botInfo'];
  /** For tests: a fake WhatsApp socket instead of Baileys' makeWASocket. */
  whatsappSocketFactory?: WhatsAppSocketFactory;
  /** For tests: media bytes without WhatsApp's media servers. */
  whatsappMediaDownloader?: MediaDownloader;
  /** For tests: where a QR would be printed (nothing by default in tests). */
  whatsappPrintQr?: (qr: string) => void;
  /** For tests: the first reconnect delay after a transient close. */
  whatsappReconnectBackoffMs?: number;
  /**
   * For tests: the clock of the conversation steps and the continuity jobs (office hours, returning
   * residents, escalation, follow-ups), so a test can move time on instead of waiting.
   */
  clock?: () => Date;
  /** This process's name in leases (default: random, one per process). */
  instanceId?: string;
  /** For tests: how often this instance looks for escalations, due reminders and aftercare (default 30 s). */
  continuityPollMs?: number;
  /** For tests: how often this instance looks for transcriptions and translations to do (default 5 s). */
  languagePollMs?: number;
  /** For tests: how often this instance looks for due retention work (default a minute). */
  retentionPollMs?: number;
  /** For tests, on the staff side: live views' poll interval, the notifiers' retry timing and fetch, the log-in limits and clock. */
  inbox?: Pick<InboxOptions, 'livePollMs' | 'loginAttemptsPerMinute'> &
    Pick<ServiceOptions, 'notifyRetry' | 'notifyFetch' | 'loginClock'>;
}

/**
 * The composition root: builds every part from explicit dependencies, each once, and hands them to
 * the parts that use them. Nothing here listens on a port.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const texts = await loadTexts(projectPath('locales'));
  const flow = loadFlowFile(path.resolve(config.FLOW_FILE), texts.has);
  const officeHours = officeHoursOf(config);
  const engine = createEngine(flow, texts, {
    render: { org: config.ORG_NAME, walkIn: walkInDetails(config) },
    detectLanguage,
    dangerModel: loadDangerModel(projectPath('locales')),
    ...(options.reminderAfterMs !== undefined ? { reminderAfterMs: options.reminderAfterMs } : {}),
    ...(options.discreetDeleteAfterMs !== undefined ? { discreetDeleteAfterMs: options.discreetDeleteAfterMs } : {}),
    // The Cloud API cannot delete a sent message from the resident's phone (WhatsApp Web can).
    ...(whatsappMode(config) === 'cloud' ? { channelsWithoutDeletion: ['whatsapp'] } : {}),
  });
  const cipher = createFieldCipher(config.ENCRYPTION_KEYS ?? []);
  if (!cipher.enabled) {
    logger.warn('ENCRYPTION_KEYS is not set: resident content is stored unencrypted (refused when NODE_ENV=production)');
  }
  const database = withCipher(
    options.database ??
      (await openDatabase({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        poolSize: config.DATABASE_POOL_SIZE,
        groupCommit: config.DATABASE_GROUP_COMMIT,
      })),
    cipher,
  );

  const caseEvents = new CaseEvents();
  const metrics = createMetrics({
    processMetrics: Boolean(config.METRICS_TOKEN),
    outboxStats: () => readOutboxStats(database),
  });
  const adapters = new Map<ChannelName, ChannelAdapter>();
  const webchat = new WebchatAdapter();
  adapters.set('web', webchat);

  // Reports started by the dispatcher, awaited by close() so none writes to a closed database.
  const deletionReports = new BackgroundWork();
  // How long outbox rows stay leased to this process: claimed ones, and a step's replies for its direct
  // send. Should the process die, another instance sends them once the lease runs out.
  const outboxLeaseMs = config.OUTBOX_LEASE_SECONDS * 1000;
  const dispatcher = createDispatcher({
    database,
    adapters,
    logger,
    leaseMs: outboxLeaseMs,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    metrics,
    pollMs: config.OUTBOX_POLL_MS,
    dirOf: texts.dir,
    onSettled: (row) => caseEvents.emit({ type: 'delivery', ...row }),
    // Discreet mode: an open web chat page clears at once; the resident hears of what could not be deleted.
    onDeletionSettled: (row) => {
      if (row.channel === 'web') webchat.wake(row.externalUserId);
      deletionReports.run(conversations.reportFailedDeletions(row.residentId), (error) =>
        logger.error({ err: error }, 'could not tell the resident about messages that were not deleted'),
      );
    },
  });
  const { livePollMs, loginAttemptsPerMinute, ...serviceKnobs } = options.inbox ?? {};
  const services = createServices({
    database,
    texts,
    config,
    logger,
    events: caseEvents,
    kickDispatcher: () => dispatcher.kick(),
    ...serviceKnobs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const languageServers = languageClients(config);
  const inbox = createInbox({
    translateReply: languageServers.translator
      ? createTranslateReply(languageServers.translator, config.STAFF_LOCALE)
      : undefined,
    services,
    texts,
    config,
    logger,
    events: caseEvents,
    // Read at request time; `whatsapp` and `whatsappCloud` are assigned further down.
    channelWarnings: () => {
      const status = whatsapp?.status();
      const tokenInvalidSince = whatsappCloud?.adapter.tokenInvalidSince();
      if (tokenInvalidSince) {
        return [{ channel: 'whatsapp', since: tokenInvalidSince, fixPath: WHATSAPP_PAGE_PATH, reason: 'token-invalid' }];
      }
      return status && (status.state === 'logged-out' || status.state === 'replaced')
        ? [{ channel: 'whatsapp', since: new Date(status.since), fixPath: WHATSAPP_PAGE_PATH }]
        : [];
    },
    ...(livePollMs !== undefined ? { livePollMs } : {}),
    // WhatsApp's Cloud API delivers free text only within 24 hours of the resident's last message.
    ...(whatsappMode(config) === 'cloud' ? { serviceWindowMs: { whatsapp: CUSTOMER_WINDOW_MS } } : {}),
    ...(loginAttemptsPerMinute !== undefined ? { loginAttemptsPerMinute } : {}),
  });
  const conversations = createConversationService({
    database,
    engine,
    logger,
    // A step's replies go straight to this process's sender; rows it could not lease (the resident has
    // one still pending) wait for the dispatcher's claim, in order.
    onReplies: (direct) => (direct && direct.length > 0 ? dispatcher.sendCommitted(direct) : dispatcher.kick()),
    directSend: { leaseMs: outboxLeaseMs, accepting: () => dispatcher.accepting() },
    sentNotRecorded: (address) => dispatcher.sentNotRecorded(address),
    metrics,
    onCommitted: (step) => services.onStep(step),
    limits: new InboundLimits({
      perResidentPerMinute: config.INBOUND_PER_RESIDENT_PER_MINUTE,
      maxLagMs: config.INBOUND_MAX_LAG_MS,
      globalPerSecond: config.INBOUND_GLOBAL_PER_SECOND,
    }),
    consentVersion: createConsentVersions(flow, texts, { org: config.ORG_NAME }),
    audit: services.audit,
    returnToSamePersonDays: config.RETURN_TO_SAME_PERSON_DAYS,
    ...(options.clock ? { now: options.clock } : {}),
    availability: availabilityByMinute(officeHours),
    ...(config.TRANSCRIBE_URL || config.TRANSLATE_URL
      ? { language: { transcribe: !!config.TRANSCRIBE_URL, translate: !!config.TRANSLATE_URL, onQueued: () => language.wake() } }
      : {}),
  });
  const language = createLanguageWorker({
    database,
    logger,
    ...languageServers,
    staffLocale: config.STAFF_LOCALE,
    timeoutMs: { transcribe: config.TRANSCRIBE_TIMEOUT_SECONDS * 1000, translate: config.TRANSLATE_TIMEOUT_SECONDS * 1000 },
    conversations,
    detectLanguage,
    onStored: (job) => caseEvents.emit({ type: 'message', residentId: job.residentId, conversationId: null }),
    ...(options.languagePollMs !== undefined ? { pollMs: options.languagePollMs } : {}),
  });
  const timers = createTimerRunner({ database, conversations, logger, pollMs: config.TIMER_POLL_MS });
  const retention = createRetentionRunner({
    database,
    erasure: services.erasure,
    logger,
    policy: { closedDays: config.RETENTION_CLOSED_DAYS, abandonedDays: config.RETENTION_ABANDONED_DAYS },
    everyMs: config.RETENTION_INTERVAL_MINUTES * 60_000,
    holder: options.instanceId ?? randomUUID(),
    ...(options.retentionPollMs !== undefined ? { pollMs: options.retentionPollMs } : {}),
  });

  const aftercare = createAftercare({ database, conversations, now: options.clock ?? (() => new Date()), logger });
  const continuity = createPoller({
    name: 'continuity',
    everyMs: options.continuityPollMs ?? 30_000,
    logger,
    // Each job on its own: one that fails (logged) does not hold up the others until the next tick.
    work: async () => {
      const jobs = { escalation: services.escalation.runOnce, reminders: services.reminders.runDue, aftercare: aftercare.runDue };
      for (const [name, run] of Object.entries(jobs)) {
        await run().catch((error: unknown) => logger.error({ err: error, job: name }, 'continuity job failed'));
      }
    },
  });

  const routes: Hono<any>[] = [];
  if (config.WEBCHAT_ENABLED) {
    const secret = config.WEBCHAT_SECRET ?? (await getOrCreateSetting(database, 'webchat_secret'));
    routes.push(
      createWebchatRoutes({
        database,
        conversations,
        adapter: webchat,
        texts,
        secret,
        org: config.ORG_NAME,
        messagesPerMinute: config.WEBCHAT_MESSAGES_PER_MINUTE,
        newChatsPerAddressPerHour: config.WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR,
        voice: {
          maxBytes: config.WEBCHAT_MAX_VOICE_BYTES,
          perVisitor: { hour: config.WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR, day: config.WEBCHAT_VOICE_BYTES_PER_VISITOR_DAY },
          perAddress: { hour: config.WEBCHAT_VOICE_BYTES_PER_ADDRESS_HOUR, day: config.WEBCHAT_VOICE_BYTES_PER_ADDRESS_DAY },
        },
        files: { maxBytes: config.WEBCHAT_MAX_FILE_BYTES },
        idleDays: config.WEBCHAT_IDLE_DAYS,
        closedTranscriptHours: config.WEBCHAT_CLOSED_TRANSCRIPT_HOURS,
      }),
    );
  }
  let telegram: TelegramChannel | null = null;
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = createTelegramChannel(
      {
        token: config.TELEGRAM_BOT_TOKEN,
        mode: telegramMode(config),
        apiRoot: config.TELEGRAM_API_ROOT,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
        maxMediaBytes: config.TELEGRAM_MAX_MEDIA_BYTES,
        messagesPerSecond: config.TELEGRAM_MESSAGES_PER_SECOND,
        chatBurst: config.TELEGRAM_CHAT_BURST,
        ...(options.telegramBotInfo ? { botInfo: options.telegramBotInfo } : {}),
      },
      { conversations, database, texts, logger },
    );
    adapters.set('telegram', telegram.adapter);
    routes.push(telegram.routes);
  }
  let whatsapp: WhatsAppChannel | null = null;
  let whatsappCloud: WhatsAppCloudChannel | null = null;
  const publicBase = config.PUBLIC_URL?.replace(/\/+$/, '') ?? '';
  if (whatsappMode(config) === 'cloud') {
    whatsappCloud = createWhatsAppCloudChannel(
      {
        token: config.WHATSAPP_CLOUD_TOKEN!,
        phoneNumberId: config.WHATSAPP_CLOUD_PHONE_NUMBER_ID!,
        appSecret: config.WHATSAPP_CLOUD_APP_SECRET!,
        verifyToken: config.WHATSAPP_CLOUD_VERIFY_TOKEN!,
        apiRoot: config.WHATSAPP_CLOUD_API_ROOT,
        apiVersion: config.WHATSAPP_CLOUD_API_VERSION,
        maxMediaBytes: config.WHATSAPP_MAX_MEDIA_BYTES,
        templates: config.WHATSAPP_CLOUD_AFTERCARE_TEMPLATES,
        replyTemplates: config.WHATSAPP_CLOUD_REPLY_TEMPLATES,
      },
      {
        conversations,
        database,
        texts,
        logger,
        ...(options.clock ? { now: options.clock } : {}),
        onRepliesReleased: () => dispatcher.kick(),
        onTokenExpired: () =>
          services.alertStaff({
            event: 'channel.token_invalid',
            channel: 'whatsapp',
            at: new Date().toISOString(),
            url: `${publicBase}${WHATSAPP_PAGE_PATH}`,
          }),
      },
    );
    adapters.set('whatsapp', whatsappCloud.adapter);
    routes.push(whatsappCloud.routes);
  } else if (whatsappMode(config) === 'web') {
    // Baileys (about 80 MB once loaded) is imported only when WhatsApp is on.
    const { createWhatsAppChannel } = await import('./channels/whatsapp/whatsapp-channel.js');
    whatsapp = createWhatsAppChannel(
      {
        maxMediaBytes: config.WHATSAPP_MAX_MEDIA_BYTES,
        messagesPerMinute: config.WHATSAPP_MESSAGES_PER_MINUTE,
        chatMessagesPerMinute: config.WHATSAPP_CHAT_MESSAGES_PER_MINUTE,
        chatBurst: config.WHATSAPP_CHAT_BURST,
        jitterMs: config.WHATSAPP_SEND_JITTER_MS,
        leaseMs: config.WHATSAPP_LEASE_MS,
        instanceId: options.instanceId ?? randomUUID(),
        ...(options.whatsappSocketFactory ? { socketFactory: options.whatsappSocketFactory } : {}),
        ...(options.whatsappMediaDownloader ? { downloadMedia: options.whatsappMediaDownloader } : {}),
        ...(options.whatsappPrintQr ? { printQr: options.whatsappPrintQr } : {}),
        ...(options.whatsappReconnectBackoffMs !== undefined ? { reconnectBackoffMs: options.whatsappReconnectBackoffMs } : {}),
      },
      {
        conversations,
        database,
        texts,
        logger,
        onReady: () => dispatcher.kick(),
        onLoggedOut: () =>
          services.alertStaff({
            event: 'channel.logged_out',
            channel: 'whatsapp',
            at: new Date().toISOString(),
            url: `${publicBase}${WHATSAPP_PAGE_PATH}`,
          }),
      },
    );
    adapters.set('whatsapp', whatsapp.adapter);
  }
  // The pairing page is there whether or not WhatsApp is on (it then says so), for coordinators only.
  routes.push(
    createWhatsAppRoutes({
      connection: whatsapp?.connection ?? null,
      coordinatorOnly: inbox.coordinatorOnly,
      texts,
      cloud: whatsappCloud ? whatsappCloud.adapter : undefined,
    }),
  );
  routes.push(inbox.routes);
  routes.push(createMetricsRoutes({ registry: metrics.registry, token: config.METRICS_TOKEN }));
  const whatsappHealth = whatsapp;
  const server = createServer({
    database,
    logger,
    routes,
    https: config.PUBLIC_URL?.startsWith('https:') ?? false,
    trustProxy: config.TRUST_PROXY,
    errorPage: inbox.errorPage,
    ...(whatsappHealth
      ? { health: { whatsapp: () => ({ state: whatsappHealth.status().state, since: whatsappHealth.status().since }) } }
      : whatsappCloud
        ? { health: { whatsapp: () => cloudHealth(whatsappCloud!) } }
        : {}),
  });

  return {
    config,
    server,
    database,
    texts,
    engine,
    conversations,
    dispatcher,
    timers,
    retention,
    continuity,
    language,
    adapters,
    telegram,
    whatsapp,
    services,
    inbox,
    async start() {
      dispatcher.start();
      timers.start();
      retention.start();
      continuity.start();
      language.start();
      await telegram?.start();
      await whatsapp?.start();
    },
    async close() {
      await telegram?.stop();
      await whatsapp?.stop();
      whatsappCloud?.stop();
      await continuity.stop();
      await language.stop();
      inbox.close();
      await services.close();
      await retention.stop();
      await timers.stop();
      await dispatcher.stop();
      await deletionReports.idle();
      if (!options.database) await database.close();
    },
  };
}

/** The clients of the organisation's own speech and translation servers; none for a URL that is unset. */
function languageClients(config: Config): Pick<LanguageWorkerDeps, 'transcriber' | 'translator'> {
  return {
    transcriber: config.TRANSCRIBE_URL
      ? createTranscriptionClient({
          url: config.TRANSCRIBE_URL,
          model: config.TRANSCRIBE_MODEL,
          apiKey: config.TRANSCRIBE_API_KEY,
          timeoutMs: config.TRANSCRIBE_TIMEOUT_SECONDS * 1000,
        })
      : undefined,
    translator: config.TRANSLATE_URL
      ? createTranslationClient({
          url: config.TRANSLATE_URL,
          apiKey: config.TRANSLATE_API_KEY,
          timeoutMs: config.TRANSLATE_TIMEOUT_SECONDS * 1000,
        })
      : undefined,
  };
}

/** The walk-in hours, worded once per language, and the address; none when not configured. */
function walkInDetails(config: Config): RenderDefaults['walkIn'] {
  const hours = config.WALK_IN_HOURS;
  if (!hours || !config.WALK_IN_ADDRESS) return undefined;
  const worded = new Map<string, string>();
  return {
    address: config.WALK_IN_ADDRESS,
    hours: (locale) => {
      let text = worded.get(locale);
      if (text === undefined) worded.set(locale, (text = describeWeeklyHours(hours, locale).join('\n')));
      return text;
    },
  };
}

/** /healthz for the Cloud API: there is no connection; what can stop it is a token Meta refuses. */
function cloudHealth(channel: WhatsAppCloudChannel): { mode: 'cloud'; state: string; since?: string } {
  const since = channel.adapter.tokenInvalidSince();
  return since ? { mode: 'cloud', state: 'token-invalid', since: since.toISOString() } : { mode: 'cloud', state: 'open' };
}

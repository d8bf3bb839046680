import type { Hono } from 'hono';
import type { ConversationService } from '../../conversation/conversation-service.js';
import type { Database } from '../../db/database.js';
import type { Texts } from '../../engine/texts.js';
import type { Logger } from '../../logging/logger.js';
import { CloudAdapter } from './cloud-adapter.js';
import { createCloudInbound, databaseMediaStore } from './cloud-inbound.js';
import { createStatusRecorder } from './cloud-statuses.js';
import { createCloudWebhookRoutes } from './cloud-webhook-routes.js';
import { createWindowCheck } from './customer-window.js';
import { releaseWaitingReplies } from './waiting-replies.js';
import { createGraphApi, type GraphApi } from './graph-api.js';
import type { CloudTemplate } from './outbound-template.js';

/** The text key of the button that opens a list of choices (proposed; see the channel's README section). */
export const LIST_BUTTON_KEY = 'whatsapp:cloud.listButton';

export interface WhatsAppCloudOptions {
  /** A permanent (system user) access token with whatsapp_business_messaging. */
  token: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** Default https://graph.facebook.com. */
  apiRoot?: string | undefined;
  /** 'v23.0' */
  apiVersion: string;
  maxMediaBytes: number;
  /** Per locale: the approved template that stands in for the aftercare question outside the 24-hour window. */
  templates?: Readonly<Record<string, CloudTemplate>> | undefined;
  /** Per locale: the approved template that tells the resident a trust person's reply waits (outside the window). */
  replyTemplates?: Readonly<Record<string, CloudTemplate>> | undefined;
  /** Tests: shorter Graph timeouts. */
  timeoutMs?: number | undefined;
}

export interface WhatsAppCloudDeps {
  conversations: Pick<ConversationService, 'handleInbound'>;
  database: Database;
  texts: Texts;
  logger: Logger;
  /** The token was refused (expired or revoked): alert the coordinators. */
  onTokenExpired?: () => void;
  /** Replies that waited for the resident were put back in the outbox: wake the dispatcher. */
  onRepliesReleased?: () => void;
  /** The app's clock (tests move it): when the 24-hour window is measured from. */
  now?: () => Date;
}

export interface WhatsAppCloudChannel {
  adapter: CloudAdapter;
  /** GET and POST /whatsapp/cloud/webhook. */
  routes: Hono;
  graph: GraphApi;
  stop(): void;
}

/**
 * WhatsApp over the official Business Cloud API: no connection to hold, no Baileys. Messages come in
 * on a webhook Meta calls; replies go out through the Graph API. The channel name stays `whatsapp`,
 * and residents are keyed as the WhatsApp Web channel keys phone-number chats.
 */
export function createWhatsAppCloudChannel(options: WhatsAppCloudOptions, deps: WhatsAppCloudDeps): WhatsAppCloudChannel {
  const { database, texts } = deps;
  const logger = deps.logger.child({ module: 'whatsapp-cloud' });
  const graph = createGraphApi({
    token: options.token,
    phoneNumberId: options.phoneNumberId,
    apiRoot: options.apiRoot ?? 'https://graph.facebook.com',
    apiVersion: options.apiVersion,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const statuses = createStatusRecorder(database, logger);
  const inbound = createCloudInbound({
    graph,
    handleInbound: (message) => deps.conversations.handleInbound(message),
    media: databaseMediaStore(database),
    recordStatuses: (updates) => statuses.record(updates),
    maxMediaBytes: options.maxMediaBytes,
    logger,
    onResidentWrote: async (residentId) => {
      if ((await releaseWaitingReplies(database, residentId)) > 0) deps.onRepliesReleased?.();
    },
  });
  const adapter = new CloudAdapter({
    graph,
    texts,
    // Until the locales have the key, choices that need a list go out as numbered text.
    listButtonLabel: (locale) => (texts.has(LIST_BUTTON_KEY) ? texts.t(locale, LIST_BUTTON_KEY) : undefined),
    templates: {
      ...(options.templates ? { aftercare_question: options.templates } : {}),
      ...(options.replyTemplates ? { reply_waiting: options.replyTemplates } : {}),
    },
    windowOpen: createWindowCheck(database, deps.now ? () => deps.now!().getTime() : Date.now),
    onTokenExpired: deps.onTokenExpired,
    logger,
  });
  const routes = createCloudWebhookRoutes({
    appSecret: options.appSecret,
    verifyToken: options.verifyToken,
    phoneNumberId: options.phoneNumberId,
    inbound,
    logger,
  });
  return { adapter, routes, graph, stop: () => statuses.stop() };
}

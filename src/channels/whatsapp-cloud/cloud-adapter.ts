import type { Texts } from '../../engine/texts.js';
import type { OutboundFile, OutboundMessage } from '../../engine/types.js';
import type { Logger } from '../../logging/logger.js';
import type { ChannelAdapter, Recipient, SendResult } from '../../outbox/channel-adapter.js';
import { giveUp, unreachable } from '../../retry/outcome.js';
import { cloudFailure, isTokenInvalid, isWindowClosed, WAITING_FOR_RESIDENT, WINDOW_CLOSED } from './classify-cloud-error.js';
import { CUSTOMER_WINDOW_MS, type WindowCheck } from './customer-window.js';
import type { CloudMessageBody, GraphApi, GraphError } from './graph-api.js';
import { waIdOfJid } from './normalize-cloud-message.js';
import { templateFor, type CloudTemplate, type CloudTemplates } from './outbound-template.js';
import { renderForCloud } from './render-cloud.js';

/** What WhatsApp shows as a photo: JPEG and PNG up to 5 MB (Meta's limit for images); anything else is a document. */
const CLOUD_PHOTO_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png']);
const CLOUD_PHOTO_LIMIT = 5 * 1000 * 1000;

export interface CloudAdapterOptions {
  graph: Pick<GraphApi, 'sendMessage' | 'sendTemplate' | 'uploadMedia'>;
  texts: Texts;
  /** The label of the button that opens a list, per locale (`whatsapp:cloud.listButton`); undefined: no lists. */
  listButtonLabel: (locale: string) => string | undefined;
  /** Approved templates that stand in for marked messages once the 24-hour window closed. */
  templates?: CloudTemplates | undefined;
  /**
   * Whether the resident wrote within 24 hours (customer-window.ts). Absent: every message is tried,
   * and a closed window shows up as a refusal or, later, a failed status.
   */
  windowOpen?: WindowCheck | undefined;
  /** The access token stopped working: the app alerts the coordinators, once until a send succeeds again. */
  onTokenExpired?: (() => void) | undefined;
  logger?: Logger | undefined;
}

/**
 * Sends outbox rows through the WhatsApp Business Cloud API. Every failure is classified by
 * `cloudFailure`; nothing throws. Always ready: there is no connection to hold, unlike WhatsApp Web.
 *
 * There is no `deleteMessage`: the Cloud API cannot take a sent message off the resident's phone, so
 * discreet mode's cleaning reports those messages as not deleted (the dispatcher gives up on them).
 */
export class CloudAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  #tokenInvalidSince: Date | null = null;
  /** When each resident was last told by template that a reply waits. */
  readonly #nudged = new Map<string, number>();

  constructor(private readonly options: CloudAdapterOptions) {}

  isReady(): boolean {
    return true;
  }

  /** Since when Graph refuses the access token (null: it worked at the last send), for the inbox's channel warning. */
  tokenInvalidSince(): Date | null {
    return this.#tokenInvalidSince;
  }

  async send(recipient: Recipient, message: OutboundMessage, _meta?: { messageId: number }): Promise<SendResult> {
    const to = waIdOfJid(recipient.externalUserId);
    // A chat WhatsApp Web knew only by its LID has no phone number the Cloud API could write to.
    if (!to) return unreachable('WhatsApp Cloud: the resident has no phone number (a LID-only WhatsApp Web chat)');
    const template = templateFor(message, this.options.templates);
    if (this.options.windowOpen && !(await this.isWindowOpen(recipient))) {
      if (template)
        return message.template === 'reply_waiting'
          ? this.standIn(to, recipient, template, message)
          : this.sendTemplate(to, template, message);
      return giveUp(`${WINDOW_CLOSED}: the resident last wrote more than 24 hours ago; WhatsApp only delivers a template now`);
    }
    if (message.file) return this.sendFile(to, recipient, message, message.file, template);
    const parts = renderForCloud(message, {
      texts: this.options.texts,
      listButtonLabel: this.options.listButtonLabel(message.locale),
    });
    const wamids: string[] = [];
    for (const part of parts) {
      const sent = await this.options.graph.sendMessage(to, part);
      if (!sent.ok) {
        if (isWindowClosed(sent.error) && template && wamids.length === 0) {
          return message.template === 'reply_waiting'
            ? this.standIn(to, recipient, template, message)
            : this.sendTemplate(to, template, message);
        }
        // A split message that fails halfway is sent again whole: a rare double, never a gap.
        return this.failed(sent.error);
      }
      wamids.push(sent.value.wamid);
    }
    this.#tokenInvalidSince = null;
    return { ok: true, channelMessageId: wamids.join(',') };
  }

  /**
   * A staff member's file (issue 15): uploaded first (a media id Meta keeps for 30 days), then sent as
   * an image (JPEG or PNG up to 5 MB, what WhatsApp shows as a photo) or as a document with its name,
   * with the caption. Each try uploads again: a failed send leaves nothing to reuse that we keep.
   */
  private async sendFile(
    to: string,
    recipient: Recipient,
    message: OutboundMessage,
    file: OutboundFile,
    template: CloudTemplate | undefined,
  ): Promise<SendResult> {
    const uploaded = await this.options.graph.uploadMedia({ bytes: file.bytes, contentType: file.contentType, name: file.name });
    if (!uploaded.ok) return this.failed(uploaded.error);
    const caption = message.text ? { caption: message.text } : {};
    const asPhoto =
      file.kind === 'image' && CLOUD_PHOTO_TYPES.has(file.contentType) && file.bytes.byteLength <= CLOUD_PHOTO_LIMIT;
    const body: CloudMessageBody = asPhoto
      ? { type: 'image', image: { id: uploaded.value.id, ...caption } }
      : { type: 'document', document: { id: uploaded.value.id, filename: file.name, ...caption } };
    const sent = await this.options.graph.sendMessage(to, body);
    if (!sent.ok) {
      if (isWindowClosed(sent.error) && template) {
        return message.template === 'reply_waiting'
          ? this.standIn(to, recipient, template, message)
          : this.sendTemplate(to, template, message);
      }
      return this.failed(sent.error);
    }
    this.#tokenInvalidSince = null;
    return { ok: true, channelMessageId: sent.value.wamid };
  }

  private async sendTemplate(to: string, template: CloudTemplate, message: OutboundMessage): Promise<SendResult> {
    const sent = await this.options.graph.sendTemplate(to, {
      name: template.name,
      language: template.language,
      // The template's quick replies answer like the message's own buttons would.
      buttons: (message.choices ?? []).map((c) => c.id),
    });
    if (!sent.ok) return this.failed(sent.error);
    this.#tokenInvalidSince = null;
    return { ok: true, channelMessageId: sent.value.wamid };
  }

  /**
   * A trust person's reply outside the window: the template only tells the resident a message waits
   * (once a day per resident, however many replies wait); the reply itself is given up as
   * `window-closed: waiting`, and the channel sends it again once the resident writes back
   * (cloud-inbound.ts requeues it).
   */
  private async standIn(
    to: string,
    recipient: Recipient,
    template: CloudTemplate,
    message: OutboundMessage,
  ): Promise<SendResult> {
    const last = this.#nudged.get(recipient.residentId);
    if (last === undefined || Date.now() - last > CUSTOMER_WINDOW_MS) {
      const sent = await this.sendTemplate(to, template, { ...message, choices: [] });
      if (!sent.ok) return sent;
      this.#nudged.set(recipient.residentId, Date.now());
    }
    return giveUp(`${WINDOW_CLOSED}: ${WAITING_FOR_RESIDENT}`);
  }

  private failed(error: GraphError): SendResult {
    if (isTokenInvalid(error) && this.#tokenInvalidSince === null) {
      this.#tokenInvalidSince = new Date();
      this.options.onTokenExpired?.();
    }
    return cloudFailure(error);
  }

  /** A database that does not answer must not stop the send: then it is tried. */
  private async isWindowOpen(recipient: Recipient): Promise<boolean> {
    try {
      return await this.options.windowOpen!(recipient);
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'could not read when the resident last wrote; sending anyway');
      return true;
    }
  }
}

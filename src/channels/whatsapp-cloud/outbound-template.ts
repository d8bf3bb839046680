import type { OutboundMessage, OutboundTemplate } from '../../engine/types.js';

/**
 * Outside the 24-hour customer service window the Cloud API only delivers approved templates. A message
 * that may go out after the window closed (the aftercare question) carries `OutboundMessage.template`:
 * which template stands in for it.
 */

/** One approved template at Meta, per language. */
export interface CloudTemplate {
  name: string;
  /** Its language code at Meta ('nl', 'en', 'ar', 'tr', or 'en_US' …). */
  language: string;
}

/** Per kind, per locale of ours: the template to send instead when the window is closed. */
export type CloudTemplates = Partial<Record<OutboundTemplate, Readonly<Record<string, CloudTemplate>>>>;

/** The template for this message, if it carries a marker and one is configured for its locale. */
export function templateFor(message: OutboundMessage, templates: CloudTemplates | undefined): CloudTemplate | undefined {
  return message.template ? templates?.[message.template]?.[message.locale] : undefined;
}

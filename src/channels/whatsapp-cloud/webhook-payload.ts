import { z } from 'zod';

/**
 * The webhook body of the WhatsApp Business Cloud API, as far as we read it. Lenient: unknown fields
 * are dropped, unknown message types are kept (the resident then hears we cannot read them), and one
 * odd item never costs the others in the same body.
 */

const mediaObject = z.object({
  id: z.string(),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
});

const sharedContact = z.object({
  name: z.object({ formatted_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
});

/** One item of `value.messages`: what a resident sent. */
export const cloudMessageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string().optional() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string().optional() }).optional(),
    })
    .optional(),
  /** A quick-reply button of a template. */
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  audio: mediaObject.extend({ voice: z.boolean().optional() }).optional(),
  image: mediaObject.optional(),
  video: mediaObject.optional(),
  document: mediaObject.extend({ filename: z.string().optional() }).optional(),
  sticker: mediaObject.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  contacts: z.array(sharedContact).optional(),
});
export type CloudMessage = z.infer<typeof cloudMessageSchema>;

/** What is left of a message whose content did not parse: enough to answer "we cannot read this". */
const bareMessageSchema = z.object({ from: z.string().min(1), id: z.string().min(1), type: z.string().catch('unknown') });

/** One item of `value.statuses`: what became of a message we sent. */
export const cloudStatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type CloudStatus = z.infer<typeof cloudStatusSchema>;

const contactSchema = z.object({
  wa_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});
export type CloudContact = z.infer<typeof contactSchema>;

const valueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string() }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

const webhookSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      changes: z.array(z.object({ field: z.string().optional(), value: z.unknown() })),
    }),
  ),
});

/** A resident's message with the profile name WhatsApp sent beside it. */
export interface InboundItem {
  message: CloudMessage;
  /** `contacts[].profile.name` of the sender, when given. */
  profileName: string | undefined;
}

export type WebhookContent =
  | {
      ok: true;
      messages: InboundItem[];
      statuses: CloudStatus[];
      /** Items for another phone number, or that did not parse at all (logged, not stored). */
      skipped: number;
    }
  | { ok: false; reason: string };

/**
 * Every message and status in one webhook body that concerns our phone number, in the order they
 * came (entries, then changes, then items). A change for another phone number id (a second number on
 * the same app) or of another field (template status, account updates) is skipped.
 */
export function readWebhook(body: unknown, phoneNumberId: string): WebhookContent {
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'not a whatsapp_business_account webhook' };
  const messages: InboundItem[] = [];
  const statuses: CloudStatus[] = [];
  let skipped = 0;
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== undefined && change.field !== 'messages') continue;
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        skipped++;
        continue;
      }
      const { metadata, contacts = [], messages: items = [], statuses: updates = [] } = value.data;
      if (metadata.phone_number_id !== phoneNumberId) {
        skipped += items.length + updates.length;
        continue;
      }
      const profiles = contacts.flatMap((c) => {
        const contact = contactSchema.safeParse(c);
        return contact.success ? [contact.data] : [];
      });
      for (const item of items) {
        const message = messageOf(item);
        if (!message) {
          skipped++;
          continue;
        }
        // wa_id and `from` can differ in form for some countries; a lone contact is the sender all the same.
        const contact = profiles.find((p) => p.wa_id === message.from) ?? (profiles.length === 1 ? profiles[0] : undefined);
        const profileName = contact?.profile?.name;
        messages.push({ message, profileName });
      }
      for (const item of updates) {
        const status = cloudStatusSchema.safeParse(item);
        if (status.success) statuses.push(status.data);
        else skipped++;
      }
    }
  }
  return { ok: true, messages, statuses, skipped };
}

/** A message item; one whose content does not parse becomes a bare one of type `unsupported`. */
function messageOf(item: unknown): CloudMessage | undefined {
  const full = cloudMessageSchema.safeParse(item);
  if (full.success) return full.data;
  const bare = bareMessageSchema.safeParse(item);
  return bare.success ? { from: bare.data.from, id: bare.data.id, type: 'unsupported' } : undefined;
}

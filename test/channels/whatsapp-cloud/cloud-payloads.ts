import { TEST_PHONE_NUMBER_ID } from '../../helpers/fake-graph-api.js';

/**
 * Webhook bodies as Meta sends them (shapes from the Cloud API webhook reference), for the tests of
 * the WhatsApp Cloud channel. Every builder takes the parts a test varies and fills in the rest.
 */

export const RESIDENT_WA_ID = '31612345678';
export const RESIDENT_JID = `${RESIDENT_WA_ID}@s.whatsapp.net`;

let sequence = 0;
/** A fresh id of the form Meta uses for messages. */
export const wamid = () => `wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUZEQzI5QjU2${String(++sequence).padStart(6, '0')}AA==`;

export type MessageItem = Record<string, unknown> & { id: string; from: string; type: string };

export function messageItem(type: string, content: Record<string, unknown>, extra: Partial<MessageItem> = {}): MessageItem {
  return {
    from: RESIDENT_WA_ID,
    id: wamid(),
    timestamp: String(Math.floor(Date.now() / 1000)),
    type,
    ...(Object.keys(content).length > 0 ? { [type]: content } : {}),
    ...extra,
  };
}

export const textItem = (body: string, extra: Partial<MessageItem> = {}) => messageItem('text', { body }, extra);

export interface ValueOptions {
  phoneNumberId?: string;
  contacts?: { wa_id: string; name?: string }[];
  messages?: MessageItem[];
  statuses?: Record<string, unknown>[];
}

/** One `changes[].value` of field `messages`. */
export function changeValue(options: ValueOptions): Record<string, unknown> {
  const messages = options.messages ?? [];
  const contacts =
    options.contacts ??
    [...new Set(messages.map((m) => m.from))].map((waId) => ({
      wa_id: waId,
      name: waId === RESIDENT_WA_ID ? 'Samira' : 'Youssef',
    }));
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '31201234567', phone_number_id: options.phoneNumberId ?? TEST_PHONE_NUMBER_ID },
    ...(contacts.length > 0
      ? { contacts: contacts.map((c) => ({ profile: { name: c.name ?? 'Samira' }, wa_id: c.wa_id })) }
      : {}),
    ...(messages.length > 0 ? { messages } : {}),
    ...(options.statuses ? { statuses: options.statuses } : {}),
  };
}

/** A whole webhook body: one entry per value given. */
export function webhookBody(...values: Record<string, unknown>[]): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: values.map((value) => ({ id: '102290129340398', changes: [{ value, field: 'messages' }] })),
  };
}

/** A body with these messages from the resident. */
export const messagesBody = (...messages: MessageItem[]) => webhookBody(changeValue({ messages }));

export function statusItem(id: string, status: string, errors?: Record<string, unknown>[]): Record<string, unknown> {
  return {
    id,
    status,
    timestamp: String(Math.floor(Date.now() / 1000)),
    recipient_id: RESIDENT_WA_ID,
    ...(status === 'sent'
      ? {
          conversation: { id: 'c0ffee', expiration_timestamp: '1750000000', origin: { type: 'service' } },
          pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
        }
      : {}),
    ...(errors ? { errors } : {}),
  };
}

export const windowClosedError = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
};

export const statusesBody = (...statuses: Record<string, unknown>[]) => webhookBody(changeValue({ statuses }));

import type { InboundMessage } from '../../conversation/inbound-message.js';
import type { MediaKind } from '../../engine/types.js';
import { localeForPhone } from '../whatsapp/country-locale.js';
import type { CloudMessage, InboundItem } from './webhook-payload.js';

/** A file the resident sent, to fetch through the Graph API before the message is handled. */
export interface CloudMedia {
  mediaId: string;
  kind: MediaKind;
  contentType: string;
}

export type NormalizedCloudMessage =
  { kind: 'inbound'; inbound: InboundMessage; wamid: string; media?: CloudMedia } | { kind: 'ignore'; reason: 'reaction' };

/**
 * The resident's JID as the WhatsApp Web (Baileys) channel writes a phone-number chat, so that an
 * organisation switching between the two keeps its residents and their conversations.
 */
export const jidOfWaId = (waId: string) => `${waId}@s.whatsapp.net`;

/** The wa_id (digits) of a phone-number JID; undefined for a LID (`…@lid`), which the Cloud API cannot address. */
export function waIdOfJid(jid: string): string | undefined {
  const match = /^(\d{6,20})@s\.whatsapp\.net$/.exec(jid);
  return match?.[1];
}

/**
 * The deduplication key, as the Baileys normalizer builds it (`externalMessageIdOf` in
 * ../whatsapp/normalize-message.ts, not imported: that module loads Baileys).
 */
export const cloudExternalMessageId = (jid: string, wamid: string) => `${jid}:${wamid}`;

/**
 * One `messages[]` item of a webhook → our InboundMessage. Pure. Media come back as the id to fetch;
 * a reaction is ignored; anything we cannot read (sticker, order, system, unsupported …) becomes the
 * `unsupported` notice, like the Baileys channel, so the resident hears it was not read.
 */
export function normalizeCloudMessage({ message, profileName }: InboundItem): NormalizedCloudMessage {
  if (message.type === 'reaction') return { kind: 'ignore', reason: 'reaction' };
  const jid = jidOfWaId(message.from);
  const base: InboundMessage = {
    channel: 'whatsapp',
    externalUserId: jid,
    externalMessageId: cloudExternalMessageId(jid, message.id),
    localeHint: localeForPhone(message.from),
    displayName: profileName,
    knownPhone: `+${message.from}`,
  };
  const inbound = (extra: Partial<InboundMessage>, media?: CloudMedia): NormalizedCloudMessage => ({
    kind: 'inbound',
    wamid: message.id,
    inbound: { ...base, ...extra },
    ...(media ? { media } : {}),
  });
  const unsupported = (summary?: string) => inbound({ notice: 'unsupported', summary });

  switch (message.type) {
    case 'text':
      return message.text ? inbound({ text: message.text.body }) : unsupported();
    case 'interactive': {
      // We send our choice ids as button and row ids, so the reply id is the choice.
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return reply ? inbound({ choice: reply.id }) : unsupported();
    }
    case 'button': {
      const { payload, text } = message.button ?? {};
      if (payload) return inbound({ choice: payload });
      return text ? inbound({ text }) : unsupported();
    }
    case 'audio': {
      const audio = message.audio;
      if (!audio) return unsupported();
      return inbound({}, mediaOf(audio, audio.voice ? 'voice' : 'audio', 'audio/ogg'));
    }
    case 'image':
      return message.image
        ? inbound({ text: message.image.caption }, mediaOf(message.image, 'image', 'image/jpeg'))
        : unsupported();
    case 'video':
      return message.video
        ? inbound({ text: message.video.caption }, mediaOf(message.video, 'video', 'video/mp4'))
        : unsupported();
    case 'document': {
      const document = message.document;
      if (!document) return unsupported();
      return inbound({ text: document.caption }, mediaOf(document, 'document', 'application/octet-stream'));
    }
    case 'sticker':
      return unsupported('sticker');
    case 'location': {
      const location = message.location;
      if (!location) return unsupported();
      const place = [location.name, location.address].filter(Boolean).join(', ');
      return inbound({
        media: { kind: 'location', mediaId: null },
        summary: [`geo:${location.latitude},${location.longitude}`, place].filter(Boolean).join('\n'),
      });
    }
    case 'contacts':
      return inbound({ media: { kind: 'contact', mediaId: null }, summary: contactsSummary(message) });
    default:
      return unsupported();
  }
}

function mediaOf(file: { id: string; mime_type?: string | undefined }, kind: MediaKind, fallback: string): CloudMedia {
  return { mediaId: file.id, kind, contentType: file.mime_type || fallback };
}

/** Each shared contact on a line: its name and numbers. */
function contactsSummary(message: CloudMessage): string | undefined {
  const lines = (message.contacts ?? []).map((contact) =>
    [contact.name?.formatted_name, ...(contact.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : undefined))]
      .filter(Boolean)
      .join(' '),
  );
  const summary = lines.filter(Boolean).join('\n');
  return summary || undefined;
}

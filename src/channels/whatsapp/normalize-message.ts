import {
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { MediaKind } from '../../engine/types.js';
import type { InboundMessage } from '../../conversation/inbound-message.js';
import { localeForPhone } from './country-locale.js';

/** A file the resident sent, to download before the message is handled. */
export interface WhatsAppMedia {
  kind: MediaKind;
  contentType: string;
  /** As the sender's client declared it (fileLength); may be absent. */
  declaredBytes: number | undefined;
}

export type IgnoreReason = 'status' | 'group' | 'broadcast' | 'newsletter' | 'fromMe' | 'protocol' | 'empty' | 'noSender';

export type NormalizedMessage =
  | {
      kind: 'inbound';
      inbound: InboundMessage;
      /** The chat to answer, mark read and show typing in: the resident's stable JID. */
      jid: string;
      media?: WhatsAppMedia;
    }
  | { kind: 'ignore'; reason: IgnoreReason };

/**
 * Who wrote: the phone-number JID (`31612345678@s.whatsapp.net`) when the message carries it, else the
 * LID (`…@lid`). In v7 a one-to-one chat may be addressed by LID, with the phone number beside it in
 * `key.remoteJidAlt` (older payloads: `senderPn`), or by phone number with the LID as the alternative.
 * Preferring the phone number keeps one resident per person whichever way WhatsApp addresses the chat,
 * gives the country code for the language hint, and is the number a trust person calls back.
 */
export function senderOf(key: WAMessage['key']): { jid: string; phone: string | undefined } | undefined {
  const candidates = [key.remoteJid, key.remoteJidAlt, (key as { senderPn?: string }).senderPn].filter(
    (jid): jid is string => typeof jid === 'string' && jid.length > 0,
  );
  const pn = candidates.find((jid) => isPnUser(jid));
  if (pn) {
    const jid = jidNormalizedUser(pn);
    return { jid, phone: jid.split('@')[0] };
  }
  const lid = candidates.find((jid) => isLidUser(jid));
  return lid ? { jid: jidNormalizedUser(lid), phone: undefined } : undefined;
}

/** The deduplication key: the message id within the resident's chat. */
export const externalMessageIdOf = (jid: string, messageId: string) => `${jid}:${messageId}`;

/**
 * Turns one `messages.upsert` message into our InboundMessage shape. Pure: no socket, no database.
 * Status updates, groups, broadcasts, channels, our own messages and protocol messages are ignored.
 */
export function normalizeMessage(message: WAMessage): NormalizedMessage {
  const key = message.key;
  const remote = key.remoteJid ?? '';
  if (remote === 'status@broadcast') return ignore('status');
  if (isJidGroup(remote)) return ignore('group');
  if (isJidBroadcast(remote)) return ignore('broadcast');
  if (isJidNewsletter(remote)) return ignore('newsletter');
  if (key.fromMe) return ignore('fromMe');
  const sender = senderOf(key);
  if (!sender || !key.id) return ignore('noSender');

  const content = normalizeMessageContent(message.message);
  if (!content) return ignore('empty');
  const inbound: InboundMessage = {
    channel: 'whatsapp',
    externalUserId: sender.jid,
    externalMessageId: externalMessageIdOf(sender.jid, key.id),
    localeHint: localeForPhone(sender.phone),
    displayName: message.pushName ?? undefined,
    knownPhone: sender.phone ? `+${sender.phone}` : undefined,
  };
  const result = (extra: Partial<InboundMessage>, media?: WhatsAppMedia): NormalizedMessage => ({
    kind: 'inbound',
    jid: sender.jid,
    inbound: { ...inbound, ...extra },
    ...(media ? { media } : {}),
  });

  if (content.protocolMessage) {
    const edited = content.protocolMessage;
    // An edit of an earlier text: like Telegram, a kind word that edits are not read, and the new text kept.
    if (edited.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && edited.editedMessage) {
      const newText = textOf(normalizeMessageContent(edited.editedMessage));
      return result({ notice: 'edited', summary: newText });
    }
    return ignore('protocol');
  }
  if (content.reactionMessage || content.senderKeyDistributionMessage || content.pollUpdateMessage) {
    return ignore('protocol');
  }

  const text = textOf(content);
  if (content.conversation != null || content.extendedTextMessage) return result({ text: text ?? '' });

  if (content.audioMessage) {
    const audio = content.audioMessage;
    return result({}, media(audio.ptt ? 'voice' : 'audio', audio.mimetype, 'audio/ogg', audio.fileLength));
  }
  if (content.imageMessage) {
    const image = content.imageMessage;
    return result({ text }, media('image', image.mimetype, 'image/jpeg', image.fileLength));
  }
  if (content.videoMessage) {
    const video = content.videoMessage;
    return result({ text }, media('video', video.mimetype, 'video/mp4', video.fileLength));
  }
  if (content.documentMessage) {
    const document = content.documentMessage;
    return result({ text }, media('document', document.mimetype, 'application/octet-stream', document.fileLength));
  }
  const location = content.locationMessage ?? content.liveLocationMessage;
  if (location) {
    return result({
      media: { kind: 'location', mediaId: null },
      summary: `geo:${location.degreesLatitude ?? 0},${location.degreesLongitude ?? 0}`,
    });
  }
  if (content.contactMessage) {
    return result({ media: { kind: 'contact', mediaId: null }, summary: content.contactMessage.displayName ?? undefined });
  }
  // Stickers, polls, events, payments, view-once media we cannot open: never ignored silently.
  return result({ notice: 'unsupported', summary: content.stickerMessage ? 'sticker' : undefined });
}

function ignore(reason: IgnoreReason): NormalizedMessage {
  return { kind: 'ignore', reason };
}

/** The words of a message: plain, extended (also a quoted reply, whose own text is what counts), or a caption. */
function textOf(content: proto.IMessage | undefined): string | undefined {
  if (!content) return undefined;
  return (
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    undefined
  );
}

function media(kind: MediaKind, mimetype: string | null | undefined, fallback: string, length: unknown): WhatsAppMedia {
  return { kind, contentType: mimetype || fallback, declaredBytes: toNumber(length) };
}

/** protobuf longs arrive as numbers, Long objects or strings depending on how the message was decoded. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function')
    return (value as { toNumber(): number }).toNumber();
  return undefined;
}

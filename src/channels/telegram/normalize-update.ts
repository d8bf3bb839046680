import type { Message, Update } from 'grammy/types';
import type { MediaKind } from '../../engine/types.js';
import type { InboundMessage } from '../../conversation/inbound-message.js';

/** A file the resident sent, to fetch with getFile before the message is handled. */
export interface TelegramFile {
  fileId: string;
  /** As Telegram reports it; absent for some kinds. */
  size: number | undefined;
  contentType: string;
  kind: MediaKind;
}

export type NormalizedUpdate =
  | { kind: 'inbound'; chatId: number; inbound: InboundMessage; file?: TelegramFile; callbackQueryId?: string }
  /** A group, supergroup or channel: the bot serves private chats only. */
  | { kind: 'group'; chatId: number; localeHint: string | undefined; callbackQueryId?: string }
  | { kind: 'ignore'; callbackQueryId?: string };

/** Turns one Telegram update into our InboundMessage shape. Pure: no network, no database. */
export function normalizeUpdate(update: Update): NormalizedUpdate {
  if (update.callback_query) {
    const query = update.callback_query;
    const chat = query.message?.chat;
    if (!chat || !query.data) return { kind: 'ignore', callbackQueryId: query.id };
    if (chat.type !== 'private')
      return { kind: 'group', chatId: chat.id, localeHint: query.from.language_code, callbackQueryId: query.id };
    return {
      kind: 'inbound',
      chatId: chat.id,
      callbackQueryId: query.id,
      inbound: {
        ...base(chat.id, query.from),
        externalMessageId: `cb:${query.id}`,
        choice: query.data,
      },
    };
  }
  const edited = update.edited_message;
  if (edited) {
    // A shared live location arrives as a stream of edits; only an edited text or caption is worth a word.
    if (edited.chat.type !== 'private' || (edited.text === undefined && edited.caption === undefined)) return { kind: 'ignore' };
    return {
      kind: 'inbound',
      chatId: edited.chat.id,
      inbound: {
        ...base(edited.chat.id, edited.from),
        externalMessageId: `${edited.chat.id}:${edited.message_id}:edit:${edited.edit_date}`,
        notice: 'edited',
        summary: edited.text ?? edited.caption,
      },
    };
  }
  const message = update.message;
  if (!message) return { kind: 'ignore' };
  if (message.chat.type !== 'private') {
    return { kind: 'group', chatId: message.chat.id, localeHint: message.from?.language_code };
  }
  const inbound: InboundMessage = {
    ...base(message.chat.id, message.from),
    externalMessageId: `${message.chat.id}:${message.message_id}`,
  };
  const file = fileOf(message);
  if (file) return { kind: 'inbound', chatId: message.chat.id, file, inbound: { ...inbound, text: message.caption } };
  if (message.text !== undefined)
    return { kind: 'inbound', chatId: message.chat.id, inbound: { ...inbound, text: message.text } };
  if (message.location) {
    const { latitude, longitude } = message.location;
    return {
      kind: 'inbound',
      chatId: message.chat.id,
      inbound: { ...inbound, media: { kind: 'location', mediaId: null }, summary: `geo:${latitude},${longitude}` },
    };
  }
  if (message.contact) {
    const { first_name, last_name, phone_number } = message.contact;
    return {
      kind: 'inbound',
      chatId: message.chat.id,
      inbound: {
        ...inbound,
        media: { kind: 'contact', mediaId: null },
        summary: [first_name, last_name, phone_number].filter(Boolean).join(' '),
      },
    };
  }
  // Stickers, polls, dice, games, service messages: nothing a trust person can use, but never ignored silently.
  return {
    kind: 'inbound',
    chatId: message.chat.id,
    inbound: {
      ...inbound,
      notice: 'unsupported',
      summary: message.sticker?.emoji ? `sticker ${message.sticker.emoji}` : undefined,
    },
  };
}

function base(chatId: number, from: { language_code?: string; first_name?: string } | undefined) {
  return {
    channel: 'telegram' as const,
    externalUserId: String(chatId),
    localeHint: from?.language_code,
    displayName: from?.first_name,
  };
}

function fileOf(message: Message): TelegramFile | undefined {
  if (message.voice)
    return {
      fileId: message.voice.file_id,
      size: message.voice.file_size,
      contentType: message.voice.mime_type ?? 'audio/ogg',
      kind: 'voice',
    };
  if (message.audio)
    return {
      fileId: message.audio.file_id,
      size: message.audio.file_size,
      contentType: message.audio.mime_type ?? 'audio/mpeg',
      kind: 'audio',
    };
  if (message.video_note)
    return { fileId: message.video_note.file_id, size: message.video_note.file_size, contentType: 'video/mp4', kind: 'video' };
  if (message.video)
    return {
      fileId: message.video.file_id,
      size: message.video.file_size,
      contentType: message.video.mime_type ?? 'video/mp4',
      kind: 'video',
    };
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => ((b.file_size ?? 0) > (a.file_size ?? 0) ? b : a));
    return { fileId: largest.file_id, size: largest.file_size, contentType: 'image/jpeg', kind: 'image' };
  }
  if (message.document) {
    return {
      fileId: message.document.file_id,
      size: message.document.file_size,
      contentType: message.document.mime_type ?? 'application/octet-stream',
      kind: 'document',
    };
  }
  return undefined;
}

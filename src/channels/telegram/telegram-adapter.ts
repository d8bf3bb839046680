import { GrammyError, InputFile, type Api } from 'grammy';
import type { OutboundFile, OutboundMessage } from '../../engine/types.js';
import {
  tooOldToDelete,
  type ChannelAdapter,
  type DeleteResult,
  type Recipient,
  type SendResult,
  type SentMessageRef,
} from '../../outbox/channel-adapter.js';
import { telegramFailure } from '../../retry/classify.js';
import { Pacer } from './pacer.js';
import { renderForTelegram } from './render-telegram.js';

/** Telegram takes photos up to 10 MB; a larger picture goes as a document. */
const TELEGRAM_PHOTO_LIMIT = 10 * 1000 * 1000;

/**
 * Sends outbox rows to Telegram. Every failure is classified by `telegramFailure` (retry/classify.ts):
 * 429 waits retry_after, 5xx and network errors retry with backoff, 403 (blocked) stops for good.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram' as const;
  readonly #pacer: Pacer;

  constructor(
    private readonly api: Api,
    options: { messagesPerSecond: number; chatBurst?: number; perChatIntervalMs?: number },
  ) {
    this.#pacer = new Pacer({
      perChatIntervalMs: options.perChatIntervalMs ?? 1000,
      burst: options.chatBurst ?? 3,
      globalPerSecond: options.messagesPerSecond,
    });
  }

  async send(recipient: Recipient, message: OutboundMessage): Promise<SendResult> {
    const chatId = recipient.externalUserId;
    if (message.file) return this.#sendFile(chatId, message.file, message.text);
    const sentIds: number[] = [];
    for (const chunk of renderForTelegram(message)) {
      await this.#pacer.wait(chatId);
      try {
        const sent = await this.api.sendMessage(
          chatId,
          chunk.text,
          chunk.reply_markup ? { reply_markup: chunk.reply_markup } : {},
        );
        sentIds.push(sent.message_id);
      } catch (error) {
        // A long message split in parts that fails halfway is sent again whole: a rare double, never a gap.
        return telegramFailure(error);
      }
    }
    return { ok: true, channelMessageId: sentIds.join(',') };
  }

  /**
   * A staff member's file (issue 15): a photo with sendPhoto (shown in the chat), a PDF with sendDocument,
   * uploaded from its bytes, with the caption. A photo Telegram will not take as one (over 10 MB, or a
   * shape it refuses: a long screenshot) goes as a document instead, so the resident still gets it.
   */
  async #sendFile(chatId: string, file: OutboundFile, caption: string): Promise<SendResult> {
    const options = caption ? { caption } : {};
    await this.#pacer.wait(chatId);
    try {
      if (file.kind === 'image' && file.bytes.byteLength <= TELEGRAM_PHOTO_LIMIT) {
        try {
          const sent = await this.api.sendPhoto(chatId, new InputFile(file.bytes, file.name), options);
          return { ok: true, channelMessageId: String(sent.message_id) };
        } catch (error) {
          if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
        }
      }
      const sent = await this.api.sendDocument(chatId, new InputFile(file.bytes, file.name), options);
      return { ok: true, channelMessageId: String(sent.message_id) };
    } catch (error) {
      return telegramFailure(error);
    }
  }

  /**
   * Deletes one sent message for both sides (a split text: all its parts, with deleteMessages). Telegram
   * lets a bot do so for 48 hours; older ones are not even tried. A message already gone (the resident
   * deleted it for both) counts as deleted.
   */
  async deleteMessage(recipient: Recipient, message: SentMessageRef): Promise<DeleteResult> {
    const chatId = recipient.externalUserId;
    if (tooOldToDelete('telegram', message.sentAt)) {
      return { ok: false, retry: false, reason: 'sent more than 48 hours ago: Telegram no longer lets the bot delete it' };
    }
    const ids = message.channelMessageId
      .split(',')
      .map(Number)
      .filter((id) => Number.isSafeInteger(id) && id > 0);
    if (ids.length === 0) return { ok: false, retry: false, reason: `no Telegram message id in "${message.channelMessageId}"` };
    await this.#pacer.wait(chatId);
    try {
      if (ids.length === 1) await this.api.deleteMessage(chatId, ids[0]!);
      else await this.api.deleteMessages(chatId, ids);
      return { ok: true };
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400 && /not found/i.test(error.description)) return { ok: true };
      // Blocked: nothing to delete from any more that we could reach; not a reason to mark them unreachable here.
      const { unreachable: _blocked, ...failure } = telegramFailure(error);
      return failure;
    }
  }
}

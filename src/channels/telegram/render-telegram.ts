import type { OutboundMessage } from '../../engine/types.js';

/** Telegram refuses longer texts; callback_data is limited to 64 bytes. */
export const TELEGRAM_TEXT_LIMIT = 4096;
const CALLBACK_DATA_LIMIT = 64;

export interface TelegramChunk {
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
}

/**
 * One outbound message as Telegram messages: the choices as an inline keyboard on the last part, and
 * also as a numbered list in the text (screen readers and old clients do not show keyboards well).
 */
export function renderForTelegram(message: OutboundMessage): TelegramChunk[] {
  const numbered = (message.choices ?? []).filter((c) => c.number !== undefined);
  const list = numbered.map((c) => `${c.number}. ${c.label}`).join('\n');
  const text = list ? `${message.text}\n\n${list}` : message.text;
  const parts = splitText(text, TELEGRAM_TEXT_LIMIT);
  const buttons = (message.choices ?? [])
    .filter((c) => Buffer.byteLength(c.id) <= CALLBACK_DATA_LIMIT)
    .map((c) => [{ text: c.number !== undefined ? `${c.number}. ${c.label}` : c.label, callback_data: c.id }]);
  return parts.map((part, i) =>
    i === parts.length - 1 && buttons.length > 0 ? { text: part, reply_markup: { inline_keyboard: buttons } } : { text: part },
  );
}

/**
 * Splits text into parts of at most `limit` characters, at a paragraph break if there is one in the
 * second half of the part, else a line break, else a space, else hard (a single enormous word).
 */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut =
      [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find((i) => i >= limit / 2) ?? limit;
    // Never cut between the two halves of a surrogate pair (an emoji, some scripts).
    if (cut === limit && /[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

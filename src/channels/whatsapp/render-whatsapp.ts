import type { Texts } from '../../engine/texts.js';
import type { Choice } from '../../engine/types.js';

/** WhatsApp takes texts up to 65,536 characters; the intake's are far shorter, so nothing is split. */
export interface RenderableMessage {
  text: string;
  choices?: Choice[] | null | undefined;
  locale: string;
}

/**
 * One outbound message as WhatsApp text. Buttons and lists cannot be sent reliably from an unofficial
 * client, so the options are a numbered list the resident answers by typing the number (`1`, `١`,
 * `1️⃣`), and command choices without a number (continue, skip) are named as words to type, in bold.
 * Deterministic: the same stored message renders the same text again (Baileys' getMessage retries).
 */
export function renderForWhatsApp(message: RenderableMessage, texts: Texts): string {
  const choices = message.choices ?? [];
  const numbered = choices.filter((c) => c.number !== undefined).map((c) => `${c.number}. ${c.label}`);
  const words = choices.filter((c) => c.number === undefined).map((c) => `*${c.label}*`);
  const parts = [message.text];
  if (numbered.length > 0) parts.push(numbered.join('\n'));
  if (words.length > 0) {
    const key = numbered.length > 0 ? 'whatsapp:orTypeWords' : 'whatsapp:typeWords';
    parts.push(texts.t(message.locale, key, { words: words.join(', ') }));
  }
  return parts.join('\n\n');
}

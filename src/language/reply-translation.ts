import type { TranslationClient } from './translation-client.js';

/** What a trust person's reply sends when they previewed a translation (issue 15). */
export const REPLY_CHOICES = ['both', 'translation', 'original'] as const;
export type ReplyChoice = (typeof REPLY_CHOICES)[number];

/**
 * The text that goes to the resident, and the trust person's own words when only a translation of
 * them went (kept with the message, so the case shows what they meant). "both": the translation on
 * top, their own text below it, so a resident who also reads Dutch can check a machine's mistakes.
 */
export function composeReply(input: { text: string; translation?: string | undefined; send?: ReplyChoice | undefined }): {
  text: string;
  original?: string;
} {
  const translation = input.translation?.trim();
  if (!translation || input.send === 'original') return { text: input.text };
  if (input.send === 'translation') return { text: translation, original: input.text };
  return { text: `${translation}\n\n${input.text}` };
}

/** Translates a trust person's draft from the staff language into the resident's; absent without TRANSLATE_URL. */
export type TranslateReply = (text: string, target: string) => Promise<string>;

export function createTranslateReply(translator: TranslationClient, staffLocale: string): TranslateReply {
  return async (text, target) => (await translator.translate({ text, source: staffLocale, target })).text;
}

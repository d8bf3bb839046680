import type { Actor } from '../staff/staff-types.js';
import { canWorkOnCase } from '../handoff/access.js';
import type { CaseReader } from '../handoff/case-reader.js';
import { HandoffError } from '../handoff/handoff-error.js';
import type { TranslateReply } from '../language/reply-translation.js';
import { HttpError } from '../server/http-error.js';

/**
 * The language a reply to this case is best translated into: the language the resident's first
 * message was written in when we have no texts for it (Polish), else the language of the chat.
 * Darija in Latin letters has no machine translation: the chat's Arabic then.
 */
export function replyLanguage(record: { language: string | null; writtenLanguage: string | null }): string | null {
  const written = record.writtenLanguage && record.writtenLanguage !== 'darija-latin' ? record.writtenLanguage : null;
  return written ?? record.language;
}

/**
 * A trust person's draft, machine-translated into the resident's language for them to check before
 * sending (issue 15). Only for who may write on the case; nothing of the resident is read or sent.
 */
export function createReplyPreview(deps: {
  reader: CaseReader;
  translateReply: TranslateReply | undefined;
  staffLocale: string;
}) {
  return async (actor: Actor, handoffId: string, text: string): Promise<{ locale: string; text: string }> => {
    const record = await deps.reader.summary(handoffId);
    if (record.status === 'closed' || !canWorkOnCase(actor, record)) {
      throw new HandoffError('forbidden', 'only who holds the case (or a coordinator) can write to the resident');
    }
    if (!deps.translateReply) {
      throw new HttpError(503, 'translation_unavailable', 'no translation server is configured (TRANSLATE_URL)');
    }
    const target = replyLanguage(record);
    if (!target || target === deps.staffLocale) {
      throw new HttpError(409, 'same_language', `the resident reads ${deps.staffLocale}: there is nothing to translate`);
    }
    try {
      return { locale: target, text: await deps.translateReply(text, target) };
    } catch {
      throw new HttpError(
        502,
        'translation_failed',
        'the translation server did not answer; the text can still be sent as written',
      );
    }
  };
}

import { z } from 'zod';

/**
 * The parts of a Telegram update the channel reads, checked before anything reads them: a webhook
 * body is only JSON from whoever knows the secret, and an update Telegram itself sends never breaks
 * these limits (texts up to 4,096 characters, captions up to 1,024, callback data up to 64 bytes).
 * An update that does not fit is answered 200 and left alone: Telegram re-sends any other answer for
 * a day, and a real update of that shape does not exist.
 */
export const MAX_TELEGRAM_TEXT = 4096;
export const MAX_TELEGRAM_CAPTION = 1024;
/** A whole update is a few kilobytes; the webhook refuses bodies over this. */
export const MAX_TELEGRAM_UPDATE_BYTES = 256 * 1024;

const id = z.number().int().safe();
const shortText = (max: number) => z.string().max(max);
const file = z.looseObject({
  file_id: shortText(512),
  file_size: z.number().int().nonnegative().optional(),
  mime_type: shortText(255).optional(),
});
const chat = z.looseObject({ id, type: shortText(32) });
const from = z.looseObject({
  first_name: shortText(256).optional(),
  language_code: shortText(35).optional(),
});

const message = z.looseObject({
  message_id: id,
  chat,
  from: from.optional(),
  text: shortText(MAX_TELEGRAM_TEXT).optional(),
  caption: shortText(MAX_TELEGRAM_CAPTION).optional(),
  edit_date: id.optional(),
  voice: file.optional(),
  audio: file.optional(),
  video: file.optional(),
  video_note: file.optional(),
  document: file.optional(),
  photo: z.array(file).max(20).optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z
    .looseObject({
      first_name: shortText(256).optional(),
      last_name: shortText(256).optional(),
      phone_number: shortText(64).optional(),
    })
    .optional(),
  sticker: z.looseObject({ emoji: shortText(16).optional() }).optional(),
});

const update = z.looseObject({
  update_id: id,
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: z
    .looseObject({
      id: shortText(256),
      from,
      data: shortText(256).optional(),
      message: z.looseObject({ chat }).optional(),
    })
    .optional(),
});

export type UpdateCheck = { ok: true } | { ok: false; updateId: number | undefined; reason: string };

/** Whether a parsed webhook body is an update the channel can read; the reason names the field. */
export function checkUpdateShape(body: unknown): UpdateCheck {
  const parsed = update.safeParse(body);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0]!;
  const updateId =
    typeof body === 'object' && body !== null && typeof (body as { update_id?: unknown }).update_id === 'number'
      ? (body as { update_id: number }).update_id
      : undefined;
  return { ok: false, updateId, reason: `${issue.path.join('.') || 'update'}: ${issue.message}` };
}

import { z } from 'zod';
import { MAX_REMINDER_NOTE_LENGTH } from '../continuity/reminders.js';
import { REPLY_CHOICES } from '../language/reply-translation.js';
import { MAX_AFTERCARE_DAYS, MAX_NOTE_LENGTH, MAX_REPLY_LENGTH, PHASES, TRAJECTORIES } from '../handoff/handoff-service.js';

/**
 * What a staff action may carry, checked the same way whether it comes as JSON to the API or as a
 * form post from an inbox page (page-routes.ts maps the form's fields onto these). A failed check is a
 * 400 naming the field (server/to-http-error.ts).
 */
// A reply. With `translation` (a previewed machine translation, maybe corrected), `send` says what goes:
// both (default), only the translation, or only the original text.
export const messageBody = z.strictObject({
  text: z.string().trim().min(1, 'text is empty').max(MAX_REPLY_LENGTH),
  translation: z.string().trim().max(MAX_REPLY_LENGTH).optional(),
  send: z.enum(REPLY_CHOICES, { message: `send must be one of ${REPLY_CHOICES.join(', ')}` }).optional(),
});
export const replyPreviewBody = z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(MAX_REPLY_LENGTH) });
export const noteBody = z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(MAX_NOTE_LENGTH) });
export const assignBody = z.strictObject({ staffId: z.uuid('staffId must be a staff id') });
export const progressBody = z
  .strictObject({
    phase: z.enum(PHASES).optional(),
    trajectory: z.enum(TRAJECTORIES).nullable().optional(),
    referrals: z.array(z.string().max(60)).max(50).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send phase, trajectory and/or referrals');
export const eraseBody = z.strictObject({ confirm: z.boolean().optional() });
/** Closing a case: `message` true or absent sends the default closing message, a text sends that, false none. */
export const closeBody = z.strictObject({
  message: z
    .union([z.boolean(), z.string().trim().min(1, 'message is empty: send false for no closing message').max(MAX_REPLY_LENGTH)], {
      message: 'message must be true, false or the text to send',
    })
    .optional(),
  aftercareDays: z
    .number({ message: 'aftercareDays must be a whole number of days (0: no aftercare question)' })
    .int('aftercareDays must be a whole number of days (0: no aftercare question)')
    .min(0, 'aftercareDays must be 0 or more')
    .max(MAX_AFTERCARE_DAYS, `aftercareDays may be at most ${MAX_AFTERCARE_DAYS}`)
    .optional(),
});
/**
 * A reminder on a case: `dueAt` is a moment with its offset (`2026-12-08T09:00:00+01:00`), or a local
 * date and time in the organisation's time zone (`2026-12-08T09:00`), or a date alone (09:00 that day).
 */
export const reminderBody = z.strictObject({
  dueAt: z.union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true }), z.iso.date()], {
    message: 'dueAt must be a date (2026-12-08) or a date and time (2026-12-08T09:00, with or without an offset)',
  }),
  note: z.string().max(MAX_REMINDER_NOTE_LENGTH, `note may be at most ${MAX_REMINDER_NOTE_LENGTH} characters`).default(''),
});

import { z } from 'zod';
import { MAX_REMINDER_NOTE_LENGTH } from '../continuity/reminders.js';
import { REPLY_CHOICES } from '../language/reply-translation.js';
import { MAX_RESIDENT_LABEL_LENGTH } from '../staff/staff-types.js';
import { withoutControlCharacters } from '../text/control-characters.js';
import { MAX_AFTERCARE_DAYS, MAX_NOTE_LENGTH, MAX_REPLY_LENGTH, PHASES, TRAJECTORIES } from '../handoff/handoff-service.js';
import { PREVENTED_OUTCOMES } from '../handoff/prevented.js';

/** What a closed case likely prevented (issue 16), as the close form, the API and the PATCH name it. */
const prevented = z.enum(PREVENTED_OUTCOMES, { message: `prevented must be one of ${PREVENTED_OUTCOMES.join(', ')}` });

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
/** How residents see a staff member: a role label, or null (or empty) for their first name. */
export const residentNameBody = z.strictObject({
  residentLabel: z
    .string()
    .trim()
    .max(MAX_RESIDENT_LABEL_LENGTH, `residentLabel may be at most ${MAX_RESIDENT_LABEL_LENGTH} characters`)
    .nullable()
    .transform((label) => (label ? withoutControlCharacters(label).trim() || null : null)),
});
export const replyPreviewBody = z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(MAX_REPLY_LENGTH) });
export const noteBody = z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(MAX_NOTE_LENGTH) });
export const assignBody = z.strictObject({ staffId: z.uuid('staffId must be a staff id') });
export const progressBody = z
  .strictObject({
    phase: z.enum(PHASES).optional(),
    trajectory: z.enum(TRAJECTORIES).nullable().optional(),
    referrals: z.array(z.string().max(60)).max(50).optional(),
    /** On a closed case (issue 16): change what it likely prevented; null clears it. */
    prevented: prevented.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send phase, trajectory, referrals and/or prevented');
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
  /** What the work likely prevented (issue 16, reports for funders); absent: not recorded. */
  prevented: prevented.optional(),
});
/** The change of a closed case's outcome on its page: an outcome, or empty to clear it. */
export const preventedBody = z.strictObject({ prevented: prevented.nullable() });
/** A report's period: the first and the last day, both included (checked by src/reports/report-period.ts). */
export const reportQuery = z.strictObject({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
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

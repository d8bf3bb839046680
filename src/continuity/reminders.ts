import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Database } from '../db/database.js';
import { caseReminders, handoffs, staff } from '../db/schema.js';
import { canReadCase } from '../handoff/access.js';
import { checkHandoffId, HandoffError } from '../handoff/handoff-error.js';
import type { ReminderAlert } from '../notify/alert.js';
import type { Actor } from '../staff/staff-types.js';
import { withoutControlCharacters } from '../text/control-characters.js';

export const MAX_REMINDER_NOTE_LENGTH = 1000;
/** How far ahead a reminder may be set: beyond that it is a plan, not a reminder. */
const MAX_AHEAD_MS = 400 * 86_400_000;

/** A reminder given as a date alone is due at this local hour. */
const DEFAULT_HOUR = 9;

/**
 * The moment a reminder is due: an ISO moment with an offset as it is, a local date and time in the
 * organisation's time zone, a date alone at 09:00 there.
 */
export function dueAtFrom(value: string, timezone: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !dateOnly;
  let at = hasOffset ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone: timezone });
  if (dateOnly) at = at.set({ hour: DEFAULT_HOUR });
  return at.toJSDate();
}

export interface Reminder {
  id: number;
  handoffId: string;
  dueAt: Date;
  note: string;
  createdAt: Date;
  notifiedAt: Date | null;
  /** The case's status now (a reminder on a closed case still shows: aftercare). */
  caseStatus: 'waiting' | 'claimed' | 'closed';
}

/**
 * A staff member's own reminders on cases (issue 13): "remind me on <date>" with a note. They show in
 * the staff member's "Mijn zaken" and, once due, go out through the notifiers (naming the staff member
 * and the case, never the note: it may hold the resident's words, so it is encrypted and shown to its
 * author only). Each goes out once across instances: the due job claims it with a conditional update.
 */
export function createReminders(deps: {
  database: Database;
  now: () => Date;
  alert: (alert: ReminderAlert) => void;
  publicUrl: string | undefined;
}) {
  const { database } = deps;
  const { db, cipher } = database;

  return {
    /** Sets a reminder for the actor on a case they may read. */
    async add(actor: Actor, handoffId: string, input: { dueAt: Date; note: string }): Promise<{ id: number }> {
      const id = checkHandoffId(handoffId);
      if (actor.via === 'api-token') {
        throw new HandoffError('forbidden', 'a reminder is personal: use your own log-in or personal API token');
      }
      const note = withoutControlCharacters(input.note.replace(/\r\n/g, '\n')).trim();
      if (note.length > MAX_REMINDER_NOTE_LENGTH) {
        throw new HandoffError('invalid', `a reminder note may be at most ${MAX_REMINDER_NOTE_LENGTH} characters`);
      }
      const due = input.dueAt.getTime();
      if (!Number.isFinite(due)) throw new HandoffError('invalid', 'dueAt is not a date');
      if (due > deps.now().getTime() + MAX_AHEAD_MS) throw new HandoffError('invalid', 'dueAt is more than 400 days ahead');
      const [h] = await db
        .select({ status: handoffs.status, claimedBy: handoffs.claimedBy, assignedTo: handoffs.assignedTo })
        .from(handoffs)
        .where(eq(handoffs.id, id));
      if (!h) throw new HandoffError('not_found', `no handoff ${id}`);
      if (!canReadCase(actor, h))
        throw new HandoffError('forbidden', 'you may set reminders only on cases you hold or were assigned');
      const [row] = await db
        .insert(caseReminders)
        .values({ handoffId: id, staffId: actor.id, dueAt: input.dueAt, note: cipher.encryptText(note) ?? '' })
        .returning({ id: caseReminders.id });
      return { id: row!.id };
    },

    /** The actor's reminders not marked done, soonest first. */
    async mine(staffId: string): Promise<Reminder[]> {
      if (!/^[0-9a-f-]{36}$/i.test(staffId)) return [];
      const rows = await db
        .select({
          id: caseReminders.id,
          handoffId: caseReminders.handoffId,
          dueAt: caseReminders.dueAt,
          note: caseReminders.note,
          createdAt: caseReminders.createdAt,
          notifiedAt: caseReminders.notifiedAt,
          caseStatus: handoffs.status,
        })
        .from(caseReminders)
        .innerJoin(handoffs, eq(handoffs.id, caseReminders.handoffId))
        .where(and(eq(caseReminders.staffId, staffId), isNull(caseReminders.doneAt)))
        .orderBy(asc(caseReminders.dueAt), asc(caseReminders.id))
        .limit(200);
      return rows.map((r) => ({ ...r, note: cipher.decryptText(r.note) ?? '' }));
    },

    /** Marks one of the actor's own reminders done; false when there is no such open reminder of theirs. */
    async done(actor: Actor, reminderId: number): Promise<boolean> {
      const rows = await db
        .update(caseReminders)
        .set({ doneAt: deps.now() })
        .where(and(eq(caseReminders.id, reminderId), eq(caseReminders.staffId, actor.id), isNull(caseReminders.doneAt)))
        .returning({ id: caseReminders.id });
      return rows.length === 1;
    },

    /** Sends every reminder that came due and was not sent yet; resolves with their ids. */
    async runDue(): Promise<number[]> {
      const at = deps.now();
      const due = await database.rows<{ id: string | number; handoffId: string; staffId: string; dueAt: Date | string }>(sql`
        update case_reminders set notified_at = ${at.toISOString()}::timestamptz
        where notified_at is null and done_at is null and due_at <= ${at.toISOString()}::timestamptz
        returning id, handoff_id as "handoffId", staff_id as "staffId", due_at as "dueAt"`);
      if (due.length === 0) return [];
      const names = new Map(
        (await db.select({ id: staff.id, name: staff.name }).from(staff)).map((s) => [s.id, s.name] as const),
      );
      for (const r of due) {
        deps.alert({
          event: 'case.reminder',
          handoffId: r.handoffId,
          staffId: r.staffId,
          name: names.get(r.staffId) ?? '',
          dueAt: new Date(r.dueAt).toISOString(),
          url: `${deps.publicUrl ?? ''}/inbox/handoffs/${r.handoffId}`,
        });
      }
      return due.map((r) => Number(r.id));
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;

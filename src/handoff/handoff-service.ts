import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';
import type { Query } from '../db/query.js';
import { handoffNotes, media, staff } from '../db/schema.js';
import { guessLocaleFromScript } from '../engine/text-match.js';
import type { Actor } from '../staff/staff-types.js';
import { canAssign, canCloseCase, canReadCase, canWorkOnCase, type CaseHolders } from './access.js';
import type { CaseEvents } from './case-events.js';
import { checkHandoffId, HandoffError } from './handoff-error.js';
import { withoutControlCharacters } from '../text/control-characters.js';
import { cleanCaption, staffFileType, type StaffFile } from './staff-file.js';
import type { SniffedType } from '../media/sniff-upload-type.js';
import { nameForResidents } from '../staff/name-for-residents.js';
import { isPreventedOutcome, PREVENTED_OUTCOMES, type PreventedOutcome } from './prevented.js';

export const PHASES = ['trust', 'motivate', 'refer', 'aftercare'] as const;
export type Phase = (typeof PHASES)[number];
export const TRAJECTORIES = ['light', 'heavy'] as const;
export type Trajectory = (typeof TRAJECTORIES)[number];
export const MAX_REPLY_LENGTH = 4000;
export const MAX_NOTE_LENGTH = 4000;

export interface HandoffServiceDeps {
  database: Database;
  events: CaseEvents;
  /** Called after a reply is committed, so the dispatcher sends it now (dispatcher.kick). */
  onReply?: () => void;
  /** Referral agencies a case may be referred to (ids). */
  agencies: () => readonly string[];
  /** Neutral wording's first line in a language (`bot:neutral.firstLine`); replies get it when the resident chose it. */
  neutralFirstLine?: (locale: string) => string;
  /**
   * The default closing message in a language (`bot:handoff.closed`, or its neutral form, which does
   * not name the organisation); without it a case closes without one unless a text is given.
   */
  closingMessage?: (locale: string, neutral: boolean) => string;
  /**
   * What the resident is told when a trust person takes the chat (`bot:handoff.joined`, naming them),
   * and the line their replies start with on channels that show no name of their own (`bot:handoff.signature`).
   */
  joinedMessage?: (locale: string, neutral: boolean, who: { name: string; role: boolean }) => string;
  signature?: (locale: string, name: string) => string;
  /** AFTERCARE_AFTER_DAYS: the aftercare question this many days after closing, unless the closer chose otherwise (0: none). */
  aftercareDays?: number;
  now?: () => Date;
}

/**
 * What closing a case tells the resident: the default closing message, this text, or nothing; and in
 * how many days the bot asks how things are (aftercare; 0: never; absent: the organisation's default).
 */
export type ClosingMessage = {
  message?: string | boolean | undefined;
  aftercareDays?: number | undefined;
  /** What the work likely prevented (issue 16, reports for funders); absent: not recorded. */
  prevented?: PreventedOutcome | undefined;
};
export const MAX_AFTERCARE_DAYS = 730;

/** The handoff row as the service locks it. */
interface LockedCase extends CaseHolders {
  id: string;
  conversationId: string;
  residentId: string;
  channel: string;
  residentLocale: string | null;
  locale: string | null;
  /** Routing preferences (not content): the safe-to-talk answer, discreet mode, neutral wording. */
  preferences: Record<string, string>;
}

/**
 * Lock order, the same as the conversation service's: the resident's row first, then the handoff.
 * Everything that writes to a resident's conversation takes that lock, so a staff action and an
 * inbound message of the same resident never interleave.
 */
async function lockCase(query: Query, handoffId: string): Promise<LockedCase> {
  const [resident] = await query(
    'select id from residents where id = (select resident_id from handoffs where id = $1::uuid) for update',
    [handoffId],
  );
  if (!resident) throw new HandoffError('not_found', `no handoff ${handoffId}`);
  const [row] = await query<LockedCase>(
    `select h.id, h.conversation_id as "conversationId", h.resident_id as "residentId", h.status,
            h.claimed_by as "claimedBy", h.assigned_to as "assignedTo", h.locale, h.preferences,
            r.channel, r.locale as "residentLocale"
     from handoffs h join residents r on r.id = h.resident_id
     where h.id = $1::uuid
     for update of h`,
    [handoffId],
  );
  if (!row) throw new HandoffError('not_found', `no handoff ${handoffId}`);
  return row;
}

/** A staff member's text as it is sent: no control characters, Windows line ends made plain, trimmed. */
function cleanStaffText(text: string): string {
  const body = withoutControlCharacters(text.replace(/\r\n/g, '\n')).trim();
  if (!body) throw new HandoffError('invalid', 'text is empty');
  if (body.length > MAX_REPLY_LENGTH) throw new HandoffError('invalid', `text may be at most ${MAX_REPLY_LENGTH} characters`);
  return body;
}


function requireOpen(h: LockedCase): void {
  if (h.status === 'closed') throw new HandoffError('conflict', 'the handoff is closed');
}

function requireWork(actor: Actor, h: LockedCase): void {
  if (canWorkOnCase(actor, h)) return;
  if (h.status === 'waiting' && canReadCase(actor, h)) {
    throw new HandoffError('conflict', 'claim the handoff first');
  }
  throw new HandoffError('forbidden', 'only the trust person who holds this handoff, or a coordinator, may do this');
}

/**
 * The staff side of a handoff: claim, assign, reply, notes, phase, trajectory, referrals, close.
 * Each action is one transaction that first locks the resident (see lockCase); events go out after commit.
 */
export function createHandoffService(deps: HandoffServiceDeps) {
  const { database, events } = deps;

  async function inCase<T>(handoffId: string, body: (h: LockedCase, query: Query) => Promise<T>): Promise<T> {
    const id = checkHandoffId(handoffId);
    return database.transaction((_tx, query) => lockCase(query, id).then((h) => body(h, query)));
  }

  /**
   * A message from a staff member to the resident, with its outbox row, in the caller's transaction;
   * the dispatcher delivers it like any reply.
   */
  async function queueStaffMessage(query: Query, actor: Actor, h: LockedCase, body: string, original?: string): Promise<number> {
    // The locale of a message decides its writing direction on the resident's side.
    const residentLocale = h.residentLocale ?? h.locale ?? 'nl';
    const locale = guessLocaleFromScript(body) ?? (residentLocale === 'ar' ? 'nl' : residentLocale);
    // Neutral wording: the notification preview shows the neutral line, not the first words of the reply.
    const firstLine = h.preferences?.neutral === 'on' ? deps.neutralFirstLine?.(residentLocale) : undefined;
    // A human face: the trust person's first name on top of what they write (the web chat shows it as a label).
    const name = h.channel === 'web' ? undefined : nameForResidents(actor)?.name;
    const signed = name && deps.signature ? `${deps.signature(residentLocale, name)}\n${body}` : body;
    const sent = firstLine && !body.startsWith(firstLine) ? `${firstLine}\n\n${signed}` : signed;
    const [message] = await query<{ id: string | number }>(
      `with reply as (
         insert into messages (resident_id, conversation_id, direction, channel, author, text, locale, template, translation)
         values ($1::uuid, $2::uuid, 'out', $3, $4, $5, $6, 'reply_waiting', $8)
         returning id
       ), queued as (
         insert into outbox (message_id, resident_id, channel) select id, $1::uuid, $3 from reply
       ), touched as (
         update handoffs set updated_at = now() where id = $7::uuid
       )
       select id from reply`,
      [
        h.residentId,
        h.conversationId,
        h.channel,
        actor.id,
        database.cipher.encryptText(sent),
        locale,
        h.id,
        database.cipher.encryptText(original ?? null),
      ],
    );
    return Number(message!.id);
  }

  /**
   * A human face (issue 15): the resident hears, in their language, who took their chat. Not when they
   * said "later" to the safety question (we do not write first), nor for the shared API token.
   */
  async function tellWhoJoined(query: Query, actor: Actor, handoffId: string): Promise<boolean> {
    const who = nameForResidents(actor);
    if (!who || !deps.joinedMessage) return false;
    const h = await lockCase(query, handoffId);
    if (h.preferences?.safety === 'later') return false;
    const locale = h.residentLocale ?? h.locale ?? 'nl';
    const neutral = h.preferences?.neutral === 'on';
    const joined = deps.joinedMessage(locale, neutral, who);
    // Neutral wording: a notification preview shows the neutral first line, never "a trusted person".
    const firstLine = neutral ? deps.neutralFirstLine?.(locale) : undefined;
    const text = firstLine ? `${firstLine}\n\n${joined}` : joined;
    await query(
      `with told as (
         insert into messages (resident_id, conversation_id, direction, channel, author, text, locale)
         values ($1::uuid, $2::uuid, 'out', $3, 'bot', $4, $5)
         returning id
       )
       insert into outbox (message_id, resident_id, channel) select id, $1::uuid, $3 from told`,
      [h.residentId, h.conversationId, h.channel, database.cipher.encryptText(text), locale],
    );
    return true;
  }

  /**
   * Issue 15, "Documents": a file from a staff member to the resident, in the caller's transaction. The
   * file goes into `media` under the resident (encrypted, erased and exported with them), the message
   * points at it (author = staff id, text = the caption, or null) and gets its outbox row; the dispatcher
   * attaches the file when it sends. A caption is worded as queueStaffMessage words a reply (the neutral
   * first line, the trust person's name on channels that show none), since the phone previews it.
   */
  async function queueStaffFile(
    tx: Tx,
    query: Query,
    actor: Actor,
    h: LockedCase,
    file: { bytes: Uint8Array; type: SniffedType; caption: string | null },
  ): Promise<{ messageId: number; mediaId: string }> {
    const residentLocale = h.residentLocale ?? h.locale ?? 'nl';
    let text: string | null = null;
    let locale = residentLocale;
    if (file.caption) {
      locale = guessLocaleFromScript(file.caption) ?? (residentLocale === 'ar' ? 'nl' : residentLocale);
      const firstLine = h.preferences?.neutral === 'on' ? deps.neutralFirstLine?.(residentLocale) : undefined;
      const name = h.channel === 'web' ? undefined : nameForResidents(actor)?.name;
      const signed = name && deps.signature ? `${deps.signature(residentLocale, name)}\n${file.caption}` : file.caption;
      text = firstLine && !file.caption.startsWith(firstLine) ? `${firstLine}\n\n${signed}` : signed;
    }
    // Bytes do not pass through the raw query port: drizzle writes the file, on the same connection.
    const [stored] = await tx
      .insert(media)
      .values({
        residentId: h.residentId,
        kind: file.type.kind,
        contentType: file.type.contentType,
        byteSize: file.bytes.byteLength,
        content: database.cipher.encryptBytes(file.bytes),
      })
      .returning({ id: media.id });
    const [message] = await query<{ id: string | number }>(
      `with sent as (
         insert into messages (resident_id, conversation_id, direction, channel, author, text, locale, template, media_id, media_kind)
         values ($1::uuid, $2::uuid, 'out', $3, $4, $5, $6, 'reply_waiting', $8::uuid, $9)
         returning id
       ), queued as (
         insert into outbox (message_id, resident_id, channel) select id, $1::uuid, $3 from sent
       ), touched as (
         update handoffs set updated_at = now() where id = $7::uuid
       )
       select id from sent`,
      [
        h.residentId,
        h.conversationId,
        h.channel,
        actor.id,
        database.cipher.encryptText(text),
        locale,
        h.id,
        stored!.id,
        file.type.kind,
      ],
    );
    return { messageId: Number(message!.id), mediaId: stored!.id };
  }

  function emitHandoff(h: LockedCase, change: 'claimed' | 'assigned' | 'updated' | 'closed') {
    events.emit({ type: 'handoff', change, handoffId: h.id, residentId: h.residentId, conversationId: h.conversationId });
  }

  return {
    /**
     * Takes a waiting handoff. Of two simultaneous claims exactly one wins: both lock the resident in
     * turn, and the update's `status = 'waiting'` is false for the second. Claiming one's own is a no-op.
     */
    async claim(actor: Actor, handoffId: string): Promise<{ handoffId: string; claimedBy: string }> {
      const id = checkHandoffId(handoffId);
      const result = await database.transaction(async (_tx, query) => {
        const [resident] = await query(
          'select id from residents where id = (select resident_id from handoffs where id = $1::uuid) for update',
          [id],
        );
        if (!resident) throw new HandoffError('not_found', `no handoff ${id}`);
        const [won] = await query<{ conversationId: string; residentId: string }>(
          `update handoffs set status = 'claimed', claimed_by = $2, claimed_at = now(), updated_at = now()
           where id = $1::uuid and status = 'waiting'
           returning conversation_id as "conversationId", resident_id as "residentId"`,
          [id, actor.id],
        );
        if (!won) {
          const [now] = await query<{ status: string; claimedBy: string | null }>(
            'select status, claimed_by as "claimedBy" from handoffs where id = $1::uuid',
            [id],
          );
          if (now?.status === 'claimed' && now.claimedBy === actor.id) return null;
          throw new HandoffError(
            'conflict',
            now?.status === 'closed' ? 'the handoff is closed' : 'someone else claimed it first',
          );
        }
        // The bot stays quiet from now on, except for the emergency numbers and stop/language.
        await query(
          `update conversations set mode = 'with_person', updated_at = now() where id = $1::uuid and mode <> 'closed'`,
          [won.conversationId],
        );
        return { ...won, told: await tellWhoJoined(query, actor, id) };
      });
      if (result) {
        events.emit({
          type: 'handoff',
          change: 'claimed',
          handoffId: id,
          residentId: result.residentId,
          conversationId: result.conversationId,
        });
        if (result.told) {
          deps.onReply?.();
          events.emit({ type: 'message', residentId: result.residentId, conversationId: result.conversationId });
        }
      }
      return { handoffId: id, claimedBy: actor.id };
    },

    /**
     * A coordinator gives a case to a staff member: a waiting one is assigned (they may read it and
     * claim it), a claimed one is transferred (they hold it from now on).
     */
    async assign(actor: Actor, handoffId: string, staffId: string): Promise<{ transferred: boolean }> {
      if (!canAssign(actor)) throw new HandoffError('forbidden', 'only a coordinator may assign or transfer a handoff');
      const [target] = /^[0-9a-f-]{36}$/i.test(staffId)
        ? await database.db.select({ id: staff.id, active: staff.active }).from(staff).where(eq(staff.id, staffId))
        : [];
      if (!target || !target.active) throw new HandoffError('invalid', `no active staff member ${staffId.slice(0, 40)}`);
      let transferred = false;
      const h = await inCase(handoffId, async (h, query) => {
        requireOpen(h);
        transferred = h.status === 'claimed';
        await query(
          transferred
            ? 'update handoffs set claimed_by = $2, assigned_to = $2, claimed_at = now(), updated_at = now() where id = $1::uuid'
            : 'update handoffs set assigned_to = $2, updated_at = now() where id = $1::uuid',
          [h.id, target.id],
        );
        return h;
      });
      emitHandoff(h, 'assigned');
      return { transferred };
    },

    /**
     * A trust person's message to the resident: an outbound message (author = staff id) and its outbox
     * row in one transaction; the dispatcher delivers it like any reply.
     */
    /**
     * A trust person's reply. `original`: what they wrote, when `text` is a translation of it (issue 15);
     * kept with the message (encrypted) so the case shows what they meant.
     */
    async reply(actor: Actor, handoffId: string, text: string, original?: string): Promise<{ messageId: number }> {
      const body = cleanStaffText(text);
      const own = original === undefined ? undefined : cleanStaffText(original);
      const { h, messageId } = await inCase(handoffId, async (h, query) => {
        requireOpen(h);
        requireWork(actor, h);
        return { h, messageId: await queueStaffMessage(query, actor, h, body, own) };
      });
      deps.onReply?.();
      events.emit({ type: 'message', residentId: h.residentId, conversationId: h.conversationId });
      return { messageId };
    },

    /**
     * A file for the resident (issue 15, "Documents"): a filled-in form, a letter, a photo. The same
     * rules as a reply (the holder or a coordinator, a claimed case that is not closed); its type is what
     * its content says (PDF, JPEG, PNG, WebP), anything else is refused. Delivered like any reply.
     */
    async sendFile(
      actor: Actor,
      handoffId: string,
      file: StaffFile,
    ): Promise<{ messageId: number; mediaId: string; kind: 'image' | 'document' }> {
      const id = checkHandoffId(handoffId);
      if (file.bytes.byteLength === 0) throw new HandoffError('invalid', 'the file is empty');
      const type = staffFileType(file.bytes);
      const caption = cleanCaption(file.caption);
      const { h, messageId, mediaId } = await database.transaction(async (tx, query) => {
        const h = await lockCase(query, id);
        requireOpen(h);
        requireWork(actor, h);
        return { h, ...(await queueStaffFile(tx, query, actor, h, { bytes: file.bytes, type, caption })) };
      });
      deps.onReply?.();
      events.emit({ type: 'message', residentId: h.residentId, conversationId: h.conversationId });
      return { messageId, mediaId, kind: type.kind };
    },

    /** A private note on the case, for staff only. */
    async addNote(actor: Actor, handoffId: string, text: string): Promise<{ noteId: number }> {
      const body = withoutControlCharacters(text).trim();
      if (!body) throw new HandoffError('invalid', 'text is empty');
      if (body.length > MAX_NOTE_LENGTH) throw new HandoffError('invalid', `a note may be at most ${MAX_NOTE_LENGTH} characters`);
      const { h, noteId } = await inCase(handoffId, async (h, query) => {
        if (!canReadCase(actor, h)) throw new HandoffError('forbidden', 'you may not write notes on a case you do not hold');
        const [row] = await query<{ id: string | number }>(
          'insert into handoff_notes (handoff_id, author_id, text) values ($1::uuid, $2, $3) returning id',
          [h.id, actor.id, database.cipher.encryptText(body)],
        );
        return { h, noteId: Number(row!.id) };
      });
      emitHandoff(h, 'updated');
      return { noteId };
    },

    /** Phase and/or trajectory (null clears the trajectory). */
    async setProgress(
      actor: Actor,
      handoffId: string,
      change: { phase?: Phase | undefined; trajectory?: Trajectory | null | undefined },
    ): Promise<void> {
      if (change.phase !== undefined && !PHASES.includes(change.phase))
        throw new HandoffError('invalid', `phase must be one of ${PHASES.join(', ')}`);
      if (change.trajectory != null && !TRAJECTORIES.includes(change.trajectory))
        throw new HandoffError('invalid', `trajectory must be one of ${TRAJECTORIES.join(', ')}, or empty`);
      const h = await inCase(handoffId, async (h, query) => {
        requireWork(actor, h);
        await query(
          `update handoffs set
             phase = coalesce($2::tussen_in_phase, phase),
             trajectory = case when $3 then $4::trajectory else trajectory end,
             updated_at = now()
           where id = $1::uuid`,
          [h.id, change.phase ?? null, change.trajectory !== undefined, change.trajectory ?? null],
        );
        return h;
      });
      emitHandoff(h, 'updated');
    },

    /** Sets the agencies the case was referred to (a set: adds the new ones, removes the ones left out). */
    async setReferrals(actor: Actor, handoffId: string, agencies: readonly string[]): Promise<void> {
      const known = new Set(deps.agencies());
      const unknown = agencies.filter((a) => !known.has(a));
      if (unknown.length > 0) throw new HandoffError('invalid', `unknown agency ${unknown[0]!.slice(0, 40)}`);
      const wanted = JSON.stringify([...new Set(agencies)]);
      const h = await inCase(handoffId, async (h, query) => {
        requireWork(actor, h);
        await query(
          `delete from handoff_referrals
           where handoff_id = $1::uuid and agency not in (select jsonb_array_elements_text($2::jsonb))`,
          [h.id, wanted],
        );
        await query(
          `insert into handoff_referrals (handoff_id, agency, created_by)
           select $1::uuid, a, $3 from jsonb_array_elements_text($2::jsonb) as a
           on conflict (handoff_id, agency) do nothing`,
          [h.id, wanted, actor.id],
        );
        await query('update handoffs set updated_at = now() where id = $1::uuid', [h.id]);
        return h;
      });
      emitHandoff(h, 'updated');
    },

    /**
     * Ends the case: the handoff is closed and so is the conversation, so the resident's next message
     * starts a new conversation (and, if needed, a new handoff). Unless told not to, the resident gets a
     * closing message first, in their language, saying they can write again any time: the default one
     * (`message` absent or true) or the trust person's own text.
     */
    async close(actor: Actor, handoffId: string, closing: ClosingMessage = {}): Promise<void> {
      const own = typeof closing.message === 'string' ? cleanStaffText(closing.message) : undefined;
      let told = false;
      const h = await inCase(handoffId, async (h, query) => {
        requireOpen(h);
        if (!canCloseCase(actor, h)) requireWork(actor, h);
        const residentLocale = h.residentLocale ?? h.locale ?? 'nl';
        const text =
          closing.message === false ? undefined : (own ?? deps.closingMessage?.(residentLocale, h.preferences?.neutral === 'on'));
        if (text) {
          await queueStaffMessage(query, actor, h, text);
          told = true;
        }
        const days = closing.aftercareDays ?? deps.aftercareDays ?? 0;
        if (!Number.isInteger(days) || days < 0 || days > MAX_AFTERCARE_DAYS) {
          throw new HandoffError('invalid', `aftercareDays must be a whole number from 0 to ${MAX_AFTERCARE_DAYS}`);
        }
        if (closing.prevented !== undefined && !isPreventedOutcome(closing.prevented)) {
          throw new HandoffError('invalid', `prevented must be one of ${PREVENTED_OUTCOMES.join(', ')}`);
        }
        const at = deps.now?.() ?? new Date();
        await query(
          `update handoffs set status = 'closed', closed_at = $3::timestamptz, closed_by = $2, updated_at = $3::timestamptz,
             aftercare_at = case when $4::int > 0 then $3::timestamptz + make_interval(days => $4::int) end,
             prevented = $5
           where id = $1::uuid`,
          [h.id, actor.id, at.toISOString(), days, closing.prevented ?? null],
        );
        await query(`update conversations set mode = 'closed', updated_at = now() where id = $1::uuid`, [h.conversationId]);
        await query('delete from timers where conversation_id = $1::uuid', [h.conversationId]);
        return h;
      });
      if (told) {
        deps.onReply?.();
        events.emit({ type: 'message', residentId: h.residentId, conversationId: h.conversationId });
      }
      emitHandoff(h, 'closed');
    },

    /** The default closing message in a language (empty when none is configured). */
    closingMessage(locale: string, neutral: boolean): string {
      return deps.closingMessage?.(locale, neutral) ?? '';
    },

    /** Notes of a case, oldest first (the caller has checked the reader may see the case). */
    async notes(handoffId: string) {
      const rows = await database.db
        .select({
          id: handoffNotes.id,
          authorId: handoffNotes.authorId,
          text: handoffNotes.text,
          createdAt: handoffNotes.createdAt,
        })
        .from(handoffNotes)
        .where(eq(handoffNotes.handoffId, handoffId))
        .orderBy(handoffNotes.id);
      return rows.map((n) => ({ ...n, text: database.cipher.decryptText(n.text) }));
    },
  };
}

export type HandoffService = ReturnType<typeof createHandoffService>;

import { createHash } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import {
  auditLog,
  consents,
  conversations,
  handoffNotes,
  handoffReferrals,
  handoffs,
  intakes,
  media,
  messages,
  outbox,
  residents,
  staff,
} from '../db/schema.js';

/** The `format` of an export file; raise `version` when its shape changes. */
export const EXPORT_FORMAT = 'tussenin.resident-export';
/** 2: `consent` lists the consent records (decision, language, text version) instead of the intakes' flag. */
export const EXPORT_VERSION = 2;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Everything stored about one resident, for a subject access request (GDPR art. 15): one JSON
 * document, media inline as base64. Nothing of any other resident. Authorisation and the audit
 * record are the caller's (CaseReader.exportResident).
 */
export async function readResidentExport(
  database: Database,
  residentId: string,
  exportedBy: { id: string; name: string; onBehalfOf: string },
) {
  // One snapshot, so the parts agree with each other while the resident keeps writing.
  return database.db.transaction(
    async (tx) => {
      const [resident] = await tx.select().from(residents).where(eq(residents.id, residentId));
      if (!resident) return null;
      const [convs, msgs, intakeRows, handoffRows, files, access, people, consentRows] = await Promise.all([
        tx.select().from(conversations).where(eq(conversations.residentId, residentId)).orderBy(asc(conversations.createdAt)),
        tx
          .select({
            message: messages,
            delivery: { status: outbox.status, channelStatus: outbox.deliveryStatus, sentAt: outbox.sentAt },
          })
          .from(messages)
          .leftJoin(outbox, eq(outbox.messageId, messages.id))
          .where(eq(messages.residentId, residentId))
          .orderBy(asc(messages.id)),
        tx.select().from(intakes).where(eq(intakes.residentId, residentId)),
        tx.select().from(handoffs).where(eq(handoffs.residentId, residentId)).orderBy(asc(handoffs.createdAt)),
        tx.select().from(media).where(eq(media.residentId, residentId)).orderBy(asc(media.createdAt)),
        tx
          .select({
            id: auditLog.id,
            at: auditLog.at,
            action: auditLog.action,
            outcome: auditLog.outcome,
            actorId: auditLog.actorId,
            actorName: auditLog.actorName,
            onBehalfOf: auditLog.onBehalfOf,
            handoffId: auditLog.handoffId,
          })
          .from(auditLog)
          .where(eq(auditLog.residentId, residentId))
          .orderBy(asc(auditLog.id)),
        tx.select({ id: staff.id, name: staff.name }).from(staff),
        tx.select().from(consents).where(eq(consents.residentId, residentId)).orderBy(asc(consents.id)),
      ]);
      const handoffIds = handoffRows.map((h) => h.id);
      const [notes, referrals] = handoffIds.length
        ? await Promise.all([
            tx.select().from(handoffNotes).where(inArray(handoffNotes.handoffId, handoffIds)).orderBy(asc(handoffNotes.id)),
            tx
              .select()
              .from(handoffReferrals)
              .where(inArray(handoffReferrals.handoffId, handoffIds))
              .orderBy(asc(handoffReferrals.id)),
          ])
        : [[], []];
      const { cipher } = database;
      const names = new Map(people.map((p) => [p.id, p.name]));
      const who = (id: string | null) => (id ? { id, name: names.get(id) ?? (id === 'api' ? 'API' : null) } : null);

      // One message has one row per outbox attempt at most; keep the first (messages are unique by id).
      const seen = new Set<number>();
      const messageList = msgs.filter((m) => !seen.has(m.message.id) && seen.add(m.message.id));

      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt: new Date().toISOString(),
        exportedBy,
        resident: {
          id: resident.id,
          channel: resident.channel,
          /** The resident's address on the channel (web chat visitor id, Telegram chat id, WhatsApp number). */
          channelAddress: resident.externalId,
          locale: resident.locale,
          displayName: resident.displayName,
          unreachable: resident.unreachable,
          /** Discreet mode and neutral wording, as the resident last set them. */
          discreet: resident.discreet,
          neutral: resident.neutral,
          createdAt: iso(resident.createdAt),
          lastInboundAt: iso(resident.lastInboundAt),
        },
        /** Every answer to the consent question, in order: what, when, in which language, to which text version. */
        consent: consentRows.map((c) => ({
          conversationId: c.conversationId,
          decision: c.decision,
          locale: c.locale,
          textVersion: c.textVersion,
          at: iso(c.at),
        })),
        conversations: convs.map((c) => ({
          id: c.id,
          mode: c.mode,
          flow: { id: c.flowId, version: c.flowVersion },
          /** The intake's state: the step and what the bot holds while it runs (answers as option ids). */
          state: cipher.decryptJson<typeof c.snapshot>(c.snapshot),
          createdAt: iso(c.createdAt),
          updatedAt: iso(c.updatedAt),
        })),
        messages: messageList.map(({ message: m, delivery }) => ({
          id: m.id,
          conversationId: m.conversationId,
          direction: m.direction,
          channel: m.channel,
          /** Inbound: the resident. Outbound: `bot`, or the staff member who replied. */
          author: m.direction === 'in' ? 'resident' : m.author === 'bot' || m.author === null ? 'bot' : who(m.author),
          text: cipher.decryptText(m.text),
          choice: cipher.decryptText(m.choice),
          choices: m.choices,
          media: m.mediaId || m.mediaKind ? { id: m.mediaId, kind: m.mediaKind } : null,
          locale: m.locale,
          /** A machine translation (inbound), or the trust person's original of a translated reply (outbound). */
          translation: m.translation ? { locale: m.translationLocale, text: cipher.decryptText(m.translation) } : null,
          createdAt: iso(m.createdAt),
          delivery:
            m.direction === 'out' && delivery?.status
              ? { status: delivery.status, channelStatus: delivery.channelStatus, sentAt: iso(delivery.sentAt) }
              : null,
        })),
        intakes: intakeRows.map((i) => ({
          conversationId: i.conversationId,
          answers: cipher.decryptJson<typeof i.answers>(i.answers),
          notes: cipher.decryptJson<typeof i.notes>(i.notes),
          consent: i.consent,
          updatedAt: iso(i.updatedAt),
        })),
        handoffs: handoffRows.map((h) => ({
          id: h.id,
          conversationId: h.conversationId,
          status: h.status,
          urgent: h.urgent,
          reason: h.reason,
          locale: h.locale,
          summary: cipher.decryptJson<typeof h.summary>(h.summary),
          preferences: h.preferences,
          phase: h.phase,
          trajectory: h.trajectory,
          /** What the trust person judged the work likely prevented (issue 16), or null. */
          prevented: h.prevented,
          claimedBy: who(h.claimedBy),
          assignedTo: who(h.assignedTo),
          closedBy: who(h.closedBy),
          createdAt: iso(h.createdAt),
          claimedAt: iso(h.claimedAt),
          closedAt: iso(h.closedAt),
          notes: notes
            .filter((n) => n.handoffId === h.id)
            .map((n) => ({ id: n.id, author: who(n.authorId), text: cipher.decryptText(n.text), createdAt: iso(n.createdAt) })),
          referrals: referrals
            .filter((r) => r.handoffId === h.id)
            .map((r) => ({ agency: r.agency, by: who(r.createdBy), at: iso(r.createdAt) })),
        })),
        media: files
          .map((stored) => ({ ...stored, content: cipher.decryptBytes(stored.content) }))
          .map((f) => ({
            id: f.id,
            kind: f.kind,
            contentType: f.contentType,
            byteSize: f.byteSize,
            sha256: createHash('sha256').update(f.content).digest('hex'),
            createdAt: iso(f.createdAt),
            /** What a voice note says, transcribed automatically. */
            transcript: f.transcript ? { locale: f.transcriptLocale, text: cipher.decryptText(f.transcript) } : null,
            encoding: 'base64' as const,
            content: Buffer.from(f.content).toString('base64'),
          })),
        /** Who on staff read or exported this resident's data, and who was refused (the audit log). */
        accessLog: access.map((a) => ({
          id: a.id,
          at: iso(a.at),
          action: a.action,
          outcome: a.outcome,
          by: { id: a.actorId, name: a.actorName },
          onBehalfOf: a.onBehalfOf,
          handoffId: a.handoffId,
        })),
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export type ResidentExport = NonNullable<Awaited<ReturnType<typeof readResidentExport>>>;

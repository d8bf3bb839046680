import { and, eq } from 'drizzle-orm';
import { ON_BEHALF_OF_INTEGRATION, type AuditAction, type AuditLog } from '../audit/audit-log.js';
import type { Database } from '../db/database.js';
import { media, messages, residents } from '../db/schema.js';
import type { Actor } from '../staff/staff-types.js';
import { canExportResident, canReadCase } from './access.js';
import { checkHandoffId, checkResidentId, HandoffError } from './handoff-error.js';
import { CONTACT_DETAIL_ANSWERS, type CaseRecord, type HandoffQueries, type TranscriptMessage } from './handoff-queries.js';
import type { HandoffService } from './handoff-service.js';
import { readResidentExport, type ResidentExport } from './resident-export.js';

function withoutContactDetails(answers: Record<string, string | string[]>): Record<string, string | string[]> {
  const rest = { ...answers };
  for (const field of CONTACT_DETAIL_ANSWERS) delete rest[field];
  return rest;
}

export interface FullCase {
  record: CaseRecord;
  transcript: TranscriptMessage[];
  notes: Awaited<ReturnType<HandoffService['notes']>>;
}

/**
 * Every read of a resident's words goes through here: it checks the reader may see the case and
 * writes the audit record, also for a refusal (then throws `forbidden`).
 */
export function createCaseReader(deps: {
  database: Database;
  queries: HandoffQueries;
  service: HandoffService;
  audit: AuditLog;
}) {
  const { queries, audit, database } = deps;

  async function authorise(actor: Actor, handoffId: string, action: AuditAction, detail?: Record<string, unknown>) {
    const record = await queries.case(handoffId);
    if (!record) throw new HandoffError('not_found', `no handoff ${checkHandoffId(handoffId)}`);
    const allowed = canReadCase(actor, record);
    await audit.record({
      actor,
      action,
      outcome: allowed ? 'allowed' : 'denied',
      residentId: record.residentId,
      handoffId: record.id,
      detail,
    });
    if (!allowed) {
      throw new HandoffError(
        'forbidden',
        record.claimedBy
          ? 'this case is held by another trust person; ask a coordinator to transfer it'
          : 'claim this case (or ask a coordinator to assign it to you) to read it',
      );
    }
    return record;
  }

  return {
    /** The case with its transcript and notes (audited as a view, or as an export). */
    async open(
      actor: Actor,
      handoffId: string,
      action: 'transcript.view' | 'transcript.export' = 'transcript.view',
    ): Promise<FullCase> {
      const record = await authorise(actor, handoffId, action);
      const [transcript, notes] = await Promise.all([queries.transcript(record.conversationId), deps.service.notes(record.id)]);
      return { record, transcript, notes };
    },

    /**
     * The case without anything the resident wrote: what anyone on staff may see. Not audited. No contact
     * details either (a phone number, an address): those are for a reader of the case, like the transcript.
     */
    async summary(handoffId: string): Promise<CaseRecord> {
      const record = await queries.case(handoffId);
      if (!record) throw new HandoffError('not_found', `no handoff ${checkHandoffId(handoffId)}`);
      return {
        ...record,
        summary: withoutContactDetails(record.summary),
        intake: record.intake ? { answers: withoutContactDetails(record.intake.answers), notes: [] } : null,
        residentName: null,
        contactDetails: { phone: null, address: null },
      };
    },

    /** The start of a live view of a case's messages (audited once per connection). */
    async watch(actor: Actor, handoffId: string): Promise<CaseRecord> {
      return authorise(actor, handoffId, 'transcript.live');
    },

    /** A file the resident sent in this case, for a reader of the case (audited). */
    async media(actor: Actor, handoffId: string, mediaId: string) {
      if (!/^[0-9a-f-]{36}$/i.test(mediaId)) throw new HandoffError('not_found', 'no such file');
      const record = await authorise(actor, handoffId, 'media.view', { mediaId });
      const [file] = await database.db
        .select({ contentType: media.contentType, content: media.content, kind: media.kind, byteSize: media.byteSize })
        .from(media)
        .innerJoin(messages, eq(messages.mediaId, media.id))
        .where(
          and(
            eq(media.id, mediaId),
            eq(messages.residentId, record.residentId),
            eq(messages.conversationId, record.conversationId),
          ),
        )
        .limit(1);
      if (!file) throw new HandoffError('not_found', 'no such file in this case');
      return {
        ...file,
        content: database.cipher.decryptBytes(file.content),
        // for the live views: a voice note played changes the queue's "not listened to yet" mark
        case: { handoffId: record.id, residentId: record.residentId, conversationId: record.conversationId },
      };
    },

    /**
     * Everything stored about one resident, for a subject access request: coordinators only. Audited
     * as `transcript.export` (detail `{ export: 'resident' }`), a refusal too (then throws `forbidden`).
     */
    async exportResident(actor: Actor, residentId: string): Promise<ResidentExport> {
      const id = checkResidentId(residentId);
      const allowed = canExportResident(actor);
      const entry = { actor, action: 'transcript.export' as const, residentId: id, detail: { export: 'resident' } };
      if (!allowed) {
        await audit.record({ ...entry, outcome: 'denied' });
        throw new HandoffError('forbidden', "only a coordinator exports a resident's data");
      }
      const onBehalfOf = actor.via === 'api-token' ? ON_BEHALF_OF_INTEGRATION : actor.id;
      const exists = await database.db.select({ id: residents.id }).from(residents).where(eq(residents.id, id));
      if (exists.length === 0) throw new HandoffError('not_found', 'no such resident');
      await audit.record({ ...entry, outcome: 'allowed', onBehalfOf });
      const data = await readResidentExport(database, id, { id: actor.id, name: actor.name, onBehalfOf });
      if (!data) throw new HandoffError('not_found', 'no such resident');
      return data;
    },
  };
}

export type CaseReader = ReturnType<typeof createCaseReader>;

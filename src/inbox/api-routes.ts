import { Hono } from 'hono';
import { bodyLimit } from '../server/body-limit.js';
import { z } from 'zod';
import { dueAtFrom } from '../continuity/reminders.js';
import { isCoordinator } from '../handoff/access.js';
import { findCases } from '../handoff/case-search.js';
import { registerCannedReplyApi } from './canned-reply-routes.js';
import { PHASES, TRAJECTORIES } from '../handoff/handoff-service.js';
import type { FullCase } from '../handoff/case-reader.js';
import type { QueueItem, ResidentCase, StaffLoad } from '../handoff/handoff-queries.js';
import { matchWarnings } from '../handoff/matching.js';
import { HttpError } from '../server/http-error.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import { exportResponse } from './export-response.js';
import { mediaResponse } from './media-response.js';
import {
  assignBody,
  closeBody,
  eraseBody,
  messageBody,
  noteBody,
  progressBody,
  reminderBody,
  replyPreviewBody,
  residentNameBody,
} from './request-schemas.js';
import { nameForResidents } from '../staff/name-for-residents.js';
import { createReplyPreview } from './reply-preview.js';
import { composeReply } from '../language/reply-translation.js';
import { requireApiActor } from './staff-auth.js';
import { readStaffFile, staffFileBodyLimit } from './staff-file-upload.js';
import { periodFromQuery, summaryCsvResponse } from './report-download.js';
import { startOfOrgDay } from '../reports/report-period.js';

const MAX_JSON_BYTES = 32 * 1024;

const listQuery = z.strictObject({
  status: z.enum(['waiting', 'claimed', 'closed', 'open', 'all']).optional(),
  urgent: z.enum(['true', 'false']).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'language must be a language code such as ar')
    .optional(),
  mine: z.enum(['true', 'false']).optional(),
  unassigned: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  // The search (issue 16; case-search.ts).
  text: z.string().trim().min(1).max(100).optional(),
  words: z.string().trim().min(1).max(200).optional(),
  phase: z.enum(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` }).optional(),
  trajectory: z.enum(TRAJECTORIES, { message: `trajectory must be one of ${TRAJECTORIES.join(', ')}` }).optional(),
  from: z.iso.date({ message: 'from must be a date YYYY-MM-DD' }).optional(),
  to: z.iso.date({ message: 'to must be a date YYYY-MM-DD' }).optional(),
  agency: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/i, 'agency must be an agency id such as debtHelp')
    .optional(),
  staffId: z.uuid('staffId must be a staff id').optional(),
});
const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  handoff: z.uuid().optional(),
});

const summaryJson = (h: QueueItem, overdue: boolean) => ({
  id: h.id,
  status: h.status,
  urgent: h.urgent,
  reason: h.reason,
  channel: h.channel,
  language: h.language,
  writtenLanguage: h.writtenLanguage,
  domains: h.domains,
  urgency: h.urgency,
  contact: h.contact,
  reachable: h.reachable,
  helperGender: h.helperGender,
  safety: h.safety,
  discreet: h.discreet,
  neutral: h.neutral,
  claimedBy: h.claimedBy,
  assignedTo: h.assignedTo,
  phase: h.phase,
  trajectory: h.trajectory,
  createdAt: h.createdAt.toISOString(),
  claimedAt: h.claimedAt?.toISOString() ?? null,
  closedAt: h.closedAt?.toISOString() ?? null,
  previousHandoffId: h.previousHandoffId,
  /** Waiting for a first trust person longer than one working day (office hours). */
  overdue,
});

function caseJson(full: FullCase, otherCases: ResidentCase[], overdue: boolean, staffLoad: readonly StaffLoad[] = []) {
  const r = full.record;
  const personId = r.status === 'closed' ? null : (r.assignedTo ?? r.claimedBy);
  return {
    ...summaryJson(r, overdue),
    /** Issue 16: what the holder (or assignee) does not fit of the resident's language and gender wish; a warning only. */
    matchWarnings: personId
      ? matchWarnings(
          staffLoad.find((p) => p.id === personId),
          r,
        )
      : [],
    residentId: r.residentId,
    conversationId: r.conversationId,
    residentUnreachable: r.residentUnreachable,
    // How to reach the resident: the preference (the list's `contact`) with the number and address they
    // gave for a call or visit. Only a reader of the case gets this far (reader.open authorised and
    // audited the read).
    contact: { method: r.contact, phone: r.contactDetails.phone, address: r.contactDetails.address },
    closedBy: r.closedBy,
    /** What the work likely prevented, recorded at closing (issue 16), or null. */
    prevented: r.prevented,
    aftercare: {
      at: r.aftercare.at?.toISOString() ?? null,
      askedAt: r.aftercare.sentAt?.toISOString() ?? null,
      answer: r.aftercare.answer,
      skipped: r.aftercare.skipped,
    },
    intake: r.intake,
    referrals: r.referrals,
    otherCases: otherCases.map((c) => ({
      id: c.id,
      status: c.status,
      phase: c.phase,
      trajectory: c.trajectory,
      referrals: c.referrals,
      claimedBy: c.claimedBy,
      createdAt: c.createdAt.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
    })),
    notes: full.notes.map((n) => ({
      id: Number(n.id),
      authorId: n.authorId,
      text: n.text,
      createdAt: n.createdAt.toISOString(),
    })),
    transcript: full.transcript.map((m) => ({
      id: m.id,
      direction: m.direction,
      author: m.author,
      text: m.text,
      choice: m.choice,
      media: m.mediaKind
        ? {
            kind: m.mediaKind,
            id: m.mediaId,
            url: m.mediaId ? `/api/handoffs/${r.id}/media/${m.mediaId}` : null,
            // Issue 15: what a voice note says; `transcriptFailed` when the speech server could not read it.
            ...(m.transcript === 'failed' ? { transcriptFailed: true } : m.transcript ? { transcript: m.transcript } : {}),
          }
        : null,
      locale: m.locale,
      // Inbound: a machine translation into STAFF_LOCALE. Outbound: the trust person's original of a translated reply.
      ...(m.translation
        ? { translation: { locale: m.translation.locale, text: m.translation.text, machine: m.direction === 'in' } }
        : {}),
      createdAt: m.createdAt.toISOString(),
      delivery: m.delivery,
    })),
  };
}

async function jsonBody(c: { req: { header(n: string): string | undefined; text(): Promise<string> } }): Promise<unknown> {
  if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send JSON with content-type application/json');
  }
  const raw = await c.req.text();
  try {
    return raw.trim() ? JSON.parse(raw) : {};
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

/** The staff JSON API under /api: the same rules as the pages, for integrations (Bearer token). */
export function createApiRoutes(deps: InboxDeps) {
  const { queries, service, reader } = deps;
  const previewReply = createReplyPreview({ reader, translateReply: deps.translateReply, staffLocale: deps.staffLocale });
  const app = new Hono<InboxEnv>();
  const limit = bodyLimit({
    maxSize: MAX_JSON_BYTES,
    onError: () => {
      throw new HttpError(413, 'too_large', 'the request body is too large');
    },
  });
  app.use('/api/*', requireApiActor({ apiToken: deps.apiToken, tokens: deps.tokens }));
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  registerCannedReplyApi(app, deps, limit, jsonBody);

  app.get('/api/handoffs', async (c) => {
    const q = listQuery.parse(c.req.query());
    const actor = c.get('actor');
    const searched = [q.text, q.words, q.phase, q.trajectory, q.from, q.to, q.agency, q.staffId].some(Boolean);
    const { items } = await findCases({ queries, audit: deps.audit }, actor, {
      // A search looks through every case unless a status is asked for, as on the page.
      status: q.status ?? (searched ? 'all' : undefined),
      urgent: q.urgent === undefined ? undefined : q.urgent === 'true',
      language: q.language,
      mine: q.mine === 'true' ? actor.id : undefined,
      unassigned: q.unassigned === 'true' || undefined,
      limit: q.limit,
      search: {
        text: q.text,
        phase: q.phase,
        trajectory: q.trajectory,
        from: startOfOrgDay(q.from, deps.timezone),
        to: startOfOrgDay(q.to, deps.timezone, 1),
        agency: q.agency,
        staffId: q.staffId,
      },
      words: q.words,
    });
    return c.json({ handoffs: items.map((h) => summaryJson(h, deps.isOverdue(h))) });
  });

  app.get('/api/handoffs/:id', async (c) => {
    const full = await reader.open(c.get('actor'), c.req.param('id'));
    const [otherCases, staffLoad] = await Promise.all([
      queries.otherCases(full.record.residentId, full.record.id),
      queries.staffLoad(),
    ]);
    return c.json(caseJson(full, otherCases, deps.isOverdue(full.record), staffLoad));
  });

  app.post('/api/handoffs/:id/claim', async (c) => {
    const result = await service.claim(c.get('actor'), c.req.param('id'));
    return c.json({ ok: true, ...result });
  });

  app.post('/api/handoffs/:id/assign', limit, async (c) => {
    const body = assignBody.parse(await jsonBody(c));
    const result = await service.assign(c.get('actor'), c.req.param('id'), body.staffId);
    return c.json({ ok: true, ...result });
  });

  app.post('/api/handoffs/:id/messages', limit, async (c) => {
    const reply = composeReply(messageBody.parse(await jsonBody(c)));
    const result = await service.reply(c.get('actor'), c.req.param('id'), reply.text, reply.original);
    return c.json({ ok: true, ...result }, 201);
  });

  /** Who I am, and how residents see me (issue 15). */
  app.get('/api/me', async (c) => {
    const actor = c.get('actor');
    const me = actor.via === 'api-token' ? undefined : await deps.staff.byId(actor.id);
    return c.json({
      id: actor.id,
      name: actor.name,
      role: actor.role,
      residentLabel: me?.residentLabel ?? null,
      nameForResidents: me ? (nameForResidents(me)?.name ?? null) : null,
    });
  });

  app.patch('/api/me', limit, async (c) => {
    const actor = c.get('actor');
    if (actor.via === 'api-token') {
      throw new HttpError(400, 'invalid_request', 'the shared API token has no name residents see; use a personal token');
    }
    const { residentLabel } = residentNameBody.parse(await jsonBody(c));
    await deps.staff.setResidentLabel(actor.id, residentLabel);
    const me = await deps.staff.byId(actor.id);
    return c.json({ ok: true, residentLabel, nameForResidents: me ? (nameForResidents(me)?.name ?? null) : null });
  });

  /**
   * A file for the resident (issue 15, "Documents"): multipart with `file` (a PDF, JPEG, PNG or WebP, by
   * its content; at most STAFF_MAX_FILE_BYTES) and an optional `caption`. Delivered like a reply.
   */
  app.post('/api/handoffs/:id/files', staffFileBodyLimit(deps.maxFileBytes), async (c) => {
    const upload = await readStaffFile(c, { maxBytes: deps.maxFileBytes });
    const result = await service.sendFile(c.get('actor'), c.req.param('id'), upload);
    return c.json({ ok: true, ...result }, 201);
  });

  /** A draft machine-translated into the resident's language, to check before sending (issue 15). */
  app.post('/api/handoffs/:id/reply-preview', limit, async (c) => {
    const { text } = replyPreviewBody.parse(await jsonBody(c));
    return c.json({ translation: await previewReply(c.get('actor'), c.req.param('id'), text) });
  });

  app.post('/api/handoffs/:id/notes', limit, async (c) => {
    const body = noteBody.parse(await jsonBody(c));
    const result = await service.addNote(c.get('actor'), c.req.param('id'), body.text);
    return c.json({ ok: true, ...result }, 201);
  });

  app.patch('/api/handoffs/:id', limit, async (c) => {
    const body = progressBody.parse(await jsonBody(c));
    const actor = c.get('actor');
    const id = c.req.param('id');
    if (body.phase !== undefined || body.trajectory !== undefined) {
      await service.setProgress(actor, id, { phase: body.phase, trajectory: body.trajectory });
    }
    if (body.referrals) await service.setReferrals(actor, id, body.referrals);
    if (body.prevented !== undefined) await deps.setPrevented(actor, id, body.prevented);
    return c.json({ ok: true });
  });

  app.post('/api/handoffs/:id/close', limit, async (c) => {
    const body = closeBody.parse(c.req.header('content-type') ? await jsonBody(c) : {});
    await service.close(c.get('actor'), c.req.param('id'), body);
    return c.json({ ok: true });
  });

  /** Reminders are personal: set on a case the actor may read, listed and marked done by their owner only. */
  app.post('/api/handoffs/:id/reminders', limit, async (c) => {
    const body = reminderBody.parse(await jsonBody(c));
    const dueAt = dueAtFrom(body.dueAt, deps.timezone);
    const result = await deps.reminders.add(c.get('actor'), c.req.param('id'), { dueAt, note: body.note });
    return c.json({ ok: true, ...result, dueAt: dueAt.toISOString() }, 201);
  });

  app.get('/api/reminders', async (c) => {
    const reminders = await deps.reminders.mine(c.get('actor').id);
    return c.json({
      reminders: reminders.map((r) => ({
        id: r.id,
        handoffId: r.handoffId,
        dueAt: r.dueAt.toISOString(),
        note: r.note,
        notified: r.notifiedAt !== null,
        caseStatus: r.caseStatus,
      })),
    });
  });

  app.post('/api/reminders/:id/done', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'invalid', 'a reminder id is a positive whole number');
    if (!(await deps.reminders.done(c.get('actor'), id)))
      throw new HttpError(404, 'not_found', 'no open reminder of yours with that id');
    return c.json({ ok: true });
  });

  app.get('/api/handoffs/:id/media/:mediaId', async (c) => {
    const file = await reader.media(c.get('actor'), c.req.param('id'), c.req.param('mediaId'));
    if (c.get('actor').via !== 'api-token') deps.voiceNotePlayed?.(file, c.req.param('mediaId'));
    return mediaResponse(file, { name: `${file.kind}-${c.req.param('mediaId').slice(0, 8)}` });
  });

  /** Everything stored about one resident (subject access request): coordinators only, audited. */
  app.get('/api/residents/:id/export', async (c) => {
    const data = await reader.exportResident(c.get('actor'), c.req.param('id'));
    return exportResponse(data);
  });

  /**
   * Erases everything stored about one resident (a request to be forgotten): coordinators only,
   * audited, 403 (audited too) for a trust person. `{ "confirm": false }` sends the resident no confirmation.
   */
  app.post('/api/residents/:id/erase', limit, async (c) => {
    const raw = c.req.header('content-type') ? await jsonBody(c) : {};
    const body = eraseBody.parse(raw);
    const result = await deps.erasure.eraseByStaff(c.get('actor'), c.req.param('id'), body);
    return c.json({ ok: true, ...result });
  });

  app.get('/api/staff', async (c) => {
    const people = await deps.staff.list();
    return c.json({
      staff: people.map((p) => ({
        id: p.id,
        name: p.name,
        role: p.role,
        languages: p.languages,
        gender: p.gender,
        active: p.active,
      })),
    });
  });

  app.get('/api/agencies', (c) => c.json({ agencies: deps.agencies }));

  app.get('/api/reports/erasures', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    return c.json({ erasures: await deps.erasureReport() });
  });

  app.get('/api/reports/aftercare', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    return c.json({ aftercare: await deps.aftercareReport() });
  });

  /** The report for funders over a period (issue 16): exact counts, for coordinators. */
  app.get('/api/reports/summary', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    const period = periodFromQuery(c.req.query(), deps.timezone);
    return c.json(await deps.summaryReport(period));
  });

  /** The same as a CSV download, counts under 5 written "<5", in the caller's language. */
  app.get('/api/reports/summary.csv', async (c) => {
    const actor = c.get('actor');
    if (!isCoordinator(actor)) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    const period = periodFromQuery(c.req.query(), deps.timezone);
    return summaryCsvResponse(deps.texts, actor.uiLocale, await deps.summaryReport(period));
  });

  app.get('/api/audit', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the audit log');
    const q = auditQuery.parse(c.req.query());
    const records = await deps.audit.list({ limit: q.limit, before: q.before, handoffId: q.handoff });
    return c.json({
      entries: records.map((r) => ({ ...r, at: r.at.toISOString() })),
      next: records.length > 0 && records.length === (q.limit ?? 100) ? records.at(-1)!.id : null,
    });
  });

  return app;
}

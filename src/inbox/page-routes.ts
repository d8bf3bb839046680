import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import { dueAtFrom } from '../continuity/reminders.js';
import { readForm } from '../server/read-form.js';
import {
  canCloseCase,
  canEraseResident,
  canExportResident,
  canReadCase,
  canWorkOnCase,
  isCoordinator,
} from '../handoff/access.js';
import type { QueueStatus } from '../handoff/handoff-queries.js';
import { HttpError } from '../server/http-error.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import { createLabels } from '../i18n/labels.js';
import { liveStream } from './live-events.js';
import { caseUpdates, queueUpdates } from './live-updates.js';
import { exportResponse } from './export-response.js';
import { mediaResponse } from './media-response.js';
import { pageContext } from './page-context.js';
import {
  assignBody,
  closeBody,
  eraseBody,
  messageBody,
  noteBody,
  preventedBody,
  progressBody,
  reminderBody,
  replyPreviewBody,
  residentNameBody,
} from './request-schemas.js';
import { residentNamePage } from './views/resident-name-view.js';
import { nameForResidents } from '../staff/name-for-residents.js';
import { createReplyPreview, replyLanguage } from './reply-preview.js';
import { composeReply } from '../language/reply-translation.js';
import { wantsJson } from './staff-auth.js';
import { megabytes, readStaffFile } from './staff-file-upload.js';
import { auditPage } from './views/audit-view.js';
import { reportPage } from './views/report-view.js';
import type { FunderReportModel } from './views/funder-report-view.js';
import {
  chosenPeriod,
  MAX_REPORT_YEARS,
  PERIOD_KINDS,
  ReportPeriodError,
  startOfOrgDay,
  type PeriodChoice,
  type ReportPeriod,
} from '../reports/report-period.js';
import { periodFromQuery, summaryCsvResponse } from './report-download.js';
import { casePage } from './views/case-view.js';
import { authorLabel } from './views/message-item.js';
import { queueItems, queuePage, type QueueFilters } from './views/queue-view.js';
import { findCases, type CaseSearch } from '../handoff/case-search.js';
import { cannedRepliesFor, registerCannedReplyPages } from './canned-reply-routes.js';
import { createPreviewAudit } from './preview-audit.js';
import { PHASES, TRAJECTORIES } from '../handoff/handoff-service.js';

const STATUSES: QueueStatus[] = ['waiting', 'claimed', 'closed', 'open', 'all'];
const DONE = new Set(['claimed', 'assigned', 'replied', 'noted', 'saved', 'closed', 'reminded', 'fileSent']);

export function parseQueueFilters(query: (name: string) => string | undefined): QueueFilters {
  const mine = query('mine') === '1';
  const status = query('status') as QueueStatus | undefined;
  const language = query('language') ?? '';
  const pick = (name: string, valid: (v: string) => boolean, max = 100) => {
    const value = (query(name) ?? '').trim().slice(0, max);
    return value && valid(value) ? value : '';
  };
  const date = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  const searched = ['text', 'words', 'phase', 'trajectory', 'from', 'to', 'agency', 'staff'].some((n) => query(n));
  return {
    mine,
    unassigned: query('unassigned') === '1',
    urgent: query('urgent') === '1',
    // A search looks through every case unless a status is chosen; the plain queue shows the waiting ones.
    status: status && STATUSES.includes(status) ? status : mine ? 'open' : searched ? 'all' : 'waiting',
    language: /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i.test(language) ? language.toLowerCase() : '',
    text: pick('text', () => true),
    words: pick('words', () => true, 200),
    phase: pick('phase', (v) => (PHASES as readonly string[]).includes(v)),
    trajectory: pick('trajectory', (v) => (TRAJECTORIES as readonly string[]).includes(v)),
    from: pick('from', date),
    to: pick('to', date),
    agency: pick('agency', (v) => /^[a-z0-9_-]{1,40}$/i.test(v)),
    staff: pick('staff', (v) => /^[0-9a-f-]{36}$/i.test(v)),
  };
}

/** A queue filter's search part: dates as the organisation's days (`to` includes its whole day). */
export function caseSearchOf(f: QueueFilters, timezone: string): CaseSearch {
  return {
    text: f.text || undefined,
    phase: f.phase || undefined,
    trajectory: f.trajectory || undefined,
    from: startOfOrgDay(f.from, timezone),
    to: startOfOrgDay(f.to, timezone, 1),
    agency: f.agency || undefined,
    staffId: f.staff || undefined,
  };
}

/** The inbox pages behind log-in (the session and CSRF middlewares run before these). */
export function createPageRoutes(deps: InboxDeps & { assetVersion: string }) {
  const { texts, queries, service, reader } = deps;
  const previews = createPreviewAudit(deps.audit);
  const previewReply = createReplyPreview({ reader, translateReply: deps.translateReply, staffLocale: deps.staffLocale });
  const app = new Hono<InboxEnv>();
  const ctx = (c: Context<InboxEnv>) => pageContext(c, texts, deps.org, deps.assetVersion, deps.channelWarnings);
  /** One form field as the API's schemas expect it (absent: undefined, which they refuse where it is required). */
  const field = async (c: Context<InboxEnv>, name: string) => {
    const value = (await readForm(c))[name];
    return typeof value === 'string' ? value : undefined;
  };
  const done = (c: Context<InboxEnv>, id: string, what: string) =>
    wantsJson(c) ? c.json({ ok: true }) : c.redirect(`/inbox/handoffs/${id}?done=${what}`, 303);

  /** The resident's language, when the reply box can offer a machine translation into it (issue 15). */
  const translateTo = (record: { language: string | null; writtenLanguage: string | null }) => {
    const target = deps.translateReply ? replyLanguage(record) : null;
    return target && target !== deps.staffLocale ? target : null;
  };

  /** A reply that cannot go out now: the channel's service window (WhatsApp Cloud API) closed. */
  const windowClosed = (record: { channel: string; residentLastInboundAt: Date | null }) => {
    const window = deps.serviceWindowMs?.[record.channel];
    return (
      window !== undefined && (!record.residentLastInboundAt || Date.now() - record.residentLastInboundAt.getTime() > window)
    );
  };

  async function queueModel(c: Context<InboxEnv>) {
    const filters = parseQueueFilters((n) => c.req.query(n));
    const actor = c.get('actor');
    // The live refresh of a list repeats the search the page made (and audited) when it loaded.
    const audit = c.req.query('fragment') === '1' ? undefined : deps.audit;
    const [{ items, scanLimited }, languages, staffLoad, names] = await Promise.all([
      findCases({ queries, audit }, actor, {
        status: filters.status,
        urgent: filters.urgent || undefined,
        language: filters.language || undefined,
        mine: filters.mine ? actor.id : undefined,
        unassigned: filters.unassigned || undefined,
        search: caseSearchOf(filters, deps.timezone),
        words: filters.words || undefined,
      }),
      queries.languages(),
      queries.staffLoad(),
      deps.staff.names(),
    ]);
    // "Voice note not yet listened to": no staff member fetched the file yet (see unheardVoiceNotes).
    const unheard = await queries.unheardVoiceNotes(items.map((h) => h.id));
    // "Mijn zaken" (issue 16): on the staff member's own cases, the newest message and how many are new.
    const own = filters.mine
      ? items.filter((h) => canReadCase(actor, h) && (h.claimedBy === actor.id || h.assignedTo === actor.id))
      : [];
    const details = await queries.cardDetails(
      actor.id,
      own.map((h) => h.id),
    );
    await previews.record(actor, own, details);
    const cards = items.map((h) => ({
      ...h,
      overdue: deps.isOverdue(h),
      ...(unheard.has(h.id) ? { unheardVoiceNotes: unheard.get(h.id)! } : {}),
      ...(details.has(h.id) ? { card: details.get(h.id)! } : {}),
    }));
    // "Mijn zaken" also lists the staff member's own reminders.
    const reminders = filters.mine ? await deps.reminders.mine(actor.id) : [];
    return {
      items: cards,
      filters,
      languages,
      staffLoad,
      names,
      reminders,
      scanLimited,
      agencies: deps.agencies,
      now: new Date(),
    };
  }

  app.get('/inbox', async (c) => {
    const model = await queueModel(c);
    if (c.req.query('fragment') === '1') {
      return c.html(queueItems(createLabels(texts, c.get('staff').uiLocale), model).value);
    }
    const notice = c.req.query('done') === 'erased' ? 'erased' : undefined;
    return c.html(queuePage(ctx(c), { ...model, notice }).value);
  });

  /** For the page's script: is the session still alive? (401 when not, from the middleware.) */
  app.get('/inbox/session', (c) => c.json({ ok: true, staffId: c.get('staff').id }));

  /** New and changed handoffs, live: `queue` events carry ids and what changed, never resident text. */
  app.get('/inbox/events', (c) => {
    const updates = queueUpdates(queries);
    return liveStream(c, deps.live, liveOptions(c), updates.relevant, updates.tick);
  });

  function liveOptions(c: Context<InboxEnv>) {
    const cookie = deps.cookie.read(c);
    return {
      events: deps.events,
      pollMs: deps.livePollMs,
      sessionValid: async () => (await deps.sessions.lookup(cookie, { touch: false })).status === 'active',
    };
  }

  app.get('/inbox/handoffs/:id', async (c) => {
    const actor = c.get('actor');
    const id = c.req.param('id');
    const summary = await reader.summary(id);
    const readable = canReadCase(actor, summary);
    // A waiting case is open to anyone on staff as a summary; anything more goes through the reader,
    // which audits the view (or the refusal: then this answers 403).
    const full = readable || summary.status !== 'waiting' ? await reader.open(actor, id) : null;
    const record = full?.record ?? summary;
    const [names, staffList, staffLoad, otherCases, reminders] = await Promise.all([
      deps.staff.names(),
      isCoordinator(actor) ? deps.staff.list() : [],
      queries.staffLoad(),
      queries.otherCases(record.residentId, record.id),
      full ? deps.reminders.mine(actor.id) : [],
    ]);
    const doneParam = c.req.query('done');
    const canWork = record.status !== 'closed' && canWorkOnCase(actor, record);
    const cannedReplies = canWork ? await cannedRepliesFor(deps, actor, record.language) : [];
    return c.html(
      casePage(ctx(c), {
        record,
        full: Boolean(full),
        transcript: full?.transcript ?? [],
        otherCases,
        notes: full?.notes ?? [],
        names,
        staffList,
        staffLoad,
        agencies: deps.agencies,
        can: {
          claim: record.status === 'waiting',
          work: record.status !== 'closed' && canWorkOnCase(actor, record),
          assign: isCoordinator(actor),
          close: canCloseCase(actor, record),
          exportResident: canExportResident(actor),
          eraseResident: canEraseResident(actor),
          prevented: record.status === 'closed' && (isCoordinator(actor) || record.closedBy === actor.id),
        },
        dirOf: texts.dir,
        closingMessage: service.closingMessage(record.language ?? 'nl', record.neutral),
        reminders: reminders.filter((r) => r.handoffId === record.id),
        aftercareDays: deps.aftercareDays,
        windowClosed: windowClosed(record),
        translateTo: translateTo(record),
        cannedReplies,
        maxFileBytes: deps.maxFileBytes,
        tomorrow: DateTime.now().setZone(deps.timezone).plus({ days: 1 }).toISODate() ?? '',
        now: new Date(),
        done: doneParam && DONE.has(doneParam) ? doneParam : undefined,
      }).value,
    );
  });

  app.post('/inbox/handoffs/:id/claim', async (c) => {
    const id = c.req.param('id');
    await service.claim(c.get('actor'), id);
    return done(c, id, 'claimed');
  });

  app.post('/inbox/handoffs/:id/assign', async (c) => {
    const id = c.req.param('id');
    const { staffId } = assignBody.parse({ staffId: await field(c, 'staffId') });
    await service.assign(c.get('actor'), id, staffId);
    return done(c, id, 'assigned');
  });

  app.post('/inbox/handoffs/:id/messages', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const body = messageBody.parse({
      text: typeof form.text === 'string' ? form.text : undefined,
      translation: typeof form.translation === 'string' && form.translation.trim() ? form.translation : undefined,
      send: typeof form.send === 'string' && form.send ? form.send : undefined,
    });
    const reply = composeReply(body);
    const { messageId } = await service.reply(c.get('actor'), id, reply.text, reply.original);
    return wantsJson(c) ? c.json({ messageId }, 201) : c.redirect(`/inbox/handoffs/${id}?done=replied#m-${messageId}`, 303);
  });

  /**
   * A file for the resident (issue 15, "Documents"): the form below the reply box, multipart, with the
   * session's CSRF token. The same rules as a reply; a refusal says why in the staff member's language.
   */
  app.post('/inbox/handoffs/:id/files', async (c) => {
    const id = c.req.param('id');
    const l = ctx(c).labels;
    const upload = await readStaffFile(c, {
      maxBytes: deps.maxFileBytes,
      allowed: ['_csrf'],
      reasons: {
        tooLarge: l.t('sendFile.tooLarge', { max: megabytes(deps.maxFileBytes) }),
        wrongType: l.t('sendFile.wrongType'),
        missing: l.t('sendFile.missing'),
      },
    });
    const { messageId } = await service.sendFile(c.get('actor'), id, upload);
    return wantsJson(c) ? c.json({ messageId }, 201) : c.redirect(`/inbox/handoffs/${id}?done=fileSent#m-${messageId}`, 303);
  });

  /** The reply box's "preview the translation" (its script asks; JSON back). */
  app.post('/inbox/handoffs/:id/messages/preview', async (c) => {
    const { text } = replyPreviewBody.parse({ text: await field(c, 'text') });
    const preview = await previewReply(c.get('actor'), c.req.param('id'), text);
    return c.json({ ...preview, language: ctx(c).labels.language(preview.locale) });
  });

  app.post('/inbox/handoffs/:id/notes', async (c) => {
    const id = c.req.param('id');
    const { text } = noteBody.parse({ text: await field(c, 'text') });
    await service.addNote(c.get('actor'), id, text);
    return done(c, id, 'noted');
  });

  app.post('/inbox/handoffs/:id/progress', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c, { all: true });
    // The form always sends all three: no trajectory chosen is null, no agency ticked an empty list.
    const { phase, trajectory, referrals } = progressBody.parse({
      phase: typeof form.phase === 'string' ? form.phase : undefined,
      trajectory: typeof form.trajectory === 'string' && form.trajectory ? form.trajectory : null,
      referrals: ([] as unknown[]).concat(form.referrals ?? []),
    });
    const actor = c.get('actor');
    await service.setProgress(actor, id, { phase, trajectory: trajectory ?? null });
    await service.setReferrals(actor, id, referrals ?? []);
    return done(c, id, 'saved');
  });

  /** "Remind me on <date> at <time>" (the time is the organisation's; 09:00 when left empty). */
  app.post('/inbox/handoffs/:id/reminders', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const date = typeof form.date === 'string' ? form.date : '';
    const time = typeof form.time === 'string' ? form.time : '';
    const body = reminderBody.parse({
      dueAt: time ? `${date}T${time}` : date,
      note: typeof form.note === 'string' ? form.note : '',
    });
    await deps.reminders.add(c.get('actor'), id, { dueAt: dueAtFrom(body.dueAt, deps.timezone), note: body.note });
    return done(c, id, 'reminded');
  });

  /** A reminder dealt with: back to the case it was on, or to "Mijn zaken". */
  app.post('/inbox/reminders/:id/done', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'invalid', 'a reminder id is a positive whole number');
    if (!(await deps.reminders.done(c.get('actor'), id)))
      throw new HttpError(404, 'not_found', 'no open reminder of yours with that id');
    const back = await field(c, 'back');
    if (wantsJson(c)) return c.json({ ok: true });
    return c.redirect(back && /^[0-9a-f-]{36}$/i.test(back) ? `/inbox/handoffs/${back}` : '/inbox?mine=1', 303);
  });

  /** The form's box "send the closing message" and its text, which the trust person may have edited. */
  app.post('/inbox/handoffs/:id/close', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const text = typeof form.message === 'string' ? form.message.trim() : '';
    const days =
      typeof form.aftercareDays === 'string' && form.aftercareDays.trim() !== '' ? Number(form.aftercareDays) : undefined;
    // What the work likely prevented (issue 16): optional, "not recorded" is the empty choice.
    const prevented = typeof form.prevented === 'string' && form.prevented ? form.prevented : undefined;
    const body = closeBody.parse({ message: form.send === '1' ? text || true : false, aftercareDays: days, prevented });
    await service.close(c.get('actor'), id, body);
    return done(c, id, 'closed');
  });

  /** A closed case's "likely prevented", changed afterwards by who closed it or a coordinator (issue 16). */
  app.post('/inbox/handoffs/:id/prevented', async (c) => {
    const id = c.req.param('id');
    const value = await field(c, 'prevented');
    const { prevented } = preventedBody.parse({ prevented: value ? value : null });
    await deps.setPrevented(c.get('actor'), id, prevented);
    return done(c, id, 'saved');
  });

  /** The transcript as a text file (audited as an export). */
  app.get('/inbox/handoffs/:id/export', async (c) => {
    const full = await reader.open(c.get('actor'), c.req.param('id'), 'transcript.export');
    const l = createLabels(texts, c.get('staff').uiLocale);
    const names = await deps.staff.names();
    // One header line per message; its further lines are indented behind "| ", so a line break in what a
    // resident wrote can never start a line that reads like another message (or a staff member's).
    const lines = full.transcript.map((m) => {
      const machine = [
        ...(m.transcript && m.transcript !== 'failed' ? [`(${l.t('transcript.spokenUnknown')}) ${m.transcript.text}`] : []),
        ...(m.translation
          ? [
              `(${m.direction === 'in' ? l.t('transcript.machineTranslationAuto') : l.t('transcript.sentTranslated', { language: l.language(m.locale) })}) ${m.translation.text}`,
            ]
          : []),
      ];
      const body = [String(m.text ?? m.choice ?? (m.mediaKind ? `(${m.mediaKind})` : '')), ...machine]
        .join('\n')
        .split(/\r\n|\r|\n|\u2028|\u2029/);
      const who = `${m.direction === 'in' ? '<' : '>'} ${authorLabel(l, names, m)}`;
      return [`[${l.dateTime(m.createdAt)}] ${who}: ${body[0]}`, ...body.slice(1).map((line) => `    | ${line}`)].join('\n');
    });
    return c.body(`# ${l.t('transcript.exportFormat')}\n\n${lines.join('\n')}\n`, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="transcript-${full.record.id.slice(0, 8)}.txt"`,
      'x-content-type-options': 'nosniff',
    });
  });

  /** Everything stored about one resident as JSON with media inline (subject access request; coordinators, audited). */
  app.get('/inbox/residents/:id/export', async (c) => {
    const data = await reader.exportResident(c.get('actor'), c.req.param('id'));
    return exportResponse(data);
  });

  /**
   * Erases everything stored about one resident (coordinators; audited, a refusal too). The form is the
   * confirm step: without its "I understand" box ticked nothing happens.
   */
  app.post('/inbox/residents/:id/erase', async (c) => {
    const form = await readForm(c);
    if (form.sure !== '1') throw new HttpError(400, 'invalid_request', 'tick the box to confirm the erasure');
    const body = eraseBody.parse({ confirm: form.confirm === '1' });
    await deps.erasure.eraseByStaff(c.get('actor'), c.req.param('id'), body);
    return wantsJson(c) ? c.json({ ok: true }) : c.redirect('/inbox?done=erased', 303);
  });

  app.get('/inbox/handoffs/:id/media/:mediaId', async (c) => {
    const file = await reader.media(c.get('actor'), c.req.param('id'), c.req.param('mediaId'));
    deps.voiceNotePlayed?.(file, c.req.param('mediaId'));
    return mediaResponse(file, { name: `${file.kind}-${c.req.param('mediaId').slice(0, 8)}` });
  });

  /** New messages and delivery states of one case, live (audited once per connection). */
  app.get('/inbox/handoffs/:id/events', async (c) => {
    const actor = c.get('actor');
    const record = await reader.watch(actor, c.req.param('id'));
    const updates = caseUpdates({
      queries,
      staff: deps.staff,
      record,
      labels: createLabels(texts, c.get('staff').uiLocale),
      dirOf: texts.dir,
      names: await deps.staff.names(),
      lastId: Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0,
    });
    return liveStream(c, deps.live, liveOptions(c), updates.relevant, updates.tick);
  });

  /** How residents see me (issue 15): my first name, or a role label I choose. */
  app.get('/inbox/me', (c) => {
    const me = c.get('staff');
    const who = nameForResidents(me) ?? { name: me.name, role: false };
    const example = texts.t(me.uiLocale, who.role ? 'bot:handoff.joinedAs' : 'bot:handoff.joined', {
      org: deps.org,
      name: who.name,
    });
    return c.html(
      residentNamePage(ctx(c), {
        firstName: nameForResidents({ name: me.name, residentLabel: null })?.name ?? me.name,
        residentLabel: me.residentLabel,
        example,
        saved: c.req.query('done') === 'saved',
      }).value,
    );
  });

  app.post('/inbox/me', async (c) => {
    const form = await readForm(c);
    const label = form.show === 'role' && typeof form.residentLabel === 'string' ? form.residentLabel : null;
    const { residentLabel } = residentNameBody.parse({ residentLabel: label });
    await deps.staff.setResidentLabel(c.get('staff').id, residentLabel);
    return c.redirect('/inbox/me?done=saved', 303);
  });

  registerCannedReplyPages(app, deps, ctx);

  app.get('/inbox/reports', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    const asked: PeriodChoice = {
      period: c.req.query('period'),
      year: c.req.query('year'),
      month: c.req.query('month'),
      quarter: c.req.query('quarter'),
      from: c.req.query('from'),
      to: c.req.query('to'),
    };
    const now = new Date();
    // Dates that cannot be a period are said on the page, which then shows this month.
    let error: string | undefined;
    let period: ReportPeriod;
    try {
      period = chosenPeriod(asked, deps.timezone, now);
    } catch (e) {
      if (!(e instanceof ReportPeriodError)) throw e;
      const l = ctx(c).labels;
      error = l.t(`funderReport.period.errors.${e.code}`, {
        field: e.field ? l.t(`funderReport.period.${e.field}`) : '',
        max: MAX_REPORT_YEARS,
      });
      period = chosenPeriod({}, deps.timezone, now);
    }
    const [erasures, aftercare, report] = await Promise.all([
      deps.erasureReport(),
      deps.aftercareReport(),
      deps.summaryReport(period),
    ]);
    const month = Number(period.from.slice(5, 7));
    const kind = (PERIOD_KINDS as readonly string[]).includes(asked.period ?? '') ? asked.period! : period.kind;
    const funder: FunderReportModel = {
      report,
      error,
      choice: {
        period: error ? 'custom' : kind,
        year: period.from.slice(0, 4),
        month: String(month),
        quarter: String(Math.ceil(month / 3)),
        from: error ? (asked.from ?? '') : period.from,
        to: error ? (asked.to ?? '') : period.to,
      },
    };
    return c.html(reportPage(ctx(c), { erasures, aftercare, funder }).value);
  });

  /** The report for funders as a CSV file (small counts as "<5"), for the page's download link. */
  app.get('/inbox/reports/summary.csv', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    const period = periodFromQuery(c.req.query(), deps.timezone);
    return summaryCsvResponse(texts, c.get('staff').uiLocale, await deps.summaryReport(period));
  });

  app.get('/inbox/audit', async (c) => {
    const actor = c.get('actor');
    if (!isCoordinator(actor)) throw new HttpError(403, 'forbidden', 'only coordinators read the audit log');
    const handoffId = c.req.query('handoff');
    // An audit id: anything else (1e400, -1, text) lists from the newest, never a database error.
    const beforeText = c.req.query('before') ?? '';
    const before = /^[1-9]\d{0,14}$/.test(beforeText) ? Number(beforeText) : undefined;
    const validHandoff = handoffId && /^[0-9a-f-]{36}$/i.test(handoffId) ? handoffId : undefined;
    const [records, names] = await Promise.all([
      deps.audit.list({ limit: 100, before, handoffId: validHandoff }),
      deps.staff.names(),
    ]);
    return c.html(
      auditPage(ctx(c), {
        records,
        names,
        handoffId: validHandoff,
        next: records.length === 100 ? records.at(-1)!.id : undefined,
      }).value,
    );
  });

  return app;
}

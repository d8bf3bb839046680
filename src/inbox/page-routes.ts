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
  progressBody,
  reminderBody,
  replyPreviewBody,
} from './request-schemas.js';
import { createReplyPreview, replyLanguage } from './reply-preview.js';
import { composeReply } from '../language/reply-translation.js';
import { wantsJson } from './staff-auth.js';
import { auditPage } from './views/audit-view.js';
import { reportPage } from './views/report-view.js';
import { casePage } from './views/case-view.js';
import { authorLabel } from './views/message-item.js';
import { queueItems, queuePage, type QueueFilters } from './views/queue-view.js';

const STATUSES: QueueStatus[] = ['waiting', 'claimed', 'closed', 'open', 'all'];
const DONE = new Set(['claimed', 'assigned', 'replied', 'noted', 'saved', 'closed', 'reminded']);

export function parseQueueFilters(query: (name: string) => string | undefined): QueueFilters {
  const mine = query('mine') === '1';
  const status = query('status') as QueueStatus | undefined;
  const language = query('language') ?? '';
  return {
    mine,
    unassigned: query('unassigned') === '1',
    urgent: query('urgent') === '1',
    status: status && STATUSES.includes(status) ? status : mine ? 'open' : 'waiting',
    language: /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i.test(language) ? language.toLowerCase() : '',
  };
}

/** The inbox pages behind log-in (the session and CSRF middlewares run before these). */
export function createPageRoutes(deps: InboxDeps & { assetVersion: string }) {
  const { texts, queries, service, reader } = deps;
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
    const [items, languages, staffLoad, names] = await Promise.all([
      queries.queue({
        status: filters.status,
        urgent: filters.urgent || undefined,
        language: filters.language || undefined,
        mine: filters.mine ? actor.id : undefined,
        unassigned: filters.unassigned || undefined,
      }),
      queries.languages(),
      queries.staffLoad(),
      deps.staff.names(),
    ]);
    // "Voice note not yet listened to": no staff member fetched the file yet (see unheardVoiceNotes).
    const unheard = await queries.unheardVoiceNotes(items.map((h) => h.id));
    const cards = items.map((h) => ({
      ...h,
      overdue: deps.isOverdue(h),
      ...(unheard.has(h.id) ? { unheardVoiceNotes: unheard.get(h.id)! } : {}),
    }));
    // "Mijn zaken" also lists the staff member's own reminders.
    const reminders = filters.mine ? await deps.reminders.mine(actor.id) : [];
    return { items: cards, filters, languages, staffLoad, names, reminders, now: new Date() };
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
        },
        dirOf: texts.dir,
        closingMessage: service.closingMessage(record.language ?? 'nl', record.neutral),
        reminders: reminders.filter((r) => r.handoffId === record.id),
        aftercareDays: deps.aftercareDays,
        windowClosed: windowClosed(record),
        translateTo: translateTo(record),
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
    const body = closeBody.parse({ message: form.send === '1' ? text || true : false, aftercareDays: days });
    await service.close(c.get('actor'), id, body);
    return done(c, id, 'closed');
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
    return mediaResponse(file, {
      name: `${file.kind}-${c.req.param('mediaId').slice(0, 8)}`,
      download: c.req.query('download') === '1',
    });
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

  app.get('/inbox/reports', async (c) => {
    if (!isCoordinator(c.get('actor'))) throw new HttpError(403, 'forbidden', 'only coordinators read the reports');
    const [erasures, aftercare] = await Promise.all([deps.erasureReport(), deps.aftercareReport()]);
    return c.html(reportPage(ctx(c), { erasures, aftercare }).value);
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

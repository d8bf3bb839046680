import type { Context, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { isCoordinator } from '../handoff/access.js';
import { MAX_REPLY_LENGTH } from '../handoff/handoff-service.js';
import { HttpError } from '../server/http-error.js';
import { readForm } from '../server/read-form.js';
import { fillCannedReply, type CannedReply } from '../staff/canned-replies.js';
import { nameForResidents } from '../staff/name-for-residents.js';
import type { Actor } from '../staff/staff-types.js';
import { withoutControlCharacters } from '../text/control-characters.js';
import type { InboxDeps } from './inbox-deps.js';
import type { InboxEnv } from './inbox-env.js';
import type { PageContext } from './views/layout.js';
import { cannedRepliesPage } from './views/canned-replies-view.js';

const MAX_TITLE_LENGTH = 80;
const clean = (v: string) => withoutControlCharacters(v.replace(/\r\n/g, '\n')).trim();

function cannedReplyBody(locales: readonly string[]) {
  return z.strictObject({
    locale: z.enum(locales as [string, ...string[]], { message: `locale must be one of ${locales.join(', ')}` }),
    title: z.string().transform(clean).pipe(z.string().min(1, 'title is empty').max(MAX_TITLE_LENGTH, `title may be at most ${MAX_TITLE_LENGTH} characters`)),
    body: z.string().transform(clean).pipe(z.string().min(1, 'body is empty').max(MAX_REPLY_LENGTH, `body may be at most ${MAX_REPLY_LENGTH} characters`)),
  });
}

function requireCoordinator(actor: Actor) {
  if (!isCoordinator(actor)) throw new HttpError(403, 'forbidden', 'only coordinators manage canned replies');
}

function replyId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, 'not_found', 'no such canned reply');
  return Number(raw);
}

/**
 * The canned replies of a case's language (issue 16), their placeholders filled for this staff member,
 * then those in the staff language if that differs; what the reply box offers.
 */
export async function cannedRepliesFor(
  deps: Pick<InboxDeps, 'cannedReplies' | 'cannedValues' | 'staffLocale'>,
  actor: Actor,
  locale: string | null,
): Promise<{ id: number; locale: string; title: string; text: string }[]> {
  const all = await deps.cannedReplies.list();
  const order = [...new Set([locale ?? deps.staffLocale, deps.staffLocale])];
  const name = nameForResidents(actor)?.name ?? actor.name;
  return order.flatMap((lng) =>
    all
      .filter((r) => r.locale === lng)
      .map((r) => ({ id: r.id, locale: r.locale, title: r.title, text: fillCannedReply(r.body, { name, ...deps.cannedValues(lng) }) })),
  );
}

const json = (r: CannedReply) => ({ id: r.id, locale: r.locale, title: r.title, body: r.body, updatedAt: r.updatedAt.toISOString() });

/** Coordinators' page to keep the snippets: `/inbox/replies`. */
export function registerCannedReplyPages(app: Hono<InboxEnv>, deps: InboxDeps, ctx: (c: Context<InboxEnv>) => PageContext) {
  const body = cannedReplyBody(deps.texts.locales);
  app.get('/inbox/replies', async (c) => {
    requireCoordinator(c.get('actor'));
    const done = c.req.query('done');
    return c.html(
      cannedRepliesPage(ctx(c), {
        replies: await deps.cannedReplies.list(),
        locales: deps.texts.locales,
        done: done === 'saved' || done === 'deleted' ? done : undefined,
      }).value,
    );
  });
  app.post('/inbox/replies', async (c) => {
    requireCoordinator(c.get('actor'));
    const form = await readForm(c);
    await deps.cannedReplies.create(c.get('actor').id, body.parse({ locale: form.locale, title: form.title, body: form.body }));
    return c.redirect('/inbox/replies?done=saved', 303);
  });
  app.post('/inbox/replies/:id', async (c) => {
    requireCoordinator(c.get('actor'));
    const form = await readForm(c);
    const updated = await deps.cannedReplies.update(
      replyId(c.req.param('id')),
      body.parse({ locale: form.locale, title: form.title, body: form.body }),
    );
    if (!updated) throw new HttpError(404, 'not_found', 'no such canned reply');
    return c.redirect('/inbox/replies?done=saved', 303);
  });
  app.post('/inbox/replies/:id/delete', async (c) => {
    requireCoordinator(c.get('actor'));
    if (!(await deps.cannedReplies.remove(replyId(c.req.param('id'))))) throw new HttpError(404, 'not_found', 'no such canned reply');
    return c.redirect('/inbox/replies?done=deleted', 303);
  });
}

/** The same in the API; reading is for everyone on staff, changing for coordinators. */
export function registerCannedReplyApi(
  app: Hono<InboxEnv>,
  deps: InboxDeps,
  limit: MiddlewareHandler,
  jsonBody: (c: Context<InboxEnv>) => Promise<unknown>,
) {
  const body = cannedReplyBody(deps.texts.locales);
  const localeQuery = z.strictObject({ locale: z.string().regex(/^[a-z]{2,3}$/, 'locale must be a language code such as ar').optional() });
  app.get('/api/canned-replies', async (c) => {
    const { locale } = localeQuery.parse(c.req.query());
    return c.json({ cannedReplies: (await deps.cannedReplies.list(locale)).map(json) });
  });
  /** Filled in for this case (its language first) and the asking staff member. */
  app.get('/api/handoffs/:id/canned-replies', async (c) => {
    const record = await deps.reader.summary(c.req.param('id'));
    return c.json({ cannedReplies: await cannedRepliesFor(deps, c.get('actor'), record.language) });
  });
  app.post('/api/canned-replies', limit, async (c) => {
    requireCoordinator(c.get('actor'));
    const created = await deps.cannedReplies.create(c.get('actor').id, body.parse(await jsonBody(c)));
    return c.json({ ok: true, cannedReply: json(created) }, 201);
  });
  app.patch('/api/canned-replies/:id', limit, async (c) => {
    requireCoordinator(c.get('actor'));
    const updated = await deps.cannedReplies.update(replyId(c.req.param('id')), body.parse(await jsonBody(c)));
    if (!updated) throw new HttpError(404, 'not_found', 'no such canned reply');
    return c.json({ ok: true, cannedReply: json(updated) });
  });
  app.delete('/api/canned-replies/:id', async (c) => {
    requireCoordinator(c.get('actor'));
    if (!(await deps.cannedReplies.remove(replyId(c.req.param('id'))))) throw new HttpError(404, 'not_found', 'no such canned reply');
    return c.json({ ok: true });
  });
}

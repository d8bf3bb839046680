import { escapeHtml } from '../../server/escape-html.js';
import { readFileSync } from 'node:fs';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { ConversationService } from '../../conversation/conversation-service.js';
import type { Database } from '../../db/database.js';
import { messages, residents } from '../../db/schema.js';
import type { Texts } from '../../engine/texts.js';
import { ALLOWED_MEDIA_TYPES, baseContentType, storeMedia } from '../../media/store-media.js';
import { projectPath } from '../../project-path.js';
import { HttpError } from '../../server/http-error.js';
import { RateLimiter } from '../../server/rate-limiter.js';
import type { WebchatAdapter } from './webchat-adapter.js';
import { createVisitorToken, verifyVisitorToken } from './visitor-token.js';

export const MAX_TEXT_LENGTH = 2000;
export const MAX_VOICE_BYTES = 5 * 1024 * 1024;
const MAX_JSON_BYTES = 16 * 1024;
const MAX_WAIT_SECONDS = 25;

export interface WebchatDeps {
  database: Database;
  conversations: ConversationService;
  adapter: WebchatAdapter;
  texts: Texts;
  secret: string;
  org: string;
  messagesPerMinute: number;
}

const messageBody = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'id must be 8 to 64 letters, digits, - or _'),
    text: z
      .string()
      .max(MAX_TEXT_LENGTH, `text may be at most ${MAX_TEXT_LENGTH} characters`)
      .refine((t) => t.trim().length > 0, 'text is empty')
      .optional(),
    choice: z
      .string()
      .regex(/^[a-z]+:[A-Za-z0-9]{1,40}$/, 'choice must be a choice id from a message')
      .optional(),
    locale: z.string().max(35).optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.choice === undefined), 'send either text or choice, not both or neither');

const sessionBody = z.strictObject({ locale: z.string().max(35).optional() }).optional();

type Env = { Variables: { visitorId: string } };

/** The web chat: the page at /chat and its JSON API under /chat/api. */
export function createWebchatRoutes(deps: WebchatDeps): Hono<Env> {
  const { database, conversations, adapter, texts, secret } = deps;
  const app = new Hono<Env>();
  const messageLimiter = new RateLimiter(deps.messagesPerMinute);
  const sessionLimiter = new RateLimiter(30);
  const assets = loadAssets();

  app.get('/chat', (c) => {
    const locale = pickLocale(c.req.query('lang'), c.req.header('accept-language'), texts);
    return c.html(renderPage(assets, locale, texts, deps.org));
  });
  app.get('/chat/app.js', (c) =>
    c.body(assets.js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/chat/app.css', (c) =>
    c.body(assets.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );

  app.post('/chat/api/session', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }), async (c) => {
    const wait = sessionLimiter.take(clientAddress(c.req.raw, c.env) ?? 'unknown');
    if (wait > 0) throw rateLimited(wait);
    const raw = await c.req.text();
    if (raw.trim()) sessionBody.parse(parseJson(raw));
    return c.json(createVisitorToken(secret), 201);
  });

  const requireVisitor = createMiddleware<Env>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const visitorId = header.startsWith('Bearer ') ? verifyVisitorToken(secret, header.slice(7).trim()) : null;
    if (!visitorId) throw new HttpError(401, 'unauthorized', 'a valid visitor token is required: POST /chat/api/session first');
    c.set('visitorId', visitorId);
    await next();
  });
  app.use('/chat/api/messages', requireVisitor);
  app.use('/chat/api/voice', requireVisitor);

  app.post('/chat/api/messages', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }), async (c) => {
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'send JSON with content-type application/json');
    }
    const body = messageBody.parse(parseJson(await c.req.text()));
    const visitorId = c.get('visitorId');
    const wait = messageLimiter.take(visitorId);
    if (wait > 0) throw rateLimited(wait);
    const outcome = await conversations.handleInbound({
      channel: 'web',
      externalUserId: visitorId,
      externalMessageId: body.id,
      text: body.text,
      choice: body.choice,
      localeHint: body.locale,
    });
    return c.json({ accepted: true, duplicate: outcome.status === 'duplicate' }, 202);
  });

  app.post('/chat/api/voice', bodyLimit({ maxSize: MAX_VOICE_BYTES, onError: tooLarge }), async (c) => {
    const id = c.req.query('id') ?? '';
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id))
      throw new HttpError(400, 'invalid_request', 'id must be 8 to 64 letters, digits, - or _');
    const contentType = baseContentType(c.req.header('content-type'));
    if (!contentType.startsWith('audio/') || !ALLOWED_MEDIA_TYPES.has(contentType)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `voice notes must be one of ${[...ALLOWED_MEDIA_TYPES].filter((t) => t.startsWith('audio/')).join(', ')}`,
      );
    }
    const visitorId = c.get('visitorId');
    const wait = messageLimiter.take(visitorId);
    if (wait > 0) throw rateLimited(wait);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0) throw new HttpError(400, 'invalid_request', 'the voice note is empty');
    const mediaId = await storeMedia(database, { channel: 'web', externalUserId: visitorId, kind: 'voice', contentType, bytes });
    const outcome = await conversations.handleInbound({
      channel: 'web',
      externalUserId: visitorId,
      externalMessageId: id,
      media: { kind: 'voice', mediaId },
    });
    return c.json({ accepted: true, duplicate: outcome.status === 'duplicate' }, 202);
  });

  app.get('/chat/api/messages', async (c) => {
    const visitorId = c.get('visitorId');
    const after = Number(c.req.query('after') ?? '0');
    const wait = Number(c.req.query('wait') ?? '0');
    if (!Number.isSafeInteger(after) || after < 0)
      throw new HttpError(400, 'invalid_request', 'after must be a message id (a whole number ≥ 0)');
    if (!Number.isFinite(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
      throw new HttpError(400, 'invalid_request', `wait must be between 0 and ${MAX_WAIT_SECONDS} seconds`);
    }
    // Discreet mode: the page says how far it has cleared; a poll also ends when more was deleted.
    const cleared = c.req.query('cleared') === undefined ? null : Number(c.req.query('cleared'));
    if (cleared !== null && (!Number.isSafeInteger(cleared) || cleared < 0))
      throw new HttpError(400, 'invalid_request', 'cleared must be a message id (a whole number ≥ 0)');
    const deadline = Date.now() + wait * 1000;
    let page = await readMessages(visitorId, after);
    const nothingNew = () => page.messages.length === 0 && (cleared === null || page.clearedUpTo <= cleared);
    // A wake-up may be for a message this visitor already has (sent just before the poll began): wait on.
    while (nothingNew() && Date.now() < deadline && !c.req.raw.signal.aborted) {
      await adapter.waitForMessage(visitorId, deadline - Date.now(), c.req.raw.signal);
      page = await readMessages(visitorId, after);
    }
    return c.json(page);
  });

  async function readMessages(visitorId: string, after: number) {
    const [resident] = await database.db
      .select({ id: residents.id, locale: residents.locale })
      .from(residents)
      .where(and(eq(residents.channel, 'web'), eq(residents.externalId, visitorId)));
    if (!resident) return { messages: [], locale: null, clearedUpTo: 0 };
    // Discreet mode: the transcript up to the newest message deleted from the resident's screen is not
    // shown again (the organisation's copy stays; the inbox reads it, this page does not).
    const [deleted] = await database.rows<{ upTo: number | string | null }>(sql`
      select max(m.id) as "upTo" from messages m join outbox o on o.message_id = m.id
      where m.resident_id = ${resident.id} and m.direction = 'out' and o.delivery_status = 'deleted'`);
    const clearedUpTo = Number(deleted?.upTo ?? 0);
    const rows = await database.db
      .select({
        id: messages.id,
        direction: messages.direction,
        text: messages.text,
        choices: messages.choices,
        mediaKind: messages.mediaKind,
        locale: messages.locale,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .where(and(eq(messages.residentId, resident.id), gt(messages.id, Math.max(after, clearedUpTo))))
      .orderBy(asc(messages.id))
      .limit(200);
    return {
      locale: resident.locale,
      clearedUpTo,
      messages: rows.map((m) => ({
        id: m.id,
        direction: m.direction,
        text: database.cipher.decryptText(m.text),
        choices: m.choices,
        media: m.mediaKind ? { kind: m.mediaKind } : null,
        dir: m.locale ? texts.dir(m.locale) : 'auto',
        createdAt: m.createdAt.toISOString(),
      })),
    };
  }

  return app;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

function tooLarge(): never {
  throw new HttpError(413, 'too_large', 'the request body is too large');
}

function rateLimited(seconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `too many messages; try again in ${seconds} s`, { 'retry-after': String(seconds) });
}

function clientAddress(_request: Request, env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

interface Assets {
  page: string;
  js: string;
  css: string;
  version: string;
}

function loadAssets(): Assets {
  const dir = (file: string) => projectPath('src', 'channels', 'webchat', 'public', file);
  const js = readFileSync(dir('app.js'), 'utf8');
  const css = readFileSync(dir('app.css'), 'utf8');
  let hash = 0;
  for (const ch of js + css) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return { page: readFileSync(dir('page.html'), 'utf8'), js, css, version: (hash >>> 0).toString(36) };
}

/** The ?lang= parameter, else the browser's first supported language, else the source locale. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined, texts: Texts): string {
  const candidates = [query, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0])];
  for (const candidate of candidates) {
    const base = candidate?.trim().toLowerCase().split('-')[0];
    if (base && texts.locales.includes(base)) return base;
  }
  return texts.sourceLocale;
}

function renderPage(assets: Assets, locale: string, texts: Texts, org: string): string {
  const strings = Object.fromEntries(texts.locales.map((l) => [l, webchatStrings(texts, l, org)]));
  const config = {
    org,
    defaultLocale: locale,
    locales: strings,
    rtlLocales: texts.locales.filter((l) => texts.dir(l) === 'rtl'),
    maxTextLength: MAX_TEXT_LENGTH,
    maxVoiceBytes: MAX_VOICE_BYTES,
  };
  // JSON inside <script type="application/json">: escaping "<" keeps "</script>" in a string from closing it.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return assets.page
    .replaceAll('{{LANG}}', escapeHtml(locale))
    .replaceAll('{{DIR}}', texts.dir(locale))
    .replaceAll('{{TITLE}}', escapeHtml(texts.t(locale, 'webchat:title', { org })))
    .replaceAll('{{ASSET_VERSION}}', assets.version)
    .replace('{{CONFIG_JSON}}', () => json);
}

const WEBCHAT_KEYS = [
  'title',
  'intro',
  'placeholder',
  'send',
  'record',
  'stopRecording',
  'recording',
  'voiceNote',
  'start',
  'connectionLost',
  'tooFast',
  'tooLong',
  'sendFailed',
  'you',
  'bot',
  'emergencyBar',
  'privacyNote',
] as const;

function webchatStrings(texts: Texts, locale: string, org: string): Record<string, string> {
  return Object.fromEntries(WEBCHAT_KEYS.map((k) => [k, texts.t(locale, `webchat:${k}`, { org })]));
}

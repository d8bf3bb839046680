import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { bodyLimit } from '../../server/body-limit.js';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { ConversationService } from '../../conversation/conversation-service.js';
import type { Database } from '../../db/database.js';
import { media, messages, residents, staff } from '../../db/schema.js';
import type { Texts } from '../../engine/texts.js';
import type { MediaKind } from '../../engine/types.js';
import {
  ALLOWED_MEDIA_TYPES,
  baseContentType,
  deleteUnusedMedia,
  inboundAlreadyStored,
  storeMedia,
} from '../../media/store-media.js';
import { SNIFF_BYTES, sniffUploadType } from '../../media/sniff-upload-type.js';
import { outboundFileName } from '../../media/outbound-file-name.js';
import { mediaResponse } from '../../inbox/media-response.js';
import { ByteQuota, type QuotaLimit, type QuotaRefusal } from '../../server/byte-quota.js';
import { clientAddress } from '../../server/client-address.js';
import { HttpError } from '../../server/http-error.js';
import { RateLimiter } from '../../limits/rate-limiter.js';
import { peekBody } from '../../server/peek-body.js';
import { nameForResidents } from '../../staff/name-for-residents.js';
import { discardBody, readCappedBody } from '../../server/read-capped-body.js';
import { assetResponse, loadStaticAssets } from '../../server/static-assets.js';
import { chatPage, MAX_TEXT_LENGTH, pickLocale } from './chat-page.js';
import type { WebchatAdapter } from './webchat-adapter.js';
import { createVisitorToken, verifyVisitorToken } from './visitor-token.js';

const MAX_JSON_BYTES = 16 * 1024;
const MAX_WAIT_SECONDS = 25;
/** Voice notes and files read at once by this process: with the size caps, what uploads can hold in memory together. */
const MAX_UPLOADS_AT_ONCE = 8;
/** A token in use is renewed (a new one in the `X-Visitor-Token` header) once it is this old. */
const RENEW_AFTER_MS = 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A staff member's id as stored in `messages.author` (else 'bot', or 'api' for the shared token). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Voice notes: the largest one, and the bytes one visitor and one client address may send per hour and
 * day. The quotas count files (photos, PDFs) too: they bound what one visitor or address can put in the
 * database, whatever it is.
 */
export interface VoiceLimits {
  maxBytes: number;
  perVisitor: { hour: number; day: number };
  perAddress: { hour: number; day: number };
}

/** Photos and PDFs: the largest one (WEBCHAT_MAX_FILE_BYTES); their bytes count against the voice quotas. */
export interface FileLimits {
  maxBytes: number;
}

/** The stored type and media kind of an upload. */
type UploadType = { contentType: string; kind: MediaKind };

/** What differs between a voice note and a file upload. */
interface UploadKind {
  /** How refusals name it: "voice note", "file". */
  noun: string;
  maxBytes: number;
  /** Voice notes: the type is the declared one, checked before anything else (415 otherwise). */
  declaredType?: (contentType: string) => UploadType;
  /** Files: the type is what the first bytes say, checked before the rest is read (415 otherwise). */
  sniffType?: (head: Uint8Array) => UploadType;
}

export interface WebchatDeps {
  database: Database;
  conversations: ConversationService;
  adapter: WebchatAdapter;
  texts: Texts;
  secret: string;
  org: string;
  messagesPerMinute: number;
  /** New chats (visitor tokens) one address may start per hour, five at once at most (a flood of new chats). */
  newChatsPerAddressPerHour?: number;
  voice: VoiceLimits;
  files: FileLimits;
  /** A visitor token unused this many days no longer opens its chat (WEBCHAT_IDLE_DAYS). */
  idleDays: number;
  /** A case closed this many hours ago no longer shows on the page (WEBCHAT_CLOSED_TRANSCRIPT_HOURS). */
  closedTranscriptHours: number;
  now?: () => number;
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
  const { database, conversations, adapter, texts, secret, voice, files } = deps;
  const now = deps.now ?? Date.now;
  const app = new Hono<Env>();
  const messageLimiter = new RateLimiter(deps.messagesPerMinute);
  // Ten minutes' worth of new chats at once from one address (at least five), then the hourly rate. A
  // refused page keeps what was typed and tries again; its emergency bar (112) is there all along.
  const newChatsPerHour = deps.newChatsPerAddressPerHour ?? 30;
  const newChatBurst = Math.max(5, Math.round(newChatsPerHour / 6));
  const sessionLimiter = new RateLimiter(newChatBurst, now, (newChatBurst / newChatsPerHour) * 3_600_000);
  const visitorQuota = new ByteQuota(quotaLimits(voice.perVisitor), now);
  const addressQuota = new ByteQuota(quotaLimits(voice.perAddress), now);
  /** `<visitor>:<message id>` of the uploads being read, so a retry that overtakes its first try waits. */
  const uploading = new Set<string>();
  const idleMs = deps.idleDays * DAY_MS;
  const assets = loadStaticAssets(['src', 'channels', 'webchat', 'public'], ['app.js', 'app.css']);
  const page = {
    org: deps.org,
    maxVoiceBytes: voice.maxBytes,
    maxFileBytes: files.maxBytes,
    idleDays: deps.idleDays,
    closedHours: deps.closedTranscriptHours,
  };
  const voiceUpload: UploadKind = {
    noun: 'voice note',
    maxBytes: voice.maxBytes,
    declaredType: (contentType) => {
      if (!contentType.startsWith('audio/') || !ALLOWED_MEDIA_TYPES.has(contentType)) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          `voice notes must be one of ${[...ALLOWED_MEDIA_TYPES].filter((t) => t.startsWith('audio/')).join(', ')}`,
        );
      }
      return { contentType, kind: 'voice' };
    },
  };
  const fileUpload: UploadKind = {
    noun: 'file',
    maxBytes: files.maxBytes,
    sniffType: (head) => {
      const type = sniffUploadType(head);
      if (!type) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'a file must be a photo (JPEG, PNG or WebP) or a PDF; its content is none of these, whatever its name or declared type',
        );
      }
      return type;
    },
  };

  app.get('/chat', (c) => {
    const locale = pickLocale(c.req.query('lang'), c.req.header('accept-language'), texts);
    return c.html(chatPage(locale, texts, page, assets.version).value);
  });
  app.get('/chat/app.js', (c) => assetResponse(c, assets.files['app.js'], 'js', 3600));
  app.get('/chat/app.css', (c) => assetResponse(c, assets.files['app.css'], 'css', 3600));

  app.post('/chat/api/session', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }), async (c) => {
    const wait = sessionLimiter.take(clientAddress(c));
    if (wait > 0) throw rateLimited(wait, 'too many new chats from this address');
    const raw = await c.req.text();
    if (raw.trim()) sessionBody.parse(parseJson(raw));
    return c.json(createVisitorToken(secret, now()), 201);
  });

  /**
   * A valid token not older than the idle lifetime; one older than RENEW_AFTER_MS (or of the old form)
   * is renewed in the `X-Visitor-Token` header, which the page keeps. An expired token is refused like a forged one, so
   * the page starts a new session and the old chat is not shown.
   */
  const requireVisitor = createMiddleware<Env>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const visitor = header.startsWith('Bearer ') ? verifyVisitorToken(secret, header.slice(7).trim()) : null;
    if (!visitor) throw new HttpError(401, 'unauthorized', 'a valid visitor token is required: POST /chat/api/session first');
    const at = now();
    const renewedAt = visitor.renewedAt ?? (await lastMessageAt(visitor.visitorId));
    if (renewedAt === null || at - renewedAt > idleMs) {
      throw new HttpError(
        401,
        'expired',
        `this chat was not used for ${deps.idleDays} days and no longer opens on this device: POST /chat/api/session to start anew`,
      );
    }
    if (visitor.renewedAt === null || at - renewedAt >= RENEW_AFTER_MS) {
      c.header('x-visitor-token', createVisitorToken(secret, at, visitor.visitorId).token);
    }
    c.set('visitorId', visitor.visitorId);
    await next();
  });
  app.use('/chat/api/messages', requireVisitor);
  app.use('/chat/api/voice', requireVisitor);
  app.use('/chat/api/file', requireVisitor);
  app.use('/chat/api/files/*', requireVisitor);

  /** A token from before tokens carried a time: as old as the resident's last message (none: nothing to show). */
  async function lastMessageAt(visitorId: string): Promise<number | null> {
    const [row] = await database.db
      .select({ at: residents.lastInboundAt, createdAt: residents.createdAt })
      .from(residents)
      .where(and(eq(residents.channel, 'web'), eq(residents.externalId, visitorId)));
    return row ? (row.at ?? row.createdAt).getTime() : null;
  }

  /**
   * "Remove this chat from this device": the page forgets its token, and here the token stops opening
   * the chat. The resident keeps everything else (their case, at the organisation, until erasure or
   * retention); only the link from this visitor id goes: the row gets an address no token can name, so
   * a copy of the token left anywhere opens an empty chat. An expired or unknown token is simply done.
   */
  app.delete('/chat/api/session', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const visitor = header.startsWith('Bearer ') ? verifyVisitorToken(secret, header.slice(7).trim()) : null;
    if (!visitor) throw new HttpError(401, 'unauthorized', 'a valid visitor token is required');
    await database.db
      .update(residents)
      .set({ externalId: `removed:${randomUUID()}` })
      .where(and(eq(residents.channel, 'web'), eq(residents.externalId, visitor.visitorId)));
    adapter.wake(visitor.visitorId); // an open long poll of this token answers (empty) at once
    return c.body(null, 204);
  });

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

  /**
   * A voice note: the id and the declared type are checked, then whether this visitor sent this id
   * before (a retry is answered without storing it again), then the quotas; then the body is read as it
   * streams, never kept past the size cap or what the quotas leave (413 or 429 as soon as it passes), and
   * stored once.
   */
  app.post('/chat/api/voice', (c) => receive(c, voiceUpload));

  /**
   * A photo or PDF (issue 15, "Documents"): as a voice note, except that its type is what its first
   * bytes say (JPEG, PNG, WebP or PDF), whatever the browser declared or named it; it is stored under
   * that type. The first bytes are read after the duplicate check and before the quotas: anything else
   * is refused (415) there, and the rest is dropped as it arrives, never kept. Voice notes and files
   * share the per-visitor rate limit and the byte quotas (what one visitor or address may put in the
   * database), and the number read at once.
   */
  app.post('/chat/api/file', (c) => receive(c, fileUpload));

  /** A body still to be read, or already taken on (read, or handed to readCappedBody, which drains it). */
  type PendingBody = { stream: ReadableStream<Uint8Array> | null; taken: boolean };

  async function receive(c: Context<Env>, upload: UploadKind): Promise<Response> {
    const declared = declaredLength(c.req.header('content-length'), c.req.header('transfer-encoding'));
    if (declared !== undefined && declared > upload.maxBytes) throw uploadTooLarge(upload);
    const body: PendingBody = { stream: c.req.raw.body, taken: false };
    try {
      return await receiveUpload(c, upload, declared, body);
    } finally {
      // Answered before the body was needed (a retry, a refusal): take in the rest without keeping it, up
      // to the size cap, so that a browser on a slow line reads the answer, not a reset connection.
      if (!body.taken) await discardBody(body.stream, upload.maxBytes);
    }
  }

  async function receiveUpload(
    c: Context<Env>,
    upload: UploadKind,
    declared: number | undefined,
    body: PendingBody,
  ): Promise<Response> {
    const id = c.req.query('id') ?? '';
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id))
      throw new HttpError(400, 'invalid_request', 'id must be 8 to 64 letters, digits, - or _');
    let type = upload.declaredType?.(baseContentType(c.req.header('content-type')));
    const visitorId = c.get('visitorId');
    const wait = messageLimiter.take(visitorId);
    if (wait > 0) throw rateLimited(wait);
    const key = `${visitorId}:${id}`;
    if (uploading.has(key))
      throw new HttpError(409, 'in_progress', `this ${upload.noun} is still being received; try again in a moment`, {
        'retry-after': '2',
      });
    if (uploading.size >= MAX_UPLOADS_AT_ONCE)
      throw new HttpError(503, 'busy', 'many uploads are arriving at once; try again in a moment', { 'retry-after': '5' });
    uploading.add(key);
    try {
      const inbound = { channel: 'web' as const, externalUserId: visitorId, externalMessageId: id };
      if (await inboundAlreadyStored(database, inbound)) return c.json({ accepted: true, duplicate: true }, 202);

      if (upload.sniffType) {
        const peeked = await peekBody(body.stream, SNIFF_BYTES).catch(() => {
          throw new HttpError(400, 'incomplete', `the ${upload.noun} did not arrive whole`);
        });
        body.stream = peeked.body;
        if (peeked.head.byteLength === 0) throw new HttpError(400, 'invalid_request', `the ${upload.noun} is empty`);
        type = upload.sniffType(peeked.head);
      }
      if (!type) throw new Error(`the ${upload.noun} upload has no way to tell its type`); // a bug here, not the visitor's

      const address = clientAddress(c);
      const need = Math.max(1, declared ?? 1);
      const byVisitor = visitorQuota.reserve(visitorId, need, upload.maxBytes);
      if (!byVisitor.ok) throw quotaExceeded(byVisitor, 'this chat');
      const byAddress = addressQuota.reserve(address, need, byVisitor.bytes);
      if (!byAddress.ok) {
        byVisitor.release(0);
        throw quotaExceeded(byAddress, 'this address');
      }
      let kept = 0;
      try {
        const cap = byAddress.bytes; // the size cap, or less when that is all the quotas leave
        body.taken = true;
        const read = await readCappedBody(body.stream, cap, { expected: declared, discardUpTo: upload.maxBytes }).catch(() => {
          throw new HttpError(400, 'incomplete', `the ${upload.noun} did not arrive whole`);
        });
        if (read.over) {
          if (read.read > upload.maxBytes) throw uploadTooLarge(upload);
          // Under the size cap but more than the quotas left: refused as they would have been up front.
          byVisitor.release(0);
          byAddress.release(0);
          const refusal = visitorQuota.check(visitorId, read.read);
          if (refusal) throw quotaExceeded(refusal, 'this chat');
          throw quotaExceeded(addressQuota.check(address, read.read), 'this address');
        }
        if (read.bytes.byteLength === 0) throw new HttpError(400, 'invalid_request', `the ${upload.noun} is empty`);
        const mediaId = await storeMedia(database, {
          ...inbound,
          kind: type.kind,
          contentType: type.contentType,
          bytes: read.bytes,
        });
        const outcome = await conversations.handleInbound({ ...inbound, media: { kind: type.kind, mediaId } });
        // Two uploads of one message at the same moment on two instances: the second file is not kept.
        if (outcome.status === 'duplicate') await deleteUnusedMedia(database, mediaId);
        else kept = read.bytes.byteLength;
        return c.json({ accepted: true, duplicate: outcome.status === 'duplicate' }, 202);
      } finally {
        byVisitor.release(kept);
        byAddress.release(kept);
      }
    } finally {
      uploading.delete(key);
    }
  }

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

  /**
   * A file a trust person sent this visitor (issue 15, "Documents"), by its message id: only an outbound
   * message of the visitor's own chat that the page may still show (not up to `clearedUpTo`: deleted in
   * discreet mode, or of a case closed long enough ago). Anything else is 404, whoever's it is. Always a
   * download (`Content-Disposition: attachment`), `nosniff`, under the sandboxing CSP of the inbox's media.
   */
  app.get('/chat/api/files/:messageId', async (c) => {
    const messageId = Number(c.req.param('messageId'));
    const missing = new HttpError(404, 'not_found', 'no such file in this chat');
    if (!Number.isSafeInteger(messageId) || messageId < 1) throw missing;
    const [resident] = await database.db
      .select({ id: residents.id })
      .from(residents)
      .where(and(eq(residents.channel, 'web'), eq(residents.externalId, c.get('visitorId'))));
    if (!resident || messageId <= (await clearedUpToOf(resident.id))) throw missing;
    const [file] = await database.db
      .select({ kind: media.kind, contentType: media.contentType, content: media.content })
      .from(messages)
      .innerJoin(media, eq(media.id, messages.mediaId))
      .where(and(eq(messages.id, messageId), eq(messages.residentId, resident.id), eq(messages.direction, 'out')));
    if (!file) throw missing;
    const name = outboundFileName(file.contentType).replace(/\.[a-z]+$/, '');
    return mediaResponse({ ...file, content: database.cipher.decryptBytes(file.content) }, { name });
  });

  /**
   * The page shows nothing up to this message id (the organisation's copy stays; the inbox reads it, this
   * page does not): in discreet mode the newest message deleted from the resident's screen; and the last
   * message of a case closed more than WEBCHAT_CLOSED_TRANSCRIPT_HOURS ago (a later conversation, which
   * the resident starts by writing again, has higher ids and shows).
   */
  async function clearedUpToOf(residentId: string): Promise<number> {
    const closedBefore = new Date(now() - deps.closedTranscriptHours * HOUR_MS).toISOString();
    const [cleared] = await database.rows<{ deleted: number | string | null; closed: number | string | null }>(sql`
      select
        (select max(m.id) from messages m join outbox o on o.message_id = m.id
         where m.resident_id = ${residentId} and m.direction = 'out' and o.delivery_status = 'deleted') as "deleted",
        (select max(m.id) from messages m join conversations c on c.id = m.conversation_id
         where m.resident_id = ${residentId} and c.mode = 'closed'
           and coalesce((select max(h.closed_at) from handoffs h where h.conversation_id = c.id), c.updated_at)
               <= ${closedBefore}::timestamptz) as "closed"`);
    return Math.max(Number(cleared?.deleted ?? 0), Number(cleared?.closed ?? 0));
  }

  async function readMessages(visitorId: string, after: number) {
    const [resident] = await database.db
      .select({ id: residents.id, locale: residents.locale })
      .from(residents)
      .where(and(eq(residents.channel, 'web'), eq(residents.externalId, visitorId)));
    if (!resident) return { messages: [], locale: null, clearedUpTo: 0 };
    const clearedUpTo = await clearedUpToOf(resident.id);
    const rows = await database.db
      .select({
        id: messages.id,
        direction: messages.direction,
        author: messages.author,
        text: messages.text,
        choices: messages.choices,
        mediaKind: messages.mediaKind,
        mediaId: messages.mediaId,
        contentType: media.contentType,
        locale: messages.locale,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .leftJoin(media, eq(media.id, messages.mediaId))
      .where(and(eq(messages.residentId, resident.id), gt(messages.id, Math.max(after, clearedUpTo))))
      .orderBy(asc(messages.id))
      .limit(200);
    // A human face (issue 15): a trust person's message shows their first name (or role label) and looks unlike the bot's.
    const authors = [...new Set(rows.map((m) => m.author).filter((a): a is string => !!a && UUID.test(a)))];
    const names = new Map(
      authors.length === 0
        ? []
        : (
            await database.db
              .select({ id: staff.id, name: staff.name, residentLabel: staff.residentLabel })
              .from(staff)
              .where(inArray(staff.id, authors))
          ).map((s) => [s.id, nameForResidents(s)?.name ?? ''] as const),
    );
    return {
      locale: resident.locale,
      clearedUpTo,
      messages: rows.map((m) => ({
        id: m.id,
        direction: m.direction,
        from: m.direction === 'in' ? 'you' : m.author && m.author !== 'bot' ? 'person' : 'bot',
        ...(m.author && names.get(m.author) ? { name: names.get(m.author) } : {}),
        text: database.cipher.decryptText(m.text),
        choices: m.choices,
        media: m.mediaKind ? { kind: m.mediaKind } : null,
        // A trust person's file (issue 15): the page fetches it with the visitor token and offers it to save.
        ...(m.direction === 'out' && m.mediaId && m.contentType
          ? { file: { kind: m.mediaKind, name: outboundFileName(m.contentType), url: `/chat/api/files/${m.id}` } }
          : {}),
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

function rateLimited(seconds: number, what = 'too many messages'): HttpError {
  return new HttpError(429, 'rate_limited', `${what}; try again in ${seconds} s`, { 'retry-after': String(seconds) });
}

function uploadTooLarge(upload: UploadKind): HttpError {
  return new HttpError(413, 'too_large', `a ${upload.noun} may be at most ${megabytes(upload.maxBytes)}`);
}

/** 429 with the limit that refused and when to try again; without one (freed meanwhile), a short wait. */
function quotaExceeded(refusal: QuotaRefusal | null, who: string): HttpError {
  const seconds = refusal?.retryAfterSeconds ?? 10;
  const what = refusal
    ? `at most ${megabytes(refusal.limit.bytes)} of voice notes and files per ${refusal.limit.per} from ${who}`
    : 'too many uploads at once';
  return new HttpError(429, 'quota_exceeded', `${what}; try again in ${seconds} s, or type the message`, {
    'retry-after': String(seconds),
  });
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${bytes} bytes`;
}

/** Content-Length when it is the body's length (not with chunked transfer), else undefined. */
function declaredLength(contentLength: string | undefined, transferEncoding: string | undefined): number | undefined {
  if (transferEncoding || contentLength === undefined || !/^\d{1,15}$/.test(contentLength.trim())) return undefined;
  return Number(contentLength.trim());
}

function quotaLimits(per: { hour: number; day: number }): QuotaLimit[] {
  return [
    { per: 'hour', windowMs: HOUR_MS, bytes: per.hour },
    { per: 'day', windowMs: DAY_MS, bytes: per.day },
  ];
}

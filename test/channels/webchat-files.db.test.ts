import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { media, messages } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made), {}, { inbox: { loginAttemptsPerMinute: 1000 } });

const CHUNK = 16 * 1024;
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
/** Files of each type: their magic bytes, then filler. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, ...ascii('JFIF'), 0, ...new Array(200).fill(1)]);
const PNG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  13,
  ...ascii('IHDR'),
  ...new Array(200).fill(2),
]);
const WEBP = new Uint8Array([...ascii('RIFF'), 200, 0, 0, 0, ...ascii('WEBPVP8 '), ...new Array(200).fill(3)]);
const PDF = new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const HTML = new TextEncoder().encode('<!doctype html><html><script>alert(document.cookie)</script></html>');
const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>');

/** A body that streams `total` bytes (starting with `head`) in chunks and counts how many the server pulled. */
function streamedBody(total: number, head: Uint8Array = JPEG) {
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      const size = Math.min(CHUNK, total - counter.pulled);
      const chunk = new Uint8Array(size).fill(7);
      if (counter.pulled === 0) chunk.set(head.subarray(0, size));
      counter.pulled += size;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

async function postFile(
  server: App['server'],
  chat: WebchatClient,
  id: string,
  body: BodyInit,
  contentType = 'application/octet-stream',
  headers: Record<string, string> = {},
): Promise<Response> {
  return await server.request(`/chat/api/file?id=${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': contentType, ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

const mediaRows = () =>
  testDb.database.db
    .select({ id: media.id, kind: media.kind, contentType: media.contentType, byteSize: media.byteSize })
    .from(media);

async function expectError(res: Response, status: number, error: string, reason: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; reason: string };
  expect(body.error).toBe(error);
  expect(body.reason).toMatch(reason);
}

describe('web chat photos and PDFs', () => {
  it('takes a JPEG, PNG, WebP and PDF, stores each under the type its content shows, and shows them on the case', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app);
    // What the browser declared does not count: a PNG said to be a JPEG is kept as a PNG.
    const sent = [
      { bytes: JPEG, declared: 'image/jpeg', stored: 'image/jpeg', kind: 'image' },
      { bytes: PNG, declared: 'image/jpeg', stored: 'image/png', kind: 'image' },
      { bytes: WEBP, declared: '', stored: 'image/webp', kind: 'image' },
      { bytes: PDF, declared: 'application/pdf', stored: 'application/pdf', kind: 'document' },
    ];
    for (const file of sent) {
      const res = await postFile(app.server, chat, chat.nextId(), file.bytes, file.declared);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: true, duplicate: false });
    }
    const rows = await testDb.database.db
      .select({ kind: messages.mediaKind, contentType: media.contentType, byteSize: media.byteSize })
      .from(messages)
      .innerJoin(media, eq(media.id, messages.mediaId))
      .orderBy(messages.id);
    expect(rows).toEqual(sent.map((f) => ({ kind: f.kind, contentType: f.stored, byteSize: f.bytes.byteLength })));

    // The page lists them as the resident's own photo and document, without a way to fetch them back.
    const listed = (await chat.read()).messages.filter((m) => m.direction === 'in' && m.media);
    expect(listed.map((m) => m.media)).toEqual(sent.map((f) => ({ kind: f.kind })));
    expect(JSON.stringify(listed)).not.toMatch(/url|\/media\//);

    // Staff see them on the case page like a Telegram photo or document: the pictures in the page, every file served as an attachment.
    const coordinator = await addStaff(app, { role: 'coordinator' });
    const staff = new StaffBrowser(app.server);
    await staff.login(coordinator.email);
    const page = await staff.page(`/inbox/handoffs/${handoffId}`);
    const images = [...page.html.matchAll(/<img class="media-image" src="([^"]+)"/g)].map((m) => m[1]!);
    expect(images).toHaveLength(3);
    const downloads = [...page.html.matchAll(/<a class="media-download" href="([^"]+)\?download=1"/g)].map((m) => m[1]!);
    expect(downloads).toHaveLength(1);
    for (const [src, type] of images.map((src, i) => [src, sent[i]!.stored] as const)) {
      const res = await staff.request(src);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="image-[0-9a-f]{8}\.(jpg|png|webp)"$/);
    }
    const pdf = await staff.request(`${downloads[0]}?download=1`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="document-[0-9a-f]{8}\.pdf"$/);
    expect(pdf.headers.get('content-security-policy')).toContain('sandbox');
    expect(new Uint8Array(await pdf.arrayBuffer())).toEqual(PDF);
    // Even opened without ?download=1 a PDF is an attachment under the sandboxing CSP, never shown inline.
    const opened = await staff.request(downloads[0]!);
    expect(opened.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(opened.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('treats a photo in the intake as the other channels do: kept for the trust person, the intake goes on', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:yes');
    const res = await postFile(app.server, chat, chat.nextId(), JPEG, 'image/jpeg');
    expect(res.status).toBe(202);
    const replies = await chat.replies();
    expect(replies.map((r) => r.text).join('\n')).toContain(texts.t('nl', 'bot:note.saved'));
  });

  it('refuses an HTML page renamed .pdf and sent as application/pdf (415), and keeps nothing', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const res = await postFile(app.server, chat, chat.nextId(), HTML, 'application/pdf', {
      'content-disposition': 'attachment; filename="brief.pdf"',
    });
    await expectError(res, 415, 'unsupported_media_type', /photo \(JPEG, PNG or WebP\) or a PDF/);
    expect(await mediaRows()).toEqual([]);
    expect(await testDb.database.db.select().from(messages)).toEqual([]);
  });

  it('refuses an SVG, whatever it is declared as', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    for (const declared of ['image/svg+xml', 'image/png', 'application/octet-stream']) {
      await expectError(await postFile(app.server, chat, chat.nextId(), SVG, declared), 415, 'unsupported_media_type', /PDF/);
    }
    expect(await mediaRows()).toEqual([]);
  });

  it('refuses a file of another type by its first bytes and keeps none of it', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(20).fill(0)]);
    const { stream, counter } = streamedBody(4 * 1024 * 1024, zip);
    await expectError(await postFile(app.server, chat, chat.nextId(), stream), 415, 'unsupported_media_type', /PDF/);
    // The rest is taken in and dropped (so the browser reads the answer) up to the size cap, not kept.
    expect(counter.pulled).toBeLessThanOrEqual(10 * 1024 * 1024 + 2 * CHUNK);
    expect(await mediaRows()).toEqual([]);
    await expectError(await postFile(app.server, chat, chat.nextId(), new Uint8Array(0)), 400, 'invalid_request', /empty/);
  });

  it('refuses a file over WEBCHAT_MAX_FILE_BYTES with 413, stops reading it, and keeps nothing', async () => {
    const capped = await createTestApp(testDb.database, { WEBCHAT_MAX_FILE_BYTES: String(100 * 1024) });
    try {
      const chat = await new WebchatClient(capped.server).startSession();
      // A Content-Length over the cap: refused before a byte is read.
      const declared = streamedBody(3 * 1024 * 1024);
      const res = await postFile(capped.server, chat, chat.nextId(), declared.stream, 'image/jpeg', {
        'content-length': String(3 * 1024 * 1024),
      });
      await expectError(res, 413, 'too_large', /a file may be at most 100 KB|at most 102400 bytes/);
      expect(declared.counter.pulled).toBeLessThanOrEqual(2 * CHUNK); // what the stream fills ahead; not read
      // No Content-Length (streamed): read until the cap, then refused.
      const { stream, counter } = streamedBody(3 * 1024 * 1024);
      await expectError(await postFile(capped.server, chat, chat.nextId(), stream), 413, 'too_large', /a file may be at most/);
      expect(counter.pulled).toBeLessThan(100 * 1024 + 3 * CHUNK);
      expect(await mediaRows()).toEqual([]);
      // Just under the cap is fine; a voice note keeps its own cap.
      const fits = new Uint8Array(100 * 1024).fill(2);
      fits.set(PNG.subarray(0, 16));
      expect((await postFile(capped.server, chat, chat.nextId(), fits, 'image/png')).status).toBe(202);
      expect((await mediaRows()).map((m) => m.byteSize)).toEqual([100 * 1024]);
    } finally {
      await capped.close();
    }
  });

  it('stores a file sent three times with one id once: the retries are answered without reading them', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const id = chat.nextId();
    expect(await (await postFile(app.server, chat, id, PDF, 'application/pdf')).json()).toEqual({
      accepted: true,
      duplicate: false,
    });
    for (let i = 0; i < 2; i++) {
      const { stream, counter } = streamedBody(5000, PDF);
      const again = await postFile(app.server, chat, id, stream, 'application/pdf');
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual({ accepted: true, duplicate: true });
      expect(counter.pulled).toBe(5000); // taken in and dropped, so the browser gets the answer cleanly
    }
    expect(await mediaRows()).toHaveLength(1);
    expect(await testDb.database.db.select().from(messages).where(eq(messages.direction, 'in'))).toHaveLength(1);
    // Another visitor may use the same id.
    const other = await new WebchatClient(app.server).startSession();
    expect((await postFile(app.server, other, id, PNG)).status).toBe(202);
    expect(await mediaRows()).toHaveLength(2);
  });

  it('counts files and voice notes against one quota per visitor (429 with Retry-After and the reason)', async () => {
    const strict = await createTestApp(testDb.database, {
      WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR: '10000',
      WEBCHAT_MAX_FILE_BYTES: '8000',
      WEBCHAT_MAX_VOICE_BYTES: '8000',
    });
    try {
      const chat = await new WebchatClient(strict.server).startSession();
      const voice = await strict.server.request(`/chat/api/voice?id=${chat.nextId()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/webm' },
        body: new Uint8Array(6000),
      });
      expect(voice.status).toBe(202);
      const photo = new Uint8Array(6000);
      photo.set(JPEG.subarray(0, 16));
      const over = await postFile(strict.server, chat, chat.nextId(), photo, 'image/jpeg', { 'content-length': '6000' });
      await expectError(over, 429, 'quota_exceeded', /at most 10000 bytes of voice notes and files per hour from this chat/);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(3000);
      // What is left still fits.
      expect((await postFile(strict.server, chat, chat.nextId(), photo.subarray(0, 4000))).status).toBe(202);
      expect((await mediaRows()).map((m) => m.kind).sort()).toEqual(['image', 'voice']);
    } finally {
      await strict.close();
    }
  });

  it('wants a visitor token and a message id', async () => {
    const res = await app.server.request('/chat/api/file?id=abcdefgh', { method: 'POST', body: JPEG });
    expect(res.status).toBe(401);
    const chat = await new WebchatClient(app.server).startSession();
    await expectError(await postFile(app.server, chat, 'short', JPEG), 400, 'invalid_request', /id must be/);
  });
});

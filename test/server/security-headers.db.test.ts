import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { messages } from '../../src/db/schema.js';
import { HSTS } from '../../src/server/security-headers.js';
import { FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Security headers on every page (and every other response), checked on the real routes: the web chat,
 * the inbox (log-in, queue, case, audit), the WhatsApp pairing page with its QR, /healthz, errors. The
 * browser tests (test/browser) check that the pages work under the policy and break none of it.
 */

const STAFF_TOKEN = 'staff-token-staff-token-staff-token-123';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

let testDb: TestDatabase;
let fake: FakeWhatsApp;
let app: App;
let coordinator: StaffBrowser;
let handoffId: string;
let mediaId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  fake = new FakeWhatsApp();
  app = await createTestApp(
    testDb.database,
    { WHATSAPP_ENABLED: 'true', STAFF_API_TOKEN: STAFF_TOKEN },
    { whatsappSocketFactory: fake.factory, whatsappMediaDownloader: fake.downloadMedia, whatsappPrintQr: () => undefined },
  );
  await app.start();
  await waitFor(
    () => app.whatsapp!.status().state === 'qr',
    5000,
    () => 'a QR code on the pairing page',
  );
  const person = await addStaff(app, { role: 'coordinator' });
  coordinator = new StaffBrowser(app.server);
  expect((await coordinator.login(person.email)).status).toBe(303);
  const asked = await residentAsksForPerson(app);
  handoffId = asked.handoffId;
  const voice = await app.server.request('/chat/api/voice?id=voice-note-1', {
    method: 'POST',
    headers: { authorization: `Bearer ${asked.chat.token}`, 'content-type': 'audio/ogg' },
    body: new Uint8Array([79, 103, 103, 83, 0, 2]),
  });
  expect(voice.status).toBe(202);
  const [row] = await testDb.database.db
    .select({ mediaId: messages.mediaId })
    .from(messages)
    .where(and(eq(messages.direction, 'in'), isNotNull(messages.mediaId)));
  mediaId = row!.mediaId!;
});
afterAll(async () => {
  await app?.close();
  await testDb?.destroy();
});

function expectHardened(res: Response, where: string, permissions = /microphone=\(\)/) {
  const h = (name: string) => res.headers.get(name);
  expect(h('content-security-policy'), where).toBe(CSP);
  expect(h('x-content-type-options'), where).toBe('nosniff');
  expect(h('referrer-policy'), where).toBe('no-referrer');
  expect(h('x-frame-options'), where).toBe('DENY');
  expect(h('cross-origin-opener-policy'), where).toBe('same-origin');
  expect(h('cross-origin-resource-policy'), where).toBe('same-origin');
  expect(h('permissions-policy'), where).toMatch(permissions);
  expect(h('permissions-policy'), where).toContain('camera=()');
  expect(h('permissions-policy'), where).toContain('geolocation=()');
  expect(h('strict-transport-security'), `${where}: no HSTS over plain http`).toBeNull();
  expect(h('x-powered-by'), where).toBeNull();
}

/** What a strict CSP forbids in the markup itself: inline script, inline style, event-handler attributes. */
function expectNoInlineCode(html: string, where: string) {
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    expect(/\bsrc="\/[^"]+"/.test(tag) || /type="application\/json"/.test(tag), `${where}: ${tag}`).toBe(true);
  }
  expect(html, where).not.toMatch(/<[^>]+\sstyle\s*=/i);
  expect(html, where).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
  expect(html, where).not.toMatch(/<style\b/i);
  expect(html, where).not.toMatch(/javascript:/i);
}

describe('security headers', () => {
  it('are on every page, and the pages hold no inline script or style', async () => {
    const pages: [string, () => Response | Promise<Response>][] = [
      ['web chat', () => app.server.request('/chat?lang=ar')],
      ['inbox log-in', () => app.server.request('/inbox/login')],
      ['queue', () => coordinator.request('/inbox')],
      ['case', () => coordinator.request(`/inbox/handoffs/${handoffId}`)],
      ['audit log', () => coordinator.request('/inbox/audit')],
      ['WhatsApp pairing page', () => app.server.request('/whatsapp', { headers: { authorization: `Bearer ${STAFF_TOKEN}` } })],
      ['WhatsApp pairing page, inbox log-in', () => coordinator.request('/whatsapp')],
    ];
    for (const [where, load] of pages) {
      const res = await load();
      expect(res.status, where).toBe(200);
      expect(res.headers.get('content-type'), where).toMatch(/^text\/html/);
      expectHardened(res, where, where === 'web chat' ? /(^|, )microphone=\(self\)/ : /(^|, )microphone=\(\)/);
      const html = await res.text();
      expectNoInlineCode(html, where);
      if (where.startsWith('WhatsApp')) expect(html, where).toMatch(/<svg [^>]*viewBox/); // the QR is drawn inline
    }
  });

  it('are on JSON, assets, redirects and errors too', async () => {
    const responses: [string, Response][] = [
      ['/healthz', await app.server.request('/healthz')],
      ['the chat script', await app.server.request('/chat/app.js')],
      ['the inbox stylesheet', await coordinator.request('/inbox/assets/inbox.css')],
      ['the staff API', await app.server.request('/api/handoffs', { headers: { authorization: `Bearer ${STAFF_TOKEN}` } })],
      ['a redirect', await app.server.request('/')],
      ['the empty favicon', await app.server.request('/favicon.ico')],
      ['401', await app.server.request('/chat/api/messages?after=0')],
      ['404', await app.server.request('/no/such/page')],
    ];
    for (const [where, res] of responses) {
      expect(res.status, where).toBeLessThan(500);
      expectHardened(res, where);
    }
    const health = await app.server.request('/healthz');
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('leave a media file its own stricter, sandboxing policy', async () => {
    const res = await coordinator.request(`/inbox/handoffs/${handoffId}/media/${mediaId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/ogg');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; media-src 'self'; img-src 'self'; sandbox");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('add Strict-Transport-Security when PUBLIC_URL is https', async () => {
    const https = await createTestApp(testDb.database, { PUBLIC_URL: 'https://chat.example.org' });
    try {
      for (const path of ['/chat', '/inbox/login', '/healthz']) {
        const res = await https.server.request(path);
        expect(res.headers.get('strict-transport-security'), path).toBe(HSTS);
        expect(res.headers.get('content-security-policy'), path).toBe(CSP);
      }
    } finally {
      await https.close();
    }
    const http = await createTestApp(testDb.database, { PUBLIC_URL: 'http://localhost:3000' });
    try {
      expect((await http.server.request('/chat')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await http.close();
    }
  });
});

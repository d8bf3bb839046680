import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs, media, messages } from '../../src/db/schema.js';
import { firstParagraph, texts } from '../helpers/engine-driver.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { lastQuestion, WebchatClient } from '../helpers/webchat-client.js';

let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made));

const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });

describe('the web chat, through its HTTP API', () => {
  it.each(['nl', 'ar', 'tr', 'en'])('takes a resident through the whole intake in %s by pressing buttons', async (locale) => {
    const chat = await new WebchatClient(app.server).startSession();
    let replies = await chat.say('Hallo');
    const language = lastQuestion(replies).choices!.find((c) => c.id === `language:${locale}`)!;
    expect(language.label).toBe(t(locale, `bot:language.name.${locale}`));
    replies = await chat.press(language.id);
    const consent = lastQuestion(replies);
    expect(consent.text).toBe(t(locale, 'bot:consent.prompt'));
    expect(consent.dir).toBe(locale === 'ar' ? 'rtl' : 'ltr');
    replies = await chat.press('consent:yes');
    replies = await chat.press('domains:parenting');
    replies = await chat.press('domains:school');
    expect(replies[0]!.text).toContain(t(locale, 'bot:domains.school'));
    replies = await chat.press('cmd:continue');
    expect(lastQuestion(replies).text).toBe(t(locale, 'bot:urgency.prompt'));
    replies = await chat.press('urgency:week');
    replies = await chat.press('contact:visit');
    expect(lastQuestion(replies).text).toBe(t(locale, 'bot:address.prompt'));
    replies = await chat.say('Kanaleneiland');
    expect(lastQuestion(replies).text).toBe(t(locale, 'bot:reachable.prompt'));
    replies = await chat.press('reachable:evening');
    replies = await chat.press('helper:woman');
    const summary = lastQuestion(replies);
    for (const key of [
      'bot:domains.parenting',
      'bot:domains.school',
      'bot:urgency.week',
      'bot:contact.visit',
      'bot:reachable.evening',
      'bot:helper.woman',
    ]) {
      expect(summary.text).toContain(t(locale, key));
    }
    expect(summary.text).toContain('Kanaleneiland');
    replies = await chat.press('summary:confirm');
    expect(replies.map((r) => firstParagraph(r.text))).toEqual([t(locale, 'bot:handoff.done')]);
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({
      status: 'waiting',
      locale,
      preferences: { language: locale, contact: 'visit', reachable: 'evening', helperGender: 'woman' },
    });
  });

  it('answers by typed number and word as well as by button', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hoi');
    await chat.say('1');
    const replies = await chat.say('ja');
    expect(lastQuestion(replies).text).toBe(t('nl', 'bot:domains.prompt'));
  });

  it('keeps the visitor’s messages apart: another token cannot read them', async () => {
    const alice = await new WebchatClient(app.server).startSession();
    const bob = await new WebchatClient(app.server).startSession();
    await alice.say('ik heb schulden');
    expect((await bob.read()).messages).toEqual([]);
    const forged = await app.server.request('/chat/api/messages?after=0', {
      headers: { authorization: `Bearer ${alice.token.split('.')[0]}.AAAA` },
    });
    expect(forged.status).toBe(401);
  });

  it('answers a duplicate post (a retried send) once', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const body = { id: 'same-id-123', text: 'hallo' };
    expect((await chat.post(body)).status).toBe(202);
    const again = await chat.post(body);
    expect(await again.json()).toEqual({ accepted: true, duplicate: true });
    expect(await chat.replies()).toHaveLength(2);
  });

  it('wakes a waiting long poll when the reply is sent', async () => {
    await app.start();
    try {
      const chat = await new WebchatClient(app.server).startSession();
      await chat.say('hallo');
      const started = Date.now();
      const waiting = chat.read(10);
      await new Promise((r) => setTimeout(r, 50));
      await chat.post({ id: chat.nextId(), text: '1' });
      const { messages: arrived } = await waiting;
      expect(arrived.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(9000);
    } finally {
      await app.dispatcher.stop();
      await app.timers.stop();
    }
  });

  it('stores a voice note and thanks the resident for it', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hoi');
    await chat.say('1');
    await chat.say('ja');
    const res = await app.server.request(`/chat/api/voice?id=${chat.nextId()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/webm;codecs=opus' },
      body: new Uint8Array([26, 69, 223, 163, 1, 2, 3]),
    });
    expect(res.status).toBe(202);
    const replies = await chat.replies();
    expect(replies[0]!.text).toBe(t('nl', 'bot:domains.ackWords'));
    const [stored] = await testDb.database.db.select().from(media);
    expect(stored).toMatchObject({ kind: 'voice', contentType: 'audio/webm', byteSize: 7 });
    const [inbound] = await testDb.database.db.select().from(messages).where(eq(messages.mediaId, stored!.id));
    expect(inbound!.mediaKind).toBe('voice');
  });
});

describe('the web chat refuses bad requests with a reason', () => {
  let chat: WebchatClient;
  beforeEach(async () => {
    chat = await new WebchatClient(app.server).startSession();
  });

  const expectError = async (res: Response, status: number, reason: RegExp) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; reason: string };
    expect(body.reason).toMatch(reason);
  };

  it('without a token', async () => {
    await expectError(
      await app.server.request('/chat/api/messages', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
      401,
      /visitor token/,
    );
  });
  it('with a bad id, no text, both text and choice, or a bad choice', async () => {
    await expectError(await chat.post({ id: 'x', text: 'hoi' }), 400, /id must be/);
    await expectError(await chat.post({ id: 'abcdefgh', text: '   ' }), 400, /text is empty/);
    await expectError(await chat.post({ id: 'abcdefgh', text: 'a', choice: 'consent:yes' }), 400, /either text or choice/);
    await expectError(await chat.post({ id: 'abcdefgh', choice: '<script>' }), 400, /choice id/);
    await expectError(await chat.post({ id: 'abcdefgh', text: 'hoi', admin: true }), 400, /admin/);
  });
  it('with text over 2,000 characters', async () => {
    await expectError(await chat.post({ id: 'abcdefgh', text: 'a'.repeat(2001) }), 400, /at most 2000/);
  });
  it('with a body that is not JSON or too large', async () => {
    const headers = { authorization: `Bearer ${chat.token}`, 'content-type': 'application/json' };
    await expectError(
      await app.server.request('/chat/api/messages', { method: 'POST', headers, body: '{nope' }),
      400,
      /not valid JSON/,
    );
    await expectError(
      await app.server.request('/chat/api/messages', {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: 'abcdefgh', text: 'a'.repeat(40_000) }),
      }),
      413,
      /too large/,
    );
    await expectError(
      await app.server.request('/chat/api/messages', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain' },
        body: 'hoi',
      }),
      415,
      /JSON/,
    );
  });
  it('with a voice note of a type we do not keep', async () => {
    const res = await app.server.request(`/chat/api/voice?id=${chat.nextId()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'image/svg+xml' },
      body: '<svg/>',
    });
    await expectError(res, 415, /voice notes must be one of/);
  });
  it('when one visitor sends too fast, with the time to wait', async () => {
    const strict = await createTestApp(testDb.database, { WEBCHAT_MESSAGES_PER_MINUTE: '3' });
    const visitor = await new WebchatClient(strict.server).startSession();
    for (let i = 0; i < 3; i++) expect((await visitor.post({ id: visitor.nextId(), text: `hoi ${i}` })).status).toBe(202);
    const limited = await visitor.post({ id: visitor.nextId(), text: 'nog een' });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(limited, 429, /too many messages/);
    const other = await new WebchatClient(strict.server).startSession();
    expect((await other.post({ id: other.nextId(), text: 'hoi' })).status).toBe(202);
    await strict.close();
  });
});

describe('the web chat page', () => {
  it('is right to left in Arabic and left to right in Dutch', async () => {
    const ar = await (await app.server.request('/chat?lang=ar')).text();
    expect(ar).toMatch(/<html lang="ar" dir="rtl">/);
    const nl = await (await app.server.request('/chat', { headers: { 'accept-language': 'nl-NL,nl;q=0.9' } })).text();
    expect(nl).toMatch(/<html lang="nl" dir="ltr">/);
    expect(nl).toContain(t('nl', 'webchat:title'));
  });

  it('carries a strict content security policy', async () => {
    const res = await app.server.request('/chat');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('ignores an unknown language and cannot be made to inject markup', async () => {
    const html = await (await app.server.request('/chat?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toMatch(/<html lang="nl"/);
  });
});

describe('GET /healthz', () => {
  it('is 200 while the database answers and 503 when it does not', async () => {
    const res = await app.server.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: testDb.database.kind });
    const other = await createTestDatabase();
    const broken = await createTestApp(other.database);
    await other.database.close();
    const down = await broken.server.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable' });
    await other.destroy();
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { media, messages, outbox } from '../../src/db/schema.js';
import { megabytes } from '../../src/inbox/staff-file-upload.js';
import { texts } from '../helpers/engine-driver.js';
import { findLeftovers } from '../helpers/leftovers.js';
import { eventually } from '../helpers/sse.js';
import { addStaff, residentAsksForPerson, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 15, "Documents", the staff side and the web chat: a trust person sends the resident a file (a
 * filled-in form, a letter, a photo) from the case page or the API. It is stored under the resident
 * (encrypted like theirs, erased and exported with them), shows in the transcript, and the resident's web
 * chat offers it to save through a route only their own token opens. The other channels'
 * sending is in test/channels/staff-files.db.test.ts.
 */

let app: App;
let testDb: TestDatabase;
const MAX = 64 * 1024;

useTestApp(
  (made) => ({ app, testDb } = made),
  { STAFF_MAX_FILE_BYTES: String(MAX) },
  {
    start: true,
    inbox: { loginAttemptsPerMinute: 1000 },
  },
);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const PDF = new TextEncoder().encode(
  '%PDF-1.7\n% aanvraag-kindgebonden-budget-7Q3X\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n',
);
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
  ...new Array(100).fill(2),
]);
const HTML = new TextEncoder().encode('<!doctype html><html><script>alert(document.cookie)</script></html>');

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

async function staffBrowser(role: 'trust_person' | 'coordinator' = 'trust_person', name?: string) {
  const person = await addStaff(app, { role, ...(name ? { name } : {}) });
  const browser = new StaffBrowser(app.server);
  await browser.login(person.email);
  return { person, browser };
}

/** A web chat resident whose case a trust person (Samira) has claimed. */
async function claimedCase() {
  const { chat, handoffId } = await residentAsksForPerson(app);
  const holder = await staffBrowser('trust_person', 'Samira El Idrissi');
  expect((await holder.browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  await holder.browser.page(`/inbox/handoffs/${handoffId}`);
  return { chat, handoffId, holder };
}

/** The case page's "send a file" form as a browser posts it: multipart, with the session's CSRF token. */
function postFile(
  browser: StaffBrowser,
  handoffId: string,
  file: { bytes: Uint8Array; name: string; type: string } | null,
  fields: Record<string, string> = {},
  options: { csrf?: string | false; json?: boolean } = {},
) {
  const form = new FormData();
  if (options.csrf !== false) form.set('_csrf', options.csrf ?? browser.csrf);
  if (file) form.set('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return browser.request(`/inbox/handoffs/${handoffId}/files`, {
    method: 'POST',
    body: form,
    ...(options.json ? { headers: { accept: 'application/json' } } : {}),
  });
}

function apiPost(token: string, handoffId: string, form: FormData | string, contentType?: string) {
  return app.server.request(`/api/handoffs/${handoffId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
    body: form,
  });
}

/** What the visitor's page lists, with the file of each message. */
async function chatMessages(chat: WebchatClient) {
  const res = await app.server.request('/chat/api/messages?after=0', { headers: { authorization: `Bearer ${chat.token}` } });
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      messages: { id: number; text: string | null; from: string; file?: { kind: string; name: string; url: string } }[];
    }
  ).messages;
}

const fetchAs = (chat: WebchatClient | null, url: string) =>
  app.server.request(url, chat ? { headers: { authorization: `Bearer ${chat.token}` } } : {});

describe('a trust person sends the resident a file', () => {
  it('from the case page: a PDF with a caption reaches the web chat, which only this visitor can save', async () => {
    const { chat, handoffId, holder } = await claimedCase();
    const page = await holder.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain('id="send-file-form"');
    expect(page.html).toContain('enctype="multipart/form-data"');

    const res = await postFile(
      holder.browser,
      handoffId,
      { bytes: PDF, name: 'Aanvraag Fam. Amrani.pdf', type: 'application/pdf' },
      {
        caption: 'Het ingevulde formulier. Kijk je of het klopt?',
      },
    );
    expect(res.status).toBe(303);
    const messageId = Number(/#m-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
    expect(res.headers.get('location')).toBe(`/inbox/handoffs/${handoffId}?done=fileSent#m-${messageId}`);

    // Stored under the resident, as the message's media; the name it had on the computer is not kept.
    const [row] = await testDb.database.db.select().from(messages).where(eq(messages.id, messageId));
    expect(row).toMatchObject({ direction: 'out', author: holder.person.id, mediaKind: 'document', template: 'reply_waiting' });
    expect(row!.text).toBe('Het ingevulde formulier. Kijk je of het klopt?'); // the web chat shows the name apart
    const [file] = await testDb.database.db.select().from(media).where(eq(media.id, row!.mediaId!));
    expect(file).toMatchObject({ residentId: await residentIdOf(app, chat), kind: 'document', contentType: 'application/pdf' });
    expect(JSON.stringify(await testDb.database.db.select().from(messages))).not.toContain('Amrani');

    // The case page: the notice, the caption and a download through the authorised media route.
    const after = await holder.browser.page(`/inbox/handoffs/${handoffId}?done=fileSent`);
    expect(after.html).toContain(t('nl', 'staff:sendFile.done'));
    const link = new RegExp(
      `<a class="media-download" href="(/inbox/handoffs/${handoffId}/media/${row!.mediaId})\\?download=1">${t('nl', 'staff:sendFile.documentSent').replace(/[()]/g, '\\$&')}</a>`,
    );
    expect(after.html).toMatch(link);
    const staffCopy = await holder.browser.request(`/inbox/handoffs/${handoffId}/media/${row!.mediaId}?download=1`);
    expect(staffCopy.headers.get('content-type')).toBe('application/pdf');
    expect(staffCopy.headers.get('content-disposition')).toMatch(/^attachment; filename="document-[0-9a-f]{8}\.pdf"$/);
    expect(new Uint8Array(await staffCopy.arrayBuffer())).toEqual(PDF);

    // The resident's web chat: the caption, from the trust person, with the file to save.
    let listed: Awaited<ReturnType<typeof chatMessages>>[number] | undefined;
    await eventually(
      async () => (listed = (await chatMessages(chat)).find((m) => m.id === messageId)) !== undefined,
      5000,
      'the file in the web chat',
    );
    expect(listed).toMatchObject({
      from: 'person',
      name: 'Samira',
      text: 'Het ingevulde formulier. Kijk je of het klopt?',
      file: { kind: 'document', name: 'document.pdf', url: `/chat/api/files/${messageId}` },
    });
    const own = await fetchAs(chat, listed!.file!.url);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('application/pdf');
    expect(own.headers.get('content-disposition')).toBe('attachment; filename="document.pdf"');
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(own.headers.get('content-security-policy')).toContain('sandbox');
    expect(own.headers.get('cache-control')).toMatch(/no-store/);
    expect(new Uint8Array(await own.arrayBuffer())).toEqual(PDF);

    // Another visitor, no token, a resident's own message, a message that is not there: nothing.
    const other = await new WebchatClient(app.server).startSession();
    await other.say('hallo');
    expect((await fetchAs(other, listed!.file!.url)).status).toBe(404);
    expect((await fetchAs(null, listed!.file!.url)).status).toBe(401);
    const ownInbound = (await chatMessages(chat)).find((m) => m.from === 'you')!;
    expect((await fetchAs(chat, `/chat/api/files/${ownInbound.id}`)).status).toBe(404);
    for (const id of ['0', '-1', 'abc', '99999999', '1e3'])
      expect((await fetchAs(chat, `/chat/api/files/${id}`)).status).toBe(404);
  });

  it('through the API: a photo, shown in the transcript as the trust person’s', async () => {
    const { chat, handoffId, holder } = await claimedCase();
    const { token } = await app.services.tokens.create(holder.person.id, 'case system');
    const form = new FormData();
    form.set('file', new File([PNG], 'IMG_0042.png', { type: 'image/png' }));
    const res = await apiPost(token, handoffId, form);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { ok: boolean; messageId: number; mediaId: string; kind: string };
    expect(body).toMatchObject({ ok: true, kind: 'image', messageId: expect.any(Number), mediaId: expect.any(String) });

    const page = await holder.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain(
      `src="/inbox/handoffs/${handoffId}/media/${body.mediaId}" alt="${t('nl', 'staff:sendFile.photoSent')}"`,
    );
    const caseJson = (await (
      await app.server.request(`/api/handoffs/${handoffId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      transcript: { id: number; author: string; text: string | null; media: { kind: string; url: string } | null }[];
    };
    expect(caseJson.transcript.find((m) => m.id === body.messageId)).toMatchObject({
      author: holder.person.id,
      text: null,
      media: { kind: 'image', url: `/api/handoffs/${handoffId}/media/${body.mediaId}` },
    });
    let listed: Awaited<ReturnType<typeof chatMessages>>[number] | undefined;
    await eventually(
      async () => (listed = (await chatMessages(chat)).find((m) => m.id === body.messageId)) !== undefined,
      5000,
      'the photo in the web chat',
    );
    expect(listed).toMatchObject({ text: null, file: { kind: 'image', name: 'photo.png' } });
    const photo = await fetchAs(chat, listed!.file!.url);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('content-disposition')).toBe('attachment; filename="photo.png"');
  });

  it('refuses who may not reply, a closed case, a file too large, and anything that is not a PDF or photo by its content', async () => {
    const { handoffId, holder } = await claimedCase();
    const pdf = { bytes: PDF, name: 'brief.pdf', type: 'application/pdf' };

    // Not the holder: no form, and 403. A coordinator may (as with replies).
    const other = await staffBrowser('trust_person');
    const otherPage = await other.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(otherPage.html).not.toContain('send-file-form');
    expect((await postFile(other.browser, handoffId, pdf)).status).toBe(403);
    const coordinator = await staffBrowser('coordinator');
    await coordinator.browser.page(`/inbox/handoffs/${handoffId}`);
    expect((await postFile(coordinator.browser, handoffId, pdf)).status).toBe(303);

    // No CSRF token: 403, nothing stored.
    const before = (await testDb.database.db.select().from(media)).length;
    expect((await postFile(holder.browser, handoffId, pdf, {}, { csrf: false })).status).toBe(403);
    expect((await postFile(holder.browser, handoffId, pdf, {}, { csrf: 'forged' })).status).toBe(403);

    // Too large: by the file's size (413, in the staff member's language on the page), or past the body limit.
    const big = new Uint8Array(MAX + 1);
    big.set(PDF);
    const tooLarge = await postFile(holder.browser, handoffId, { ...pdf, bytes: big });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.text()).toContain(t('nl', 'staff:sendFile.tooLarge', { max: megabytes(MAX) }));
    const huge = new Uint8Array(MAX * 4);
    huge.set(PDF);
    expect((await postFile(holder.browser, handoffId, { ...pdf, bytes: huge }, {}, { json: true })).status).toBe(413);

    // An HTML page renamed .pdf and declared as a PDF: 415. So is an SVG "photo".
    const html = await postFile(
      holder.browser,
      handoffId,
      { bytes: HTML, name: 'formulier.pdf', type: 'application/pdf' },
      {},
      { json: true },
    );
    expect(html.status).toBe(415);
    expect(await html.json()).toMatchObject({ error: 'unsupported_media_type', reason: t('nl', 'staff:sendFile.wrongType') });
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    expect((await postFile(holder.browser, handoffId, { bytes: svg, name: 'foto.png', type: 'image/png' })).status).toBe(415);

    // No file, an empty one, a caption too long: 400.
    expect((await postFile(holder.browser, handoffId, null, { caption: 'alleen tekst' })).status).toBe(400);
    expect((await postFile(holder.browser, handoffId, { ...pdf, bytes: new Uint8Array(0) })).status).toBe(400);
    expect((await postFile(holder.browser, handoffId, pdf, { caption: 'x'.repeat(901) })).status).toBe(400);
    expect((await testDb.database.db.select().from(media)).length).toBe(before);

    // The API: the same refusals, in English, and JSON or other bodies are not a file.
    const { token } = await app.services.tokens.create(holder.person.id, null);
    const json = await apiPost(token, handoffId, JSON.stringify({ file: 'JVBERi0=' }), 'application/json');
    expect(json.status).toBe(415);
    const renamed = new FormData();
    renamed.set('file', new File([HTML], 'formulier.pdf', { type: 'application/pdf' }));
    const refused = await apiPost(token, handoffId, renamed);
    expect(refused.status).toBe(415);
    expect(((await refused.json()) as { reason: string }).reason).toMatch(/PDF or a photo/);
    const extra = new FormData();
    extra.set('file', new File([PDF], 'a.pdf'));
    extra.set('text', 'nope');
    expect((await apiPost(token, handoffId, extra)).status).toBe(400);

    // Closed: 409, as for a reply; the form is gone.
    expect((await holder.browser.post(`/inbox/handoffs/${handoffId}/close`, { send: '0' })).status).toBe(303);
    expect((await postFile(holder.browser, handoffId, pdf)).status).toBe(409);
    const closedForm = new FormData();
    closedForm.set('file', new File([PDF], 'a.pdf'));
    expect((await apiPost(token, handoffId, closedForm)).status).toBe(409);
    expect((await holder.browser.page(`/inbox/handoffs/${handoffId}`)).html).not.toContain('send-file-form');
  });

  it('a waiting case must be claimed first, as for a reply', async () => {
    const { handoffId } = await residentAsksForPerson(app);
    const coordinator = await staffBrowser('coordinator');
    await coordinator.browser.page(`/inbox/handoffs/${handoffId}`);
    const res = await postFile(
      coordinator.browser,
      handoffId,
      { bytes: PDF, name: 'a.pdf', type: 'application/pdf' },
      {},
      { json: true },
    );
    expect(res.status).toBe(409);
  });
});

describe('a trust person’s file, and the resident’s privacy', () => {
  it('is exported with the resident and erased with them', async () => {
    const { chat, handoffId, holder } = await claimedCase();
    const caption = 'Bijlage-voor-erasure-9K2M';
    const sent = await postFile(holder.browser, handoffId, { bytes: PDF, name: 'a.pdf', type: 'application/pdf' }, { caption });
    expect(sent.status).toBe(303);
    const [row] = await testDb.database.db.select().from(messages).where(eq(messages.author, holder.person.id));
    const residentId = await residentIdOf(app, chat);

    const coordinator = await staffBrowser('coordinator');
    await coordinator.browser.page(`/inbox/handoffs/${handoffId}`);
    const exported = await coordinator.browser.request(`/inbox/residents/${residentId}/export`);
    const data = (await exported.json()) as { media: { id: string; contentType: string; content: string }[] };
    const file = data.media.find((m) => m.id === row!.mediaId);
    expect(file).toMatchObject({ contentType: 'application/pdf' });
    expect(Buffer.from(file!.content, 'base64')).toEqual(Buffer.from(PDF));

    const needles = [row!.mediaId!, caption, 'aanvraag-kindgebonden-budget-7Q3X'];
    expect((await findLeftovers(testDb.database, needles)).map((l) => `${l.table}.${l.column}`)).toEqual(
      expect.arrayContaining(['media.content', 'media.id', 'messages.media_id', 'messages.text']),
    );
    const erased = await coordinator.browser.post(`/inbox/residents/${residentId}/erase`, { confirm: '0', sure: '1' });
    expect(erased.status).toBe(303);
    expect(await findLeftovers(testDb.database, needles, { allowed: ['audit_log.detail'] })).toEqual([]);
    expect((await fetchAs(chat, `/chat/api/files/${row!.id}`)).status).toBe(404);
  });

  it('in discreet mode leaves the web chat with the rest: the page no longer lists it, nor serves it', async () => {
    const { chat, handoffId, holder } = await claimedCase();
    const sent = await postFile(
      holder.browser,
      handoffId,
      { bytes: PDF, name: 'a.pdf', type: 'application/pdf' },
      {},
      { json: true },
    );
    expect(sent.status).toBe(201);
    const { messageId } = (await sent.json()) as { messageId: number };
    expect((await fetchAs(chat, `/chat/api/files/${messageId}`)).status).toBe(200);
    // Delivered (its outbox row recorded as sent) before the resident asks: what is on the screen goes.
    await eventually(
      async () => (await testDb.database.db.select().from(outbox).where(eq(outbox.messageId, messageId)))[0]?.status === 'sent',
      5000,
      'the file to be delivered',
    );
    await chat.say('discreet');
    await eventually(
      async () => (await fetchAs(chat, `/chat/api/files/${messageId}`)).status === 404,
      5000,
      'the file to leave the page',
    );
    expect((await chatMessages(chat)).some((m) => m.id === messageId)).toBe(false);
    // The organisation's copy stays: the trust person still has it.
    const [row] = await testDb.database.db.select().from(messages).where(eq(messages.id, messageId));
    expect((await holder.browser.request(`/inbox/handoffs/${handoffId}/media/${row!.mediaId}`)).status).toBe(200);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs, intakes } from '../../src/db/schema.js';
import { readEvents } from '../helpers/sse.js';
import { addStaff, openHandoffOf, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { lastQuestion, WebchatClient, type ChatMessage } from '../helpers/webchat-client.js';

const API_TOKEN = 'api-token-for-tests-api-token-for-tests-2';
const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 7, 8]);

let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // With encryption at rest, as in production: the intake's answers and notes are read back decrypted.
  app = await createTestApp(
    testDb.database,
    { STAFF_API_TOKEN: API_TOKEN, ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` },
    { inbox: { loginAttemptsPerMinute: 1000 } },
  );
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(() => testDb.truncate());

async function loggedIn(role: 'trust_person' | 'coordinator', extra: Parameters<typeof addStaff>[1] = {}) {
  const person = await addStaff(app, { role, ...extra });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  const { token } = await app.services.tokens.create(person.id, null);
  const api = (path: string) => app.server.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { person, browser, api };
}

/** Presses the button of the question just asked whose id is `choiceId`, failing clearly if it is not offered. */
async function answer(chat: WebchatClient, replies: ChatMessage[], choiceId: string): Promise<ChatMessage[]> {
  const offered = lastQuestion(replies).choices!.map((c) => c.id);
  expect(offered, `offered: ${offered.join(', ')}`).toContain(choiceId);
  return chat.press(choiceId);
}

/**
 * A resident in the web chat, in Dutch, with consent, about money, this week, who wants to be called (and
 * types the number when asked) or visited (and types where), in the afternoon, by a woman; then confirms.
 */
async function residentWhoWantsContact(how: { phone: string } | { address: string }) {
  const chat = await new WebchatClient(app.server).startSession();
  let replies = await chat.say('hallo');
  replies = await answer(chat, replies, 'language:nl');
  replies = await answer(chat, replies, 'consent:yes');
  replies = await answer(chat, replies, 'domains:money');
  replies = await answer(chat, replies, 'cmd:continue');
  replies = await answer(chat, replies, 'urgency:week');
  replies = await answer(chat, replies, 'phone' in how ? 'contact:phone' : 'contact:visit');
  // the bot asks for the number (or the address): no buttons to press but skip, so the resident types it
  const asked = replies.map((r) => r.text).join('\n');
  expect(asked).toMatch('phone' in how ? /nummer/i : /adres|wijk/i);
  replies = await chat.say('phone' in how ? how.phone : how.address);
  replies = await answer(chat, replies, 'reachable:afternoon');
  replies = await answer(chat, replies, 'helper:woman');
  const confirm = lastQuestion(replies).choices!.find((c) => /confirm|ok|yes|send/i.test(c.id));
  expect(
    confirm,
    lastQuestion(replies)
      .choices!.map((c) => c.id)
      .join(', '),
  ).toBeDefined();
  await chat.press(confirm!.id);
  return { chat, handoffId: await openHandoffOf(app, chat) };
}

async function voiceNote(chat: WebchatClient, id: string) {
  const res = await app.server.request(`/chat/api/voice?id=${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
    body: OGG,
  });
  expect(res.status).toBe(202);
}

/** The queue card of one handoff, as the page shows it. */
function cardOf(html: string, handoffId: string): string {
  const start = html.indexOf(`data-id="${handoffId}"`);
  expect(start, 'the case is on the queue').toBeGreaterThan(-1);
  const end = html.indexOf('</li>', start);
  return html.slice(start, end);
}

describe(`contact details, written language and unheard voice notes in the inbox (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('shows the number a resident typed as a tap-to-call link, and its API gives it, only to those who may read the case', async () => {
    const { handoffId } = await residentWhoWantsContact({ phone: '06 87 65 43 21' });
    const holder = await loggedIn('trust_person', { name: 'Samira' });
    const other = await loggedIn('trust_person', { name: 'Karim' });
    const coordinator = await loggedIn('coordinator');

    // waiting: everyone on staff sees the summary (a call is wanted), nobody without the case its number
    const before = await other.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain('Bellen');
    expect(before.html).not.toContain('0687654321');
    expect(before.html).not.toContain('href="tel:');
    const queue = await other.browser.page('/inbox');
    expect(cardOf(queue.html, handoffId)).toContain('Bellen');
    expect(queue.html).not.toContain('0687654321');
    const list = await other.api('/api/handoffs');
    expect(await list.text()).not.toContain('0687654321');

    // stored encrypted: the number is not in the database as text
    const [raw] = await testDb.database.db
      .select({ answers: intakes.answers, summary: handoffs.summary })
      .from(intakes)
      .innerJoin(handoffs, eq(handoffs.conversationId, intakes.conversationId));
    expect(JSON.stringify(raw)).not.toContain('0687654321');

    expect((await holder.browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    const page = await holder.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toMatch(/<a class="tel" id="contact-phone" href="tel:0687654321" dir="ltr"[^>]*>0687654321<\/a>/);
    expect(page.html).toContain('Telefoonnummer');
    expect(page.html).toContain('Bellen'); // the contact preference is still there, next to it

    const mine = await holder.api(`/api/handoffs/${handoffId}`);
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as Record<string, unknown>;
    expect(body.contact).toEqual({ method: 'phone', phone: '0687654321', address: null });
    expect(body.writtenLanguage).toBeNull();

    const coordinatorSees = (await (await coordinator.api(`/api/handoffs/${handoffId}`)).json()) as { contact: unknown };
    expect(coordinatorSees.contact).toEqual({ method: 'phone', phone: '0687654321', address: null });

    // the other trust person: refused (and audited), and the number is nowhere in the answer
    const refused = await other.api(`/api/handoffs/${handoffId}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('0687654321');
    const otherPage = await other.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(otherPage.status).toBe(403);
    expect(otherPage.html).not.toContain('0687654321');

    const audits = await app.services.audit.list({ handoffId });
    const views = audits.filter((a) => a.action === 'transcript.view');
    expect(views.filter((a) => a.outcome === 'allowed').map((a) => a.actorId)).toEqual(
      expect.arrayContaining([holder.person.id, coordinator.person.id]),
    );
    expect(views.filter((a) => a.outcome === 'denied').map((a) => a.actorId)).toEqual([other.person.id, other.person.id]);
  });

  it('shows the address or neighbourhood for a home visit, as text', async () => {
    const address = 'Kanaleneiland, bij de moskee <b>achterom</b>';
    const { handoffId } = await residentWhoWantsContact({ address });
    const coordinator = await loggedIn('coordinator');
    const page = await coordinator.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain('Adres of wijk');
    expect(page.html).toContain(
      '<dd dir="auto" id="contact-address">Kanaleneiland, bij de moskee &lt;b&gt;achterom&lt;/b&gt;</dd>',
    );
    expect(page.html).not.toContain('<b>achterom');
    expect(page.html).not.toContain('href="tel:');
    const body = (await (await coordinator.api(`/api/handoffs/${handoffId}`)).json()) as { contact: unknown };
    expect(body.contact).toEqual({ method: 'visit', phone: null, address });
  });

  it('shows the language of a first message in Polish on the queue card and the case, in the staff member’s words', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('Dzień dobry, mam problem z mieszkaniem i nie mówię po niderlandzku');
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);
    const dutch = await loggedIn('trust_person', { languages: ['nl', 'pl'] });
    const english = await loggedIn('trust_person', { uiLocale: 'en' });

    const queue = await dutch.browser.page('/inbox');
    expect(cardOf(queue.html, handoffId)).toContain('Eerste bericht in: Pools');
    expect((await english.browser.page('/inbox')).html).toContain('First message in: Polish');
    const summary = await dutch.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(summary.html).toContain('Eerste bericht in: Pools');
    // the resident's words stay for a reader of the case
    expect(summary.html).not.toContain('mieszkaniem');

    // a Polish speaker finds it by the language filter, and the filter offers the language
    expect(queue.html).toMatch(/<option value="pl"\s*>Pools<\/option>/);
    expect(cardOf((await dutch.browser.page('/inbox?language=pl')).html, handoffId)).toContain('Pools');

    const list = (await (await dutch.api('/api/handoffs')).json()) as {
      handoffs: { id: string; writtenLanguage: string | null }[];
    };
    expect(list.handoffs.find((h) => h.id === handoffId)?.writtenLanguage).toBe('pl');
    const filtered = (await (await dutch.api('/api/handoffs?language=pl')).json()) as { handoffs: { id: string }[] };
    expect(filtered.handoffs.map((h) => h.id)).toEqual([handoffId]);
  });

  it('marks a card whose intake holds a voice note nobody has listened to, until a staff member plays it', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:yes');
    await voiceNote(chat, 'voice-note-unheard-1'); // at "what is going on": kept with the intake
    await chat.read();
    await chat.say('persoon');
    const handoffId = await openHandoffOf(app, chat);
    const plain = await new WebchatClient(app.server).startSession();
    await plain.say('hallo');
    await plain.say('persoon');
    const withoutVoice = await openHandoffOf(app, plain);

    const trust = await loggedIn('trust_person');
    const coordinator = await loggedIn('coordinator');
    const mark = 'Spraakbericht nog niet beluisterd';
    const queue = await trust.browser.page('/inbox');
    expect(cardOf(queue.html, handoffId)).toContain(mark);
    expect(cardOf(queue.html, withoutVoice)).not.toContain(mark);

    const page = await coordinator.browser.page(`/inbox/handoffs/${handoffId}`);
    const src = /<audio class="media-audio" controls preload="none" src="([^"]+)"/.exec(page.html)?.[1];
    expect(src).toBeDefined();
    const mediaId = src!.split('/').at(-1)!;
    // opening the case page does not count (the player loads nothing until played) …
    expect(cardOf((await trust.browser.page('/inbox')).html, handoffId)).toContain(mark);
    // … nor a refused fetch by a trust person who does not hold the case, nor the integration's token
    expect((await trust.browser.request(src!)).status).toBe(403);
    const integration = await app.server.request(`/api/handoffs/${handoffId}/media/${mediaId}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(integration.status).toBe(200);
    expect(cardOf((await trust.browser.page('/inbox')).html, handoffId)).toContain(mark);
    // the coordinator plays it: listened, and open queue pages are told to refresh
    const stream = await trust.browser.request('/inbox/events', { headers: { accept: 'text/event-stream' } });
    const refreshed = readEvents(stream, (e) => e.event === 'queue' && JSON.parse(e.data).change === 'updated');
    await new Promise((r) => setTimeout(r, 100));
    const played = await coordinator.browser.request(src!);
    expect(played.status).toBe(200);
    await refreshed;
    expect(cardOf((await trust.browser.page('/inbox')).html, handoffId)).not.toContain(mark);
    expect(cardOf((await trust.browser.page('/inbox?fragment=1')).html, handoffId)).not.toContain(mark);
  });
});

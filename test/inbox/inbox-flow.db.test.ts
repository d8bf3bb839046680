import { eq, max } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { auditLog, conversations, handoffs, messages } from '../../src/db/schema.js';
import { FakeChannel } from '../helpers/fake-channel.js';
import { eventually, readEvents } from '../helpers/sse.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;
let app: App;
let channel: FakeChannel;

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database, {}, { inbox: { livePollMs: 200, loginAttemptsPerMinute: 1000 } });
  await app.start();
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  channel = new FakeChannel('web');
  app.adapters.set('web', channel);
});

async function loggedIn(role: 'trust_person' | 'coordinator' = 'trust_person', extra: Parameters<typeof addStaff>[1] = {}) {
  const person = await addStaff(app, { role, ...extra });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  return { person, browser };
}

async function lastMessageId(): Promise<number> {
  const [row] = await testDb.database.db.select({ id: max(messages.id) }).from(messages);
  return Number(row?.id ?? 0);
}

const fetchHeaders = (browser: StaffBrowser) => ({ 'x-requested-with': 'fetch', 'x-csrf-token': browser.csrf });

describe('the inbox over HTTP', () => {
  it('log in, queue, claim, reply delivered through the channel, the answer shown, close', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app, 'Ik heb een vraag over school');
    const { person, browser } = await loggedIn('trust_person', { name: 'Samira' });

    const queue = await browser.page('/inbox');
    expect(queue.status).toBe(200);
    expect(queue.html).toContain(`/inbox/handoffs/${handoffId}`);
    expect(queue.html).toContain('Nederlands'); // language
    expect(queue.html).toContain('webchat'); // channel
    expect(queue.html).toContain('Vroeg om een persoon'); // reason, as no domains were chosen
    expect(queue.html).toMatch(/Aangemeld\s+<time datetime="[^"]+" data-ago>/); // time waiting
    expect(queue.html).toContain('Past bij:'); // matching hint
    expect(queue.html).not.toContain('Ik heb een vraag over school'); // resident words are not in the queue

    // before claiming, a trust person sees the summary only
    const before = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain('Pak deze zaak op om het gesprek te lezen');
    expect(before.html).not.toContain('Ik heb een vraag over school');

    const claim = await browser.post(`/inbox/handoffs/${handoffId}/claim`);
    expect(claim.status).toBe(303);
    expect(claim.headers.get('location')).toBe(`/inbox/handoffs/${handoffId}?done=claimed`);
    const [h] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
    expect(h).toMatchObject({ status: 'claimed', claimedBy: person.id });
    const [conversation] = await testDb.database.db.select().from(conversations).where(eq(conversations.id, h!.conversationId));
    expect(conversation!.mode).toBe('with_person');

    const casePage = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(casePage.html).toContain('Ik heb een vraag over school');
    expect(casePage.html).toContain('id="reply-form"');

    const reply = await browser.request(`/inbox/handoffs/${handoffId}/messages`, {
      method: 'POST',
      headers: { ...fetchHeaders(browser), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ text: 'Hallo, ik ben Samira. Ik bel je vanmiddag.' }).toString(),
    });
    expect(reply.status).toBe(201);
    const { messageId } = (await reply.json()) as { messageId: number };
    await eventually(
      () => channel.delivered.find((d) => d.text === 'Hallo, ik ben Samira. Ik bel je vanmiddag.'),
      5000,
      'delivery',
    );
    const afterSend = await eventually(async () => {
      const page = await browser.page(`/inbox/handoffs/${handoffId}`);
      return page.html.includes('data-delivery="sent"') ? page : null;
    });
    expect(afterSend.html).toContain(`id="m-${messageId}"`);
    // the resident's side stores the reply as an outbound message written by the staff member
    const residentSees = (await chat.read()).messages.map((m) => m.text);
    expect(residentSees).toContain('Hallo, ik ben Samira. Ik bel je vanmiddag.');

    // the resident answers; the bot stays quiet while a person has the chat
    const botRepliesBefore = channel.delivered.length;
    await chat.say('Dank je, na drie uur is goed');
    const withAnswer = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(withAnswer.html).toContain('Dank je, na drie uur is goed');
    await new Promise((r) => setTimeout(r, 150));
    expect(channel.delivered.length).toBe(botRepliesBefore);

    const close = await browser.post(`/inbox/handoffs/${handoffId}/close`);
    expect(close.status).toBe(303);
    const [closed] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
    expect(closed).toMatchObject({ status: 'closed', closedBy: person.id });
    const [conv] = await testDb.database.db.select().from(conversations).where(eq(conversations.id, h!.conversationId));
    expect(conv!.mode).toBe('closed');
    // the next message starts a new conversation: a welcome back, and a new case offered to the same person
    const next = await chat.say('hallo weer');
    expect(next.map((m) => m.text).join('\n')).toContain('Fijn dat je weer schrijft');
    expect((await testDb.database.db.select().from(conversations)).length).toBe(2);
    const [again] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.previousHandoffId, handoffId));
    expect(again).toMatchObject({ status: 'waiting', reason: 'returning', assignedTo: person.id });
  });

  it('shows a resident message holding HTML or script as text, never as markup', async () => {
    const evil = '<script>window.pwned=1</script><img src=x onerror="alert(1)"><b>vet</b> & "quotes"';
    const { chat, handoffId } = await residentAsksForPerson(app, evil);
    await chat.say('</li></ol><form action="https://evil.example"><button>klik</button></form>');
    const { browser } = await loggedIn('coordinator');
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(
      '&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;b&gt;vet&lt;/b&gt; &amp; &quot;quotes&quot;',
    );
    expect(page.html).not.toContain('<script>window.pwned');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).not.toContain('action="https://evil.example"');
    // the only script on the page is our own file
    expect(page.html.match(/<script/g)).toHaveLength(2); // the JSON config block and inbox.js
    // and the export is plain text with nosniff
    const exported = await browser.request(`/inbox/handoffs/${handoffId}/export`);
    expect(exported.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(exported.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a trust person who opens another’s case with 403 and audits the attempt', async () => {
    const { handoffId } = await residentAsksForPerson(app, 'privé verhaal');
    const holder = await loggedIn('trust_person', { name: 'Holder' });
    await holder.browser.post(`/inbox/handoffs/${handoffId}/claim`);
    const other = await loggedIn('trust_person', { name: 'Other' });

    const page = await other.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Geen toegang');
    expect(page.html).not.toContain('privé verhaal');
    const { token } = await app.services.tokens.create(other.person.id, null);
    const api = await app.server.request(`/api/handoffs/${handoffId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ error: 'forbidden', reason: expect.stringContaining('another trust person') });
    expect((await other.browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'hoi' })).status).toBe(403);
    expect(
      (await other.browser.request(`/inbox/handoffs/${handoffId}/events`, { headers: { accept: 'text/event-stream' } })).status,
    ).toBe(403);

    const denied = await testDb.database.db.select().from(auditLog).where(eq(auditLog.actorId, other.person.id));
    expect(denied.map((d) => [d.action, d.outcome, d.handoffId])).toEqual([
      ['transcript.view', 'denied', handoffId],
      ['transcript.view', 'denied', handoffId],
      ['transcript.live', 'denied', handoffId],
    ]);
    // the holder's own view is audited as allowed
    await holder.browser.page(`/inbox/handoffs/${handoffId}`);
    const allowed = await testDb.database.db.select().from(auditLog).where(eq(auditLog.actorId, holder.person.id));
    expect(allowed.some((a) => a.action === 'transcript.view' && a.outcome === 'allowed')).toBe(true);

    // coordinators read the audit log (page and API); trust persons may not
    const coordinator = await loggedIn('coordinator');
    const auditPage = await coordinator.browser.page('/inbox/audit');
    expect(auditPage.status).toBe(200);
    expect(auditPage.html).toContain('Other');
    expect(auditPage.html).toContain('Geweigerd');
    expect((await other.browser.page('/inbox/audit')).status).toBe(403);
    const { token: coordToken } = await app.services.tokens.create(coordinator.person.id, null);
    const auditApi = await app.server.request(`/api/audit?handoff=${handoffId}`, {
      headers: { authorization: `Bearer ${coordToken}` },
    });
    const body = (await auditApi.json()) as { entries: { actorId: string; outcome: string }[] };
    expect(body.entries.filter((e) => e.actorId === other.person.id && e.outcome === 'denied')).toHaveLength(3);
  });

  it('lets a coordinator assign a waiting case (the assignee may read it) and transfer a claimed one', async () => {
    const { handoffId } = await residentAsksForPerson(app, 'mijn verhaal');
    const coordinator = await loggedIn('coordinator');
    const a = await loggedIn('trust_person', { name: 'Amina' });
    const b = await loggedIn('trust_person', { name: 'Bouchra' });
    expect((await a.browser.post(`/inbox/handoffs/${handoffId}/assign`, { staffId: b.person.id })).status).toBe(403);
    expect((await coordinator.browser.post(`/inbox/handoffs/${handoffId}/assign`, { staffId: a.person.id })).status).toBe(303);
    const assigned = await a.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(assigned.html).toContain('mijn verhaal');
    expect(assigned.html).toContain('Pak de zaak eerst op om te antwoorden');
    const mine = await a.browser.page('/inbox?mine=1');
    expect(mine.html).toContain(handoffId);
    await a.browser.post(`/inbox/handoffs/${handoffId}/claim`);
    expect((await coordinator.browser.post(`/inbox/handoffs/${handoffId}/assign`, { staffId: b.person.id })).status).toBe(303);
    const [h] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
    expect(h).toMatchObject({ status: 'claimed', claimedBy: b.person.id, assignedTo: b.person.id });
    expect((await a.browser.page(`/inbox/handoffs/${handoffId}`)).status).toBe(403);
    expect((await b.browser.page(`/inbox/handoffs/${handoffId}`)).html).toContain('id="reply-form"');
  });

  it('keeps notes, phase, trajectory and referrals', async () => {
    const { handoffId } = await residentAsksForPerson(app);
    const { browser } = await loggedIn();
    expect((await browser.post(`/inbox/handoffs/${handoffId}/progress`, { phase: 'refer' })).status).toBe(403); // not theirs (yet)
    await browser.post(`/inbox/handoffs/${handoffId}/claim`);
    expect((await browser.post(`/inbox/handoffs/${handoffId}/notes`, { text: 'Moeder wil <geen> jeugdzorg' })).status).toBe(303);
    const saved = await browser.post(`/inbox/handoffs/${handoffId}/progress`, {
      phase: 'refer',
      trajectory: 'heavy',
      referrals: ['gp', 'debtHelp', 'foodBank'],
    });
    expect(saved.status).toBe(303);
    await browser.post(`/inbox/handoffs/${handoffId}/progress`, {
      phase: 'refer',
      trajectory: 'heavy',
      referrals: ['gp', 'mentalHealth'],
    });
    const record = await app.services.queries.case(handoffId);
    expect(record).toMatchObject({ phase: 'refer', trajectory: 'heavy', referrals: ['gp', 'mentalHealth'] });
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain('Moeder wil &lt;geen&gt; jeugdzorg');
    expect(page.html).toMatch(/<option value="refer" selected>3\. Toeleiden en bruggen bouwen<\/option>/);
    expect(page.html).toMatch(/value="mentalHealth" checked/);
    expect((await browser.post(`/inbox/handoffs/${handoffId}/progress`, { referrals: ['nonsense'] })).status).toBe(400);
  });
});

describe('the staff API', () => {
  const API_TOKEN = 'api-token-for-tests-api-token-for-tests-1';
  let api: App;
  beforeAll(async () => {
    api = await createTestApp(testDb.database, { STAFF_API_TOKEN: API_TOKEN });
  });
  afterAll(() => api.close());
  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? API_TOKEN}`);
    if (init.body) headers.set('content-type', 'application/json');
    return api.server.request(path, { ...init, headers });
  };

  it('lists, filters, reads (audited), claims, replies and closes, with JSON errors', async () => {
    const first = await residentAsksForPerson(api, 'eerste');
    const urgent = await residentAsksForPerson(api, 'mijn man slaat mij'); // danger words: urgent
    const list = (await (await call('/api/handoffs')).json()) as { handoffs: { id: string; urgent: boolean }[] };
    expect(list.handoffs.map((h) => h.id)).toEqual([urgent.handoffId, first.handoffId]); // urgent first
    expect(list.handoffs[0]!.urgent).toBe(true);
    const onlyUrgent = (await (await call('/api/handoffs?urgent=true')).json()) as { handoffs: unknown[] };
    expect(onlyUrgent.handoffs).toHaveLength(1);
    expect(((await (await call('/api/handoffs?language=ar')).json()) as { handoffs: unknown[] }).handoffs).toHaveLength(0);
    expect(((await (await call('/api/handoffs?language=nl')).json()) as { handoffs: unknown[] }).handoffs).toHaveLength(2);
    expect((await call('/api/handoffs?status=nonsense')).status).toBe(400);

    const full = (await (await call(`/api/handoffs/${first.handoffId}`)).json()) as { transcript: { text: string }[] };
    expect(full.transcript.map((m) => m.text)).toContain('eerste');
    const [audit] = await testDb.database.db.select().from(auditLog).where(eq(auditLog.handoffId, first.handoffId));
    expect(audit).toMatchObject({ actorId: 'api', action: 'transcript.view', outcome: 'allowed' });

    expect(
      (await call(`/api/handoffs/${first.handoffId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'hoi' }) })).status,
    ).toBe(409);
    expect((await call(`/api/handoffs/${first.handoffId}/claim`, { method: 'POST' })).status).toBe(200);
    const again = await call(`/api/handoffs/${first.handoffId}/claim`, { method: 'POST' });
    expect(again.status).toBe(200); // claiming one's own again is fine
    const person = await addStaff(api);
    const { token } = await api.services.tokens.create(person.id, null);
    const late = await call(`/api/handoffs/${first.handoffId}/claim`, { method: 'POST', token });
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({ error: 'conflict', reason: 'someone else claimed it first' });

    expect(
      (await call(`/api/handoffs/${first.handoffId}/messages`, { method: 'POST', body: JSON.stringify({ text: '  ' }) })).status,
    ).toBe(400);
    expect((await call(`/api/handoffs/${first.handoffId}/messages`, { method: 'POST', body: '{oops' })).status).toBe(400);
    const sent = await call(`/api/handoffs/${first.handoffId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'We helpen je.' }),
    });
    expect(sent.status).toBe(201);
    expect(await sent.json()).toMatchObject({ ok: true, messageId: expect.any(Number) });
    expect((await call('/api/handoffs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('/api/handoffs/not-an-id/claim', { method: 'POST' })).status).toBe(404);
    expect((await call('/api/handoffs', { token: null })).status).toBe(401);
    expect((await call(`/api/handoffs/${first.handoffId}/close`, { method: 'POST' })).status).toBe(200);
    const closedAgain = await call(`/api/handoffs/${first.handoffId}/close`, { method: 'POST' });
    expect(closedAgain.status).toBe(409);
    expect(
      (await call(`/api/handoffs/${first.handoffId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'hoi' }) })).status,
    ).toBe(409);
    const patch = await call(`/api/handoffs/${urgent.handoffId}`, {
      method: 'PATCH',
      body: JSON.stringify({ phase: 'aftercare' }),
    });
    expect(patch.status).toBe(409); // a waiting case is claimed first, even by a coordinator
  });
});

describe('live updates (server-sent events)', () => {
  it('announce a new handoff on the queue stream and a resident’s message on the case stream', async () => {
    const { browser } = await loggedIn('coordinator');
    const queueStream = await browser.request('/inbox/events', { headers: { accept: 'text/event-stream' } });
    expect(queueStream.headers.get('content-type')).toBe('text/event-stream');
    const opened = readEvents(queueStream, (e) => e.event === 'queue' && JSON.parse(e.data).change === 'opened');
    await new Promise((r) => setTimeout(r, 100));
    const { chat, handoffId } = await residentAsksForPerson(app, 'nieuw');
    const events = await opened;
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ change: 'opened', handoffId, urgent: false });
    expect(events.map((e) => e.data).join('')).not.toContain('nieuw'); // ids only, no resident words

    await browser.post(`/inbox/handoffs/${handoffId}/claim`);
    const caseStream = await browser.request(`/inbox/handoffs/${handoffId}/events?after=${await lastMessageId()}`, {
      headers: { accept: 'text/event-stream' },
    });
    const answer = readEvents(caseStream, (e) => e.event === 'message' && e.data.includes('&lt;i&gt;echt&lt;/i&gt; waar'));
    await new Promise((r) => setTimeout(r, 100));
    await chat.say('<i>echt</i> waar');
    const got = await answer;
    const { html } = JSON.parse(got.at(-1)!.data) as { html: string };
    expect(html).toMatch(/^<li class="msg msg--in"/);
    expect(html).not.toContain('<i>');
    const watched = await testDb.database.db.select().from(auditLog).where(eq(auditLog.action, 'transcript.live'));
    expect(watched).toHaveLength(1);
  });

  it('sends a reply’s delivery state as it changes', async () => {
    const { handoffId } = await residentAsksForPerson(app);
    const { browser } = await loggedIn('coordinator');
    await browser.post(`/inbox/handoffs/${handoffId}/claim`);
    channel.script = [{ ok: false, retry: true, reason: 'network down' }];
    const stream = await browser.request(`/inbox/handoffs/${handoffId}/events?after=${await lastMessageId()}`, {
      headers: { accept: 'text/event-stream' },
    });
    const states = readEvents(stream, (e) => e.event === 'message' && e.data.includes('data-delivery=\\"sent\\"'), 15_000);
    await new Promise((r) => setTimeout(r, 100));
    await browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'komt eraan' });
    const events = await states;
    const deliveries = events.filter((e) => e.event === 'message').map((e) => /data-delivery=\\"(\w+)\\"/.exec(e.data)?.[1]);
    expect(deliveries[0]).toMatch(/pending|retrying/);
    expect(deliveries.at(-1)).toBe('sent');
  });

  it('follows a reply the page drew still pending (the page reloaded after sending) until it is sent', async () => {
    const { handoffId } = await residentAsksForPerson(app);
    const { browser } = await loggedIn('coordinator');
    await browser.post(`/inbox/handoffs/${handoffId}/claim`);
    channel.script = [
      { ok: false, retry: true, reason: 'network down' },
      { ok: false, retry: true, reason: 'network down' },
    ];
    await browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'ik stuur je het formulier' });
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toMatch(/data-delivery="(pending|retrying)"/);
    // The page's stream starts after its last message: the reply itself.
    const stream = await browser.request(`/inbox/handoffs/${handoffId}/events?after=${await lastMessageId()}`, {
      headers: { accept: 'text/event-stream' },
    });
    const sent = readEvents(stream, (e) => e.event === 'message' && e.data.includes('data-delivery=\\"sent\\"'), 15_000);
    const events = await sent;
    expect(events.at(-1)!.data).toContain('ik stuur je het formulier');
  });

  it('tells a stream whose session ended, and closes it', async () => {
    const { browser } = await loggedIn('coordinator');
    const stream = await browser.request('/inbox/events', { headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    await browser.post('/inbox/logout');
    const unauthorised = await browser.request('/inbox/events', { headers: { accept: 'text/event-stream' } });
    expect(unauthorised.status).toBe(401);
    await stream.body?.cancel();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 13, escalation and reminders, with a clock the test moves: an urgent case nobody claims is
 * raised again with staff after ESCALATE_URGENT_AFTER_MINUTES and at each interval, once across
 * instances; a non-urgent one waiting longer than a working day is marked overdue; a staff member's
 * "remind me" goes out once when due, naming the case but never the note.
 */

const API_TOKEN = 'api-token-for-continuity-tests-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-continuity';
const MINUTE = 60_000;
let testDb: TestDatabase;
let app: App;
/** A second instance on the same database, to check "once across instances". */
let other: App;
let now = Date.now();
const webhook: { event: string; body: Record<string, unknown>; raw: string }[] = [];

const env = {
  STAFF_API_TOKEN: API_TOKEN,
  STAFF_WEBHOOK_URL: 'https://hooks.example.org/tussenin',
  STAFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
  ESCALATE_URGENT_AFTER_MINUTES: '15',
  ORG_HOURS: 'mo-fr 09:00-17:00',
  ORG_TIMEZONE: 'Europe/Amsterdam',
};
const options = {
  clock: () => new Date(now),
  inbox: {
    notifyFetch: (async (_url: unknown, init?: RequestInit) => {
      const raw = String(init?.body);
      webhook.push({ event: new Headers(init?.headers).get('x-tussenin-event') ?? '', body: JSON.parse(raw), raw });
      return new Response(null, { status: 200 });
    }) as typeof fetch,
  },
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database, env, options);
  other = await createTestApp(testDb.database, env, options);
});
afterAll(async () => {
  await other.close();
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  webhook.length = 0;
  now = Date.now();
});

const api = async (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
  const res = await app.server.request(path, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers: {
      authorization: `Bearer ${init.token ?? API_TOKEN}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as any };
};

/** Both instances look for due work at the same moment; resolves when the alerts have gone out. */
async function tickAt(minutesLater: number, start: number) {
  now = start + minutesLater * MINUTE;
  await Promise.all([app.continuity.tick(), other.continuity.tick()]);
  await Promise.all([app.services.idle(), other.services.idle()]);
}
const escalations = () => webhook.filter((w) => w.event === 'handoff.escalated');

describe('an urgent case nobody claims', () => {
  it('is raised again after 15 minutes, once across two instances, and again at each interval until claimed', async () => {
    const start = now;
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hij slaat me, ik ben bang, help');
    const id = await openHandoffOf(app, chat);

    await tickAt(14, start);
    expect(escalations()).toHaveLength(0);

    await tickAt(16, start);
    expect(escalations()).toHaveLength(1);
    const [first] = escalations();
    expect(first!.body).toMatchObject({ event: 'handoff.escalated', handoffId: id, urgent: true, waitingMinutes: 16 });
    expect(first!.raw).not.toMatch(/slaat|bang|help/); // never the resident's words

    await tickAt(20, start);
    expect(escalations()).toHaveLength(1);

    await tickAt(32, start);
    expect(escalations()).toHaveLength(2);

    expect((await api(`/api/handoffs/${id}/claim`, { body: {} })).status).toBe(200);
    await tickAt(60, start);
    expect(escalations()).toHaveLength(2);
  });

  it('counts from when the case turned urgent, not from when it came in', async () => {
    const start = now;
    const { chat, handoffId } = await residentAsksForPerson(app, 'hallo');
    await tickAt(30, start);
    expect(escalations()).toHaveLength(0);
    await chat.say('ik wil dood'); // turns urgent at minute 30
    await tickAt(40, start);
    expect(escalations()).toHaveLength(0);
    await tickAt(46, start);
    expect(escalations().map((e) => e.body.handoffId)).toEqual([handoffId]);
  });
});

describe('a non-urgent case nobody claims', () => {
  it('shows as overdue after one working day, counted in office hours', async () => {
    now = Date.parse('2026-12-04T19:00:00Z'); // Friday 20:00 in Amsterdam
    const { handoffId } = await residentAsksForPerson(app, 'hallo');
    const overdueAt = async (iso: string) => {
      now = Date.parse(iso);
      const list = await api('/api/handoffs');
      return list.json.handoffs.find((h: { id: string }) => h.id === handoffId).overdue as boolean;
    };
    expect(await overdueAt('2026-12-07T15:59:00Z')).toBe(false); // Monday 16:59: not a whole working day yet
    expect(await overdueAt('2026-12-08T08:00:00Z')).toBe(true); // Tuesday 09:00

    const person = await addStaff(app, { role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    const queue = await browser.page('/inbox');
    expect(queue.html).toMatch(new RegExp(`data-id="${handoffId}"[\\s\\S]*?data-overdue`));
  });
});

describe('a reminder on a case', () => {
  it('is set from the case page, shows in Mijn zaken, and goes out once when due, without its note', async () => {
    const person = await addStaff(app, { role: 'trust_person', name: 'Samira' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    const { handoffId } = await residentAsksForPerson(app, 'hallo');
    expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);

    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain(`action="/inbox/handoffs/${handoffId}/reminders"`);
    const res = await browser.post(`/inbox/handoffs/${handoffId}/reminders`, {
      date: '2026-12-09',
      time: '10:30',
      note: 'Bellen over de brief van de Belastingdienst',
    });
    expect(res.status).toBe(303);

    const mine = await browser.page('/inbox?mine=1');
    expect(mine.html).toContain('id="my-reminders"');
    expect(mine.html).toContain('Bellen over de brief van de Belastingdienst');
    expect(mine.html).toContain('datetime="2026-12-09T09:30:00.000Z"'); // 10:30 in Amsterdam

    now = Date.parse('2026-12-09T09:29:00Z');
    await Promise.all([app.continuity.tick(), other.continuity.tick()]);
    await app.services.idle();
    expect(webhook.filter((w) => w.event === 'case.reminder')).toHaveLength(0);

    now = Date.parse('2026-12-09T09:31:00Z');
    await Promise.all([app.continuity.tick(), other.continuity.tick()]);
    await Promise.all([app.services.idle(), other.services.idle()]);
    const sent = webhook.filter((w) => w.event === 'case.reminder');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ handoffId, staffId: person.id, name: 'Samira' });
    expect(sent[0]!.raw).not.toContain('Belastingdienst');

    // Done: gone from Mijn zaken.
    const reminderId = /action="\/inbox\/reminders\/(\d+)\/done"/.exec(mine.html)![1];
    expect((await browser.post(`/inbox/reminders/${reminderId}/done`, { back: '' })).status).toBe(303);
    expect((await browser.page('/inbox?mine=1')).html).not.toContain('Belastingdienst');
  });

  it('through the API: personal, only on a case one may read, and a bad date is refused with the reason', async () => {
    const holder = await addStaff(app, { role: 'trust_person' });
    const outsider = await addStaff(app, { role: 'trust_person' });
    const holderToken = (await app.services.tokens.create(holder.id, 'test')).token;
    const outsiderToken = (await app.services.tokens.create(outsider.id, 'test')).token;
    const { handoffId } = await residentAsksForPerson(app, 'hallo');
    expect((await api(`/api/handoffs/${handoffId}/claim`, { body: {}, token: holderToken })).status).toBe(200);

    const made = await api(`/api/handoffs/${handoffId}/reminders`, {
      body: { dueAt: '2026-12-10', note: 'nabellen' },
      token: holderToken,
    });
    expect(made.status).toBe(201);
    expect(made.json.dueAt).toBe('2026-12-10T08:00:00.000Z'); // a date alone: 09:00 in Amsterdam

    const listed = await api('/api/reminders', { token: holderToken });
    expect(listed.json.reminders).toEqual([
      expect.objectContaining({ handoffId, dueAt: '2026-12-10T08:00:00.000Z', note: 'nabellen', notified: false }),
    ]);
    expect((await api('/api/reminders', { token: outsiderToken })).json.reminders).toEqual([]);

    expect(
      (await api(`/api/handoffs/${handoffId}/reminders`, { body: { dueAt: '2026-12-10' }, token: outsiderToken })).status,
    ).toBe(403);
    expect((await api(`/api/handoffs/${handoffId}/reminders`, { body: { dueAt: '2026-12-10' } })).status).toBe(403); // the shared token
    const bad = await api(`/api/handoffs/${handoffId}/reminders`, { body: { dueAt: 'next tuesday' }, token: holderToken });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/dueAt/);
    expect((await api(`/api/reminders/${made.json.id}/done`, { body: {}, token: outsiderToken })).status).toBe(404);
    expect((await api(`/api/reminders/${made.json.id}/done`, { body: {}, token: holderToken })).status).toBe(200);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { staff, staffSessions } from '../../src/db/schema.js';
import { createSessionStore } from '../../src/staff/sessions.js';
import { addStaff, StaffBrowser, TEST_PASSWORD } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const API_TOKEN = 'test-api-token-test-api-token-0123456789';
let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(
    testDb.database,
    { STAFF_API_TOKEN: API_TOKEN, STAFF_LOGIN_MAX_FAILURES: '3' },
    { inbox: { loginAttemptsPerMinute: 1000 } },
  );
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(() => testDb.truncate());

describe('staff log-in', () => {
  it('logs in with the right password, sets an HttpOnly SameSite cookie, and logs out', async () => {
    const person = await addStaff(app, { name: 'Aicha' });
    const browser = new StaffBrowser(app.server);
    const login = await browser.login(person.email);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/inbox');
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('tussenin_staff='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http in tests; see the https case below
    const queue = await browser.page('/inbox');
    expect(queue.status).toBe(200);
    expect(queue.html).toContain('Aicha');

    const out = await browser.post('/inbox/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/inbox/login?loggedOut=1');
    const after = await browser.page('/inbox');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/inbox\/login/);
    expect(await testDb.database.db.select().from(staffSessions)).toEqual([]);
  });

  it('refuses a wrong password with the same answer as an unknown address', async () => {
    const person = await addStaff(app);
    const wrong = await new StaffBrowser(app.server).login(person.email, 'not the password');
    const unknown = await new StaffBrowser(app.server).login('nobody@example.org', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const text = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    expect(text(await wrong.text())).toBe(text(await unknown.text()));
  });

  it('after repeated failures asks to wait, even with the right password, without saying an account is locked', async () => {
    const person = await addStaff(app);
    for (let i = 0; i < 3; i++)
      expect((await new StaffBrowser(app.server).login(person.email, 'wrong password!')).status).toBe(401);
    const right = await new StaffBrowser(app.server).login(person.email, TEST_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBe('1');
    const html = await right.text();
    expect(html).toContain('Te veel pogingen. Probeer het over 1 seconde opnieuw.');
    expect(html).not.toContain('geblokkeerd');
    // No lock in the staff row any more: the delays are counted per email and address.
    const [row] = await testDb.database.db.select().from(staff).where(eq(staff.id, person.id));
    expect(row!.lockedUntil).toBeNull();
  });

  it('rate-limits log-in attempts per address (10 a minute)', async () => {
    const limited = await createTestApp(testDb.database);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await new StaffBrowser(limited.server).login(`nobody${i}@example.org`, 'nope nope nope')).status);
      }
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('refuses a log-in post without the form token (login CSRF)', async () => {
    const person = await addStaff(app);
    const browser = new StaffBrowser(app.server);
    const res = await browser.post('/inbox/login', { email: person.email, password: TEST_PASSWORD }, { csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(browser.cookies.has('tussenin_staff')).toBe(false);
  });

  it('sends only to pages inside the inbox after log-in (no open redirect)', async () => {
    const person = await addStaff(app);
    const browser = new StaffBrowser(app.server);
    const form = await (await browser.request('/inbox/login')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const res = await browser.post(
      '/inbox/login',
      { _csrf: csrf, email: person.email, password: TEST_PASSWORD, next: '//evil.example/inbox' },
      { csrf: false },
    );
    expect(res.headers.get('location')).toBe('/inbox');
  });
});

describe('staff sessions', () => {
  it('sends an expired session to the log-in page, and a script gets 401', async () => {
    const person = await addStaff(app);
    const browser = new StaffBrowser(app.server);
    await browser.login(person.email);
    await testDb.database.db.update(staffSessions).set({ lastSeenAt: new Date(Date.now() - 3 * 3_600_000) });
    const page = await browser.page('/inbox?urgent=1');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/inbox/login?expired=1&next=%2Finbox%3Furgent%3D1');
    const login = await browser.page(page.location!);
    expect(login.html).toContain('Je sessie is verlopen');
    // the session is gone: a script's request is 401 JSON
    const res = await browser.request('/inbox/session', { headers: { 'x-requested-with': 'fetch' } });
    expect(res.status).toBe(401);
  });

  it('ends a session after the idle time and after the absolute time', async () => {
    let now = new Date('2026-01-01T08:00:00Z');
    const sessions = createSessionStore(testDb.database, { idleMs: 30 * 60_000, maxMs: 2 * 3_600_000 }, () => now);
    const person = await addStaff(app);
    const idle = await sessions.create(person.id);
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await sessions.lookup(idle.token)).status).toBe('expired');

    const busy = await sessions.create(person.id);
    for (let i = 0; i < 4; i++) {
      now = new Date(now.getTime() + 25 * 60_000); // active every 25 minutes
      expect((await sessions.lookup(busy.token)).status).toBe('active');
    }
    now = new Date(now.getTime() + 25 * 60_000); // 2 h 05 after log-in: not idle, but past the end
    expect((await sessions.lookup(busy.token)).status).toBe('expired');
    expect((await sessions.lookup('made-up')).status).toBe('none');
  });

  it('marks the cookie Secure with the __Host- prefix when PUBLIC_URL is https', async () => {
    const secureApp = await createTestApp(testDb.database, { PUBLIC_URL: 'https://chat.example.org' });
    try {
      const person = await addStaff(secureApp);
      const res = await new StaffBrowser(secureApp.server).login(person.email);
      const cookie = res.headers.getSetCookie().find((c) => c.includes('tussenin_staff='))!;
      expect(cookie).toMatch(/^__Host-tussenin_staff=/);
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/Path=\//);
    } finally {
      await secureApp.close();
    }
  });
});

describe('CSRF', () => {
  it('refuses a state-changing post without a valid token, with a wrong one, or from another site', async () => {
    const person = await addStaff(app, { role: 'coordinator' });
    const browser = new StaffBrowser(app.server);
    await browser.login(person.email);
    const missing = await browser.post('/inbox/logout', {}, { csrf: false });
    expect(missing.status).toBe(403);
    const wrong = await browser.post('/inbox/logout', {}, { csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const json = await browser.request('/inbox/logout', { method: 'POST', headers: { 'x-requested-with': 'fetch' } });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ error: 'csrf_failed' });
    const otherSite = await browser.post('/inbox/logout', {}, { headers: { origin: 'https://evil.example' } });
    expect(otherSite.status).toBe(403);
    // still logged in after all of these
    expect((await browser.page('/inbox')).status).toBe(200);
    // the header form works (what the page's script sends)
    const header = await browser.request('/inbox/logout', { method: 'POST', headers: { 'x-csrf-token': browser.csrf } });
    expect(header.status).toBe(303);
  });
});

describe('API tokens', () => {
  it('accepts STAFF_API_TOKEN as a coordinator and a personal token as its owner; refuses others with 401 JSON', async () => {
    const person = await addStaff(app, { role: 'trust_person' });
    const { id, token } = await app.services.tokens.create(person.id, 'test');
    const get = (bearer?: string) =>
      app.server.request('/api/audit', { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    expect((await get(API_TOKEN)).status).toBe(200); // coordinator
    expect((await get(token)).status).toBe(403); // a trust person may not read the audit log
    expect((await app.server.request('/api/handoffs', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const none = await get();
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'unauthorized' });
    expect((await get('tsi_made-up')).status).toBe(401);
    await app.services.tokens.revoke(id);
    expect((await get(token)).status).toBe(401);
  });

  it('stores only a hash of a personal token', async () => {
    const person = await addStaff(app);
    const { token } = await app.services.tokens.create(person.id, null);
    const rows = await testDb.database.rows<{ token_hash: string }>(
      (await import('drizzle-orm')).sql`select token_hash from staff_tokens`,
    );
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(token);
  });
});

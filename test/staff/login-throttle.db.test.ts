import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { loginPolicy } from '../../src/services.js';
import { formatAlert } from '../../src/notify/format-alert.js';
import { createLogin } from '../../src/staff/login.js';
import { delayAfter, DEFAULT_THROTTLE_POLICY } from '../../src/staff/login-throttle.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, StaffBrowser, TEST_PASSWORD } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const START = new Date('2026-03-02T09:00:00Z').getTime();

let testDb: TestDatabase;
let app: App;
let now = START;
const webhook: { event: string; body: Record<string, unknown>; raw: string }[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(
    testDb.database,
    // TRUST_PROXY: each test picks its client address with X-Forwarded-For.
    { TRUST_PROXY: '1', STAFF_WEBHOOK_URL: 'https://hooks.example.org/tussenin', STAFF_WEBHOOK_SECRET: WEBHOOK_SECRET },
    {
      inbox: {
        loginAttemptsPerMinute: 1000,
        loginClock: () => new Date(now),
        notifyFetch: (async (_url: unknown, init?: RequestInit) => {
          const raw = String(init?.body);
          webhook.push({ event: new Headers(init?.headers).get('x-tussenin-event') ?? '', body: JSON.parse(raw), raw });
          return new Response(null, { status: 200 });
        }) as typeof fetch,
      },
    },
  );
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  now = START;
  webhook.length = 0;
});

const advance = (seconds: number) => {
  now += seconds * 1000;
};

/** One log-in through the form, from the given client address. */
async function attempt(email: string, password: string, address: string): Promise<Response> {
  const browser = new StaffBrowser(app.server);
  const headers = { 'x-forwarded-for': address };
  const form = await (await browser.request('/inbox/login', { headers })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
  return browser.post('/inbox/login', { _csrf: csrf, email, password, next: '/inbox' }, { csrf: false, headers });
}

/**
 * Everything a client sees of an answer, with the one random part (the new log-in form token, in the
 * page and its cookie) and the email echoed into the form replaced.
 */
async function seen(res: Response, email: string) {
  const token = /tussenin_login=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1];
  const mask = (text: string) => (token ? text.replaceAll(token, '<form token>') : text).replaceAll(email, '<email>');
  const headers: string[] = [];
  res.headers.forEach((value, name) => headers.push(`${name}: ${mask(value)}`));
  headers.sort();
  return { status: res.status, headers, body: mask(await res.text()) };
}

describe('log-in answers tell nothing about which addresses have accounts', () => {
  it('answers an unknown address, a disabled account and a wrong password byte for byte the same, after 1, 5 and 12 failures', async () => {
    const known = await addStaff(app, { email: 'aicha@example.org' });
    const disabled = await addStaff(app, { email: 'bram@example.org' });
    await app.services.staff.setActive(disabled.id, false);
    // Each on its own client address, so all three counts run in step.
    const tries = [
      { email: known.email, password: 'a wrong guess', address: '203.0.113.1' },
      { email: 'nobody@example.org', password: 'a wrong guess', address: '203.0.113.2' },
      { email: disabled.email, password: TEST_PASSWORD, address: '203.0.113.3' }, // the right password, but disabled
    ];
    const round = async (password?: string) =>
      Promise.all(tries.map(async (t) => seen(await attempt(t.email, password ?? t.password, t.address), t.email)));

    for (let failures = 1; failures <= 12; failures++) {
      const answers = await round();
      expect(answers[0]!.status, `failure ${failures}`).toBe(401);
      expect(answers[1], `failure ${failures}`).toEqual(answers[0]);
      expect(answers[2], `failure ${failures}`).toEqual(answers[0]);
      expect(answers[0]!.body).toContain('E-mailadres of wachtwoord klopt niet.');

      if (failures === 5 || failures === 12) {
        // Within the delay: the same "wait" answer, even with the known account's right password.
        const waiting = await round(TEST_PASSWORD);
        const wait = delayAfter(failures, 5, DEFAULT_THROTTLE_POLICY) / 1000;
        expect(waiting[0]!.status).toBe(429);
        expect(waiting[0]!.headers).toContain(`retry-after: ${wait}`);
        expect(waiting[1]).toEqual(waiting[0]);
        expect(waiting[2]).toEqual(waiting[0]);
        expect(waiting[0]!.body).toContain('Te veel pogingen.');
        expect(waiting[0]!.body).not.toMatch(/geblokkeerd|account/i);
      }
      advance(delayAfter(failures, 5, DEFAULT_THROTTLE_POLICY) / 1000);
    }
  });

  it('counts on every instance: two processes share the counts in the database', async () => {
    const person = await addStaff(app);
    const clock = () => new Date(now);
    const first = createLogin(testDb.database, undefined, { now: clock });
    const second = createLogin(testDb.database, undefined, { now: clock });
    for (let i = 0; i < 5; i++) expect(await first(person.email, 'a wrong guess')).toEqual({ ok: false, reason: 'invalid' });
    expect(await second(person.email, TEST_PASSWORD)).toEqual({ ok: false, reason: 'throttled', retryAfterSeconds: 1 });
    expect(await second('NOBODY@example.org', 'x')).toEqual({ ok: false, reason: 'invalid' });
    advance(1);
    expect(await second(person.email, TEST_PASSWORD)).toEqual({ ok: true, staffId: person.id });
  });
});

describe('growing delays instead of a lock', () => {
  it('waits 1 s, 2 s, 4 s … after the free failures, up to 5 minutes', () => {
    const waits = Array.from({ length: 16 }, (_, i) => delayAfter(i + 1, 5, DEFAULT_THROTTLE_POLICY) / 1000);
    expect(waits).toEqual([0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
  });

  it('lets the real person in once the delay has passed, however hard an attacker hammered', async () => {
    const person = await addStaff(app);
    // A burst: 50 tries at once. Only the free ones are checked; the rest wait and do not add to the delay.
    const burst: number[] = [];
    for (let i = 0; i < 50; i++) burst.push((await attempt(person.email, `guess ${i}`, '198.51.100.66')).status);
    expect(burst).toEqual([...Array(5).fill(401), ...Array(45).fill(429)]);
    const blocked = await attempt(person.email, TEST_PASSWORD, '192.0.2.10');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    advance(1);
    expect((await attempt(person.email, TEST_PASSWORD, '192.0.2.10')).status).toBe(303);

    // An attacker who keeps guessing as fast as allowed never makes the wait longer than 5 minutes.
    let failures = 0;
    let longest = 0;
    while (failures < 25) {
      const res = await attempt(person.email, 'another guess', '198.51.100.66');
      if (res.status === 401) failures++;
      else {
        const wait = Number(res.headers.get('retry-after'));
        longest = Math.max(longest, wait);
        advance(wait);
      }
    }
    expect(longest).toBe(300);
    const waiting = await attempt(person.email, TEST_PASSWORD, '192.0.2.10');
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get('retry-after'))).toBeLessThanOrEqual(300);
    advance(300);
    expect((await attempt(person.email, TEST_PASSWORD, '192.0.2.10')).status).toBe(303);
    // The count started again: the next typo is just a typo.
    expect((await attempt(person.email, 'a typo', '192.0.2.10')).status).toBe(401);
    expect((await attempt(person.email, TEST_PASSWORD, '192.0.2.10')).status).toBe(303);
  });

  it('forgets the count after an hour without failures', async () => {
    const person = await addStaff(app);
    for (let i = 0; i < 7; i++) {
      expect((await attempt(person.email, 'wrong', '192.0.2.20')).status).toBe(401);
      advance(10);
    }
    advance(3600);
    for (let i = 0; i < 4; i++) expect((await attempt(person.email, 'wrong', '192.0.2.20')).status).toBe(401);
    expect((await attempt(person.email, TEST_PASSWORD, '192.0.2.20')).status).toBe(303);
  });

  it('throttles one client address trying many addresses, without holding up others', async () => {
    const person = await addStaff(app);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt(`guess${i}@example.org`, 'password1', '198.51.100.7')).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const next = await attempt('guess10@example.org', 'password1', '198.51.100.7');
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).toBe('1');
    // The same address is held up even for a real account; another address is not.
    expect((await attempt(person.email, TEST_PASSWORD, '198.51.100.7')).status).toBe(429);
    expect((await attempt(person.email, TEST_PASSWORD, '192.0.2.30')).status).toBe(303);
  });

  it('reads the old STAFF_LOCKOUT_MINUTES as the longest delay; STAFF_LOGIN_MAX_DELAY_SECONDS wins', () => {
    expect(loginPolicy(loadConfig({})).maxDelayMs).toBe(300_000);
    expect(loginPolicy(loadConfig({ STAFF_LOCKOUT_MINUTES: '2' })).maxDelayMs).toBe(120_000);
    const both = loginPolicy(loadConfig({ STAFF_LOCKOUT_MINUTES: '2', STAFF_LOGIN_MAX_DELAY_SECONDS: '30' }));
    expect(both.maxDelayMs).toBe(30_000);
    expect(loginPolicy(loadConfig({ STAFF_LOGIN_MAX_FAILURES: '3' }))).toMatchObject({ freeFailures: 3, addressFreeFailures: 6 });
    expect(loginPolicy(loadConfig({})).alertAfter).toBe(10);
  });
});

describe('coordinators hear of repeated failures', () => {
  async function failTimes(email: string, times: number, address: string) {
    for (let i = 0; i < times; i++) {
      const res = await attempt(email, `secret guess ${i}`, address);
      if (res.status === 429) {
        advance(Number(res.headers.get('retry-after')));
        i--;
      } else expect(res.status).toBe(401);
    }
  }

  it('records an audit entry and sends an alert at 10 failures in a row, without the password', async () => {
    const coordinator = await addStaff(app, { role: 'coordinator' });
    const person = await addStaff(app, { name: 'Yusuf Demir', email: 'yusuf@example.org' });
    await failTimes(person.email, 9, '198.51.100.9');
    await app.services.idle();
    expect(await app.services.audit.list()).toEqual([]);
    await failTimes(person.email, 1, '198.51.100.9');
    await app.services.idle();

    const [entry, ...rest] = await app.services.audit.list();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      actorId: 'login-guard',
      via: 'system',
      action: 'staff.login_failures',
      outcome: 'denied',
      detail: { staffId: person.id, failures: 10 },
    });
    expect(webhook).toHaveLength(1);
    expect(webhook[0]!.event).toBe('staff.login_failures');
    expect(webhook[0]!.body).toMatchObject({
      event: 'staff.login_failures',
      staffId: person.id,
      name: 'Yusuf Demir',
      email: 'yusuf@example.org',
      failures: 10,
      url: '/inbox/audit',
    });
    expect(webhook[0]!.raw).not.toContain('secret guess');
    expect(JSON.stringify(entry)).not.toContain('secret guess');

    // The audit log page names the account.
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(coordinator.email)).status).toBe(303);
    const page = await browser.page('/inbox/audit');
    expect(page.html).toContain('Systeem (inlogcontrole)');
    expect(page.html).toContain('Herhaald verkeerd wachtwoord voor Yusuf Demir (10 keer op rij)');

    // The staff chat's text names the person, not the email address.
    const text = formatAlert(texts, webhook[0]!.body as never);
    expect(text).toContain('Yusuf Demir');
    expect(text).toContain('10 keer op rij');
    expect(text).not.toContain('yusuf@example.org');
  });

  it('tells again at 20, but not of an address without an account', async () => {
    const person = await addStaff(app);
    await failTimes(person.email, 20, '198.51.100.10');
    await failTimes('nobody@example.org', 20, '198.51.100.11');
    await app.services.idle();
    const entries = await app.services.audit.list();
    expect(entries.map((e) => e.detail)).toEqual([
      { staffId: person.id, failures: 20 },
      { staffId: person.id, failures: 10 },
    ]);
    expect(webhook.map((w) => w.body.failures)).toEqual([10, 20]);
  });
});

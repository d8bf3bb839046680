import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { newEncryptionKey } from '../../src/crypto/field-cipher.js';
import type { SummaryReport } from '../../src/reports/summary-report.js';
import { escapeHtml } from '../../src/server/escape-html.js';
import { texts } from '../helpers/engine-driver.js';
import { amsterdam, seedCase as seedReportCase, type ReportCase } from '../helpers/report-cases.js';
import { addStaff, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';

/**
 * Issue 16, reports for funders: a small month of work, built as it happens (cases handed over on three
 * channels in three languages, claimed, answered, referred, closed with what they likely prevented),
 * with the times set to known moments, and the numbers a funder would check: the counts, the median and
 * 90th percentile of the first human reply, the estimate of costs prevented and its arithmetic, the
 * month's edges in Amsterdam time, the CSV (small counts, formula injection), and who may read it.
 * Resident content is encrypted at rest here, as in production: topics come from encrypted summaries.
 */

const API_TOKEN = 'api-token-for-report-tests-0123456789abcdef';
const TZ = 'Europe/Amsterdam';
let app: App;
let now = new Date();

useTestApp(
  (made) => ({ app } = made),
  { STAFF_API_TOKEN: API_TOKEN, ENCRYPTION_KEYS: newEncryptionKey('reports') },
  {
    clock: () => now,
  },
);

/** A moment in Amsterdam time, as the organisation reads it. */
const local = amsterdam;

const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  app.server.request(path, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? API_TOKEN}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });

const summaryOf = async (from: string, to: string, token?: string) => {
  const res = await call(`/api/reports/summary?from=${from}&to=${to}`, token ? { token } : {});
  expect(res.status).toBe(200);
  return (await res.json()) as SummaryReport;
};

/** A handed-over case at a known time (test/helpers/report-cases.ts). */
const seedCase = (c: ReportCase) => seedReportCase(app, c);

/** A trust person's work on a case through the API: claim, a first reply at a known time, progress, referrals. */
async function work(
  token: string,
  id: string,
  w: { replyAt?: string; trajectory?: 'light' | 'heavy'; phase?: string; referrals?: [string, string][] },
) {
  expect((await call(`/api/handoffs/${id}/claim`, { method: 'POST', token })).status).toBe(200);
  if (w.replyAt) {
    const res = await call(`/api/handoffs/${id}/messages`, { method: 'POST', token, body: { text: 'Hallo, ik ben Samira.' } });
    expect(res.status).toBe(201);
    const { messageId } = (await res.json()) as { messageId: number };
    await app.database.rows(
      sql`update messages set created_at = ${local(w.replyAt).toISOString()}::timestamptz where id = ${messageId}`,
    );
    // A second reply later on: only the first one counts.
    const later = await call(`/api/handoffs/${id}/messages`, { method: 'POST', token, body: { text: 'Tot morgen.' } });
    expect(later.status).toBe(201);
  }
  const patch = { ...(w.trajectory ? { trajectory: w.trajectory } : {}), ...(w.phase ? { phase: w.phase } : {}) };
  if (Object.keys(patch).length)
    expect((await call(`/api/handoffs/${id}`, { method: 'PATCH', token, body: patch })).status).toBe(200);
  if (w.referrals?.length) {
    const agencies = w.referrals.map(([agency]) => agency);
    expect((await call(`/api/handoffs/${id}`, { method: 'PATCH', token, body: { referrals: agencies } })).status).toBe(200);
    for (const [agency, when] of w.referrals) {
      await app.database.rows(sql`update handoff_referrals set created_at = ${local(when).toISOString()}::timestamptz
                                  where handoff_id = ${id}::uuid and agency = ${agency}`);
    }
  }
}

/** Closed at a known moment (the app's clock), without a closing message, with what it likely prevented. */
async function close(token: string, id: string, at: string, prevented?: string) {
  now = local(at);
  const res = await call(`/api/handoffs/${id}/close`, {
    method: 'POST',
    token,
    body: { message: false, ...(prevented ? { prevented } : {}) },
  });
  expect(res.status).toBe(200);
  now = new Date();
}

let cases: Record<string, string>;
let trustToken: string;

/**
 * March 2026 (summer time starts on the 29th): six new cases, six closed ones. The first case came in at
 * 00:30 on 1 March (still February in UTC) and one at 23:59 on 31 March; one at 00:30 on 1 April
 * (still March in UTC) belongs to April.
 */
async function seedMarch() {
  const samira = await addStaff(app, { name: 'Samira Haddou', role: 'trust_person' });
  trustToken = (await app.services.tokens.create(samira.id, 'test')).token;
  const t = trustToken;
  const c: Record<string, string> = {};
  c.A = await seedCase({
    channel: 'web',
    language: 'nl',
    reason: 'intake-complete',
    createdAt: '2026-03-01T00:30',
    summary: { domains: ['school', 'money'], urgency: 'week' },
  });
  c.B = await seedCase({
    channel: 'telegram',
    language: 'ar',
    reason: 'danger',
    urgent: true,
    createdAt: '2026-03-05T09:00',
    summary: { domains: ['parenting'], urgency: 'now' },
  });
  c.C = await seedCase({
    channel: 'whatsapp',
    language: 'tr',
    reason: 'intake-complete',
    createdAt: '2026-03-10T12:00',
    summary: { domains: ['housing'], urgency: 'notUrgent' },
  });
  c.D = await seedCase({
    channel: 'web',
    language: 'ar',
    reason: 'asked-for-person',
    createdAt: '2026-03-12T15:00',
    summary: { domains: 'health', urgency: 'week' },
  });
  c.I = await seedCase({
    channel: 'web',
    language: 'ar',
    reason: 'consent-declined',
    createdAt: '2026-03-15T20:00',
    summary: {},
  });
  c.E = await seedCase({ channel: 'web', language: 'nl', reason: 'aftercare', createdAt: '2026-03-31T23:59', summary: {} });
  c.F = await seedCase({
    channel: 'web',
    language: 'nl',
    reason: 'intake-complete',
    createdAt: '2026-04-01T00:30',
    summary: { domains: ['money'] },
  });
  c.G = await seedCase({
    channel: 'telegram',
    language: 'nl',
    reason: 'intake-complete',
    createdAt: '2026-02-28T23:30',
    summary: { domains: ['letters'] },
  });
  c.H = await seedCase({
    channel: 'whatsapp',
    language: 'ar',
    reason: 'intake-complete',
    createdAt: '2026-02-15T10:00',
    summary: { domains: ['parenting'] },
  });
  c.J = await seedCase({
    channel: 'web',
    language: 'nl',
    reason: 'intake-complete',
    createdAt: '2026-02-20T10:00',
    summary: { domains: ['money'] },
  });

  // First replies: 30 minutes, 2 hours, 4 hours and 1 hour after the handoff.
  await work(t, c.A, {
    replyAt: '2026-03-01T01:00',
    trajectory: 'light',
    phase: 'refer',
    referrals: [
      ['gp', '2026-03-10T10:00'],
      ['school', '2026-03-11T10:00'],
    ],
  });
  await work(t, c.B, {
    replyAt: '2026-03-05T11:00',
    trajectory: 'heavy',
    phase: 'refer',
    referrals: [['youthCare', '2026-03-20T10:00']],
  });
  await work(t, c.C, {
    replyAt: '2026-03-10T16:00',
    trajectory: 'heavy',
    phase: 'motivate',
    referrals: [['debtHelp', '2026-04-02T10:00']],
  });
  await work(t, c.D, { replyAt: '2026-03-12T16:00' });
  await work(t, c.H, { replyAt: '2026-02-15T11:00', trajectory: 'light' });
  await work(t, c.J, { trajectory: 'heavy' });

  await close(t, c.A, '2026-03-20T12:00', 'supervisionOrder');
  await close(t, c.B, '2026-03-25T12:00', 'residentialClosed');
  await close(t, c.C, '2026-03-28T12:00', 'eviction');
  await close(t, c.D, '2026-03-30T12:00', 'none');
  await close(t, c.H, '2026-03-03T12:00', 'fosterCare');
  await close(t, c.J, '2026-03-04T12:00');

  // The aftercare question of March: one "good", one "I want to talk" (E followed from it), one not asked.
  const aftercare = (id: string, when: string, answer: string | null, skipped: string | null) =>
    app.database.rows(sql`update handoffs set aftercare_sent_at = ${local(when).toISOString()}::timestamptz,
                            aftercare_answer = ${answer}, aftercare_skipped = ${skipped} where id = ${id}::uuid`);
  await aftercare(c.H, '2026-03-18T10:00', 'good', null);
  await aftercare(c.J, '2026-03-31T10:00', 'talk', null);
  await aftercare(c.G, '2026-03-20T10:00', null, 'discreet');
  cases = c;
}

describe('the summary report for funders', () => {
  beforeEach(async () => {
    now = new Date();
    await seedMarch();
  });

  it('counts the month’s new cases by channel, language, topic, urgency, trajectory, phase and reason', async () => {
    const r = await summaryOf('2026-03-01', '2026-03-31');
    expect(r.period).toEqual({ kind: 'month', from: '2026-03-01', to: '2026-03-31', timezone: TZ });
    const n = r.newCases;
    expect(n.total).toBe(6);
    expect(n.urgent).toBe(1);
    expect(n.byChannel).toEqual([
      { key: 'web', cases: 4 },
      { key: 'telegram', cases: 1 },
      { key: 'whatsapp', cases: 1 },
    ]);
    expect(n.byLanguage).toEqual([
      { key: 'ar', cases: 3 },
      { key: 'nl', cases: 2 },
      { key: 'tr', cases: 1 },
    ]);
    // Topics come from the encrypted summaries; a case names any number of them.
    expect(n.byTopic).toEqual([
      { key: 'health', cases: 1 },
      { key: 'housing', cases: 1 },
      { key: 'money', cases: 1 },
      { key: 'parenting', cases: 1 },
      { key: 'school', cases: 1 },
      { key: null, cases: 2 },
    ]);
    expect(n.byUrgency).toEqual([
      { key: 'now', cases: 1 },
      { key: 'week', cases: 2 },
      { key: 'notUrgent', cases: 1 },
      { key: null, cases: 2 },
    ]);
    expect(n.byTrajectory).toEqual([
      { key: 'light', cases: 1 },
      { key: 'heavy', cases: 2 },
      { key: null, cases: 3 },
    ]);
    expect(n.byPhase).toEqual([
      { key: 'trust', cases: 3 },
      { key: 'motivate', cases: 1 },
      { key: 'refer', cases: 2 },
      { key: 'aftercare', cases: 0 },
    ]);
    expect(Object.fromEntries(n.byReason.map((t) => [t.key, t.cases]))).toEqual({
      'intake-complete': 2,
      danger: 1,
      'asked-for-person': 1,
      'consent-declined': 1,
      aftercare: 1,
    });
    // Referrals made in March (the debt help one was made on 2 April).
    expect(r.referrals).toEqual({
      total: 3,
      cases: 2,
      byAgency: [
        { key: 'gp', cases: 1 },
        { key: 'school', cases: 1 },
        { key: 'youthCare', cases: 1 },
      ],
    });
    expect(r.aftercare).toEqual({ reopened: 1, asked: 2, good: 1, notGood: 0, talk: 1, unanswered: 0, skipped: 1 });
  });

  it('gives the median and 90th percentile of the time to the first human reply', async () => {
    const r = await summaryOf('2026-03-01', '2026-03-31');
    // 30 min, 1 h, 2 h, 4 h; two cases not answered yet. The "X joined" message is the bot's and does not count.
    expect(r.firstReply.cases).toBe(6);
    expect(r.firstReply.replied).toBe(4);
    expect(r.firstReply.medianSeconds).toBeCloseTo((3600 + 7200) / 2, 3);
    // Linear interpolation: rank 0.9 × (4 − 1) = 2.7 → 2 h + 0.7 × (4 h − 2 h).
    expect(r.firstReply.p90Seconds).toBeCloseTo(7200 + 0.7 * (14400 - 7200), 3);
  });

  it('estimates the costs prevented, and shows the arithmetic: outcome × cases × figure, minus the trajectories', async () => {
    const { costs } = await summaryOf('2026-03-01', '2026-03-31');
    expect(costs).toMatchObject({ closedCases: 6, recordedCases: 5, unrecordedCases: 1, casesWithoutFigure: 1 });
    const line = (outcome: string) => costs.prevented.find((l) => l.outcome === outcome)!;
    expect(line('supervisionOrder')).toEqual({
      outcome: 'supervisionOrder',
      cases: 1,
      perCase: { low: 8257, high: 8257 },
      total: { low: 8257, high: 8257 },
    });
    expect(line('fosterCare').total).toEqual({ low: 14200, high: 14200 });
    expect(line('residentialClosed').total).toEqual({ low: 67500, high: 81000 });
    expect(line('eviction')).toEqual({ outcome: 'eviction', cases: 1, perCase: null, total: null });
    expect(line('none').total).toEqual({ low: 0, high: 0 });
    expect(line('ambulant').cases).toBe(0);
    expect(costs.preventedTotal).toEqual({ low: 8257 + 14200 + 67500, high: 8257 + 14200 + 81000 });
    // A and H light, B and C heavy, D without a trajectory (counted as heavy); J has no outcome recorded.
    expect(costs.trajectories).toEqual([
      { trajectory: 'light', cases: 2, perCase: 2500, total: 5000 },
      { trajectory: 'heavy', cases: 2, perCase: 5000, total: 10000 },
      { trajectory: 'unknown', cases: 1, perCase: 5000, total: 5000 },
    ]);
    expect(costs.trajectoryTotal).toBe(20000);
    expect(costs.net).toEqual({ low: 89957 - 20000, high: 103457 - 20000 });
    expect(costs.unknownTrajectoryCountsAs).toBe('heavy');
    expect(costs.source).toContain('Al Amal');
  });

  it('takes the month’s edges in Amsterdam time, not UTC', async () => {
    // A came in at 00:30 on 1 March (23:30 on 28 February in UTC), E at 23:59 on 31 March.
    const february = await summaryOf('2026-02-01', '2026-02-28');
    expect(february.newCases.total).toBe(3); // G (23:30 on the 28th), H, J
    const april = await summaryOf('2026-04-01', '2026-04-30');
    // F came in at 00:30 on 1 April, summer time: 22:30 on 31 March in UTC.
    expect(april.newCases.total).toBe(1);
    expect(april.newCases.byTopic).toEqual([{ key: 'money', cases: 1 }]);
    expect(april.referrals.total).toBe(1);
    const lastDay = await summaryOf('2026-03-31', '2026-03-31');
    expect(lastDay.period.kind).toBe('custom');
    expect(lastDay.newCases.byReason).toEqual([{ key: 'aftercare', cases: 1 }]);
    const quarter = await summaryOf('2026-01-01', '2026-03-31');
    expect(quarter.period.kind).toBe('quarter');
    expect(quarter.newCases.total).toBe(9);
    expect((await summaryOf('2026-01-01', '2026-12-31')).newCases.total).toBe(10);
    void cases;
  });

  it('downloads a CSV: one section per table, counts under 5 as "<5", formulas neutralised', async () => {
    // An agency id from an older locale file (or a hand-made row) that a spreadsheet would run as a formula.
    await app.database.rows(sql`insert into handoff_referrals (handoff_id, agency, created_by, created_at)
      values (${cases.D}::uuid, ${'=HYPERLINK("http://evil.example","click")'}, 'test', ${local('2026-03-15T10:00').toISOString()}::timestamptz),
             (${cases.D}::uuid, ${'@SUM(1+1)'}, 'test', ${local('2026-03-15T10:00').toISOString()}::timestamptz)`);
    const res = await call('/api/reports/summary.csv?from=2026-03-01&to=2026-03-31');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="tussenin-report-2026-03-01-2026-03-31.csv"');
    const csv = await res.text();
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    const t = (key: string) => texts.t('nl', `staff:funderReport.${key}`);
    const sectionOf = (title: string) => {
      const start = lines.indexOf(title);
      expect(start, title).toBeGreaterThanOrEqual(0);
      return lines.slice(start + 1, lines.indexOf('', start));
    };
    expect(sectionOf(t('newCases.title'))).toEqual([
      `${t('csv.what')},${t('cases')}`,
      `${t('newCases.total')},6`,
      `${t('newCases.urgent')},<5`,
      `${t('aftercare.reopened')},<5`,
    ]);
    expect(sectionOf(t('tables.byChannel'))).toEqual([
      `${t('tables.byChannelKey')},${t('cases')}`,
      'webchat,<5',
      'Telegram,<5',
      'WhatsApp,<5',
    ]);
    // 0 identifies nobody and stays 0.
    expect(sectionOf(t('tables.byPhase'))).toContain(`${texts.t('nl', 'staff:phases.aftercare')},0`);
    const agencies = sectionOf(t('tables.byAgency'));
    expect(agencies).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")",<5`);
    expect(agencies).toContain(`'@SUM(1+1),<5`);
    // No cell a spreadsheet would run (a negative amount is a number, and stays one).
    expect(csv).not.toMatch(/(^|,)([=+@\t]|-(?!\d))/m);
    // The estimate: a line with fewer than 5 cases shows its figure, not its amount; the totals count them all.
    const costs = sectionOf(`${t('costs.title')} (${t('costs.estimate')})`);
    expect(costs).toContain(`${t('outcomes.supervisionOrder')},<5,8257,8257,,`);
    expect(costs).toContain(`${t('outcomes.eviction')},<5,${t('costs.noFigure')},${t('costs.noFigure')},,`);
    expect(costs).toContain(`${t('outcomes.ambulant')},0,9500,9500,0,0`);
    expect(costs.at(-1)).toBe(`${t('costs.preventedSum')},5,,,89957,103457`);
    const net = sectionOf(`${t('costs.net')} (${t('costs.estimate')})`);
    expect(net).toEqual([
      `${t('csv.what')},${t('csv.low')},${t('csv.high')}`,
      `${t('costs.preventedSum')},89957,103457`,
      `${t('costs.trajectorySum')},-20000,-20000`,
      `${t('costs.net')},69957,83457`,
    ]);
    // The JSON keeps exact counts (coordinators only); only the download hides them.
    expect((await summaryOf('2026-03-01', '2026-03-31')).newCases.urgent).toBe(1);
  });

  it('shows the report on the coordinators’ page with charts, exact counts and escaped labels', async () => {
    await app.database.rows(sql`insert into handoff_referrals (handoff_id, agency, created_by, created_at)
      values (${cases.D}::uuid, ${'<img src=x onerror=alert(1)>'}, 'test', ${local('2026-03-15T10:00').toISOString()}::timestamptz)`);
    const coordinator = await addStaff(app, { role: 'coordinator', uiLocale: 'nl' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(coordinator.email)).status).toBe(303);
    const page = await browser.page('/inbox/reports?period=month&year=2026&month=3');
    expect(page.status).toBe(200);
    // Amounts are isolated for right-to-left pages (U+2068 … U+2069) and have a no-break space.
    const html = page.html.replace(/\u00a0/g, ' ').replace(/[\u2068\u2069]/g, '');
    expect(html).toContain('1 maart 2026 tot en met 31 maart 2026');
    expect(html).toMatch(/id="kf-new">\s*<dt>[^<]+<\/dt>\s*<dd><bdi>6<\/bdi><\/dd>/);
    expect(html).toMatch(/id="kf-urgent">\s*<dt>[^<]+<\/dt>\s*<dd><bdi>1<\/bdi><\/dd>/);
    expect(html).toContain('<svg');
    expect(html).toContain('id="chart-byChannel"');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="/inbox/reports/summary.csv?from=2026-03-01&amp;to=2026-03-31"');
    // The estimate's arithmetic, labelled as one.
    expect(html).toContain('€ 89.957 – € 103.457');
    expect(html).toMatch(/\(€ 89\.957 – € 103\.457\) − € 20\.000 = <strong>€ 69\.957 – € 83\.457<\/strong>/);
    expect(html).toContain(texts.t('nl', 'staff:funderReport.costs.estimate'));
    // The erasure and aftercare tables are still there.
    expect(html).toContain('id="erasure-report"');
    expect(html).toContain('id="aftercare-report"');

    // The page's download is the CSV of the same period; a quarter and a custom period from the form.
    const download = await browser.request('/inbox/reports/summary.csv?from=2026-03-01&to=2026-03-31');
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('webchat,<5');
    expect((await browser.page('/inbox/reports?period=quarter&year=2026&quarter=1')).html).toContain(
      '1 januari 2026 tot en met 31 maart 2026',
    );
    const custom = await browser.page('/inbox/reports?period=custom&from=2026-03-31&to=2026-03-31');
    expect(custom.html).toContain('31 maart 2026 tot en met 31 maart 2026');
    // Dates that cannot be a period are said, in the staff member's language; the page shows this month.
    const refused = await browser.page('/inbox/reports?period=custom&from=2026-03-31&to=2026-03-01');
    expect(refused.status).toBe(200);
    expect(refused.html).toContain(escapeHtml(texts.t('nl', 'staff:funderReport.period.errors.fromAfterTo')));
  });

  it('refuses trust persons (403) and dates that are not a period (400, saying why)', async () => {
    for (const path of [
      '/api/reports/summary?from=2026-03-01&to=2026-03-31',
      '/api/reports/summary.csv?from=2026-03-01&to=2026-03-31',
    ]) {
      const res = await call(path, { token: trustToken });
      expect(res.status).toBe(403);
    }
    const person = await addStaff(app, { role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    expect((await browser.page('/inbox/reports')).status).toBe(403);
    expect((await browser.request('/inbox/reports/summary.csv?from=2026-03-01&to=2026-03-31')).status).toBe(403);

    const refusals: [string, RegExp][] = [
      ['', /from is missing/],
      ['from=2026-03-01', /to is missing/],
      ['from=2026-3-1&to=2026-03-31', /from must be a date as YYYY-MM-DD/],
      ['from=2026-02-30&to=2026-03-31', /not a day in the calendar/],
      ['from=2026-13-01&to=2026-12-31', /not a day in the calendar/],
      ['from=2026-03-31&to=2026-03-01', /is after to/],
      ['from=2020-01-01&to=2025-01-01', /at most 5 years/],
      ['from=2026-03-01&to=2026-03-31&lang=x', /lang|unrecognized/i],
      ['from=%3DSUM(A1)&to=2026-03-31', /from must be a date/],
    ];
    for (const [query, reason] of refusals) {
      for (const path of ['/api/reports/summary', '/api/reports/summary.csv']) {
        const res = await call(`${path}?${query}`);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(((await res.json()) as { reason: string }).reason, query).toMatch(reason);
      }
    }
    // Five years less a day is allowed.
    expect((await call('/api/reports/summary?from=2020-01-01&to=2024-12-31')).status).toBe(200);
  });

  it('is not written to the audit log: counts only, no resident is read', async () => {
    const before = await app.services.audit.list({ limit: 500 });
    await summaryOf('2026-03-01', '2026-03-31');
    expect(await app.services.audit.list({ limit: 500 })).toHaveLength(before.length);
  });
});

describe('what a closed case likely prevented', () => {
  beforeEach(() => {
    now = new Date();
  });

  async function claimedCase(token: string) {
    const id = await seedCase({
      channel: 'web',
      language: 'nl',
      reason: 'intake-complete',
      createdAt: '2026-05-04T10:00',
      summary: { domains: ['money'] },
    });
    expect((await call(`/api/handoffs/${id}/claim`, { method: 'POST', token })).status).toBe(200);
    return id;
  }

  it('is recorded on the close form, shown on the case, and changed afterwards by who closed it or a coordinator', async () => {
    const person = await addStaff(app, { name: 'Nadia', role: 'trust_person' });
    const other = await addStaff(app, { role: 'trust_person' });
    const token = (await app.services.tokens.create(person.id, 'test')).token;
    const otherToken = (await app.services.tokens.create(other.id, 'test')).token;
    const id = await claimedCase(token);

    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    const open = await browser.page(`/inbox/handoffs/${id}`);
    expect(open.html).toContain('name="prevented" id="close-prevented"');
    expect(open.html).toMatch(
      new RegExp(`value="fosterCare"\\s*>${texts.t('nl', 'staff:funderReport.outcomes.fosterCare')}</option>`),
    );
    expect((await browser.post(`/inbox/handoffs/${id}/close`, { send: '', prevented: 'fosterCare' })).status).toBe(303);
    const read = async () => ((await (await call(`/api/handoffs/${id}`)).json()) as { prevented: string | null }).prevented;
    expect(await read()).toBe('fosterCare');
    expect((await browser.page(`/inbox/handoffs/${id}`)).html).toMatch(/<option value="fosterCare"\s+selected>/);

    // Who closed it changes it on the page; another trust person may not; a coordinator may, also to "not recorded".
    expect((await browser.post(`/inbox/handoffs/${id}/prevented`, { prevented: 'supervisionOrder' })).status).toBe(303);
    expect(await read()).toBe('supervisionOrder');
    const refused = await call(`/api/handoffs/${id}`, { method: 'PATCH', token: otherToken, body: { prevented: 'none' } });
    expect(refused.status).toBe(403);
    expect((await call(`/api/handoffs/${id}`, { method: 'PATCH', body: { prevented: null } })).status).toBe(200);
    expect(await read()).toBeNull();
    const wrong = await call(`/api/handoffs/${id}`, { method: 'PATCH', body: { prevented: 'prison' } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { reason: string }).reason).toContain('prevented must be one of');
  });

  it('is refused when not one of the outcomes, and cannot be changed on a case that is still open', async () => {
    const person = await addStaff(app, { role: 'trust_person' });
    const token = (await app.services.tokens.create(person.id, 'test')).token;
    const id = await claimedCase(token);
    const bad = await call(`/api/handoffs/${id}/close`, { method: 'POST', token, body: { message: false, prevented: 'jail' } });
    expect(bad.status).toBe(400);
    const early = await call(`/api/handoffs/${id}`, { method: 'PATCH', token, body: { prevented: 'none' } });
    expect(early.status).toBe(409);
    expect((await call(`/api/handoffs/${id}/close`, { method: 'POST', token, body: { message: false } })).status).toBe(200);
    expect(((await (await call(`/api/handoffs/${id}`)).json()) as { prevented: string | null }).prevented).toBeNull();
  });
});

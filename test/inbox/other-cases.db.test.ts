import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres } from '../helpers/test-database.js';

/**
 * A resident who comes back after a closed case: the trust person on the new case sees that they
 * were here before (when, how far the case got, where they were referred), never the earlier words.
 */

const API_TOKEN = 'api-token-for-tests-other-cases-0123456789';
let app: App;

useTestApp((made) => ({ app } = made), { STAFF_API_TOKEN: API_TOKEN }, { inbox: { loginAttemptsPerMinute: 1000 } });

/** The "Earlier contact" section of a case page ('' when there is none). */
function otherCasesSection(html: string): string {
  const start = html.indexOf('<section class="card other-cases">');
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
}

const staffText = (key: string, vars: Record<string, unknown> = {}) => texts.t('nl', `staff:${key}`, vars);

async function loggedIn(role: 'trust_person' | 'coordinator', name: string) {
  const person = await addStaff(app, { role, name });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  return { person, browser };
}

/** Resident A's first case: held by Fatima, referred to debt help, closed. Then A writes again and asks for a person. */
async function residentWhoCameBack(fatima: StaffBrowser) {
  const first = await residentAsksForPerson(app, 'Mijn eerste vraag, over schulden');
  expect((await fatima.post(`/inbox/handoffs/${first.handoffId}/claim`)).status).toBe(303);
  await fatima.post(`/inbox/handoffs/${first.handoffId}/progress`, {
    phase: 'refer',
    trajectory: 'light',
    referrals: ['debtHelp'],
  });
  expect((await fatima.post(`/inbox/handoffs/${first.handoffId}/close`)).status).toBe(303);
  await first.chat.say('Hallo, ik heb een nieuwe vraag over school');
  await first.chat.say('persoon');
  const second = await openHandoffOf(app, first.chat);
  expect(second).not.toBe(first.handoffId);
  return { firstId: first.handoffId, secondId: second };
}

describe(`a resident's earlier cases on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it("shows the new case's reader the earlier case's course, with a link, and none of its words", async () => {
    const { browser: fatima } = await loggedIn('coordinator', 'Fatima');
    const { firstId, secondId } = await residentWhoCameBack(fatima);
    const other = await residentAsksForPerson(app, 'Een andere bewoner');

    const { browser: youssef } = await loggedIn('trust_person', 'Youssef');
    // Before claiming, the summary shows who knew the resident (for matching), not where they were referred.
    const summaryOnly = otherCasesSection((await youssef.page(`/inbox/handoffs/${secondId}`)).html);
    expect(summaryOnly).toContain(`href="/inbox/handoffs/${firstId}"`);
    expect(summaryOnly).toContain('Fatima');
    expect(summaryOnly).not.toContain(staffText('agencies.debtHelp'));
    expect((await youssef.post(`/inbox/handoffs/${secondId}/claim`)).status).toBe(303);
    const page = await youssef.page(`/inbox/handoffs/${secondId}`);
    expect(page.status).toBe(200);
    const section = otherCasesSection(page.html);
    expect(section).toContain(staffText('case.otherCases'));
    expect(section).toContain(`href="/inbox/handoffs/${firstId}"`);
    expect(section).toContain(staffText('status.closed'));
    expect(section).toContain(staffText('phases.refer'));
    expect(section).toContain(staffText('trajectories.light'));
    expect(section).toContain(staffText('agencies.debtHelp'));
    expect(section).toContain('Fatima');
    expect(page.html).not.toContain(`href="/inbox/handoffs/${other.handoffId}"`);
    expect(page.html).not.toContain('Mijn eerste vraag, over schulden');

    // The link follows the usual rules: the earlier case is Fatima's, so Youssef may not read it.
    expect((await youssef.page(`/inbox/handoffs/${firstId}`)).status).toBe(403);

    // The first case, seen again, lists the newer one.
    const firstPage = await fatima.page(`/inbox/handoffs/${firstId}`);
    expect(firstPage.html).toContain(`href="/inbox/handoffs/${secondId}"`);
  });

  it('lists them in the API as well, newest first, and leaves the section out for a first-time resident', async () => {
    const { browser: fatima } = await loggedIn('coordinator', 'Fatima');
    const { firstId, secondId } = await residentWhoCameBack(fatima);
    const read = await app.server.request(`/api/handoffs/${secondId}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(read.status).toBe(200);
    const body = (await read.json()) as { otherCases: { id: string; status: string; phase: string; referrals: string[] }[] };
    expect(body.otherCases).toEqual([
      expect.objectContaining({ id: firstId, status: 'closed', phase: 'refer', trajectory: 'light', referrals: ['debtHelp'] }),
    ]);
    expect(JSON.stringify(body.otherCases)).not.toContain('schulden');

    const fresh = await residentAsksForPerson(app, 'Voor het eerst hier');
    expect((await fatima.post(`/inbox/handoffs/${fresh.handoffId}/claim`)).status).toBe(303);
    const freshPage = await fatima.page(`/inbox/handoffs/${fresh.handoffId}`);
    expect(otherCasesSection(freshPage.html)).toBe('');
    const freshApi = await app.server.request(`/api/handoffs/${fresh.handoffId}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(((await freshApi.json()) as { otherCases: unknown[] }).otherCases).toEqual([]);
  });
});

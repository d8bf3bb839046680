import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs, residents } from '../../src/db/schema.js';
import { phoneDigits } from '../../src/handoff/case-search.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { onPostgres } from '../helpers/test-database.js';
import { eq } from 'drizzle-orm';

/**
 * Issue 16, search: by case number, name, handle or phone, by the case's fields, and by the resident's
 * own words (which are stored encrypted: decrypted and scanned, never indexed), only among the cases the
 * searcher may read; every search in the audit log, without what was searched for.
 */

const API_TOKEN = 'api-token-for-search-tests-0123456789abc';
const KEY = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
let app: App;
let testDb: TestDatabase;

useTestApp((made) => ({ app, testDb } = made), { STAFF_API_TOKEN: API_TOKEN, ENCRYPTION_KEYS: KEY });

let tokenCounter = 0;
async function apiAs(person: { id: string }) {
  const { token } = await app.services.tokens.create(person.id, `t${++tokenCounter}`);
  return async (path: string) => {
    const res = await app.server.request(path, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { handoffs: { id: string }[] }).handoffs.map((h) => h.id);
  };
}

async function claim(person: { email: string }, handoffId: string) {
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  return browser;
}

describe(`searching cases (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  let samira: Awaited<ReturnType<typeof addStaff>>;
  let karim: Awaited<ReturnType<typeof addStaff>>;
  let coordinator: Awaited<ReturnType<typeof addStaff>>;
  let debts: string;
  let school: string;
  let whatsapp: string;

  beforeEach(async () => {
    samira = await addStaff(app, { name: 'Samira Haddou' });
    karim = await addStaff(app, { name: 'Karim Ouali' });
    coordinator = await addStaff(app, { name: 'Coördinator', role: 'coordinator' });
    debts = (await residentAsksForPerson(app, 'Ik heb schulden bij de Belastingdienst en een aanmaning van de gemeente')).handoffId;
    school = (await residentAsksForPerson(app, 'ابني لا يذهب إلى المدرسة منذ أسبوعين')).handoffId;
    await app.conversations.handleInbound({
      channel: 'whatsapp',
      externalUserId: '31612345678',
      externalMessageId: 'wa-1',
      text: 'hallo, ik zoek hulp met de huur',
      displayName: 'Fatima B.',
    });
    await app.conversations.handleInbound({ channel: 'whatsapp', externalUserId: '31612345678', externalMessageId: 'wa-2', text: 'persoon' });
    const [row] = await testDb.database.db
      .select({ id: handoffs.id })
      .from(handoffs)
      .innerJoin(residents, eq(residents.id, handoffs.residentId))
      .where(eq(residents.channel, 'whatsapp'));
    whatsapp = row!.id;
    await claim(samira, debts);
    await claim(karim, school);
  });

  it('finds by the resident’s own words, in any language, only in cases the searcher may read', async () => {
    const asSamira = await apiAs(samira);
    const asCoordinator = await apiAs(coordinator);
    expect(await asSamira('/api/handoffs?words=belastingdienst')).toEqual([debts]);
    // Case and accents do not matter; every word must be there.
    expect(await asSamira('/api/handoffs?words=BELASTINGDIENST%20aanmaning')).toEqual([debts]);
    expect(await asSamira('/api/handoffs?words=belastingdienst%20fiets')).toEqual([]);
    // Karim's case: Samira may not read it, so her search does not reveal it.
    expect(await asSamira(`/api/handoffs?words=${encodeURIComponent('المدرسة')}`)).toEqual([]);
    expect(await asCoordinator(`/api/handoffs?words=${encodeURIComponent('المدرسه')}`)).toEqual([school]);
    // The words are stored encrypted, not as text anywhere a query could find them.
    const raw = await testDb.database.rows<{ text: string | null }>(
      (await import('drizzle-orm')).sql`select text from messages where direction = 'in'`,
    );
    expect(raw.some((r) => r.text?.includes('Belastingdienst'))).toBe(false);
  });

  it('finds by case number, name, handle or phone written any way', async () => {
    const asCoordinator = await apiAs(coordinator);
    expect(await asCoordinator(`/api/handoffs?text=${debts.slice(0, 8)}`)).toEqual([debts]);
    expect(await asCoordinator('/api/handoffs?text=fatima')).toEqual([whatsapp]);
    for (const phone of ['0612345678', '06 12 34 56 78', '+31 6 12345678', '0031612345678']) {
      expect(await asCoordinator(`/api/handoffs?text=${encodeURIComponent(phone)}`), phone).toEqual([whatsapp]);
    }
    // A trust person does not find a resident by name in a case they may not read.
    const asKarim = await apiAs(karim);
    expect(await asKarim('/api/handoffs?text=fatima')).toEqual([]);
  });

  it('filters by the case’s fields for everyone on staff: phase, trajectory, trust person, agency, dates', async () => {
    const browser = await claim(coordinator, whatsapp);
    expect(
      (await browser.post(`/inbox/handoffs/${whatsapp}/progress`, { phase: 'refer', trajectory: 'heavy', referrals: ['debtHelp'] }))
        .status,
    ).toBe(303);
    const asKarim = await apiAs(karim);
    expect(await asKarim('/api/handoffs?phase=refer')).toEqual([whatsapp]);
    expect(await asKarim('/api/handoffs?trajectory=heavy&agency=debtHelp')).toEqual([whatsapp]);
    expect(await asKarim(`/api/handoffs?staffId=${samira.id}`)).toEqual([debts]);
    // Days are the organisation's (ORG_TIMEZONE): near midnight UTC and Amsterdam are on different dates.
    const today = DateTime.now().setZone('Europe/Amsterdam').toISODate()!;
    expect((await asKarim(`/api/handoffs?from=${today}&to=${today}`)).sort()).toEqual([debts, school, whatsapp].sort());
    expect(await asKarim('/api/handoffs?to=2020-01-01')).toEqual([]);
    const bad = await app.server.request('/api/handoffs?phase=done&from=yesterday', { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(bad.status).toBe(400);
  });

  it('searches from the queue page, and every search is in the audit log without its terms', async () => {
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(samira.email)).status).toBe(303);
    const page = await browser.page('/inbox?words=aanmaning');
    expect(page.html).toContain(`data-id="${debts}"`);
    expect(page.html).not.toContain(`data-id="${school}"`);
    expect(page.html).toContain('value="aanmaning"');
    // The live refresh repeats it without a second audit record.
    await browser.page('/inbox?words=aanmaning&fragment=1');
    const log = await app.services.audit.list({ actorId: samira.id });
    const searches = log.filter((r) => r.action === 'case.search');
    expect(searches).toHaveLength(1);
    expect(searches[0]!.detail).toEqual({ fields: ['words'], results: 1 });
    expect(JSON.stringify(log)).not.toContain('aanmaning');
    // The plain queue is no search.
    await browser.page('/inbox');
    expect((await app.services.audit.list({ actorId: samira.id })).filter((r) => r.action === 'case.search')).toHaveLength(1);
  });
});

describe('a phone number as the search compares it', () => {
  it.each([
    ['06 12 34 56 78', '612345678'],
    ['+31 6 12345678', '612345678'],
    ['0031612345678', '612345678'],
    ['31612345678', '612345678'],
    ['fatima', null],
    ['12-34', null],
  ])('%s → %s', (text, digits) => {
    expect(phoneDigits(text)).toBe(digits);
  });
});

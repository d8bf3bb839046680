import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import type { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 13, aftercare, with a clock the test moves: AFTERCARE_AFTER_DAYS after a case closed (or what
 * the trust person chose), the bot asks the resident how things are now, once across two instances.
 * "Not so good" or "I want to talk" opens a case for the same trust person; the answer is on the closed
 * case. Discreet mode, "later" to the safety question and "no aftercare" are respected.
 */

const API_TOKEN = 'api-token-for-aftercare-tests-0123456789';
const DAY = 86_400_000;
let testDb: TestDatabase;
let app: App;
let other: App;
let now = Date.now();
const env = { STAFF_API_TOKEN: API_TOKEN, AFTERCARE_AFTER_DAYS: '90', RETURN_TO_SAME_PERSON_DAYS: '30' };

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database, env, { clock: () => new Date(now) });
  other = await createTestApp(testDb.database, env, { clock: () => new Date(now) });
});
afterAll(async () => {
  await other.close();
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  now = Date.now();
});

const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });
const getCase = async (id: string) => {
  const res = await app.server.request(`/api/handoffs/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    reason: string;
    previousHandoffId: string | null;
    assignedTo: string | null;
    aftercare: { at: string | null; askedAt: string | null; answer: string | null; skipped: string | null };
  };
};

/** A resident's case, claimed and closed by a trust person on the case page (the close form's fields). */
async function closedCase(fields: Record<string, string> = {}, chat?: WebchatClient) {
  const person = await addStaff(app, { name: 'Karim' });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  const made = chat ? { chat, handoffId: await openHandoffOf(app, chat) } : await residentAsksForPerson(app, 'hallo');
  expect((await browser.post(`/inbox/handoffs/${made.handoffId}/claim`)).status).toBe(303);
  expect((await browser.post(`/inbox/handoffs/${made.handoffId}/close`, { send: '1', ...fields })).status).toBe(303);
  await made.chat.read();
  return { ...made, person, browser, closedAt: now };
}

/** Both instances look for due aftercare at `days` after `from`. */
async function aftercareRunsAt(days: number, from: number) {
  now = from + days * DAY;
  await Promise.all([app.continuity.tick(), other.continuity.tick()]);
}

const askedIn = (messages: { text: string | null }[], locale = 'nl') =>
  messages.filter((m) => m.text === t(locale, 'bot:aftercare.ask')).length;

describe('aftercare', () => {
  it('asks once, 90 days after closing; "not so good" opens a case for the same trust person', async () => {
    const { chat, handoffId, person, closedAt } = await closedCase();
    expect((await getCase(handoffId)).aftercare.at).toBe(new Date(closedAt + 90 * DAY).toISOString());

    await aftercareRunsAt(89, closedAt);
    expect(askedIn((await chat.read()).messages)).toBe(0);

    await aftercareRunsAt(91, closedAt);
    const asked = (await chat.read()).messages;
    expect(askedIn(asked)).toBe(1);
    expect(asked.at(-1)!.choices?.map((c) => c.id)).toEqual(['aftercare:good', 'aftercare:notGood', 'aftercare:talk']);
    await aftercareRunsAt(92, closedAt);
    expect(askedIn((await chat.read()).messages)).toBe(0);

    const replies = await chat.press('aftercare:notGood');
    expect(replies.map((r) => r.text).join('\n')).toContain(t('nl', 'bot:handoff.person'));
    const newId = await openHandoffOf(app, chat);
    expect(await getCase(newId)).toMatchObject({ reason: 'aftercare', previousHandoffId: handoffId, assignedTo: person.id });
    expect((await getCase(handoffId)).aftercare).toMatchObject({ answer: 'notGood', skipped: null });
    expect((await getCase(handoffId)).aftercare.askedAt).toBe(new Date(closedAt + 91 * DAY).toISOString());

    // Counted for the coordinators' report; a trust person may not read it.
    const report = await app.server.request('/api/reports/aftercare', { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const { aftercare } = (await report.json()) as { aftercare: Record<string, number | string>[] };
    expect(aftercare).toEqual([
      { month: expect.stringMatching(/^\d{4}-\d{2}$/), asked: 1, good: 0, notGood: 1, talk: 0, unanswered: 0, skipped: 0 },
    ]);
    const token = (await app.services.tokens.create(person.id, 'test')).token;
    expect((await app.server.request('/api/reports/aftercare', { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      403,
    );
  });

  it('"good" ends with a kind word; writing later brings the welcome back to the same person', async () => {
    const { chat, handoffId, person, closedAt } = await closedCase();
    await aftercareRunsAt(91, closedAt);
    expect(askedIn((await chat.read()).messages)).toBe(1);
    const replies = await chat.press('aftercare:good');
    expect(replies.map((r) => r.text)).toEqual([t('nl', 'bot:aftercare.goodReply')]);
    expect((await getCase(handoffId)).aftercare.answer).toBe('good');

    now = closedAt + 100 * DAY;
    const [welcome] = await chat.say('hoi, ik heb toch nog een vraag');
    expect(welcome!.text!.startsWith(t('nl', 'bot:returning.welcome'))).toBe(true);
    expect(await getCase(await openHandoffOf(app, chat))).toMatchObject({ reason: 'returning', assignedTo: person.id });
  });

  it('follows the trust person’s choice at closing: after 14 days, or never', async () => {
    const soon = await closedCase({ aftercareDays: '14' });
    await aftercareRunsAt(15, soon.closedAt);
    expect(askedIn((await soon.chat.read()).messages)).toBe(1);

    now = Date.now();
    const never = await closedCase({ aftercareDays: '0' });
    expect((await getCase(never.handoffId)).aftercare.at).toBeNull();
    await aftercareRunsAt(400, never.closedAt);
    expect(askedIn((await never.chat.read()).messages)).toBe(0);
  });

  it('does not write first to a resident in discreet mode, or who said "later" to the safety question', async () => {
    const discreet = await residentAsksForPerson(app, 'hallo');
    await discreet.chat.say('discreet');
    const closedDiscreet = await closedCase({}, discreet.chat);

    const later = await residentAsksForPerson(app, 'hallo');
    await later.chat.say('hij slaat me');
    await later.chat.press('safety:later');
    const closedLater = await closedCase({}, later.chat);

    await aftercareRunsAt(91, closedLater.closedAt);
    expect(askedIn((await discreet.chat.read()).messages)).toBe(0);
    expect(askedIn((await later.chat.read()).messages)).toBe(0);
    expect((await getCase(closedDiscreet.handoffId)).aftercare.skipped).toBe('discreet');
    expect((await getCase(closedLater.handoffId)).aftercare.skipped).toBe('later');
  });

  it('refuses an aftercare delay that is not a number of days, naming it', async () => {
    const { handoffId } = await residentAsksForPerson(app, 'hallo');
    expect(
      (
        await app.server.request(`/api/handoffs/${handoffId}/claim`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}` },
        })
      ).status,
    ).toBe(200);
    for (const aftercareDays of [-1, 1.5, 'soon', 9999]) {
      const res = await app.server.request(`/api/handoffs/${handoffId}/close`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ aftercareDays }),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('aftercareDays');
    }
  });
});

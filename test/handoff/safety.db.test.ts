import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * "Is it safe to chat now?" end to end: what the resident answers after naming danger is what the
 * trust person is told, on the queue, on the case page and in the API, with or without consent.
 */

const STAFF_TOKEN = 'staff-token-0123456789-abcdefghijklmnop';
let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made), { STAFF_API_TOKEN: STAFF_TOKEN }, { start: true });

const staffText = (key: string) => texts.t('nl', `staff:${key}`);

async function handoffOnly() {
  const rows = await testDb.database.db.select().from(handoffs);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('safe to talk', () => {
  it('tells the trust person "do not call, chat only" on the queue, the case page and in the API', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:yes');
    const replies = await chat.say('mijn man slaat me en ik ben bang');
    expect(replies.map((r) => r.text).join('\n')).toContain(texts.t('nl', 'bot:safety.ask'));
    // The urgent handoff exists at once, before the answer.
    expect(await handoffOnly()).toMatchObject({ urgent: true });
    await chat.press('safety:chatOnly');
    const handoff = await handoffOnly();
    expect(handoff.preferences).toMatchObject({ safety: 'chatOnly' });

    const person = await addStaff(app, { role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    await browser.login(person.email);
    const queue = await browser.page('/inbox');
    expect(queue.html).toContain(staffText('safetyPreference.chatOnly'));
    expect((await browser.page(`/inbox/handoffs/${handoff.id}`)).html).toContain(staffText('safetyPreference.chatOnly'));

    const api = await app.server.request(`/api/handoffs/${handoff.id}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(((await api.json()) as { safety: string }).safety).toBe('chatOnly');
  });

  it('keeps the answer even when the resident declined consent: it is needed to reach them safely', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:no');
    await chat.say('ik word bedreigd thuis, hij slaat me');
    await chat.press('safety:later');
    expect((await handoffOnly()).preferences).toMatchObject({ safety: 'later' });
    expect((await handoffOnly()).summary).toEqual({});
  });
});

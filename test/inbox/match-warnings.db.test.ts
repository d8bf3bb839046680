import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, openHandoffOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/** Issue 16: a case assigned to someone who does not fit the resident's language or gender wish is flagged, not blocked. */

const API_TOKEN = 'api-token-for-matching-tests-0123456789ab';
let app: App;
useTestApp((made) => ({ app } = made), { STAFF_API_TOKEN: API_TOKEN });

async function arabicResidentWhoWantsAWoman(): Promise<string> {
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say('السلام عليكم');
  for (const choice of ['language:ar', 'consent:yes', 'domains:school', 'cmd:continue', 'urgency:week', 'contact:chat', 'helper:woman', 'summary:confirm']) {
    await chat.press(choice);
  }
  return openHandoffOf(app, chat);
}

describe(`matching warnings (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('warns when the assignee does not speak the language or fit the gender wish, and still assigns', async () => {
    const handoffId = await arabicResidentWhoWantsAWoman();
    const karim = await addStaff(app, { name: 'Karim Ouali', gender: 'man', languages: ['nl', 'tr'] });
    const samira = await addStaff(app, { name: 'Samira Haddou', gender: 'woman', languages: ['nl', 'ar'] });
    const coordinator = await addStaff(app, { role: 'coordinator', name: 'Coördinator' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(coordinator.email)).status).toBe(303);

    // The choice list already says who would not fit.
    let page = await browser.page(`/inbox/handoffs/${handoffId}`);
    const option = page.html.slice(page.html.indexOf(`value="${karim.id}"`), page.html.indexOf('</option>', page.html.indexOf(`value="${karim.id}"`)));
    expect(option).toContain(texts.t('nl', 'staff:match.misfit.language'));
    expect(option).toContain(texts.t('nl', 'staff:match.misfit.gender'));
    expect(page.html).not.toContain('id="match-warning"');

    expect((await browser.post(`/inbox/handoffs/${handoffId}/assign`, { staffId: karim.id })).status).toBe(303);
    page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).toContain('id="match-warning"');
    expect(page.html).toContain(texts.t('nl', 'staff:match.warning.language', { name: 'Karim Ouali', language: 'Arabisch' }));
    expect(page.html).toContain(texts.t('nl', 'staff:match.warning.gender', { name: 'Karim Ouali', gender: 'Een vrouw' }));
    const api = async () =>
      (await (await app.server.request(`/api/handoffs/${handoffId}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as {
        matchWarnings: string[];
        assignedTo: string;
      };
    expect(await api()).toMatchObject({ assignedTo: karim.id, matchWarnings: ['language', 'gender'] });

    expect((await browser.post(`/inbox/handoffs/${handoffId}/assign`, { staffId: samira.id })).status).toBe(303);
    page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).not.toContain('id="match-warning"');
    expect((await api()).matchWarnings).toEqual([]);
  });
});

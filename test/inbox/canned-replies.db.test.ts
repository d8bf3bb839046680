import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { addStaff, openHandoffOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/** Issue 16: canned replies per language, kept by coordinators, inserted by trust persons, placeholders filled. */

const API_TOKEN = 'api-token-for-canned-replies-0123456789ab';
let app: App;
useTestApp((made) => ({ app } = made), {
  STAFF_API_TOKEN: API_TOKEN,
  ORG_NAME: 'Al Amal',
  WALK_IN_HOURS: 'di,do 13:00-16:00',
  WALK_IN_ADDRESS: 'Kanaalstraat 1, Utrecht',
});

async function loggedIn(role: 'coordinator' | 'trust_person', name: string) {
  const person = await addStaff(app, { role, name });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  const { token } = await app.services.tokens.create(person.id, null);
  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    app.server.request(path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  return { person, browser, api };
}

describe(`canned replies (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('coordinators keep them per language; a trust person gets them in the resident’s language, filled in', async () => {
    const coordinator = await loggedIn('coordinator', 'Coördinator');
    const page = await coordinator.browser.page('/inbox/replies');
    expect(page.status).toBe(200);
    expect(page.html).toContain('{{walkInHours}}'); // the placeholders are named on the page
    expect(
      (
        await coordinator.browser.post('/inbox/replies', {
          locale: 'ar',
          title: 'Inloop',
          body: 'مرحبا، أنا {{name}} من {{org}}. يمكنك أن تأتي إلى: {{walkInAddress}}\n{{walkInHours}}',
        })
      ).status,
    ).toBe(303);
    const created = await coordinator.api('/api/canned-replies', {
      method: 'POST',
      body: { locale: 'nl', title: 'Brief meenemen', body: 'Neem de brief mee, groet {{name}}' },
    });
    expect(created.status).toBe(201);
    const list = (await (await coordinator.api('/api/canned-replies')).json()) as { cannedReplies: { title: string; locale: string }[] };
    expect(list.cannedReplies.map((r) => [r.locale, r.title])).toEqual([
      ['ar', 'Inloop'],
      ['nl', 'Brief meenemen'],
    ]);

    // An Arabic resident's case, held by Samira.
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('السلام عليكم');
    await chat.press('language:ar');
    await chat.press('consent:yes');
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(app, chat);
    const samira = await loggedIn('trust_person', 'Samira Haddou');
    expect((await samira.browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    const filled = (await (await samira.api(`/api/handoffs/${handoffId}/canned-replies`)).json()) as {
      cannedReplies: { locale: string; title: string; text: string }[];
    };
    expect(filled.cannedReplies.map((r) => r.locale)).toEqual(['ar', 'nl']);
    expect(filled.cannedReplies[0]!.text).toContain('مرحبا، أنا Samira من Al Amal. يمكنك أن تأتي إلى: Kanaalstraat 1, Utrecht\n');
    // The walk-in hours in Arabic, as the bot tells them.
    expect(filled.cannedReplies[0]!.text).toMatch(/13:00/);
    expect(filled.cannedReplies[0]!.text).not.toContain('{{');
    expect(filled.cannedReplies[1]!.text).toBe('Neem de brief mee, groet Samira');
    const casePage = await samira.browser.page(`/inbox/handoffs/${handoffId}`);
    expect(casePage.html).toContain('id="canned-reply"');
    expect(casePage.html.indexOf('Inloop')).toBeLessThan(casePage.html.indexOf('Brief meenemen'));
  });

  it('refuses trust persons who try to change them, and bad input with a reason', async () => {
    const samira = await loggedIn('trust_person', 'Samira');
    expect((await samira.browser.page('/inbox/replies')).status).toBe(403);
    expect((await samira.api('/api/canned-replies', { method: 'POST', body: { locale: 'nl', title: 'x', body: 'y' } })).status).toBe(403);
    const coordinator = await loggedIn('coordinator', 'Coördinator');
    const bad = await coordinator.api('/api/canned-replies', { method: 'POST', body: { locale: 'xx', title: '', body: 'y' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/locale|title/);
    expect((await coordinator.api('/api/canned-replies/999999', { method: 'DELETE' })).status).toBe(404);
    const made = (await (
      await coordinator.api('/api/canned-replies', { method: 'POST', body: { locale: 'tr', title: 'Merhaba', body: 'Merhaba {{name}}' } })
    ).json()) as { cannedReply: { id: number } };
    const changed = await coordinator.api(`/api/canned-replies/${made.cannedReply.id}`, {
      method: 'PATCH',
      body: { locale: 'tr', title: 'Selam', body: 'Selam {{name}}' },
    });
    expect(((await changed.json()) as { cannedReply: { title: string } }).cannedReply.title).toBe('Selam');
    expect((await coordinator.api(`/api/canned-replies/${made.cannedReply.id}`, { method: 'DELETE' })).status).toBe(200);
  });
});

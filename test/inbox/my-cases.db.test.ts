import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres } from '../helpers/test-database.js';

/** Issue 16: "Mijn zaken" cards show the newest message, what is new since one last read the case, and the phase. */

let app: App;
useTestApp((made) => ({ app } = made), {});

function cardOf(html: string, handoffId: string): string {
  const start = html.indexOf(`data-id="${handoffId}"`);
  expect(start, 'the case is listed').toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</li>', start));
}

describe(`Mijn zaken (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('shows the newest message and how many are new, to the holder only, and audits the preview once', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app, 'hallo');
    const samira = await addStaff(app, { name: 'Samira' });
    const karim = await addStaff(app, { name: 'Karim' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(samira.email)).status).toBe(303);
    expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    await browser.page(`/inbox/handoffs/${handoffId}`); // read it all

    await chat.say('Mijn zoon is gisteren weer niet naar school gegaan en de leraar belde mij');
    await chat.say('Kunt u mij vandaag bellen?');
    let card = cardOf((await browser.page('/inbox?mine=1&status=open')).html, handoffId);
    expect(card).toContain('Kunt u mij vandaag bellen?');
    expect(card).toContain('data-unread="2"');
    expect(card).toContain(texts.t('nl', 'staff:queue.unread', { count: 2 }));
    expect(card).toContain(texts.t('nl', 'staff:queue.awaitingReply'));
    expect(card).toContain(texts.t('nl', 'staff:phases.trust'));

    // Reading the case clears the mark; the newest message stays.
    await browser.page(`/inbox/handoffs/${handoffId}`);
    card = cardOf((await browser.page('/inbox?mine=1&status=open')).html, handoffId);
    expect(card).not.toContain('data-unread');
    expect(card).toContain('Kunt u mij vandaag bellen?');

    // A reply by the holder counts as read too, and shows as the newest message.
    await chat.say('Hallo?');
    expect((await browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'Ik bel je om drie uur.' })).status).toBe(303);
    card = cardOf((await browser.page('/inbox?mine=1&status=open')).html, handoffId);
    expect(card).not.toContain('data-unread');
    expect(card).toContain('Ik bel je om drie uur.');
    expect(card).not.toContain(texts.t('nl', 'staff:queue.awaitingReply'));

    // Someone else sees the case in the queue, never what the resident wrote.
    const other = new StaffBrowser(app.server);
    expect((await other.login(karim.email)).status).toBe(303);
    const queue = await other.page('/inbox?status=all');
    expect(queue.html).not.toContain('Kunt u mij vandaag bellen?');
    expect(queue.html).not.toContain('Ik bel je om drie uur.');

    const previews = (await app.services.audit.list({ actorId: samira.id })).filter((r) => r.action === 'transcript.preview');
    // One per newest message seen: "Kunt u …" (twice listed, once recorded) and the reply.
    expect(previews.map((r) => r.handoffId)).toEqual([handoffId, handoffId]);
  });
});

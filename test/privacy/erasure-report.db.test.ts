import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, residentAsksForPerson, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';

/** The coordinators' report: what erasure leaves behind are counts, shown without any id or word of the resident. */

const STAFF_TOKEN = 'staff-token-0123456789-abcdefghijklmnop';
const auth = { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' };
let app: App;

useTestApp((made) => ({ app } = made), { STAFF_API_TOKEN: STAFF_TOKEN }, { start: true });

const t = (key: string) => texts.t('nl', `staff:${key}`);

describe('the erasure report', () => {
  it('counts erased residents per month, channel and reason, for coordinators only', async () => {
    const coordinator = new StaffBrowser(app.server);
    await coordinator.login((await addStaff(app, { role: 'coordinator' })).email);
    expect((await coordinator.page('/inbox/reports')).html).toContain(t('reports.none'));

    const words = 'Mijn buurman Karim weet hiervan';
    const erased: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { chat } = await residentAsksForPerson(app, words);
      const residentId = await residentIdOf(app, chat);
      erased.push(residentId);
      const res = await app.server.request(`/api/residents/${residentId}/erase`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ confirm: false }),
      });
      expect(res.status).toBe(200);
    }

    const page = await coordinator.page('/inbox/reports');
    expect(page.status).toBe(200);
    const month = new Date().toISOString().slice(0, 7);
    const row = new RegExp(
      `<td>${month}</td>\\s*<td>webchat</td>\\s*<td>${t('reports.reasons.staff')}</td>\\s*<td>2</td>\\s*<td>2</td>\\s*<td>2</td>`,
    );
    expect(page.html).toMatch(row);
    for (const id of erased) expect(page.html).not.toContain(id);
    expect(page.html).not.toContain('Karim');

    const api = await app.server.request('/api/reports/erasures', { headers: auth });
    expect(await api.json()).toEqual({
      erasures: [expect.objectContaining({ month, channel: 'web', reason: 'staff', residents: 2, handoffs: 2 })],
    });

    const trustPerson = new StaffBrowser(app.server);
    await trustPerson.login((await addStaff(app, { role: 'trust_person' })).email);
    expect((await trustPerson.page('/inbox/reports')).status).toBe(403);
    expect((await trustPerson.page('/inbox')).html).not.toContain('/inbox/reports');
    expect((await coordinator.page('/inbox')).html).toContain('href="/inbox/reports"');
  });
});

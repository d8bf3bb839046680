import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { signWebhookBody } from '../../../src/channels/whatsapp-cloud/webhook-signature.js';
import { eq } from 'drizzle-orm';
import { handoffs, residents } from '../../../src/db/schema.js';
import { texts } from '../../helpers/engine-driver.js';
import { eventually } from '../../helpers/sse.js';
import { addStaff, StaffBrowser } from '../../helpers/staff-client.js';
import {
  FakeGraphApi,
  graphErrors,
  TEST_API_VERSION,
  TEST_GRAPH_TOKEN,
  TEST_PHONE_NUMBER_ID,
} from '../../helpers/fake-graph-api.js';
import { createTestApp } from '../../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { messageItem, messagesBody, RESIDENT_WA_ID, textItem } from './cloud-payloads.js';

/**
 * Issue 14, the whole app with WHATSAPP_MODE=cloud against a fake Graph API: Meta's subscription check,
 * signed webhooks into the intake, replies with real buttons, discreet mode's honest answer, and the
 * aftercare question as a template once the 24-hour window has closed.
 */

const APP_SECRET = 'appsecret0123456789abcdef';
const VERIFY_TOKEN = 'verify-token-for-cloud-tests';
const API_TOKEN = 'api-token-for-cloud-app-tests-0123456789';
let testDb: TestDatabase;
let app: App;
let graph: FakeGraphApi;
let now = Date.now();

beforeAll(async () => {
  graph = await FakeGraphApi.start();
  testDb = await createTestDatabase();
  app = await createTestApp(
    testDb.database,
    {
      WHATSAPP_MODE: 'cloud',
      WHATSAPP_CLOUD_TOKEN: TEST_GRAPH_TOKEN,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: TEST_PHONE_NUMBER_ID,
      WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_CLOUD_API_ROOT: graph.url,
      WHATSAPP_CLOUD_API_VERSION: TEST_API_VERSION,
      WHATSAPP_CLOUD_AFTERCARE_TEMPLATES: 'nl=tussenin_nazorg,ar=tussenin_nazorg_ar:ar',
      WHATSAPP_CLOUD_REPLY_TEMPLATES: 'nl=tussenin_bericht_wacht',
      STAFF_API_TOKEN: API_TOKEN,
    },
    { clock: () => new Date(now) },
  );
  await app.start();
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
  await graph.close();
});
beforeEach(async () => {
  await testDb.truncate();
  graph.sent.length = 0;
  now = Date.now();
});

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

async function deliver(body: Record<string, unknown>, signature?: string) {
  const raw = JSON.stringify(body);
  return app.server.request('/whatsapp/cloud/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? signWebhookBody(raw, APP_SECRET) },
    body: raw,
  });
}
/** What the resident's phone shows of our messages since `from`. */
const shownSince = (from: number) => graph.visibleTo(RESIDENT_WA_ID).slice(from);
async function says(item: ReturnType<typeof textItem>, expectAtLeast = 1): Promise<string[]> {
  const before = graph.visibleTo(RESIDENT_WA_ID).length;
  expect((await deliver(messagesBody(item))).status).toBe(200);
  await eventually(() => shownSince(before).length >= expectAtLeast, 5000, 'the bot’s answer on the phone');
  return shownSince(before);
}

describe('WhatsApp through the Cloud API', () => {
  it('answers Meta’s subscription check with the challenge, and only with the right verify token', async () => {
    const ok = await app.server.request(
      `/whatsapp/cloud/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await app.server.request('/whatsapp/cloud/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1');
    expect(wrong.status).toBe(403);
  });

  it('takes a signed message into the intake and answers with buttons; a bad signature stores nothing', async () => {
    expect((await deliver(messagesBody(textItem('hallo')), 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(await testDb.database.db.select().from(residents)).toEqual([]);

    const shown = await says(textItem('hallo'), 2);
    expect(shown[0]).toContain(t('nl', 'bot:greeting').slice(0, 20));
    const [resident] = await testDb.database.db.select().from(residents);
    expect(resident).toMatchObject({ channel: 'whatsapp', externalId: `${RESIDENT_WA_ID}@s.whatsapp.net` });
    // The language question goes out as an interactive message the resident can tap.
    const interactive = graph.sent.filter((m) => (m.body as { type?: string }).type === 'interactive');
    expect(interactive.length).toBeGreaterThan(0);

    // A tap on a reply button is an answer.
    const tap = messageItem('interactive', { type: 'button_reply', button_reply: { id: 'consent:yes', title: 'Ja' } });
    await says(messageItem('interactive', { type: 'list_reply', list_reply: { id: 'language:nl', title: 'Nederlands' } }));
    const afterConsent = await says(tap);
    expect(afterConsent.join('\n')).toContain(t('nl', 'bot:domains.prompt').slice(0, 20));
  });

  it('tells a resident who asks for discreet mode that it cannot delete their messages here', async () => {
    await says(textItem('hallo'), 2);
    const shown = await says(textItem('discreet'));
    expect(shown.join('\n')).toContain(t('nl', 'bot:discreet.cannotDelete', { own: '' }).slice(0, 40));
  });

  it('asks the aftercare question as the approved template once the 24-hour window has closed', async () => {
    await says(textItem('hallo'), 2);
    await says(textItem('ik wil met iemand praten'));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    const call = (path: string, body?: unknown) =>
      app.server.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
    expect((await call(`/api/handoffs/${handoff!.id}/claim`)).status).toBe(200);
    expect((await call(`/api/handoffs/${handoff!.id}/close`, { aftercareDays: 30 })).status).toBe(200);

    now = Date.now() + 31 * 86_400_000;
    await app.continuity.tick();
    await eventually(
      () => graph.sent.some((m) => JSON.stringify(m.body).includes('"tussenin_nazorg"')),
      5000,
      'the aftercare template',
    );
    const template = graph.sent.find((m) => JSON.stringify(m.body).includes('"tussenin_nazorg"'))!.body as {
      template: { name: string; language: { code: string } };
    };
    expect(template.template).toMatchObject({ name: 'tussenin_nazorg', language: { code: 'nl' } });
    const [closed] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoff!.id));
    expect(closed!.aftercareSentAt).not.toBeNull();
  });

  it('warns the trust person when a reply cannot go out because the 24-hour window has closed', async () => {
    await says(textItem('hallo'), 2);
    await says(textItem('ik wil met iemand praten'));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    const person = await addStaff(app, { role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    expect((await browser.post(`/inbox/handoffs/${handoff!.id}/claim`)).status).toBe(303);
    expect((await browser.page(`/inbox/handoffs/${handoff!.id}`)).html).not.toContain('id="window-closed"');

    // Two days later the resident has not written again.
    await testDb.database.db
      .update(residents)
      .set({ lastInboundAt: new Date(Date.now() - 48 * 3600_000) })
      .where(eq(residents.externalId, `${RESIDENT_WA_ID}@s.whatsapp.net`));
    const page = await browser.page(`/inbox/handoffs/${handoff!.id}`);
    expect(page.html).toContain('id="window-closed"');
    expect(page.html).toContain(texts.t('nl', 'staff:reply.windowClosed').slice(0, 30));

    // A reply anyway: the resident gets the "a message waits for you" template, once, not the reply itself.
    const templatesBefore = graph.sent.filter((m) => (m.body as { type?: string }).type === 'template').length;
    expect((await browser.post(`/inbox/handoffs/${handoff!.id}/messages`, { text: 'Hoe gaat het?' })).status).toBe(303);
    expect((await browser.post(`/inbox/handoffs/${handoff!.id}/messages`, { text: 'Bel je me terug?' })).status).toBe(303);
    await eventually(
      async () =>
        ((await browser.page(`/inbox/handoffs/${handoff!.id}`)).html.match(/data-delivery="windowWaiting"/g) ?? []).length === 2,
      5000,
      'both replies waiting for the resident',
    );
    const templates = graph.sent.filter((m) => (m.body as { type?: string }).type === 'template').slice(templatesBefore);
    expect(templates.map((m) => (m.body as { template: { name: string } }).template.name)).toEqual(['tussenin_bericht_wacht']);
    expect(graph.visibleTo(RESIDENT_WA_ID).join('\n')).not.toContain('Hoe gaat het?');

    // The resident writes back: the window is open, and the replies go out, in order.
    const before = graph.visibleTo(RESIDENT_WA_ID).length;
    expect((await deliver(messagesBody(textItem('ja?')))).status).toBe(200);
    await eventually(
      () => shownSince(before).join('\n').includes('Bel je me terug?'),
      5000,
      'the replies after the resident wrote',
    );
    const shown = shownSince(before).join('\n');
    expect(shown.indexOf('Hoe gaat het?')).toBeLessThan(shown.indexOf('Bel je me terug?'));
  });

  it('tells coordinators when Meta refuses the token, on the WhatsApp page and on every inbox page', async () => {
    const coordinator = await addStaff(app, { role: 'coordinator' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(coordinator.email)).status).toBe(303);
    const page = await browser.page('/whatsapp');
    expect(page.html).toContain('data-state="cloud"');
    expect((await browser.post('/whatsapp/pair')).status).toBe(409);

    graph.failNext(graphErrors.tokenExpired(), 5);
    expect((await deliver(messagesBody(textItem('hallo')))).status).toBe(200);
    await eventually(
      async () => (await browser.page('/whatsapp')).html.includes('data-state="cloud-token-invalid"'),
      5000,
      'the token warning',
    );
    const inbox = await browser.page('/inbox');
    expect(inbox.html).toContain(texts.t('nl', 'staff:notify.tokenBanner', { channel: 'WhatsApp', since: '' }).slice(0, 25));
    const health = (await (await app.server.request('/healthz')).json()) as { whatsapp?: { mode: string; state: string } };
    expect(health.whatsapp).toMatchObject({ mode: 'cloud', state: 'token-invalid' });
  });
});

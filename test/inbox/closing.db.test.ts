import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { handoffs } from '../../src/db/schema.js';
import { FakeChannel } from '../helpers/fake-channel.js';
import { eventually } from '../helpers/sse.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { texts } from '../helpers/engine-driver.js';
import { useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/** Issue 13, closing: the resident hears that the case is closed and that they can write again. */

const API_TOKEN = 'api-token-for-closing-tests-0123456789';
let testDb: TestDatabase;
let app: App;
let channel: FakeChannel;

useTestApp((made) => ({ app, testDb } = made), { STAFF_API_TOKEN: API_TOKEN, ORG_NAME: 'Al Amal' }, { start: true });
beforeEach(() => {
  channel = new FakeChannel('web');
  app.adapters.set('web', channel);
});

const api = (path: string, body?: unknown) =>
  app.server.request(path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });

async function claimed(first = 'hallo') {
  const resident = await residentAsksForPerson(app, first);
  expect((await api(`/api/handoffs/${resident.handoffId}/claim`)).status).toBe(200);
  return resident;
}

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, vars);
const deliveredTexts = () => channel.delivered.map((d) => d.text);

describe('closing a case', () => {
  it('tells the resident by default, in their language, that they can write again, and then closes', async () => {
    const { chat, handoffId } = await claimed();
    expect((await api(`/api/handoffs/${handoffId}/close`)).status).toBe(200);
    const closing = t('nl', 'bot:handoff.closed', { org: 'Al Amal' });
    expect(closing).toContain('altijd weer een bericht sturen');
    await eventually(() => deliveredTexts().includes(closing), 5000, 'the closing message');
    expect((await chat.read()).messages.map((m) => m.text)).toContain(closing);
    const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
    expect(row!.status).toBe('closed');
  });

  it('speaks Arabic to an Arabic-speaking resident', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('السلام عليكم');
    await chat.say('أريد أن أتكلم مع شخص');
    const handoffId = await openHandoffOf(app, chat);
    expect((await api(`/api/handoffs/${handoffId}/claim`)).status).toBe(200);
    expect((await api(`/api/handoffs/${handoffId}/close`, {})).status).toBe(200);
    const closing = t('ar', 'bot:handoff.closed', { org: 'Al Amal' });
    await eventually(() => deliveredTexts().includes(closing), 5000, 'the Arabic closing message');
  });

  it('sends the trust person’s own text instead, or nothing when told so', async () => {
    const own = await claimed('eerste');
    expect((await api(`/api/handoffs/${own.handoffId}/close`, { message: 'Fijn dat het gelukt is. Tot ziens!' })).status).toBe(
      200,
    );
    await eventually(() => deliveredTexts().includes('Fijn dat het gelukt is. Tot ziens!'), 5000, 'the own closing text');

    const silent = await claimed('tweede');
    const before = channel.delivered.length;
    expect((await api(`/api/handoffs/${silent.handoffId}/close`, { message: false })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.delivered.length).toBe(before);
    expect((await silent.chat.read()).messages.map((m) => m.text)).not.toContain(
      t('nl', 'bot:handoff.closed', { org: 'Al Amal' }),
    );
  });

  it('refuses a malformed request with the reason, and closes nothing', async () => {
    const { handoffId } = await claimed();
    for (const body of [{ message: 5 }, { message: '   ' }, { mesage: false }, '{oops']) {
      const res = await api(`/api/handoffs/${handoffId}/close`, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { reason: string }).reason).toMatch(/message|JSON|mesage/i);
    }
    const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
    expect(row!.status).toBe('claimed');
  });

  it('offers the message on the case page, editable, in the resident’s language; unticked, sends none', async () => {
    const person = await addStaff(app, { role: 'trust_person' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    const { handoffId } = await residentAsksForPerson(app, 'hallo');
    expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    const closing = t('nl', 'bot:handoff.closed', { org: 'Al Amal' });
    expect(page.html).toContain('name="send" value="1" checked');
    expect(page.html).toContain(`lang="nl">${closing}</textarea>`);

    // Edited and sent.
    expect(
      (await browser.post(`/inbox/handoffs/${handoffId}/close`, { send: '1', message: 'Tot de volgende keer, Samira' })).status,
    ).toBe(303);
    await eventually(() => deliveredTexts().includes('Tot de volgende keer, Samira'), 5000, 'the edited closing message');

    // Unticked: closed without a word.
    const other = await residentAsksForPerson(app, 'nog een');
    expect((await browser.post(`/inbox/handoffs/${other.handoffId}/claim`)).status).toBe(303);
    // Claiming tells the resident who joined (issue 15); the count starts after that message.
    const joined = t('nl', 'bot:handoff.joined', { org: 'Al Amal', name: person.name.split(' ')[0] });
    await eventually(() => deliveredTexts().filter((d) => d === joined).length === 2, 5000, 'who joined');
    const before = channel.delivered.length;
    expect((await browser.post(`/inbox/handoffs/${other.handoffId}/close`, { message: closing })).status).toBe(303);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.delivered.length).toBe(before);
    const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, other.handoffId));
    expect(row!.status).toBe('closed');
  });
});

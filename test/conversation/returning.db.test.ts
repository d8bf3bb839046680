import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { conversations, handoffs } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient, type ChatMessage } from '../helpers/webchat-client.js';

/**
 * Issue 13, returning residents: someone whose case closed recently and writes again is welcomed back
 * and their message goes to the trust person who helped them, as a new case linked to the old one;
 * no new intake unless they ask to start over.
 */

const API_TOKEN = 'api-token-for-returning-tests-0123456789';
const DAY = 86_400_000;
let testDb: TestDatabase;
let app: App;
/** The app's clock: moved on by a test to be "months later". */
let offsetMs = 0;

useTestApp(
  (made) => ({ app, testDb } = made),
  { STAFF_API_TOKEN: API_TOKEN, ORG_NAME: 'Al Amal', RETURN_TO_SAME_PERSON_DAYS: '90' },
  { clock: () => new Date(Date.now() + offsetMs) },
);

const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });
const textsOf = (replies: ChatMessage[]) => replies.map((r) => r.text ?? '');

const getCase = async (id: string) => {
  const res = await app.server.request(`/api/handoffs/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; reason: string; previousHandoffId: string | null; assignedTo: string | null };
};

/** A resident's case, held by a trust person and closed by them; the resident read the closing message. */
async function closedCase(chat?: WebchatClient, first = 'hallo') {
  offsetMs = 0;
  const karim = await addStaff(app, { name: 'Karim', gender: 'man' });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(karim.email)).status).toBe(303);
  let handoffId: string;
  if (chat) {
    handoffId = await openHandoffOf(app, chat);
  } else {
    ({ chat, handoffId } = await residentAsksForPerson(app, first));
  }
  expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  expect((await browser.post(`/inbox/handoffs/${handoffId}/close`, { send: '1', message: 'Tot ziens!' })).status).toBe(303);
  await chat.read();
  return { chat, handoffId, karim, browser };
}

describe('a resident who writes again after their case closed', () => {
  it('is welcomed back, and the new case goes to the same trust person, linked to the old one', async () => {
    const { chat, handoffId, karim, browser } = await closedCase();
    const replies = await chat.say('Dank je Karim! Nog een vraag: wanneer is het spreekuur?');

    // No greeting, no language question: a welcome back, with a way to start over.
    const [welcome] = replies;
    expect(replies).toHaveLength(1);
    expect(welcome!.text!.startsWith(t('nl', 'bot:returning.welcome'))).toBe(true);
    expect(welcome!.text).not.toContain(t('nl', 'bot:language.prompt'));
    expect(welcome!.choices?.map((c) => c.id)).toEqual(['cmd:restart']);

    const newId = await openHandoffOf(app, chat);
    expect(newId).not.toBe(handoffId);
    const record = await getCase(newId);
    expect(record).toMatchObject({ reason: 'returning', previousHandoffId: handoffId, assignedTo: karim.id });
    const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, newId));
    expect(row!.status).toBe('waiting');

    // Karim finds it among his cases, with a link to the case before; he can take it.
    const mine = await browser.page('/inbox?mine=1');
    expect(mine.html).toContain(`/inbox/handoffs/${newId}`);
    const page = await browser.page(`/inbox/handoffs/${newId}`);
    expect(page.html).toContain(`href="/inbox/handoffs/${handoffId}"`);
    expect(page.html).toContain(texts.t('nl', 'staff:case.previousCase'));
    expect((await browser.post(`/inbox/handoffs/${newId}/claim`)).status).toBe(303);
    // Claiming tells the resident Karim took the chat (issue 15).
    expect((await chat.read()).messages.map((m) => m.text)).toEqual([
      texts.t('nl', 'bot:handoff.joined', { org: 'Al Amal', name: 'Karim' }),
    ]);

    // What they write next is for Karim: stored, and the bot says nothing over it.
    const later = await chat.say('Ik kan alleen op woensdag');
    expect(later).toEqual([]);
    const transcript = await browser.page(`/inbox/handoffs/${newId}`);
    expect(transcript.html).toContain('Ik kan alleen op woensdag');
    expect(transcript.html).toContain('Nog een vraag: wanneer is het spreekuur?');
  });

  it('is welcomed in their own language (Arabic, right to left)', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('السلام عليكم');
    await chat.say('أريد أن أتكلم مع شخص');
    await closedCase(chat);
    const [welcome] = await chat.say('شكرا، عندي سؤال آخر');
    expect(welcome!.text!.startsWith(t('ar', 'bot:returning.welcome'))).toBe(true);
    expect(welcome!.dir).toBe('rtl');
  });

  it('gets the emergency numbers first when the message names danger, and the new case is urgent', async () => {
    const { chat } = await closedCase();
    const replies = await chat.say('hij heeft me weer geslagen, ik ben bang');
    expect(textsOf(replies)[0]).toBe(t('nl', 'bot:emergency.text'));
    expect(textsOf(replies).some((s) => s.startsWith(t('nl', 'bot:returning.welcome')))).toBe(false);
    const record = await getCase(await openHandoffOf(app, chat));
    expect(record.reason).toBe('returning');
    const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, record.id));
    expect(row!.urgent).toBe(true);
  });

  it('can start the questions over, and the case stays with the same person', async () => {
    const { chat, karim } = await closedCase();
    const [welcome] = await chat.say('hoi');
    const replies = await chat.press(welcome!.choices![0]!.id);
    expect(textsOf(replies).join('\n')).toContain(t('nl', 'bot:greeting'));
    const record = await getCase(await openHandoffOf(app, chat));
    expect(record).toMatchObject({ reason: 'returning', assignedTo: karim.id });
  });

  it('starts a new intake when the case closed longer ago than RETURN_TO_SAME_PERSON_DAYS', async () => {
    const { chat } = await closedCase();
    offsetMs = 91 * DAY;
    const replies = await chat.say('hallo, ik heb een nieuwe vraag');
    expect(textsOf(replies).join('\n')).toContain(t('nl', 'bot:greeting'));
    expect(textsOf(replies).some((s) => s.startsWith(t('nl', 'bot:returning.welcome')))).toBe(false);
    const [conversation] = await testDb.database.db
      .select({ mode: conversations.mode })
      .from(conversations)
      .where(eq(conversations.mode, 'bot'));
    expect(conversation).toBeDefined();
  });

  it('is not offered to a trust person who has left; the case waits for anyone', async () => {
    const { chat, karim } = await closedCase();
    await app.services.staff.setActive(karim.id, false);
    await chat.say('hallo weer');
    const record = await getCase(await openHandoffOf(app, chat));
    expect(record).toMatchObject({ reason: 'returning', assignedTo: null });
  });
});

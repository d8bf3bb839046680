import { createHmac } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createVisitorToken } from '../../src/channels/webchat/visitor-token.js';
import { messages, residents } from '../../src/db/schema.js';
import { addStaff, residentAsksForPerson, residentIdOf } from '../helpers/staff-client.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient, type ChatMessage } from '../helpers/webchat-client.js';

const SECRET = 'test-secret-test-secret-test-secret-123'; // createTestApp's WEBCHAT_SECRET
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made), { WEBCHAT_IDLE_DAYS: '14', WEBCHAT_CLOSED_TRANSCRIPT_HOURS: '24' });

const visitorIdOf = (chat: WebchatClient) => chat.token.split('.')[0]!;

/** What the page reads on load with this token. */
async function pageRead(token: string): Promise<{ status: number; renewed: string | null; body: any }> {
  const res = await app.server.request('/chat/api/messages?after=0&wait=0', { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, renewed: res.headers.get('x-visitor-token'), body: await res.json() };
}

const texts = (list: ChatMessage[]) => list.map((m) => m.text);

describe('web chat visitor tokens', () => {
  it('open the chat while used, and are renewed in X-Visitor-Token once an hour old', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    const fresh = await pageRead(chat.token);
    expect(fresh.status).toBe(200);
    expect(fresh.renewed).toBeNull();
    // The same visitor's token, last renewed 13 days ago: still opens the chat, and comes back renewed.
    const old = createVisitorToken(SECRET, Date.now() - 13 * DAY, visitorIdOf(chat)).token;
    const read = await pageRead(old);
    expect(read.status).toBe(200);
    expect(texts(read.body.messages)).toContain('hallo');
    expect(read.renewed).toMatch(new RegExp(`^${visitorIdOf(chat)}\\.[0-9a-z]+\\.[A-Za-z0-9_-]+$`));
    expect((await pageRead(read.renewed!)).status).toBe(200);
  });

  it('expire after WEBCHAT_IDLE_DAYS unused: refused, and a new session does not show the old chat', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('ik heb schulden');
    const stale = createVisitorToken(SECRET, Date.now() - 15 * DAY, visitorIdOf(chat)).token;
    const read = await pageRead(stale);
    expect(read.status).toBe(401);
    expect(read.body).toMatchObject({ error: 'expired' });
    expect(read.body.reason).toMatch(/not used for 14 days/);
    const post = await app.server.request('/chat/api/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${stale}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'abcdefgh', text: 'hoi' }),
    });
    expect(post.status).toBe(401);
    // The page then starts a new session: an empty chat.
    const next = await new WebchatClient(app.server).startSession();
    expect((await next.read()).messages).toEqual([]);
  });

  it('from before tokens carried a time are as old as the resident’s last message', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    const legacy = `${visitorIdOf(chat)}.${legacySignature(visitorIdOf(chat))}`;
    const read = await pageRead(legacy);
    expect(read.status).toBe(200);
    expect(read.renewed).toMatch(/^[A-Za-z0-9_-]{22}\.[0-9a-z]+\./); // moved to the new form at once
    await testDb.database.db
      .update(residents)
      .set({ lastInboundAt: new Date(Date.now() - 20 * DAY) })
      .where(eq(residents.externalId, visitorIdOf(chat)));
    expect((await pageRead(legacy)).status).toBe(401);
    // A legacy token of nobody who ever wrote opens nothing.
    const nobody = createVisitorToken(SECRET).visitorId;
    expect((await pageRead(`${nobody}.${legacySignature(nobody)}`)).status).toBe(401);
  });
});

describe('removing the chat from this device', () => {
  it('stops the token opening the chat, keeps the record, and lets the resident start anew', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('ik heb schulden');
    const residentId = await residentIdOf(app, chat);
    const stored = await testDb.database.db.select().from(messages).where(eq(messages.residentId, residentId));
    const removed = await app.server.request('/chat/api/session', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${chat.token}` },
    });
    expect(removed.status).toBe(204);
    // A copy of the token left anywhere opens an empty chat.
    const read = await pageRead(chat.token);
    expect(read.status).toBe(200);
    expect(read.body.messages).toEqual([]);
    // The organisation's record is untouched, under an address no token can name.
    const [row] = await testDb.database.db.select().from(residents).where(eq(residents.id, residentId));
    expect(row!.externalId).toMatch(/^removed:/);
    expect(await testDb.database.db.select().from(messages).where(eq(messages.residentId, residentId))).toHaveLength(
      stored.length,
    );
    // Asking again, or with a bad token, changes nothing more.
    expect(
      (await app.server.request('/chat/api/session', { method: 'DELETE', headers: { authorization: `Bearer ${chat.token}` } }))
        .status,
    ).toBe(204);
    expect(
      (await app.server.request('/chat/api/session', { method: 'DELETE', headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
  });
});

describe('a closed case on the resident’s page', () => {
  async function closeCase(handoffId: string) {
    const staff = await addStaff(app, { role: 'coordinator' });
    const actor = { id: staff.id, name: staff.name, role: staff.role, uiLocale: 'nl', via: 'session' as const };
    await app.services.handoffs.claim(actor, handoffId);
    await app.services.handoffs.reply(actor, handoffId, 'Fijn dat je schreef. Ik sluit je vraag nu af.');
    await app.services.handoffs.close(actor, handoffId);
  }

  it('shows the transcript until WEBCHAT_CLOSED_TRANSCRIPT_HOURS after closing, then no more; new messages show', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app, 'hallo, ik heb een vraag over school');
    await closeCase(handoffId);
    let read = await pageRead(chat.token);
    expect(texts(read.body.messages)).toContain('Fijn dat je schreef. Ik sluit je vraag nu af.');
    const lastId = Math.max(...read.body.messages.map((m: ChatMessage) => m.id));

    // 25 hours later
    await testDb.database.db.execute(
      sql`update handoffs set closed_at = closed_at - interval '25 hours' where id = ${handoffId}`,
    );
    read = await pageRead(chat.token);
    expect(read.status).toBe(200);
    expect(read.body.messages).toEqual([]);
    expect(read.body.clearedUpTo).toBe(lastId); // an open page clears what it shows
    // The organisation's record is whole.
    const all = await testDb.database.db
      .select()
      .from(messages)
      .where(eq(messages.residentId, await residentIdOf(app, chat)));
    expect(all.map((m) => m.id)).toContain(lastId);

    // The resident writes again: a new conversation, and it shows.
    chat.seen = 0;
    const replies = await chat.say('hallo, ik ben er weer');
    expect(replies.length).toBeGreaterThan(0);
    read = await pageRead(chat.token);
    expect(texts(read.body.messages)).toContain('hallo, ik ben er weer');
    expect(texts(read.body.messages)).not.toContain('Fijn dat je schreef. Ik sluit je vraag nu af.');
  });

  it('with WEBCHAT_CLOSED_TRANSCRIPT_HOURS=0 is hidden as soon as it is closed', async () => {
    const quick = await createTestApp(testDb.database, { WEBCHAT_CLOSED_TRANSCRIPT_HOURS: '0' });
    try {
      const { chat, handoffId } = await residentAsksForPerson(quick, 'hallo');
      const staff = await addStaff(quick, { role: 'coordinator' });
      const actor = { id: staff.id, name: staff.name, role: staff.role, uiLocale: 'nl', via: 'session' as const };
      await quick.services.handoffs.close(actor, handoffId);
      const res = await quick.server.request('/chat/api/messages?after=0&wait=0', {
        headers: { authorization: `Bearer ${chat.token}` },
      });
      expect(((await res.json()) as { messages: unknown[] }).messages).toEqual([]);
    } finally {
      await quick.close();
    }
  });
});

/** How tokens were signed before they carried a time. */
function legacySignature(visitorId: string): string {
  return createHmac('sha256', SECRET).update(`webchat:${visitorId}`).digest('base64url');
}

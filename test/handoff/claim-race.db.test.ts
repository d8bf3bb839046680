import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { conversations, handoffs } from '../../src/db/schema.js';
import { HandoffError } from '../../src/handoff/handoff-error.js';
import { actorOf } from '../../src/inbox/staff-auth.js';
import type { StaffMember } from '../../src/staff/staff-types.js';
import { addStaff } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;
let app: App;
let a: StaffMember;
let b: StaffMember;
let n = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database);
  await testDb.truncate();
  a = await addStaff(app, { name: 'A' });
  b = await addStaff(app, { name: 'B' });
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});

/** A resident who asks for a person: one waiting handoff. */
async function waitingHandoff(): Promise<{ id: string; user: string }> {
  const user = `race-${++n}`;
  await app.conversations.handleInbound({ channel: 'web', externalUserId: user, externalMessageId: `${user}-1`, text: 'hallo' });
  const outcome = await app.conversations.handleInbound({
    channel: 'web',
    externalUserId: user,
    externalMessageId: `${user}-2`,
    text: 'persoon',
  });
  if (outcome.status !== 'processed') throw new Error('not processed');
  const [h] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.conversationId, outcome.conversationId));
  return { id: h!.id, user };
}

describe(`two trust persons claiming the same handoff at the same moment (${onPostgres ? 'Postgres' : 'PGlite'})`, () => {
  it('exactly one gets it, every time (50 rounds)', async () => {
    for (let round = 0; round < 50; round++) {
      const { id } = await waitingHandoff();
      const results = await Promise.allSettled([
        app.services.handoffs.claim(actorOf(a, 'session'), id),
        app.services.handoffs.claim(actorOf(b, 'session'), id),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(HandoffError);
      expect((lost[0]!.reason as HandoffError).code).toBe('conflict');
      const winner = (won[0] as PromiseFulfilledResult<{ claimedBy: string }>).value.claimedBy;
      const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, id));
      expect(row).toMatchObject({ status: 'claimed', claimedBy: winner });
    }
  });

  it('exactly one wins while the resident is writing at the same time, and nothing deadlocks (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      const { id, user } = await waitingHandoff();
      const [first, second, inbound] = await Promise.allSettled([
        app.services.handoffs.claim(actorOf(a, 'session'), id),
        app.services.handoffs.claim(actorOf(b, 'session'), id),
        app.conversations.handleInbound({
          channel: 'web',
          externalUserId: user,
          externalMessageId: `${user}-x`,
          text: 'is er iemand?',
        }),
      ]);
      expect(
        [first, second].filter((r) => r.status === 'fulfilled'),
        `round ${round}`,
      ).toHaveLength(1);
      expect(inbound.status).toBe('fulfilled');
      const [row] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, id));
      const [conversation] = await testDb.database.db
        .select()
        .from(conversations)
        .where(eq(conversations.id, row!.conversationId));
      expect(conversation!.mode).toBe('with_person');
    }
  });

  it('over the HTTP API too: one 200 and one 409 (10 rounds)', async () => {
    const [ta, tb] = await Promise.all([app.services.tokens.create(a.id, null), app.services.tokens.create(b.id, null)]);
    for (let round = 0; round < 10; round++) {
      const { id } = await waitingHandoff();
      const claim = (token: string) =>
        app.server.request(`/api/handoffs/${id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const statuses = (await Promise.all([claim(ta.token), claim(tb.token)])).map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 409]);
    }
  });
});

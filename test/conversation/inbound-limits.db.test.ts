import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { InboundMessage } from '../../src/conversation/inbound-message.js';
import {
  createConversationService,
  type ConversationService,
  type InboundOutcome,
} from '../../src/conversation/conversation-service.js';
import { InboundLimits } from '../../src/conversation/inbound-limits.js';
import { conversations, handoffs, messages, residents } from '../../src/db/schema.js';
import { texts } from '../helpers/engine-driver.js';
import { createTestApp, silentLogger } from '../helpers/test-app.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';

/**
 * The inbound rate limits where every channel's messages meet: ConversationService.handleInbound.
 * The limits' clock stands still here, so no bucket refills while a test runs (no timing in the asserts).
 */

let testDb: TestDatabase;
let app: App;
let counter = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database); // for its engine; its own service is not limited
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(() => testDb.truncate());

const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });

function limitedService(perResidentPerMinute: number, globalPerSecond = 1_000_000): ConversationService {
  const frozen = Date.now();
  return createConversationService({
    database: testDb.database,
    engine: app.engine,
    logger: silentLogger,
    limits: new InboundLimits({ perResidentPerMinute, globalPerSecond, now: () => frozen }),
  });
}

const inbound = (user: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'web',
  externalUserId: user,
  externalMessageId: `m-${++counter}`,
  text,
  ...extra,
});

async function messagesOf(user: string, direction: 'in' | 'out') {
  return testDb.database.db
    .select({ id: messages.id, text: messages.text, conversationId: messages.conversationId, choice: messages.choice })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .where(and(eq(residents.externalId, user), eq(messages.direction, direction)))
    .orderBy(asc(messages.id));
}

describe(`inbound rate limits on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('stores all of a 300-message flood in order, reads the first few, says "slow down" once, and keeps others prompt', async () => {
    const service = limitedService(5);
    // Both are talking to the bot already; the flooder has chosen Dutch.
    await service.handleInbound(inbound('flooder', 'hallo'));
    await service.handleInbound(inbound('flooder', '1'));
    await service.handleInbound(inbound('bilal', 'hallo'));
    const answeredBeforeFlood = (await messagesOf('flooder', 'out')).length;

    let floodDone = 0;
    const flood = Array.from({ length: 300 }, (_, i) =>
      service.handleInbound(inbound('flooder', `bericht ${i}`)).then((outcome) => {
        floodDone += 1;
        return outcome;
      }),
    );
    // Meanwhile bilal goes on with the intake, one message after the other, as a person does.
    const bilalReplies: string[][] = [];
    let floodDoneWhenBilalWasAnswered = -1;
    for (const text of ['1', 'ja', 'geld']) {
      const before = (await messagesOf('bilal', 'out')).length;
      const outcome = await service.handleInbound(inbound('bilal', text));
      expect(outcome).toMatchObject({ status: 'processed' });
      expect(outcome).not.toHaveProperty('limited');
      bilalReplies.push((await messagesOf('bilal', 'out')).slice(before).map((m) => m.text!));
    }
    floodDoneWhenBilalWasAnswered = floodDone;
    const outcomes = await Promise.all(flood);

    // Nothing the flooder sent was dropped: all 300 stored, in the order sent, in their conversation.
    const stored = await messagesOf('flooder', 'in');
    expect(stored.map((m) => m.text)).toEqual(['hallo', '1', ...Array.from({ length: 300 }, (_, i) => `bericht ${i}`)]);
    const [conversation] = await testDb.database.db
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(residents, eq(residents.id, conversations.residentId))
      .where(eq(residents.externalId, 'flooder'));
    expect(new Set(stored.map((m) => m.conversationId))).toEqual(new Set([conversation!.id]));

    // Five a minute: the two before and three of the flood were read by the bot; the rest were not.
    const limited = outcomes.filter((o): o is Extract<InboundOutcome, { status: 'processed' }> => o.status === 'processed');
    expect(limited.map((o) => o.limited ?? null)).toEqual([...Array<null>(3).fill(null), ...Array<string>(297).fill('resident')]);
    // One "slow down", in their language, right after the bot's last real answer; nothing after it.
    const out = (await messagesOf('flooder', 'out')).map((m) => m.text);
    expect(out.at(-1)).toBe(t('nl', 'bot:slowDown.resident'));
    expect(out.filter((text) => text === t('nl', 'bot:slowDown.resident'))).toHaveLength(1);
    expect(limited.reduce((sum, o) => sum + o.replies, 0)).toBe(out.length - answeredBeforeFlood);

    // bilal was answered completely and in order, exactly as a resident alone is ...
    const alone: string[][] = [];
    await service.handleInbound(inbound('chaima', 'hallo'));
    for (const text of ['1', 'ja', 'geld']) {
      const before = (await messagesOf('chaima', 'out')).length;
      await service.handleInbound(inbound('chaima', text));
      alone.push((await messagesOf('chaima', 'out')).slice(before).map((m) => m.text!));
    }
    expect(bilalReplies).toEqual(alone);
    expect(bilalReplies.flat()).not.toContain(t('nl', 'bot:slowDown.resident'));
    // ... and did not wait for the flood: his three answers were done before half of it was handled.
    expect(floodDoneWhenBilalWasAnswered).toBeLessThan(150);
  });

  it('still gives the emergency numbers and an urgent handoff for danger over the limit', async () => {
    const service = limitedService(2);
    for (const text of ['hallo', '1', 'ja', 'nog iets']) await service.handleInbound(inbound('eva', text));
    const outcome = await service.handleInbound(inbound('eva', 'mijn man slaat me'));
    expect(outcome).toMatchObject({ status: 'processed' });
    expect(outcome).not.toHaveProperty('limited');
    expect((await messagesOf('eva', 'out')).at(-2)!.text).toBe(t('nl', 'bot:emergency.text'));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({ urgent: true, reason: 'danger' });
  });

  it('says "slow down" in the resident’s language, and not at all while a trust person has the chat', async () => {
    const service = limitedService(3);
    await service.handleInbound(inbound('amina', 'hallo'));
    await service.handleInbound(inbound('amina', '', { text: undefined, choice: 'language:ar' }));
    await service.handleInbound(inbound('amina', '١'));
    await service.handleInbound(inbound('amina', 'واحد'));
    expect((await messagesOf('amina', 'out')).at(-1)!.text).toBe(t('ar', 'bot:slowDown.resident'));

    const quiet = limitedService(1);
    await quiet.handleInbound(inbound('omar', 'hallo'));
    await testDb.database.db.update(conversations).set({ mode: 'with_person' });
    const before = (await messagesOf('omar', 'out')).length;
    for (const text of ['dank je', 'ik stuur de brieven', 'hier is er nog een'])
      expect(await quiet.handleInbound(inbound('omar', text))).toMatchObject({ limited: 'resident', replies: 0 });
    expect(await messagesOf('omar', 'out')).toHaveLength(before);
    expect((await messagesOf('omar', 'in')).map((m) => m.text)).toEqual([
      'hallo',
      'dank je',
      'ik stuur de brieven',
      'hier is er nog een',
    ]);
  });

  it.runIf(onPostgres)(
    'still says "slow down" when the message shared a transaction that was rolled back and ran again',
    async () => {
      const service = limitedService(2);
      await service.handleInbound(inbound('quick', 'hallo'));
      await service.handleInbound(inbound('quick', '1'));
      await service.handleInbound(inbound('sara', 'hallo', { externalMessageId: 'sara-1' }));
      // Sent together they share one transaction (group commit); sara's is a re-delivery, which rolls the
      // transaction back, and quick's message runs again on its own.
      const [quick, again] = await Promise.all([
        service.handleInbound(inbound('quick', 'nog een')),
        service.handleInbound(inbound('sara', 'hallo', { externalMessageId: 'sara-1' })),
      ]);
      expect(again.status).toBe('duplicate');
      expect(quick).toMatchObject({ limited: 'resident', replies: 1 });
      expect((await messagesOf('quick', 'out')).at(-1)!.text).toBe(t('nl', 'bot:slowDown.resident'));
      expect((await messagesOf('quick', 'in')).map((m) => m.text)).toEqual(['hallo', '1', 'nog een']);
    },
  );

  it('sheds load by lag: a message that waited too long is stored, not read, and the resident told once; danger still answered', async () => {
    let lagging = false;
    let clock = Date.now();
    // Every look at the clock while "lagging" is 11 s later: the message waited that long for its turn.
    const service = createConversationService({
      database: testDb.database,
      engine: app.engine,
      logger: silentLogger,
      limits: new InboundLimits({ perResidentPerMinute: 1_000, maxLagMs: 10_000, now: () => clock }),
      now: () => new Date(lagging ? (clock += 11_000) : clock),
    });
    await service.handleInbound(inbound('lag1', 'hallo'));
    expect(await service.handleInbound(inbound('lag1', '1'))).not.toHaveProperty('limited');
    lagging = true;
    expect(await service.handleInbound(inbound('lag1', '2'))).toMatchObject({ limited: 'global', replies: 1 });
    expect(await service.handleInbound(inbound('lag1', '3'))).toMatchObject({ limited: 'global', replies: 0 });
    expect((await messagesOf('lag1', 'in')).map((m) => m.text)).toEqual(['hallo', '1', '2', '3']);
    const danger = await service.handleInbound(inbound('lag1', 'mijn man slaat me'));
    expect(danger).not.toHaveProperty('limited');
    expect(danger).toMatchObject({ status: 'processed' });
    // Caught up: read again.
    lagging = false;
    expect(await service.handleInbound(inbound('lag1', 'verder'))).not.toHaveProperty('limited');
  });

  it('caps all residents together, telling each one over it once, in every language before one is chosen', async () => {
    const service = limitedService(1_000, 4);
    const people = ['p1', 'p2', 'p3', 'p4'];
    for (const person of people) await service.handleInbound(inbound(person, 'hallo')); // the 4 of this second
    for (const person of people) {
      expect(await service.handleInbound(inbound(person, '1'))).toMatchObject({ limited: 'global', replies: 1 });
      expect(await service.handleInbound(inbound(person, '1'))).toMatchObject({ limited: 'global', replies: 0 });
    }
    const notice = (await messagesOf('p1', 'out')).at(-1)!.text!;
    for (const locale of texts.locales) expect(notice).toContain(t(locale, 'bot:slowDown.global'));
    // a new resident's first message is still answered: their conversation has to start somewhere
    const first = await service.handleInbound(inbound('p5', 'hallo'));
    expect(first).toMatchObject({ status: 'processed', replies: 2 });
    expect(first).not.toHaveProperty('limited');
  });
});

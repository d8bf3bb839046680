import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { InboundMessage } from '../../src/conversation/inbound-message.js';
import { createConversationService } from '../../src/conversation/conversation-service.js';
import { conversations, handoffs, intakes, media, messages, outbox, residents, timers } from '../../src/db/schema.js';
import { storeMedia } from '../../src/media/store-media.js';
import { createTestApp, useTestApp, silentLogger } from '../helpers/test-app.js';
import { onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { firstParagraph, intakeFlow, texts } from '../helpers/engine-driver.js';

let testDb: TestDatabase;
let app: App;
let counter = 0;

useTestApp((made) => ({ app, testDb } = made));

const inbound = (user: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'web',
  externalUserId: user,
  externalMessageId: `m-${++counter}`,
  text,
  ...extra,
});

async function repliesOf(user: string) {
  return testDb.database.db
    .select({ text: messages.text, id: messages.id })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .where(and(eq(residents.externalId, user), eq(messages.direction, 'out')))
    .orderBy(asc(messages.id));
}

async function stepOf(user: string): Promise<string> {
  const [row] = await testDb.database.db
    .select({ snapshot: conversations.snapshot })
    .from(conversations)
    .innerJoin(residents, eq(residents.id, conversations.residentId))
    .where(eq(residents.externalId, user));
  return row!.snapshot.value;
}

describe(`the conversation service on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('stores both directions, the intake and the handoff, and queues every reply in the outbox', async () => {
    for (const text of ['hallo', '1', 'ja', '3', 'verder', '2', '1', '3', '1'])
      await app.conversations.handleInbound(inbound('anna', text));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({
      status: 'waiting',
      urgent: false,
      reason: 'intake-complete',
      locale: 'nl',
      summary: { domains: ['money'], urgency: 'week', contact: 'chat', helperGender: 'any', consent: 'yes', locale: 'nl' },
      preferences: { language: 'nl', contact: 'chat', helperGender: 'any' },
    });
    const [intake] = await testDb.database.db.select().from(intakes);
    expect(intake!.answers.domains).toEqual(['money']);
    const all = await testDb.database.db.select().from(messages);
    expect(all.filter((m) => m.direction === 'in')).toHaveLength(9);
    const out = all.filter((m) => m.direction === 'out');
    expect(await testDb.database.db.select().from(outbox)).toHaveLength(out.length);
    expect(firstParagraph(out.at(-1)!.text!)).toBe(texts.t('nl', 'bot:handoff.done', { org: 'Al Amal' }));
    const [conversation] = await testDb.database.db.select().from(conversations);
    expect(conversation!.mode).toBe('waiting');
    expect(conversation!.flowVersion).toBe(intakeFlow.version);
  });

  it('answers the same inbound message delivered twice only once', async () => {
    const message = inbound('bram', 'hallo');
    const first = await app.conversations.handleInbound(message);
    const again = await app.conversations.handleInbound({ ...message });
    expect(first.status).toBe('processed');
    expect(again.status).toBe('duplicate');
    expect(await repliesOf('bram')).toHaveLength(2); // greeting and the language question, once
    expect(await testDb.database.db.select().from(messages).where(eq(messages.direction, 'in'))).toHaveLength(1);
  });

  it('continues where it was after the process restarts', async () => {
    for (const text of ['hallo', '2', '1', '1']) await app.conversations.handleInbound(inbound('chaima', text));
    expect(await stepOf('chaima')).toBe('domains');
    await app.close();
    await testDb.database.close();
    const database = await testDb.reopen();
    app = await createTestApp(database);
    await app.conversations.handleInbound(inbound('chaima', 'متابعة'));
    expect(await stepOf('chaima')).toBe('urgency');
    const replies = await repliesOf('chaima');
    expect(replies.at(-1)!.text).toBe(texts.t('ar', 'bot:urgency.prompt'));
  });

  it('handles two messages of one conversation sent at once one after the other, also from two processes', async () => {
    // Two services share the database like two instances would; only the database orders them, so
    // either may go first, but never both at once: each resident ends in one of the two serial outcomes.
    const other = createConversationService({ database: testDb.database, engine: app.engine, logger: silentLogger });
    const users = Array.from({ length: 8 }, (_, i) => `dina-${i}`);
    for (const user of users) await app.conversations.handleInbound(inbound(user, 'hallo'));
    await Promise.all(
      users.map((user) =>
        Promise.all([
          app.conversations.handleInbound(inbound(user, '2')), // first: language Arabic, then "1" = consent yes
          other.handleInbound(inbound(user, '1')), // first: language Dutch, then "2" = consent no
        ]),
      ),
    );
    // The two serial outcomes, from residents who send the same messages one by one.
    for (const m of ['hallo', '2', '1']) await app.conversations.handleInbound(inbound('serial-ar', m));
    for (const m of ['hallo', '1', '2']) await app.conversations.handleInbound(inbound('serial-nl', m));
    const outcomeOf = async (user: string) => {
      const [resident] = await testDb.database.db
        .select({ locale: residents.locale })
        .from(residents)
        .where(eq(residents.externalId, user));
      return { step: await stepOf(user), locale: resident!.locale, replies: (await repliesOf(user)).map((r) => r.text) };
    };
    const serial = [await outcomeOf('serial-ar'), await outcomeOf('serial-nl')];
    expect(serial.map((o) => [o.step, o.locale])).toEqual([
      ['domains', 'ar'],
      ['declined', 'nl'],
    ]);
    for (const user of users) expect(serial).toContainEqual(await outcomeOf(user));
  });

  it('opens an urgent handoff at once when danger is named mid-intake', async () => {
    for (const text of ['hallo', '1', 'ja']) await app.conversations.handleInbound(inbound('eva', text));
    await app.conversations.handleInbound(inbound('eva', 'mijn man slaat me'));
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({ status: 'waiting', urgent: true, reason: 'danger' });
    const replies = await repliesOf('eva');
    // the numbers, then whether it is safe to chat now
    expect(replies.at(-2)!.text).toContain('0800-2000');
    expect(replies.at(-1)!.text).toContain(texts.t('nl', 'bot:safety.ask'));
    // finishing the intake keeps the handoff urgent and fills in the answers
    for (const text of ['verder', 'verder', '3', '1', '3', '1']) await app.conversations.handleInbound(inbound('eva', text));
    const after = await testDb.database.db.select().from(handoffs);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ urgent: true, summary: expect.objectContaining({ contact: 'chat' }) });
  });

  it('keeps no intake when consent is declined, and still hands off', async () => {
    for (const text of ['hallo', '1', 'nee', '1']) await app.conversations.handleInbound(inbound('fatima', text));
    expect(await testDb.database.db.select().from(intakes)).toEqual([]);
    const [handoff] = await testDb.database.db.select().from(handoffs);
    expect(handoff).toMatchObject({ reason: 'consent-declined', summary: {} });
  });

  it('erases what the resident told on stop, and confirms', async () => {
    for (const text of ['hallo', '1', 'ja', 'mijn buurman intimideert me', 'persoon'])
      await app.conversations.handleInbound(inbound('gul', text));
    const mediaId = await storeMedia(testDb.database, {
      channel: 'web',
      externalUserId: 'gul',
      kind: 'voice',
      contentType: 'audio/ogg',
      bytes: new Uint8Array([1, 2, 3]),
    });
    await app.conversations.handleInbound(inbound('gul', '', { text: undefined, media: { kind: 'voice', mediaId } }));
    await app.conversations.handleInbound(inbound('gul', 'stop'));
    await app.conversations.handleInbound(inbound('gul', 'ja'));
    const db = testDb.database.db;
    expect(await db.select().from(intakes)).toEqual([]);
    expect(await db.select().from(handoffs)).toEqual([]);
    expect(await db.select().from(media)).toEqual([]);
    const left = await db.select({ direction: messages.direction, text: messages.text }).from(messages);
    expect(left).toEqual([{ direction: 'out', text: texts.t('nl', 'bot:stop.done') }]);
  });

  it('sends a reminder when a question waits too long, and cancels it once answered', async () => {
    const quick = await createTestApp(testDb.database, {}, 50);
    await quick.conversations.handleInbound(inbound('hanna', 'hallo'));
    await quick.conversations.handleInbound(inbound('hanna', '1'));
    expect(await testDb.database.db.select().from(timers)).toHaveLength(1); // the consent question's, the language one cancelled
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await quick.timers.runOnce()).toBe(1);
    expect((await repliesOf('hanna')).at(-1)!.text).toBe(texts.t('nl', 'bot:reminder.text'));
    expect(await quick.timers.runOnce()).toBe(0); // fired once
    await quick.conversations.handleInbound(inbound('hanna', 'ja'));
    const pending = await testDb.database.db.select().from(timers);
    expect(pending.map((t) => t.sendId)).toEqual([expect.stringContaining('domains')]);
    await quick.close();
  });
});

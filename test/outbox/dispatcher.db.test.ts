import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { outbox, residents } from '../../src/db/schema.js';
import { createConversationService } from '../../src/conversation/conversation-service.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../src/outbox/dispatcher.js';
import { backoffDelayMs, OUTBOX_BACKOFF } from '../../src/retry/backoff.js';
import { FakeChannel } from '../helpers/fake-channel.js';
import { createTestApp, silentLogger } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;
let app: App;
let channel: FakeChannel;
let dispatcher: Dispatcher;
let n = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database);
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  channel = new FakeChannel('web');
  dispatcher = dispatcherOnFakeChannel();
});

/** A dispatcher of its own (the app's is not started) sending through the test's fake channel. */
const dispatcherOnFakeChannel = (options: Partial<DispatcherOptions> = {}) =>
  createDispatcher({
    database: testDb.database,
    adapters: new Map([['web', channel]]),
    logger: silentLogger,
    maxAttempts: 3,
    pollMs: 10,
    dirOf: () => 'ltr',
    ...options,
  });

const hello = (user: string) =>
  app.conversations.handleInbound({ channel: 'web', externalUserId: user, externalMessageId: `d-${++n}`, text: 'hallo' });

/** Runs the dispatcher until nothing is due or `ms` passed (retries wait for their time). */
async function drainFor(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await dispatcher.runOnce();
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitFor(check: () => boolean, ms = 5000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('replies sent straight after their step (no claim)', () => {
  /** A conversation service whose replies go to this test's dispatcher, leased to it; never a kick, so only the direct path sends. */
  function directService(target: Dispatcher, leaseMs = 60_000) {
    return createConversationService({
      database: testDb.database,
      engine: app.engine,
      logger: silentLogger,
      onReplies: (direct) => target.sendCommitted(direct ?? []),
      directSend: { leaseMs, accepting: () => target.accepting() },
      sentNotRecorded: (address) => target.sentNotRecorded(address),
    });
  }

  it('sends a step’s replies at once without the poller, in order, and records them as sent', async () => {
    // No poll, and sends recorded only when it stops: only the direct path can send, and the second
    // message comes while the first one's replies still look pending in the database.
    const direct = dispatcherOnFakeChannel({ pollMs: 3_600_000, recordSentAfterMs: 3_600_000 });
    direct.start();
    const toD1 = () => channel.delivered.filter((d) => d.to === 'd1').map((d) => d.text);
    try {
      const service = directService(direct);
      await service.handleInbound({ channel: 'web', externalUserId: 'd1', externalMessageId: 'x-1', text: 'hallo' });
      await waitFor(() => toD1().length === 2);
      expect(toD1()[0]).toContain('Hallo, welkom');
      const pending = await testDb.database.db.select().from(outbox);
      expect(pending.map((r) => r.status)).toEqual(['pending', 'pending']);
      // The next message's replies wait for nothing: they go straight out too, after the first ones.
      await service.handleInbound({ channel: 'web', externalUserId: 'd1', externalMessageId: 'x-2', text: 'nl' });
      await waitFor(() => toD1().length >= 3);
    } finally {
      await direct.stop();
    }
    const rows = await testDb.database.db.select().from(outbox).orderBy(outbox.id);
    expect(rows.length).toBe(toD1().length);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ['sent', 1]));
  });

  it('claims a row that waited behind unrecorded sends once they are recorded, without waiting for the poll', async () => {
    const direct = dispatcherOnFakeChannel({ pollMs: 3_600_000, recordSentAfterMs: 100 });
    direct.start();
    const toD2 = () => channel.delivered.filter((d) => d.to === 'd2');
    try {
      await directService(direct).handleInbound({
        channel: 'web',
        externalUserId: 'd2',
        externalMessageId: 'y-1',
        text: 'hallo',
      });
      await waitFor(() => toD2().length === 2);
      // A step whose replies are not leased (as from another instance): queued, and the kick's claim
      // finds them behind the two sends that still look pending.
      const queuedOnly = createConversationService({
        database: testDb.database,
        engine: app.engine,
        logger: silentLogger,
        onReplies: () => direct.kick(),
      });
      await queuedOnly.handleInbound({ channel: 'web', externalUserId: 'd2', externalMessageId: 'y-2', text: 'nl' });
      await waitFor(() => toD2().length >= 3);
    } finally {
      await direct.stop();
    }
    const rows = await testDb.database.db.select().from(outbox).orderBy(outbox.id);
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
  });

  it('after a failed direct send, delivers that reply and the rest in order, each once, through the poller', async () => {
    const direct = dispatcherOnFakeChannel();
    direct.start();
    try {
      // The greeting fails once (the channel asks to wait 50 ms): the language question after it must wait too.
      channel.script = [{ ok: false, retry: true, retryAfterMs: 50, reason: 'busy' }];
      await directService(direct).handleInbound({
        channel: 'web',
        externalUserId: 'd3',
        externalMessageId: 'z-1',
        text: 'hallo',
      });
      await waitFor(() => channel.delivered.filter((d) => d.to === 'd3').length === 2);
      await new Promise((r) => setTimeout(r, 100));
      const texts = channel.delivered.filter((d) => d.to === 'd3').map((d) => d.text);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain('Hallo, welkom');
      expect(channel.attempts.filter((d) => d.to === 'd3')).toHaveLength(3); // the greeting twice, the question once
      const rows = await testDb.database.db.select().from(outbox);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    } finally {
      await direct.stop();
    }
  });

  it('leaves leased replies of a process that died to any dispatcher once the lease ends', async () => {
    const dead = dispatcherOnFakeChannel({ adapters: new Map(), pollMs: 3_600_000 });
    dead.start();
    // It leases the rows and "dies" before sending: sendCommitted is never called.
    const service = createConversationService({
      database: testDb.database,
      engine: app.engine,
      logger: silentLogger,
      directSend: { leaseMs: 300, accepting: () => true },
    });
    await service.handleInbound({ channel: 'web', externalUserId: 'd2', externalMessageId: 'y-1', text: 'hallo' });
    await dead.stop();
    const leased = await testDb.database.db.select().from(outbox);
    expect(leased.every((r) => r.status === 'pending' && r.leasedUntil !== null)).toBe(true);
    expect(await dispatcher.runOnce()).toBe(0); // still leased
    await new Promise((r) => setTimeout(r, 400));
    await drainFor(200);
    expect(channel.delivered.filter((d) => d.to === 'd2')).toHaveLength(2);
    expect((await testDb.database.db.select().from(outbox)).every((r) => r.status === 'sent')).toBe(true);
  });
});

describe('the outbox dispatcher', () => {
  it('delivers every reply once, in order per resident, and records the channel message id', async () => {
    await hello('a');
    await hello('b');
    await drainFor(150);
    const texts = (user: string) => channel.delivered.filter((d) => d.to === user).map((d) => d.text);
    expect(texts('a')).toHaveLength(2);
    expect(texts('a')[0]).toContain('Hallo, welkom');
    expect(texts('b')).toHaveLength(2);
    const rows = await testDb.database.db.select().from(outbox);
    expect(rows.every((r) => r.status === 'sent' && r.channelMessageId?.startsWith('fake-'))).toBe(true);
  });

  it("keeps sending to others while one resident's send is held, and that resident's replies stay in order", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    channel.hold = (to) => (to === 'slow' ? held : undefined);
    const to = (user: string) => channel.delivered.filter((d) => d.to === user).map((d) => d.text);
    dispatcher.start();
    try {
      await hello('slow');
      dispatcher.kick();
      await waitFor(() => channel.attempts.some((a) => a.to === 'slow'));
      await hello('quick');
      dispatcher.kick();
      await waitFor(() => to('quick').length === 2);
      expect(to('slow')).toEqual([]);
      release();
      await waitFor(() => to('slow').length === 2);
      expect(to('slow')).toEqual(to('quick')); // the same greeting, both messages in the same order
    } finally {
      release();
      await dispatcher.stop();
    }
  });

  it('goes on claiming after a kick that came while every place was taken', async () => {
    const one = dispatcherOnFakeChannel({ maxInFlight: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    channel.hold = (to) => (to === 'a' ? held : undefined);
    one.start();
    try {
      await hello('a');
      one.kick();
      await waitFor(() => channel.attempts.length === 1);
      one.kick(); // the one place is taken: this finds nothing to do
      release();
      await waitFor(() => channel.delivered.filter((d) => d.to === 'a').length === 2);
    } finally {
      release();
      await one.stop();
    }
  });

  it('retries a failed send after a backoff, and keeps the next message waiting behind it', async () => {
    channel.script = [{ ok: false, retry: true, reason: 'HTTP 500' }];
    await hello('c');
    await dispatcher.runOnce();
    expect(channel.delivered).toHaveLength(0); // the greeting failed; the question waits behind it
    await drainFor(2500);
    expect(channel.delivered.map((d) => d.text)[0]).toContain('Hallo, welkom');
    expect(channel.delivered).toHaveLength(2);
    const gap = channel.delivered[0]!.at - channel.attempts[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(700); // about a second of backoff
  });

  it('waits as long as the channel asks (retry-after) before trying again', async () => {
    channel.script = [{ ok: false, retry: true, retryAfterMs: 1200, reason: '429' }];
    await hello('d');
    await drainFor(2500);
    expect(channel.delivered).toHaveLength(2);
    expect(channel.delivered[0]!.at - channel.attempts[0]!.at).toBeGreaterThanOrEqual(1150);
  });

  it('gives up after the last attempt and marks the row failed', async () => {
    channel.script = Array.from({ length: 3 }, () => ({ ok: false as const, retry: true, retryAfterMs: 20, reason: 'down' }));
    await hello('e');
    await drainFor(400);
    const rows = await testDb.database.db.select().from(outbox);
    expect(rows.find((r) => r.status === 'failed')).toMatchObject({ attempts: 3, lastError: 'down' });
  });

  it('stops at once and marks the resident unreachable when the channel says so', async () => {
    channel.script = [{ ok: false, retry: false, unreachable: true, reason: 'blocked by the user' }];
    await hello('f');
    await dispatcher.runOnce();
    const [resident] = await testDb.database.db.select().from(residents).where(eq(residents.externalId, 'f'));
    expect(resident!.unreachable).toBe(true);
    expect(channel.attempts).toHaveLength(1);
  });

  it('backs off exponentially with jitter', () => {
    expect(backoffDelayMs(1, OUTBOX_BACKOFF, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(4, OUTBOX_BACKOFF, () => 0.5)).toBe(8000);
    expect(backoffDelayMs(30, OUTBOX_BACKOFF, () => 0.5)).toBe(600_000);
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { media, messages } from '../../src/db/schema.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made));

const CHUNK = 16 * 1024;

/** A body that streams `total` bytes in chunks and counts how many the server pulled. */
function streamedBody(total: number) {
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      const size = Math.min(CHUNK, total - counter.pulled);
      counter.pulled += size;
      controller.enqueue(new Uint8Array(size).fill(7));
    },
  });
  return { stream, counter };
}

async function postVoice(
  server: App['server'],
  chat: WebchatClient,
  id: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await server.request(`/chat/api/voice?id=${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/webm', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

const mediaRows = () => testDb.database.db.select({ id: media.id, byteSize: media.byteSize }).from(media);

async function expectError(res: Response, status: number, reason: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; reason: string };
  expect(body.reason).toMatch(reason);
  return body;
}

describe('web chat voice notes', () => {
  it('stores a voice note sent three times with one id once: the retries are answered without storing', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const id = chat.nextId();
    const first = await postVoice(app.server, chat, id, new Uint8Array(5000).fill(1));
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    for (let i = 0; i < 2; i++) {
      const { stream, counter } = streamedBody(5000);
      const again = await postVoice(app.server, chat, id, stream);
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual({ accepted: true, duplicate: true });
      expect(counter.pulled).toBe(5000); // taken in and dropped, so the browser gets the answer cleanly
    }
    expect(await mediaRows()).toHaveLength(1);
    const inbound = await testDb.database.db.select().from(messages).where(eq(messages.direction, 'in'));
    expect(inbound).toHaveLength(1);
  });

  it('asks a retry that overtakes its first try to wait (409), then answers it as a duplicate', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    const id = chat.nextId();
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let sent = false;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent) {
          await held;
          return controller.close();
        }
        sent = true;
        controller.enqueue(new Uint8Array(1000).fill(4));
      },
    });
    const first = postVoice(app.server, chat, id, slow);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const overtaking = await postVoice(app.server, chat, id, new Uint8Array(1000));
    expect(overtaking.status).toBe(409);
    expect(overtaking.headers.get('retry-after')).toBe('2');
    finish();
    expect(await (await first).json()).toEqual({ accepted: true, duplicate: false });
    expect(await (await postVoice(app.server, chat, id, new Uint8Array(1000))).json()).toEqual({
      accepted: true,
      duplicate: true,
    });
    expect(await mediaRows()).toHaveLength(1);
  });

  it('refuses a voice note over the size cap with 413, stops reading it, and keeps nothing', async () => {
    const capped = await createTestApp(testDb.database, { WEBCHAT_MAX_VOICE_BYTES: String(100 * 1024) });
    try {
      const chat = await new WebchatClient(capped.server).startSession();
      // No Content-Length (streamed): read until the cap, then refused.
      const { stream, counter } = streamedBody(3 * 1024 * 1024);
      await expectError(await postVoice(capped.server, chat, chat.nextId(), stream), 413, /at most 100 KB|at most 102400 bytes/);
      expect(counter.pulled).toBeLessThan(100 * 1024 + 3 * CHUNK);
      // A Content-Length over the cap: refused before a byte is read.
      const declared = streamedBody(3 * 1024 * 1024);
      const res = await postVoice(capped.server, chat, chat.nextId(), declared.stream, {
        'content-length': String(3 * 1024 * 1024),
      });
      await expectError(res, 413, /voice note may be at most/);
      expect(declared.counter.pulled).toBeLessThanOrEqual(2 * CHUNK); // what the stream fills ahead; not read
      expect(await mediaRows()).toEqual([]);
      // Just under the cap is fine.
      const fits = await postVoice(capped.server, chat, chat.nextId(), new Uint8Array(100 * 1024).fill(2));
      expect(fits.status).toBe(202);
      expect((await mediaRows()).map((m) => m.byteSize)).toEqual([100 * 1024]);
    } finally {
      await capped.close();
    }
  });

  it('answers 429 with Retry-After and the reason once a visitor’s hourly voice quota is used', async () => {
    const strict = await createTestApp(testDb.database, { WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR: '10000' });
    try {
      const chat = await new WebchatClient(strict.server).startSession();
      expect((await postVoice(strict.server, chat, chat.nextId(), new Uint8Array(6000))).status).toBe(202);
      // With a Content-Length the refusal comes before reading.
      const over = await postVoice(strict.server, chat, chat.nextId(), new Uint8Array(6000), { 'content-length': '6000' });
      const body = await expectError(
        over,
        429,
        /at most 10000 bytes of voice notes and files per hour from this chat; try again in \d+ s/,
      );
      expect(body.error).toBe('quota_exceeded');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(3000); // the first note leaves the hour
      // Streamed: read up to what is left (4000), then refused the same way.
      const { stream, counter } = streamedBody(6000);
      await expectError(await postVoice(strict.server, chat, chat.nextId(), stream), 429, /from this chat/);
      expect(counter.pulled).toBeLessThanOrEqual(6000);
      // What is left still fits; another visitor has a quota of their own.
      expect((await postVoice(strict.server, chat, chat.nextId(), new Uint8Array(4000))).status).toBe(202);
      const other = await new WebchatClient(strict.server).startSession();
      expect((await postVoice(strict.server, other, other.nextId(), new Uint8Array(6000))).status).toBe(202);
      expect(await mediaRows()).toHaveLength(3);
    } finally {
      await strict.close();
    }
  });

  it('counts every visitor from one address against that address’s quota', async () => {
    const strict = await createTestApp(testDb.database, { WEBCHAT_VOICE_BYTES_PER_ADDRESS_DAY: '10000' });
    try {
      const alice = await new WebchatClient(strict.server).startSession();
      const bob = await new WebchatClient(strict.server).startSession();
      expect((await postVoice(strict.server, alice, alice.nextId(), new Uint8Array(6000))).status).toBe(202);
      const res = await postVoice(strict.server, bob, bob.nextId(), new Uint8Array(6000), { 'content-length': '6000' });
      await expectError(res, 429, /of voice notes and files per day from this address/);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await mediaRows()).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });
});

describe('web chat dedup is per visitor', () => {
  it('stores and answers two visitors’ messages that use the same message id', async () => {
    const alice = await new WebchatClient(app.server).startSession();
    const bob = await new WebchatClient(app.server).startSession();
    const first = await alice.post({ id: 'same-message-id', text: 'hallo' });
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    const second = await bob.post({ id: 'same-message-id', text: 'hoi' });
    expect(await second.json()).toEqual({ accepted: true, duplicate: false });
    expect((await alice.replies()).length).toBeGreaterThan(0);
    expect((await bob.replies()).length).toBeGreaterThan(0);
    expect((await bob.read()).messages).toEqual([]); // nothing of Alice’s
    // Each visitor's own retry is still a duplicate.
    expect(await (await bob.post({ id: 'same-message-id', text: 'hoi' })).json()).toEqual({ accepted: true, duplicate: true });
    const inbound = await testDb.database.db.select().from(messages).where(eq(messages.externalId, 'same-message-id'));
    expect(inbound).toHaveLength(2);
  });

  it('stores two visitors’ voice notes with the same id', async () => {
    const alice = await new WebchatClient(app.server).startSession();
    const bob = await new WebchatClient(app.server).startSession();
    expect(await (await postVoice(app.server, alice, 'voice-id-1', new Uint8Array(10))).json()).toEqual({
      accepted: true,
      duplicate: false,
    });
    expect(await (await postVoice(app.server, bob, 'voice-id-1', new Uint8Array(20))).json()).toEqual({
      accepted: true,
      duplicate: false,
    });
    expect((await mediaRows()).map((m) => m.byteSize).sort()).toEqual([10, 20]);
  });
});

import { randomBytes } from 'node:crypto';
import {
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type SignalDataSet,
} from '@whiskeysockets/baileys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthStateStore } from '../../src/channels/whatsapp/auth-state-store.js';
import { createLease } from '../../src/channels/whatsapp/lease.js';
import { whatsappAuth } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The Baileys auth state in the database: what is stored comes back byte for byte after the process
 * (and the database connection) restarts, for the credentials and every v7 key type. And the lease
 * that lets only one instance hold the socket. On PGlite, and on Postgres with TEST_DATABASE_URL.
 */

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
});

const bytes = (n: number) => randomBytes(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One key of every type Baileys 7 stores, with the shapes it uses (Buffers, Uint8Arrays, protobufs, plain JSON). */
function everyKeyType(): SignalDataSet {
  return {
    'pre-key': { '1': { public: bytes(32), private: bytes(32) }, '2': { public: bytes(32), private: bytes(32) } },
    session: { '31612345678.0': new Uint8Array(bytes(180)), '98765432101234_1.3': new Uint8Array(bytes(220)) },
    'sender-key': { '120363025246125486@g.us::31612345678::0': new Uint8Array(bytes(90)) },
    'sender-key-memory': { '120363025246125486@g.us': { '31612345678:0@s.whatsapp.net': true } },
    'app-state-sync-key': {
      AAAAAJ9k: proto.Message.AppStateSyncKeyData.fromObject({
        keyData: bytes(32),
        fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
        timestamp: 1_700_000_000_000,
      }),
    },
    'app-state-sync-version': {
      regular_high: { version: 12, hash: bytes(128), indexValueMap: { 'aW5kZXg=': { valueMac: bytes(32) } } },
    },
    'lid-mapping': { '31612345678': '98765432101234', '98765432101234_reverse': '31612345678' },
    'device-list': { '31612345678': ['0', '12', '27'] },
    tctoken: { '98765432101234@lid': { token: bytes(24), timestamp: '1700000000' } },
    'identity-key': { '31612345678.0': new Uint8Array(bytes(33)) },
  };
}

/** Buffers and Uint8Arrays compared by their bytes; protobuf objects by their JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function' &&
    !Array.isArray(value)
  ) {
    return plain((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

describe('the WhatsApp auth state in the database', () => {
  it('gives back the credentials and every key type byte for byte after a restart', async () => {
    const store = createAuthStateStore(testDb.database);
    const first = await store.load();
    expect(await store.isPaired()).toBe(false);
    Object.assign(first.creds, {
      me: { id: '31850001234:7@s.whatsapp.net', lid: '12345678901234:7@lid', name: 'Al Amal' },
      account: { details: bytes(60), accountSignatureKey: bytes(32), accountSignature: bytes(64), deviceSignature: bytes(64) },
      signalIdentities: [{ identifier: { name: '31850001234:7@s.whatsapp.net', deviceId: 0 }, identifierKey: bytes(33) }],
      routingInfo: bytes(12),
      registered: true,
    } satisfies Partial<AuthenticationCreds>);
    await first.saveCreds();
    const keys = everyKeyType();
    await first.keys.set(keys);

    await testDb.database.close(); // the process stops...
    const reopened = await testDb.reopen(); // ...and starts again
    const store2 = createAuthStateStore(reopened);
    expect(await store2.isPaired()).toBe(true);
    const second = await store2.load();
    expect(plain(second.creds)).toEqual(plain(first.creds));
    expect(Buffer.isBuffer(second.creds.noiseKey.private)).toBe(true);
    expect(Buffer.from(second.creds.noiseKey.private).equals(Buffer.from(first.creds.noiseKey.private))).toBe(true);

    for (const [type, byId] of Object.entries(keys)) {
      const ids = Object.keys(byId!);
      const got = await second.keys.get(type as keyof SignalDataSet, [...ids, 'not-stored']);
      expect(Object.keys(got).sort(), type).toEqual(ids.sort());
      expect(plain(got), type).toEqual(plain(byId));
    }
    const [syncKey] = Object.values(await second.keys.get('app-state-sync-key', ['AAAAAJ9k']));
    expect(syncKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData); // Baileys needs the class back
  });

  it('writes a set() with upserts and deletes in one go; null deletes; the cache in front agrees', async () => {
    const store = createAuthStateStore(testDb.database);
    const { keys } = await store.load();
    const cached = makeCacheableSignalKeyStore(keys);
    await cached.set({
      'pre-key': { '1': { public: bytes(32), private: bytes(32) }, '2': { public: bytes(32), private: bytes(32) } },
    });
    const replacement = { public: bytes(32), private: bytes(32) };
    await cached.set({ 'pre-key': { '1': null, '2': replacement }, session: { a: new Uint8Array([1, 2, 3]) } });
    const fresh = await keys.get('pre-key', ['1', '2']);
    expect(Object.keys(fresh)).toEqual(['2']);
    expect(Buffer.from(fresh['2']!.private).equals(replacement.private)).toBe(true);
    const throughCache = await cached.get('pre-key', ['1', '2']);
    expect(throughCache['1'] ?? undefined).toBeUndefined(); // Baileys' cache keeps the deletion as null
    expect(plain(throughCache['2'])).toEqual(plain(replacement));
    expect(plain(await keys.get('session', ['a']))).toEqual(plain({ a: new Uint8Array([1, 2, 3]) }));
  });

  it('stores the 812 pre-keys Baileys uploads after pairing in one set()', async () => {
    const store = createAuthStateStore(testDb.database);
    const { keys } = await store.load();
    const preKeys = Object.fromEntries(
      Array.from({ length: 812 }, (_, i) => [String(i + 1), { public: bytes(32), private: bytes(32) }]),
    );
    await keys.set({ 'pre-key': preKeys });
    const got = await keys.get('pre-key', Object.keys(preKeys));
    expect(Object.keys(got)).toHaveLength(812);
    expect(Buffer.from(got['812']!.public).equals(preKeys['812']!.public)).toBe(true);
  });

  it('forgets everything on clear() (after a logout), so the next start pairs anew', async () => {
    const store = createAuthStateStore(testDb.database);
    const state = await store.load();
    state.creds.me = { id: '31850001234:7@s.whatsapp.net' };
    await state.saveCreds();
    await state.keys.set({ session: { a: new Uint8Array([1]) } });
    await store.clear();
    expect(await testDb.database.db.select().from(whatsappAuth)).toEqual([]);
    expect(await store.isPaired()).toBe(false);
    const next = await store.load();
    expect(next.creds.me).toBeUndefined();
    expect(Buffer.from(next.creds.noiseKey.private).equals(Buffer.from(state.creds.noiseKey.private))).toBe(false);
    expect(initAuthCreds().registered).toBe(false);
  });
});

describe('the channel lease', () => {
  it('has one holder at a time, renews for its holder, and passes on when released or expired', async () => {
    const a = createLease(testDb.database, 'whatsapp', 'a', 1000);
    const b = createLease(testDb.database, 'whatsapp', 'b', 1000);
    const [gotA, gotB] = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
    expect([gotA, gotB].filter(Boolean)).toHaveLength(1); // taken together: exactly one wins
    const [holder, other] = gotA ? [a, b] : [b, a];
    expect(await holder.tryAcquire()).toBe(true); // renewal
    expect(await other.tryAcquire()).toBe(false);
    expect(await other.currentHolder()).toBe(holder.holder);

    await holder.release();
    expect(await other.currentHolder()).toBeNull();
    expect(await other.tryAcquire()).toBe(true);
    await other.release();

    // A holder that dies (stops renewing) loses it when it expires.
    const short = createLease(testDb.database, 'whatsapp', 'short-lived', 300);
    expect(await short.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    await sleep(400);
    expect(await b.tryAcquire()).toBe(true);
    // Releasing someone else's lease does nothing.
    await short.release();
    expect(await b.currentHolder()).toBe('b');
  });
});

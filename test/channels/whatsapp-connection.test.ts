import { initAuthCreds } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthStateStore } from '../../src/channels/whatsapp/auth-state-store.js';
import type { Lease } from '../../src/channels/whatsapp/lease.js';
import { createWhatsAppConnection, type WhatsAppConnection } from '../../src/channels/whatsapp/whatsapp-connection.js';
import { FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';
import { silentLogger } from '../helpers/test-app.js';

/**
 * The connection's hold on the lease, without a database: a lease whose renewal fails or hangs (the
 * database unreachable from this instance only) must not keep the socket open past the lease's end,
 * or two instances would each hold a socket for the same number.
 */

const paired = () => ({ ...initAuthCreds(), me: { id: '31850001234:7@s.whatsapp.net' } });
const memoryAuth: AuthStateStore = {
  load: async () => ({
    creds: paired(),
    keys: { get: async () => ({}), set: async () => undefined },
    saveCreds: async () => undefined,
  }),
  isPaired: async () => true,
  clear: async () => undefined,
};

function scriptedLease(answers: (() => Promise<boolean>)[]): Lease & { calls: number } {
  const lease = {
    name: 'whatsapp',
    holder: 'me',
    calls: 0,
    tryAcquire: () => {
      const answer = answers[Math.min(lease.calls, answers.length - 1)]!;
      lease.calls += 1;
      return answer();
    },
    release: async () => undefined,
    currentHolder: async () => 'me',
  };
  return lease;
}

let connection: WhatsAppConnection | null = null;
afterEach(async () => {
  await connection?.stop();
  connection = null;
});

function connect(lease: Lease, fake: FakeWhatsApp) {
  connection = createWhatsAppConnection({
    authStore: memoryAuth,
    lease,
    socketFactory: fake.factory,
    getMessage: async () => undefined,
    handlers: {
      onMessages: async () => undefined,
      onMessageUpdates: async () => undefined,
      onOpen: () => undefined,
      onLoggedOut: () => undefined,
    },
    logger: silentLogger,
    leaseMs: 600, // renewed every 200 ms; surely ours for 400 ms after a renewal
  });
  return connection;
}

describe('the WhatsApp connection and its lease', () => {
  it('closes the socket when renewals hang past the lease, and goes on standby', async () => {
    const fake = new FakeWhatsApp();
    const lease = scriptedLease([async () => true, async () => true, () => new Promise<boolean>(() => undefined)]);
    const live = connect(lease, fake);
    await live.start();
    await waitFor(
      () => live.status().state === 'open',
      2000,
      () => 'open',
    );
    await waitFor(
      () => live.status().state === 'standby',
      2000,
      () => 'standby after the renewal hung',
    );
    expect(fake.sockets[0]!.ended).toBe(true);
    expect(live.socket()).toBeNull();
  });

  it('keeps the socket through a short database error, and lets go when renewals keep failing', async () => {
    const fake = new FakeWhatsApp();
    let failing = false;
    const lease = scriptedLease([
      async () => {
        if (failing) throw new Error('connection refused');
        return true;
      },
    ]);
    const live = connect(lease, fake);
    await live.start();
    await waitFor(
      () => live.status().state === 'open',
      2000,
      () => 'open',
    );
    failing = true;
    const failedAt = lease.calls;
    await waitFor(
      () => lease.calls > failedAt,
      2000,
      () => 'a failed renewal',
    );
    expect(live.status().state).toBe('open'); // one failed renewal: still surely ours
    await waitFor(
      () => live.status().state === 'standby',
      2000,
      () => 'standby',
    );
    expect(fake.sockets[0]!.ended).toBe(true);
    failing = false; // the database is back: the lease is taken again and a new socket opened
    await waitFor(
      () => live.status().state === 'open',
      2000,
      () => 'open again',
    );
    expect(fake.sockets).toHaveLength(2);
  });
});

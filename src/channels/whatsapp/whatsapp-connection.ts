import { DisconnectReason, makeCacheableSignalKeyStore, type SignalKeyStore } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { Logger } from '../../logging/logger.js';
import type { AuthStateStore, StoredAuthState } from './auth-state-store.js';
import type { Lease } from './lease.js';
import type {
  WhatsAppEventName,
  WhatsAppEvents,
  WhatsAppSocket,
  WhatsAppSocketConfig,
  WhatsAppSocketFactory,
} from './whatsapp-socket.js';
import { BackgroundWork } from '../../lifecycle/background-work.js';
import { ConnectionConflict } from './connection-conflict.js';
import { backoffDelayMs, RECONNECT_BACKOFF, type Backoff } from '../../retry/backoff.js';

/**
 * - `standby`: another instance holds the lease (and the socket); this one waits to take over.
 * - `connecting`: opening a socket, or waiting to reconnect after a transient close.
 * - `qr`: not paired; a QR code (and on request a pairing code) is waiting on the staff page.
 * - `open`: connected; messages flow.
 * - `logged-out`: WhatsApp unlinked this device (401); the auth state is wiped, staff must pair again.
 * - `replaced`: another client took over the same credentials (440); no reconnecting until asked.
 * - `stopped`: this process stopped the channel.
 */
export type WhatsAppState = 'standby' | 'connecting' | 'qr' | 'open' | 'logged-out' | 'replaced' | 'stopped';

export interface WhatsAppStatus {
  state: WhatsAppState;
  /** When the state last changed (ISO time). */
  since: string;
  /** The QR payload to show while `qr`; never in /healthz. */
  qr: string | null;
  pairingCode: string | null;
  /** The paired number (`31612345678`) while open: for the staff page only, never logged. */
  account: string | null;
  lastDisconnect: { code: number | null; at: string } | null;
  /** Reconnects since the last open connection. */
  reconnects: number;
}

export interface ConnectionHandlers {
  onMessages(payload: WhatsAppEvents['messages.upsert'], socket: WhatsAppSocket): Promise<void>;
  onMessageUpdates(payload: WhatsAppEvents['messages.update']): Promise<void>;
  /** The socket is open: sends may go (the dispatcher can be woken). */
  onOpen(): void;
  /** WhatsApp unlinked the number (401) and the auth state is wiped: staff must pair again. */
  onLoggedOut(): void;
}

export interface ConnectionOptions {
  authStore: AuthStateStore;
  lease: Lease;
  socketFactory: WhatsAppSocketFactory;
  getMessage: WhatsAppSocketConfig['getMessage'];
  handlers: ConnectionHandlers;
  logger: Logger;
  leaseMs: number;
  /** First reconnect delay (tests make it short); doubled each time up to RECONNECT_BACKOFF's cap, with jitter. */
  backoffMs?: number;
  /** Where a new QR code is shown besides the staff page (the terminal). */
  printQr?: (qr: string) => void;
}

export interface WhatsAppConnection {
  status(): WhatsAppStatus;
  /** The socket when the connection is open, else null: sends wait until it is. */
  socket(): WhatsAppSocket | null;
  start(): Promise<void>;
  /** Closes the socket and releases the lease, so another instance can take over at once. */
  stop(): Promise<void>;
  /** Staff asked to (re)pair after a logout or a replaced connection: opens a socket for a new QR. */
  pair(): Promise<void>;
  /** A pairing code for this phone number (digits with country code), to type on the phone instead of scanning. */
  requestPairingCode(phone: string): Promise<string>;
}

interface Live {
  socket: WhatsAppSocket;
  auth: StoredAuthState;
  /** Writes of creds and keys still under way; the next socket loads only after they are done. */
  writes: Set<Promise<unknown>>;
  detach(): void;
}

const CODE_WAIT_MS = 20_000;

/**
 * One WhatsApp socket per number across every instance: the socket is opened only while this
 * process holds the lease, and the lease is renewed on a timer. Reacts to every close the way
 * Baileys documents: 515 opens a new socket at once, 401 wipes the auth state and waits for staff,
 * 440 stops without retrying, anything else reconnects with backoff. Nothing here throws into Baileys.
 */
export function createWhatsAppConnection(options: ConnectionOptions): WhatsAppConnection {
  const { authStore, lease, socketFactory, handlers, logger } = options;
  const reconnectBackoff: Backoff =
    options.backoffMs === undefined ? RECONNECT_BACKOFF : { ...RECONNECT_BACKOFF, firstMs: options.backoffMs };
  const renewEveryMs = Math.max(200, Math.floor(options.leaseMs / 3));
  // Baileys logs protocol detail, with JIDs, at info and below: keep only its errors (and silence when we are silent).
  const baileysLogger = logger.child(
    { module: 'baileys' },
    { level: logger.level === 'silent' ? 'silent' : 'error' },
  ) as unknown as ILogger;

  let status: WhatsAppStatus = {
    state: 'standby',
    since: new Date().toISOString(),
    qr: null,
    pairingCode: null,
    account: null,
    lastDisconnect: null,
    reconnects: 0,
  };
  let live: Live | null = null;
  let holding = false;
  /** Until when the lease is surely ours (the last successful renewal plus its length, less a margin). */
  let heldUntil = 0;
  let stopped = true;
  let leaseTimer: NodeJS.Timeout | null = null;
  let watchdogTimer: NodeJS.Timeout | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let opening: Promise<void> | null = null;
  let lastWrites: Promise<unknown> = Promise.resolve();
  /** Messages and receipts being stored; stop() lets them finish so none writes after a shutdown. */
  const handling = new BackgroundWork();
  const qrWaiters = new Set<() => void>();

  function setState(state: WhatsAppState, changes: Partial<WhatsAppStatus> = {}) {
    const since = state !== status.state ? new Date().toISOString() : status.since;
    status = { ...status, ...changes, state, since };
    if (state !== 'qr') status = { ...status, qr: null, ...(state === 'open' ? { pairingCode: null } : {}) };
    if (state === 'qr') for (const wake of qrWaiters) wake();
  }

  async function leaseTick(): Promise<void> {
    if (stopped) return;
    let held: boolean;
    try {
      held = await lease.tryAcquire();
      if (held) heldUntil = Date.now() + options.leaseMs - renewEveryMs;
    } catch (error) {
      // The database is away for a moment: keep the socket while the lease surely is still ours.
      logger.warn({ err: error }, 'could not renew the WhatsApp lease');
      held = holding && Date.now() < heldUntil;
    }
    if (stopped) {
      // A renewal that finished after stop() released the lease has taken it again: give it back.
      if (held) await lease.release().catch(() => undefined);
      return;
    }
    if (held && !holding) {
      holding = true;
      logger.info({ holder: lease.holder }, 'this instance holds the WhatsApp connection');
      await openSocket();
    } else if (!held && holding) {
      holding = false;
      logger.warn({ holder: lease.holder }, 'lost the WhatsApp lease; closing the socket');
      await closeSocket();
      setState('standby');
    } else if (!held && status.state !== 'standby') {
      setState('standby');
    }
  }

  /**
   * A renewal that hangs (the database unreachable from here but not from the other instances) must
   * not leave this socket open after the lease may have passed to another instance.
   */
  function watchdog() {
    if (stopped || !holding || Date.now() <= heldUntil) return;
    holding = false;
    logger.warn({ holder: lease.holder }, 'the WhatsApp lease could not be renewed in time; closing the socket');
    void closeSocket().then(() => setState('standby'));
  }

  let ticking: Promise<void> = Promise.resolve();
  function tick(): Promise<void> {
    ticking = leaseTick().catch((error) => logger.error({ err: error }, 'WhatsApp lease check failed'));
    return ticking;
  }

  function scheduleLease() {
    if (stopped) return;
    leaseTimer = setTimeout(async () => {
      await tick();
      scheduleLease();
    }, renewEveryMs);
  }

  function openSocket(): Promise<void> {
    // One opening at a time; a second request while one runs is the same request.
    opening ??= doOpen().finally(() => {
      opening = null;
    });
    return opening;
  }

  async function doOpen(): Promise<void> {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    await closeSocket();
    if (stopped || !holding) return;
    setState('connecting');
    try {
      await lastWrites;
      const auth = await authStore.load();
      const writes = new Set<Promise<unknown>>();
      const track = <T>(promise: Promise<T>): Promise<T> => {
        writes.add(promise);
        void promise.finally(() => writes.delete(promise)).catch(() => undefined);
        return promise;
      };
      const trackedKeys: SignalKeyStore = {
        ...auth.keys,
        get: auth.keys.get,
        set: (data) => track(Promise.resolve(auth.keys.set(data))),
      };
      const socket = await socketFactory({
        auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(trackedKeys, baileysLogger) },
        logger: baileysLogger,
        getMessage: options.getMessage,
      });
      if (stopped || !holding) {
        await endQuietly(socket);
        return;
      }
      const listeners: { [E in WhatsAppEventName]?: (payload: WhatsAppEvents[E]) => void } = {
        'connection.update': (update) => {
          void onConnectionUpdate(entry, update).catch((error) =>
            logger.error({ err: error }, 'handling a WhatsApp connection update failed'),
          );
        },
        'creds.update': () => {
          void track(auth.saveCreds()).catch((error) => logger.error({ err: error }, 'could not save the WhatsApp credentials'));
        },
        'messages.upsert': (payload) => {
          if (live !== entry) return;
          handling.run(handlers.onMessages(payload, socket), (error) =>
            logger.error({ err: error }, 'handling WhatsApp messages failed'),
          );
        },
        'messages.update': (payload) => {
          handling.run(handlers.onMessageUpdates(payload), (error) =>
            logger.warn({ err: error }, 'recording WhatsApp receipts failed'),
          );
        },
      };
      const entry: Live = {
        socket,
        auth,
        writes,
        detach: () => {
          for (const [event, listener] of Object.entries(listeners)) socket.ev.off(event as WhatsAppEventName, listener as never);
        },
      };
      for (const [event, listener] of Object.entries(listeners)) socket.ev.on(event as WhatsAppEventName, listener as never);
      live = entry;
    } catch (error) {
      logger.error({ err: error }, 'could not open a WhatsApp socket');
      scheduleReconnect(null);
    }
  }

  async function onConnectionUpdate(entry: Live, update: WhatsAppEvents['connection.update']): Promise<void> {
    if (live !== entry) return; // a socket we already let go of
    if (update.qr) {
      setState('qr', { qr: update.qr });
      options.printQr?.(update.qr);
    }
    if (update.connection === 'open') {
      const account = entry.socket.user?.id?.split(/[:@]/)[0] ?? null;
      setState('open', { account, reconnects: 0 });
      logger.info('WhatsApp connection open');
      handlers.onOpen();
      return;
    }
    if (update.connection !== 'close') return;
    const code = statusCodeOf(update.lastDisconnect?.error);
    status = { ...status, lastDisconnect: { code, at: new Date().toISOString() }, account: null };
    entry.detach();
    live = null;
    lastWrites = Promise.allSettled([...entry.writes]);
    if (stopped) return;
    if (code === DisconnectReason.loggedOut) {
      await lastWrites;
      await authStore.clear().catch((error) => logger.error({ err: error }, 'could not clear the WhatsApp auth state'));
      setState('logged-out');
      logger.error({ code }, 'WhatsApp logged this number out: the auth state is cleared; pair again on /whatsapp');
      handlers.onLoggedOut();
      return;
    }
    if (code === DisconnectReason.connectionReplaced) {
      setState('replaced');
      logger.error(
        { code },
        'WhatsApp connection replaced: another client uses these credentials; not reconnecting (POST /whatsapp/pair to try again)',
      );
      return;
    }
    if (code === DisconnectReason.restartRequired) {
      logger.info({ code }, 'WhatsApp asked for a restart (normal after pairing); opening a new socket');
      await openSocket();
      return;
    }
    scheduleReconnect(code);
  }

  function scheduleReconnect(code: number | null) {
    if (stopped || !holding) return;
    const attempt = status.reconnects + 1;
    const delay = backoffDelayMs(attempt, reconnectBackoff);
    setState('connecting', { reconnects: attempt });
    logger.warn({ code, attempt, retryInMs: delay }, 'WhatsApp connection closed; reconnecting');
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void openSocket();
    }, delay);
  }

  async function closeSocket(): Promise<void> {
    const entry = live;
    if (!entry) return;
    live = null;
    entry.detach();
    lastWrites = Promise.allSettled([...entry.writes]);
    await endQuietly(entry.socket);
  }

  async function endQuietly(socket: WhatsAppSocket): Promise<void> {
    try {
      await socket.end(undefined);
    } catch (error) {
      logger.debug({ err: error }, 'ending a WhatsApp socket failed');
    }
  }

  async function pair(): Promise<void> {
    if (stopped) throw new ConnectionConflict('the WhatsApp channel is stopped');
    if (!holding) throw new ConnectionConflict('another instance holds the WhatsApp connection; pair there');
    if (status.state === 'open') throw new ConnectionConflict('already connected; nothing to pair');
    if (live && (status.state === 'qr' || status.state === 'connecting')) return;
    status = { ...status, reconnects: 0 };
    await openSocket();
  }

  function waitForQr(timeoutMs: number): Promise<boolean> {
    if (status.state === 'qr') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        qrWaiters.delete(wake);
        resolve(value);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      qrWaiters.add(wake);
    });
  }

  return {
    status: () => status,
    socket: () => (status.state === 'open' && live ? live.socket : null),

    async start() {
      if (!stopped) return;
      stopped = false;
      setState('standby');
      await tick();
      scheduleLease();
      watchdogTimer = setInterval(watchdog, renewEveryMs);
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (leaseTimer) clearTimeout(leaseTimer);
      if (watchdogTimer) clearInterval(watchdogTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      // Each wait is bounded: a shutdown must not hang on a database that went away. A renewal that
      // ends later gives the lease back itself; an opening that ends later ends its own socket.
      await within(ticking, 1000);
      await within(opening ?? Promise.resolve(), 2000);
      await closeSocket();
      await within(lastWrites, 2000);
      await within(handling.idle(), 5000);
      holding = false;
      await within(
        lease.release().catch((error) => logger.warn({ err: error }, 'could not release the WhatsApp lease')),
        2000,
      );
      setState('stopped');
    },

    pair,

    async requestPairingCode(phone) {
      if (status.state === 'open') throw new ConnectionConflict('already connected; nothing to pair');
      if (!live) await pair();
      if (!(await waitForQr(CODE_WAIT_MS)) || !live) {
        throw new ConnectionConflict('WhatsApp is not ready for pairing yet; try again in a moment');
      }
      const code = await live.socket.requestPairingCode(phone);
      status = { ...status, pairingCode: code };
      return code;
    },
  };
}

/** Waits for `promise`, but no longer than `ms`; never rejects. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Baileys closes with a Boom whose output carries the status code; anything else has none. */
export function statusCodeOf(error: unknown): number | null {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : null;
}

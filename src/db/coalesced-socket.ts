import net from 'node:net';

/**
 * The sockets of postgres.js's connections, sending a transaction's last statement and its `commit` in
 * ONE write.
 *
 * postgres.js writes a query of 1 KB or more to its socket at once, and gathers smaller ones until the
 * loop's check phase (`setImmediate`), where it writes them together. A step's last statement is over
 * 1 KB, so it went out on its own and the `commit` sent right after it followed in a second write. On a
 * loaded machine each write is a system call that wakes the server process: a CPU profile of the
 * Telegram benchmark put a fifth of the bot's CPU in these writes.
 *
 * So a write of 1 KB or more is held briefly: the next smaller write (postgres.js's gathered one) takes
 * it along, else it goes out on its own after this turn's immediates. Smaller writes go out at once, as
 * postgres.js meant them to. Order is kept.
 *
 * Used for a plain single-host connection (TCP or a Unix socket); with several hosts postgres.js keeps
 * its own sockets (it tries the next host itself). Under TLS the encrypted stream writes to the socket's
 * handle directly, past this; it still works, without the saving.
 */
export function coalescedSocketFactory(target: { host: string; port: number } | { path: string }) {
  return (): net.Socket => {
    const socket = new net.Socket();
    // postgres.js treats a socket from a factory as connected and writes its start-up message at once:
    // a connecting net.Socket holds writes until it is connected, and reports a failure as 'error'.
    if ('path' in target) socket.connect(target.path);
    else {
      socket.connect(target.port, target.host);
      // postgres.js names the TLS server from it (servername) when it upgrades the connection.
      Object.assign(socket, { host: target.host, port: target.port });
    }
    // After connect(), which puts the prototype's `write` back on a socket that has its own.
    coalesceWrites(socket);
    return socket;
  };
}

/** postgres.js's threshold: a query this large is written at once, smaller ones are gathered. */
const WRITTEN_AT_ONCE = 1024;

type Chunk = Uint8Array | string;
type WriteCallback = (error?: Error | null) => void;

/** Holds a socket's large writes until the next write or the end of the turn (see coalescedSocketFactory). */
export function coalesceWrites(socket: net.Socket): void {
  const write = socket.write.bind(socket) as (chunk: Chunk, callback?: WriteCallback) => boolean;
  const end = socket.end.bind(socket) as (callback?: () => void) => net.Socket;
  let held: Chunk[] = [];
  let flushScheduled = false;

  const flush = (callback?: WriteCallback): boolean => {
    const chunks = held;
    held = [];
    if (chunks.length === 0) return !socket.writableNeedDrain;
    if (chunks.length === 1) return write(chunks[0]!, callback);
    // cork/uncork hands the chunks to the socket as one writev.
    socket.cork();
    let ok = true;
    chunks.forEach((chunk, i) => (ok = write(chunk, i === chunks.length - 1 ? callback : undefined)));
    socket.uncork();
    return ok;
  };

  socket.write = ((chunk: Chunk, encodingOrCallback?: unknown, maybeCallback?: unknown) => {
    const callback = [encodingOrCallback, maybeCallback].find((a) => typeof a === 'function') as WriteCallback | undefined;
    held.push(chunk);
    if (callback || chunk.length < WRITTEN_AT_ONCE) return flush(callback);
    if (!flushScheduled) {
      flushScheduled = true;
      // Scheduled from a tick, so it runs after the immediate postgres.js schedules in this turn's microtasks.
      process.nextTick(() =>
        setImmediate(() => {
          flushScheduled = false;
          flush();
        }),
      );
    }
    return !socket.writableNeedDrain;
  }) as net.Socket['write'];

  socket.end = ((...args: unknown[]) => {
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (args[0] !== undefined && typeof args[0] !== 'function') held.push(args[0] as Chunk);
    flush();
    return end(callback);
  }) as net.Socket['end'];
}

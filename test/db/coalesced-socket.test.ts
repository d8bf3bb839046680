import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { coalescedSocketFactory } from '../../src/db/coalesced-socket.js';
import { onPostgres } from '../helpers/test-database.js';

/** A local server that keeps every byte it receives, per connection. */
async function receivingServer() {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data) => received.push(data));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    text: () => Buffer.concat(received).toString(),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Counts the socket's writes to the system (a writev counts once). */
function countWrites(socket: net.Socket): () => number {
  let writes = 0;
  const internals = socket as unknown as Record<'_writeGeneric', (...args: unknown[]) => unknown>;
  const writeGeneric = internals._writeGeneric.bind(socket);
  internals._writeGeneric = (...args: unknown[]) => {
    writes++;
    return writeGeneric(...args);
  };
  return () => writes;
}

const turn = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function connected() {
  const server = await receivingServer();
  const socket = coalescedSocketFactory({ host: '127.0.0.1', port: server.port })();
  cleanup.push(() => socket.destroy(), server.close);
  await once(socket, 'connect');
  return { server, socket, writes: countWrites(socket) };
}

describe('a database socket that sends a large statement and the small one after it together', () => {
  it('sends a write of 1 KB or more with the next smaller write, as one write, in order', async () => {
    const { server, socket, writes } = await connected();
    const statement = 'S'.repeat(1500);
    socket.write(Buffer.from(statement));
    // postgres.js writes the `commit` after it from its own immediate.
    setImmediate(() => socket.write(Buffer.from('commit')));
    await turn();
    expect(writes()).toBe(1);
    await expect.poll(server.text).toBe(`${statement}commit`);
  });

  it('still sends a large write that nothing follows, within the same turn of the loop', async () => {
    const { server, socket, writes } = await connected();
    socket.write(Buffer.from('L'.repeat(2000)));
    await turn();
    expect(writes()).toBe(1);
    await expect.poll(() => server.text().length).toBe(2000);
  });

  it('sends small writes at once, and a write with a callback at once with what it holds', async () => {
    const { server, socket, writes } = await connected();
    socket.write('small');
    expect(writes()).toBe(1);
    socket.write('B'.repeat(1024));
    let called = false;
    socket.write('flushed', () => (called = true));
    expect(writes()).toBe(2);
    await expect.poll(() => called).toBe(true);
    await expect.poll(server.text).toBe(`small${'B'.repeat(1024)}flushed`);
  });

  it('sends what it holds before ending the connection', async () => {
    const { server, socket } = await connected();
    socket.write('E'.repeat(1100));
    socket.end('bye');
    await once(socket, 'finish');
    await expect.poll(server.text).toBe(`${'E'.repeat(1100)}bye`);
  });

  it('reports a refused connection as an error on the socket', async () => {
    const server = await receivingServer();
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const socket = coalescedSocketFactory({ host: '127.0.0.1', port: server.port })();
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});

describe.runIf(onPostgres)('postgres.js on these sockets', () => {
  it('sends a large statement and the commit after it in one write, and answers both', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const factory = coalescedSocketFactory(hostOf(url));
    let writes = () => 0;
    const options = {
      max: 1,
      onnotice: () => {},
      socket: () => {
        const socket = factory();
        writes = countWrites(socket);
        return socket;
      },
    };
    const sql = postgres(url, options as Omit<typeof options, 'socket'>);
    cleanup.push(() => void sql.end());
    const reserved = await sql.reserve();
    const big = 'x'.repeat(3000);
    // Prepared once first: from then on the statement needs no Describe round trip of its own.
    await reserved.unsafe('select $1::text as t', [big], { prepare: true });
    await reserved.unsafe('begin');
    const before = writes();
    const [rows] = await Promise.all([
      reserved.unsafe('select $1::text as t', [big], { prepare: true }),
      reserved.unsafe('commit'),
    ]);
    expect(rows[0]!.t).toBe(big);
    expect(writes() - before).toBe(1);
    reserved.release();
  });
});

function hostOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 5432) };
}

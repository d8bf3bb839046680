import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a fake's HTTP server on a free port of 127.0.0.1 and returns its `http://127.0.0.1:<port>`.
 * The server never closes an idle keep-alive socket itself: clients keep theirs in pools that outlive
 * one app (grammY keeps one agent per API root for the whole process), and Node's default of closing a
 * socket idle for 5 s made a request sent on it at that moment fail as a network error (CI saw
 * setWebhook fail so). Closing the server ends them all.
 */
export async function listenLocally(server: Server): Promise<string> {
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

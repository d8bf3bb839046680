import type { Context, MiddlewareHandler } from 'hono';
import { isIP } from 'node:net';

/**
 * Which client a request comes from, for the per-address limits (sessions, log-in, API tokens).
 *
 * Behind a reverse proxy the socket address is the proxy's, shared by everyone; then `TRUST_PROXY`
 * says how far `X-Forwarded-For` may be believed. Without it the header is ignored: a client can
 * write anything there.
 * - `hops`: that many proxies stand in front of us; the client is the address that many steps from
 *   the right of the header (1 for one nginx or Caddy).
 * - `addresses`: the proxies' own addresses (IPv4/IPv6, or IPv4 CIDR ranges); walking the header from
 *   the right, the first address not in the list is the client. A request not from a listed proxy is
 *   taken at its socket address.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; ranges: AddressRange[] };

interface AddressRange {
  /** IPv4 ranges as numbers and a prefix length; anything else is compared as text. */
  v4?: { base: number; bits: number };
  exact?: string;
}

const CLIENT_ADDRESS_KEY = 'clientAddress';

/** Parses TRUST_PROXY: unset/false, a number of hops, or a comma-separated list of addresses and ranges. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim().toLowerCase();
  if (!text || text === 'false' || text === '0' || text === 'no') return { kind: 'none' };
  if (/^\d+$/.test(text)) return { kind: 'hops', hops: Number(text) };
  const ranges = text.split(',').map((part) => parseRange(part.trim()));
  return { kind: 'addresses', ranges };
}

function parseRange(part: string): AddressRange {
  const [address, bitsText] = part.split('/');
  if (!address || !isIP(address)) throw new Error(`"${part}" is not an IP address or range`);
  if (isIP(address) === 4) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`"${part}" has a prefix length outside 0–32`);
    return { v4: { base: ipv4Number(address), bits } };
  }
  if (bitsText !== undefined) throw new Error(`"${part}": IPv6 ranges are not supported; list the proxy's address`);
  return { exact: address };
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** `::ffff:10.0.0.1` (how Node shows IPv4 on a dual-stack socket) is 10.0.0.1. */
function plainAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  return trimmed.startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

function inRanges(address: string, ranges: AddressRange[]): boolean {
  const plain = plainAddress(address);
  const v4 = isIP(plain) === 4 ? ipv4Number(plain) : null;
  return ranges.some((range) => {
    if (range.exact) return range.exact === plain;
    if (v4 === null || !range.v4) return false;
    const size = 2 ** (32 - range.v4.bits);
    return Math.floor(v4 / size) === Math.floor(range.v4.base / size);
  });
}

function socketAddress(c: Context): string {
  const remote = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  return remote ? plainAddress(remote) : 'local';
}

/** The client's address under the given trust: pure, so it is easy to test with any header. */
export function resolveClientAddress(socket: string, forwardedFor: string | undefined, trust: TrustProxy): string {
  if (trust.kind === 'none' || !forwardedFor) return socket;
  const chain = forwardedFor
    .split(',')
    .map((part) => plainAddress(part))
    .filter((part) => isIP(part) !== 0);
  if (trust.kind === 'hops') {
    // The socket is the nearest proxy; each further hop added the address it saw on the right.
    const index = chain.length - trust.hops;
    return index >= 0 ? chain[index]! : (chain[0] ?? socket);
  }
  if (!inRanges(socket, trust.ranges)) return socket;
  for (let i = chain.length - 1; i >= 0; i--) if (!inRanges(chain[i]!, trust.ranges)) return chain[i]!;
  return chain[0] ?? socket;
}

/** Sets the client address once per request, for `clientAddress(c)` everywhere after it. */
export function clientAddressMiddleware(trust: TrustProxy): MiddlewareHandler {
  return async (c, next) => {
    (c as Context<{ Variables: Record<string, string> }>).set(
      CLIENT_ADDRESS_KEY,
      resolveClientAddress(socketAddress(c), c.req.header('x-forwarded-for'), trust),
    );
    await next();
  };
}

/** The address the middleware found; the socket's when a route runs without it (tests). */
export function clientAddress(c: Context<any>): string {
  return (c.get(CLIENT_ADDRESS_KEY) as string | undefined) ?? socketAddress(c);
}

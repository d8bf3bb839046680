import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Meta signs every webhook POST with: `sha256=<hex of HMAC-SHA256(raw body, app secret)>`. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const PREFIX = 'sha256=';

/** The header value Meta would send for this body (tests and the fake Graph API sign with it). */
export function signWebhookBody(rawBody: Uint8Array | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * True when `header` is Meta's signature of exactly these bytes. Computed over the raw body as
 * received (re-serialised JSON would differ), compared in constant time once the lengths match.
 */
export function verifyWebhookSignature(rawBody: Uint8Array, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith(PREFIX)) return false;
  const given = Buffer.from(header.slice(PREFIX.length).trim().toLowerCase(), 'utf8');
  const expected = Buffer.from(signWebhookBody(rawBody, appSecret).slice(PREFIX.length), 'utf8');
  if (given.byteLength !== expected.byteLength) return false;
  return timingSafeEqual(given, expected);
}

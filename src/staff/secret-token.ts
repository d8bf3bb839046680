import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random token for a cookie, a CSRF field or an API token: 32 bytes, base64url. */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string comparison (hashing first makes the lengths equal and hides them). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A web chat visitor is a random id; the token is that id and the time it was issued or last renewed,
 * signed with the server's secret, so the id alone is not enough to read someone's chat and no
 * server-side session table is needed. The time is what makes a token unused for too long expire
 * (WEBCHAT_IDLE_DAYS): the routes renew it while it is used.
 */
export function createVisitorToken(
  secret: string,
  at: number = Date.now(),
  visitorId: string = randomBytes(16).toString('base64url'),
): { visitorId: string; token: string } {
  const stamp = Math.floor(at / 1000).toString(36);
  return { visitorId, token: `${visitorId}.${stamp}.${sign(secret, `${visitorId}:${stamp}`)}` };
}

export interface VerifiedVisitor {
  visitorId: string;
  /**
   * When the token was issued or renewed (ms); null for a token made before tokens carried a time (two
   * parts), whose age the routes take from the resident's last message instead.
   */
  renewedAt: number | null;
}

/** The visitor of a validly signed token, else null. Whether it is too old is the caller's question. */
export function verifyVisitorToken(secret: string, token: string): VerifiedVisitor | null {
  const parts = token.split('.');
  const visitorId = parts[0];
  if (!visitorId || !/^[A-Za-z0-9_-]{22}$/.test(visitorId)) return null;
  if (parts.length === 2) return signedBy(secret, visitorId, parts[1]!) ? { visitorId, renewedAt: null } : null;
  if (parts.length !== 3) return null;
  const [, stamp, signature] = parts as [string, string, string];
  if (!/^[0-9a-z]{1,10}$/.test(stamp) || !signedBy(secret, `${visitorId}:${stamp}`, signature)) return null;
  return { visitorId, renewedAt: parseInt(stamp, 36) * 1000 };
}

function signedBy(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The two-part tokens signed the id alone; three-part ones sign `id:time`, so neither passes for the other. */
function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`webchat:${payload}`).digest('base64url');
}

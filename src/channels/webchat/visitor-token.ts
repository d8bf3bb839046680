import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A web chat visitor is a random id; the token is that id signed with the server's secret, so the
 * id alone is not enough to read someone's chat and no server-side session table is needed.
 */
export function createVisitorToken(secret: string): { visitorId: string; token: string } {
  const visitorId = randomBytes(16).toString('base64url');
  return { visitorId, token: `${visitorId}.${sign(secret, visitorId)}` };
}

/** The visitor id of a valid token, else null. */
export function verifyVisitorToken(secret: string, token: string): string | null {
  const [visitorId, signature, extra] = token.split('.');
  if (!visitorId || !signature || extra !== undefined || !/^[A-Za-z0-9_-]{22}$/.test(visitorId)) return null;
  const expected = Buffer.from(sign(secret, visitorId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? visitorId : null;
}

function sign(secret: string, visitorId: string): string {
  return createHmac('sha256', secret).update(`webchat:${visitorId}`).digest('base64url');
}

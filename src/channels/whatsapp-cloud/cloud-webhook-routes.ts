import { Hono } from 'hono';
import type { Logger } from '../../logging/logger.js';
import { readCappedBody } from '../../server/read-capped-body.js';
import { safeEqual } from '../../staff/secret-token.js';
import type { CloudInbound } from './cloud-inbound.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature.js';
import { readWebhook } from './webhook-payload.js';

export const CLOUD_WEBHOOK_PATH = '/whatsapp/cloud/webhook';
/** Meta's bodies are a few kilobytes; a batch of many messages stays far below this. */
export const MAX_CLOUD_WEBHOOK_BYTES = 1024 * 1024;

export interface CloudWebhookRoutesDeps {
  /** The app secret of the Meta app: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** What we typed as "Verify token" when subscribing the webhook at Meta. */
  verifyToken: string;
  /** Our WhatsApp business phone number id: changes for other numbers are skipped. */
  phoneNumberId: string;
  inbound: CloudInbound;
  logger: Logger;
  maxBodyBytes?: number;
}

/**
 * The webhook Meta calls. GET: the subscription handshake. POST: messages and statuses, signed with
 * the app secret. A body is answered 200 only once everything in it is stored (Meta retries anything
 * else, for days, and dedup makes that safe); an unsigned or wrongly signed body stores nothing.
 */
export function createCloudWebhookRoutes(deps: CloudWebhookRoutesDeps): Hono {
  const { logger } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_CLOUD_WEBHOOK_BYTES;
  const app = new Hono();

  app.get(CLOUD_WEBHOOK_PATH, (c) => {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    const challenge = c.req.query('hub.challenge') ?? '';
    if (mode !== 'subscribe' || token === undefined || !safeEqual(token, deps.verifyToken)) {
      return c.text('forbidden', 403);
    }
    return c.text(challenge, 200, { 'cache-control': 'no-store' });
  });

  app.post(CLOUD_WEBHOOK_PATH, async (c) => {
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > maxBodyBytes)
      return c.json({ error: 'too_large', reason: `a webhook body is at most ${maxBodyBytes} bytes` }, 413);
    const body = await readCappedBody(c.req.raw.body, maxBodyBytes, {
      ...(Number.isFinite(declared) ? { expected: declared } : {}),
    });
    if (body.over) return c.json({ error: 'too_large', reason: `a webhook body is at most ${maxBodyBytes} bytes` }, 413);
    if (!verifyWebhookSignature(body.bytes, c.req.header(SIGNATURE_HEADER), deps.appSecret)) {
      logger.warn('refused a WhatsApp Cloud webhook without a valid signature');
      return c.json({ error: 'unauthorized', reason: `${SIGNATURE_HEADER} is missing or does not match the body` }, 401);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body.bytes).toString('utf8'));
    } catch {
      return c.json({ error: 'invalid_json', reason: 'the body is not JSON' }, 400);
    }
    const content = readWebhook(json, deps.phoneNumberId);
    if (!content.ok) {
      // Signed by Meta but not a shape we read: answering an error would only make Meta send it again.
      logger.warn({ reason: content.reason }, 'ignored a WhatsApp Cloud webhook of an unknown shape');
      return c.json({ ok: true, ignored: content.reason });
    }
    if (content.skipped > 0) logger.info({ skipped: content.skipped }, 'skipped WhatsApp Cloud webhook items');
    try {
      await deps.inbound.receive(content);
    } catch (error) {
      logger.error({ err: error }, 'a WhatsApp Cloud webhook could not be stored; Meta will deliver it again');
      return c.json({ error: 'not_stored', reason: 'try again later' }, 500);
    }
    return c.json({ ok: true });
  });

  return app;
}

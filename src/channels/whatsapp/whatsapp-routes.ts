import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from '../../server/body-limit.js';
import { z } from 'zod';
import type { Texts } from '../../engine/texts.js';
import { HttpError } from '../../server/http-error.js';
import { PAIR_PATH, PAIRING_CODE_PATH, pairingPage, WHATSAPP_PAGE_PATH, type PairingPageStatus } from './pairing-page.js';
import { ConnectionConflict } from './connection-conflict.js';
import type { WhatsAppConnection } from './whatsapp-connection.js';

/** What `coordinatorOnly` leaves on the context: the actor, and a CSRF token for an inbox log-in (not for a token). */
type CoordinatorEnv = { Variables: { actor?: { uiLocale: string }; csrfToken?: string } };

export interface WhatsAppRoutesDeps {
  /** Null when WHATSAPP_ENABLED is false: the page then says the channel is off. */
  connection: Pick<WhatsAppConnection, 'status' | 'pair' | 'requestPairingCode'> | null;
  /** Coordinators only: their inbox log-in in a browser, or a Bearer token from a script. Sets `csrfToken` for a log-in. */
  coordinatorOnly: MiddlewareHandler<any>;
  texts: Texts;
  /** WHATSAPP_MODE=cloud: nothing to pair; the page says so, and whether Meta refuses our token. */
  cloud?: { tokenInvalidSince(): Date | null } | undefined;
}

const pairingCodeBody = z.strictObject({
  phone: z
    .string()
    .transform((phone) => phone.replace(/[\s().-]/g, '').replace(/^(\+|00)/, ''))
    .pipe(
      z.string().regex(/^[1-9]\d{7,14}$/, 'phone must be the number with its country code, 8 to 15 digits, like 31612345678'),
    ),
});

/**
 * The coordinators' page for pairing and watching the WhatsApp connection, and two actions: pair
 * (again) and ask for a pairing code, as forms on the page (inbox log-in, CSRF token) or as JSON for
 * a script (Bearer token). The page itself is pairing-page.ts.
 */
export function createWhatsAppRoutes(deps: WhatsAppRoutesDeps): Hono<any> {
  const { connection, texts } = deps;
  const app = new Hono<CoordinatorEnv>();
  const staff = deps.coordinatorOnly;
  const cloudStatus = (): PairingPageStatus | null => {
    if (!deps.cloud) return null;
    const invalid = deps.cloud.tokenInvalidSince();
    return {
      state: invalid ? 'cloud-token-invalid' : 'cloud',
      since: (invalid ?? new Date()).toISOString(),
      qr: null,
      pairingCode: null,
      account: null,
    } as PairingPageStatus;
  };
  const requireEnabled = <T>(live: T | null): T => {
    if (deps.cloud)
      throw new HttpError(
        409,
        'whatsapp_cloud',
        'WhatsApp runs through the Cloud API (WHATSAPP_MODE=cloud): there is nothing to pair',
      );
    if (!live)
      throw new HttpError(409, 'whatsapp_disabled', 'the WhatsApp channel is off; set WHATSAPP_MODE=web (or cloud) and restart');
    return live;
  };

  app.get(WHATSAPP_PAGE_PATH, staff, async (c) => {
    const requested = c.req.query('lang') ?? c.get('actor')?.uiLocale;
    const locale = requested && texts.locales.includes(requested) ? requested : texts.sourceLocale;
    const csrfToken = c.get('csrfToken') ?? null;
    // The pairing-code form has a page of its own: the QR page reloads itself, which would wipe what is typed.
    const askingCode = csrfToken !== null && c.req.query('code') === '1';
    const page = await pairingPage(connection?.status() ?? cloudStatus(), locale, texts, { csrfToken, askingCode });
    return c.html(page.value, 200, { 'cache-control': 'no-store' });
  });

  app.get(`${WHATSAPP_PAGE_PATH}/status`, staff, (c) => {
    const status = connection?.status() ?? cloudStatus();
    if (!status) return c.json({ state: 'disabled' }, 200, { 'cache-control': 'no-store' });
    const { qr, ...rest } = status;
    return c.json({ ...rest, hasQr: qr !== null }, 200, { 'cache-control': 'no-store' });
  });

  app.post(PAIR_PATH, staff, async (c) => {
    const live = requireEnabled(connection);
    await conflictsAs409(() => live.pair());
    if (isFormPost(c)) return c.redirect(WHATSAPP_PAGE_PATH, 303);
    return c.json({ state: live.status().state }, 202);
  });

  app.post(PAIRING_CODE_PATH, bodyLimit({ maxSize: 1024, onError: () => tooLarge() }), staff, async (c) => {
    const live = requireEnabled(connection);
    const form = isFormPost(c);
    let raw: unknown;
    try {
      raw = form ? { phone: (await c.req.parseBody())['phone'] } : await c.req.json();
    } catch {
      throw new HttpError(400, 'invalid_json', 'send a JSON body like {"phone": "31612345678"}');
    }
    const { phone } = pairingCodeBody.parse(raw);
    const code = await conflictsAs409(() => live.requestPairingCode(phone));
    // The page shows the code from the connection's status.
    if (form) return c.redirect(WHATSAPP_PAGE_PATH, 303);
    return c.json({ code, state: live.status().state }, 200, { 'cache-control': 'no-store' });
  });

  return app;
}

function isFormPost(c: Context): boolean {
  return (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

async function conflictsAs409<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ConnectionConflict) throw new HttpError(409, 'whatsapp_conflict', error.message);
    throw error;
  }
}

function tooLarge(): never {
  throw new HttpError(413, 'too_large', 'the body may be at most 1 KB');
}

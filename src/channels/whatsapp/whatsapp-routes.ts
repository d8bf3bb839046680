import { escapeHtml } from '../../server/escape-html.js';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Texts } from '../../engine/texts.js';
import { HttpError } from '../../server/http-error.js';
import { qrSvg } from './qr-code.js';
import { ConnectionConflict, type WhatsAppConnection, type WhatsAppStatus } from './whatsapp-connection.js';

export const WHATSAPP_PAGE_PATH = '/whatsapp';
const PAIR_PATH = '/whatsapp/pair';
const PAIRING_CODE_PATH = '/whatsapp/pairing-code';
/** While nothing is settled the page reloads itself, so a new QR (every ~20 s) shows without a click. */
const REFRESH_SECONDS = 5;

/** What `coordinatorOnly` leaves on the context: the actor, and a CSRF token for an inbox log-in (not for a token). */
type CoordinatorEnv = { Variables: { actor?: { uiLocale: string }; csrfToken?: string } };

export interface WhatsAppRoutesDeps {
  /** Null when WHATSAPP_ENABLED is false: the page then says the channel is off. */
  connection: Pick<WhatsAppConnection, 'status' | 'pair' | 'requestPairingCode'> | null;
  /** Coordinators only: their inbox log-in in a browser, or a Bearer token from a script. Sets `csrfToken` for a log-in. */
  coordinatorOnly: MiddlewareHandler<any>;
  texts: Texts;
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
 * a script (Bearer token). The page is rendered here, QR included, so it loads nothing from elsewhere;
 * its text comes from locales/<lng>/whatsapp.json (`staffPage`).
 */
export function createWhatsAppRoutes(deps: WhatsAppRoutesDeps): Hono<any> {
  const { connection, texts } = deps;
  const app = new Hono<CoordinatorEnv>();
  const staff = deps.coordinatorOnly;

  app.get(WHATSAPP_PAGE_PATH, staff, async (c) => {
    const requested = c.req.query('lang') ?? c.get('actor')?.uiLocale;
    const locale = requested && texts.locales.includes(requested) ? requested : texts.sourceLocale;
    const csrfToken = c.get('csrfToken') ?? null;
    // The pairing-code form has a page of its own: the QR page reloads itself, which would wipe what is typed.
    const askingCode = csrfToken !== null && c.req.query('code') === '1';
    const html = await renderPage(connection?.status() ?? null, locale, texts, { csrfToken, askingCode });
    return c.html(html, 200, { 'cache-control': 'no-store' });
  });

  app.get(`${WHATSAPP_PAGE_PATH}/status`, staff, (c) => {
    const status = connection?.status();
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

function requireEnabled<T>(connection: T | null): T {
  if (!connection)
    throw new HttpError(409, 'whatsapp_disabled', 'the WhatsApp channel is off; set WHATSAPP_ENABLED=true and restart');
  return connection;
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

async function renderPage(
  status: WhatsAppStatus | null,
  locale: string,
  texts: Texts,
  view: {
    /** Set for a coordinator logged in to the inbox: the page then has buttons; a token user reads the API hints. */
    csrfToken: string | null;
    /** The form for a pairing code instead of the QR (and no reloading). */
    askingCode: boolean;
  },
): Promise<string> {
  const { csrfToken, askingCode } = view;
  const t = (key: string, vars?: Record<string, unknown>) => escapeHtml(texts.t(locale, `whatsapp:staffPage.${key}`, vars));
  const state = status?.state ?? 'disabled';
  const settling = !askingCode && (state === 'connecting' || state === 'qr' || state === 'standby');
  const parts: string[] = [
    `<h1>${t('title')}</h1>`,
    `<p class="state state-${state}" data-state="${state}"><strong>${t('state')}:</strong> ${t(`states.${state}`)}` +
      (status ? ` <small>(${t('since')} <time datetime="${status.since}">${escapeHtml(status.since)}</time>)</small>` : '') +
      `</p>`,
    `<p>${t(`explain.${state}`)}</p>`,
  ];
  if (status?.state === 'qr' && status.qr && !askingCode) {
    const svg = (await qrSvg(status.qr)).replace(
      '<svg ',
      `<svg width="320" height="320" role="img" aria-label="${t('qrLabel')}" `,
    );
    parts.push(`<figure class="qr">${svg}</figure>`, `<p>${t('scan')}</p>`);
  }
  if (status?.pairingCode) {
    parts.push(
      `<p><strong>${t('pairingCode')}:</strong> <code class="pairing-code">${escapeHtml(status.pairingCode)}</code></p>`,
      `<p>${t('pairingCodeEntered')}</p>`,
    );
  }
  const csrf = csrfToken ? `<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">` : '';
  if (status?.state === 'qr') {
    parts.push(
      !csrfToken
        ? `<p>${t('pairingCodeHow', { path: PAIRING_CODE_PATH })}</p>`
        : askingCode
          ? `<form method="post" action="${PAIRING_CODE_PATH}">${csrf}<p>${t('pairingCodeAsk')}</p>` +
            `<label>${t('pairingCodePhone')} <input name="phone" inputmode="tel" autocomplete="off" required ` +
            `pattern="[+0-9 ()-]{8,20}" placeholder="31612345678"></label> <button type="submit">${t('pairingCodeButton')}</button></form>`
          : `<p><a href="${WHATSAPP_PAGE_PATH}?code=1">${t('pairingCodeAsk')}</a></p>`,
    );
  }
  if (status?.state === 'logged-out' || status?.state === 'replaced') {
    parts.push(
      csrfToken
        ? `<form method="post" action="${PAIR_PATH}">${csrf}<button type="submit">${t('pairAgainButton')}</button></form>`
        : `<p>${t('pairAgainHow', { path: PAIR_PATH })}</p>`,
    );
  }
  if (status?.account) parts.push(`<p><strong>${t('account')}:</strong> +${escapeHtml(status.account)}</p>`);
  if (status?.lastDisconnect) {
    const { code, at } = status.lastDisconnect;
    parts.push(
      `<p><strong>${t('lastDisconnect')}:</strong> <time datetime="${at}">${escapeHtml(at)}</time>` +
        (code !== null ? ` (${t('code', { code })})` : '') +
        `</p>`,
    );
  }
  parts.push(`<p class="advice">${t('advice')}</p>`);
  if (csrfToken) parts.push(`<p><a href="/inbox">${t('backToInbox')}</a></p>`);
  return `<!doctype html>
<html lang="${escapeHtml(locale)}" dir="${texts.dir(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${settling ? `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">` : ''}
<title>${t('title')}</title>
</head>
<body>
<main>
${parts.join('\n')}
</main>
</body>
</html>
`;
}

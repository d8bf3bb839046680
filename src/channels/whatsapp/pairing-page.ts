import type { Texts } from '../../engine/texts.js';
import { escapeHtml } from '../../server/escape-html.js';
import { markup, trusted, type Html } from '../../server/html.js';
import { qrSvg } from './qr-code.js';
import type { WhatsAppStatus } from './whatsapp-connection.js';

export const WHATSAPP_PAGE_PATH = '/whatsapp';
export const PAIR_PATH = '/whatsapp/pair';
export const PAIRING_CODE_PATH = '/whatsapp/pairing-code';
/** While nothing is settled the page reloads itself, so a new QR (every ~20 s) shows without a click. */
const REFRESH_SECONDS = 5;

export interface PairingView {
  /** Set for a coordinator logged in to the inbox: the page then has buttons; a token user reads the API hints. */
  csrfToken: string | null;
  /** The form for a pairing code instead of the QR (and no reloading). */
  askingCode: boolean;
}

/**
 * The coordinators' WhatsApp page, rendered with `markup` like the inbox pages: every value escaped,
 * the QR drawn here (our own SVG, the one `trusted` part), nothing loaded from elsewhere. Its text comes
 * from locales/<lng>/whatsapp.json (`staffPage`).
 */
/** What the page shows: WhatsApp Web's connection, or (WHATSAPP_MODE=cloud) the Cloud API, which has nothing to pair. */
export type PairingPageStatus = Omit<WhatsAppStatus, 'state'> & {
  state: WhatsAppStatus['state'] | 'cloud' | 'cloud-token-invalid';
};

export async function pairingPage(
  status: PairingPageStatus | null,
  locale: string,
  texts: Texts,
  view: PairingView,
): Promise<Html> {
  const { csrfToken, askingCode } = view;
  const t = (key: string, vars?: Record<string, unknown>) => texts.t(locale, `whatsapp:staffPage.${key}`, vars);
  const state = status?.state ?? 'disabled';
  const settling = !askingCode && (state === 'connecting' || state === 'qr' || state === 'standby');
  const csrf = csrfToken ? markup`<input type="hidden" name="_csrf" value="${csrfToken}">` : null;
  const qr =
    status?.state === 'qr' && status.qr && !askingCode
      ? trusted(
          (await qrSvg(status.qr)).replace(
            '<svg ',
            `<svg width="320" height="320" role="img" aria-label="${escapeHtml(t('qrLabel'))}" `,
          ),
        )
      : null;

  const pairingCodeActions =
    status?.state !== 'qr'
      ? null
      : !csrfToken
        ? markup`<p>${t('pairingCodeHow', { path: PAIRING_CODE_PATH })}</p>`
        : askingCode
          ? markup`<form method="post" action="${PAIRING_CODE_PATH}">${csrf}<p>${t('pairingCodeAsk')}</p>
<label>${t('pairingCodePhone')} <input name="phone" inputmode="tel" autocomplete="off" required pattern="[+0-9 ()-]{8,20}" placeholder="31612345678"></label> <button type="submit">${t('pairingCodeButton')}</button></form>`
          : markup`<p><a href="${WHATSAPP_PAGE_PATH}?code=1">${t('pairingCodeAsk')}</a></p>`;
  const pairAgain =
    status?.state === 'logged-out' || status?.state === 'replaced'
      ? csrfToken
        ? markup`<form method="post" action="${PAIR_PATH}">${csrf}<button type="submit">${t('pairAgainButton')}</button></form>`
        : markup`<p>${t('pairAgainHow', { path: PAIR_PATH })}</p>`
      : null;
  const disconnect = status?.lastDisconnect;

  return markup`<!doctype html>
<html lang="${locale}" dir="${texts.dir(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${settling ? markup`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">` : null}
<title>${t('title')}</title>
</head>
<body>
<main>
<h1>${t('title')}</h1>
<p class="state state-${state}" data-state="${state}"><strong>${t('state')}:</strong> ${t(`states.${state}`)}${
    status ? markup` <small>(${t('since')} <time datetime="${status.since}">${status.since}</time>)</small>` : null
  }</p>
<p>${t(`explain.${state}`)}</p>
${qr ? markup`<figure class="qr">${qr}</figure>\n<p>${t('scan')}</p>` : null}
${
  status?.pairingCode
    ? markup`<p><strong>${t('pairingCode')}:</strong> <code class="pairing-code">${status.pairingCode}</code></p>
<p>${t('pairingCodeEntered')}</p>`
    : null
}
${pairingCodeActions}
${pairAgain}
${status?.account ? markup`<p><strong>${t('account')}:</strong> +${status.account}</p>` : null}
${
  disconnect
    ? markup`<p><strong>${t('lastDisconnect')}:</strong> <time datetime="${disconnect.at}">${disconnect.at}</time>${
        disconnect.code !== null ? markup` (${t('code', { code: disconnect.code })})` : null
      }</p>`
    : null
}
<p class="advice">${t('advice')}</p>
${csrfToken ? markup`<p><a href="/inbox">${t('backToInbox')}</a></p>` : null}
</main>
</body>
</html>
`;
}

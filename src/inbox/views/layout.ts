import type { StaffMember } from '../../staff/staff-types.js';
import { markup, jsonForScript, type Html } from '../../server/html.js';
import type { Labels } from '../../i18n/labels.js';

export interface PageContext {
  labels: Labels;
  org: string;
  assetVersion: string;
  /** Absent on the login page. */
  staff?: StaffMember | undefined;
  csrfToken?: string | undefined;
  /** Channels that need a coordinator (WhatsApp logged out); shown to coordinators on every page. */
  channelWarnings?: ChannelWarning[] | undefined;
}

export interface ChannelWarning {
  channel: string;
  since: Date;
  /** Where a coordinator fixes it (the pairing page). */
  fixPath: string;
  /** Why: WhatsApp Web logged our number out (default), or the Cloud API refuses our access token. */
  reason?: 'logged-out' | 'token-invalid' | undefined;
}

/** Strings the page's script needs, in the staff member's language. */
function clientStrings(l: Labels) {
  const keys = [
    'live.newHandoff',
    'live.urgentHandoff',
    'live.caseChanged',
    'live.reload',
    'live.offline',
    'live.dismiss',
    'reply.failed',
    'reply.sending',
    'reply.translating',
    'reply.translateFailed',
  ];
  return Object.fromEntries(keys.map((k) => [k, l.t(k)]));
}

/** The page shell: header with navigation and log-out, a live banner, the content. */
export function layout(
  p: PageContext,
  title: string,
  body: Html,
  options: { page: string; caseId?: string } = { page: '' },
): Html {
  const l = p.labels;
  const staff = p.staff;
  const config = { locale: l.locale, page: options.page, caseId: options.caseId ?? null, strings: clientStrings(l) };
  return markup`<!doctype html>
    <html lang="${l.locale}" dir="${l.dir}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
      <link rel="icon" href="data:," />
        <title>${title} · ${p.org}</title>
        <link rel="stylesheet" href="/inbox/assets/inbox.css?v=${p.assetVersion}" />
        ${staff ? markup`<meta name="csrf-token" content="${p.csrfToken}" />` : ''}
        <script type="application/json" id="inbox-config">
          ${jsonForScript(config)}
        </script>
        <script src="/inbox/assets/inbox.js?v=${p.assetVersion}" defer></script>
      </head>
      <body class="page-${options.page}">
        ${
          staff
            ? markup`<div class="chrome">
                <header class="topbar">
                  <a class="brand" href="/inbox">${p.org} <span>${l.t('nav.inbox')}</span></a>
                  <nav class="nav">
                    <a href="/inbox" ${options.page === 'queue' ? markup`aria-current="page"` : ''}>${l.t('nav.queue')}</a>
                    <a href="/inbox?mine=1&amp;status=open" ${options.page === 'mine' ? markup`aria-current="page"` : ''}
                      >${l.t('nav.mine')}</a
                    >
                    ${staff.role === 'coordinator' ? markup`<a href="/inbox/audit" ${options.page === 'audit' ? markup`aria-current="page"` : ''}>${l.t('nav.audit')}</a>` : ''}
                    ${staff.role === 'coordinator' ? markup`<a href="/inbox/replies" ${options.page === 'replies' ? markup`aria-current="page"` : ''}>${l.t('canned.nav')}</a>` : ''}
                    ${staff.role === 'coordinator' ? markup`<a href="/inbox/reports" ${options.page === 'reports' ? markup`aria-current="page"` : ''}>${l.t('nav.reports')}</a>` : ''}
                    ${staff.role === 'coordinator' ? markup`<a href="/whatsapp">${l.t('nav.whatsapp')}</a>` : ''}
                  </nav>
                  <div class="me">
                    <a class="me-name" href="/inbox/me" title="${l.t('residentName.link')}">${staff.name}</a>
                    <form method="post" action="/inbox/logout" class="inline">
                      <input type="hidden" name="_csrf" value="${p.csrfToken}" />
                      <button type="submit" class="link-button">${l.t('nav.logout')}</button>
                    </form>
                  </div>
                </header>
                ${(p.channelWarnings ?? []).map(
                  (w) =>
                    markup`<p class="channel-warning" role="alert">
                      ${l.t(w.reason === 'token-invalid' ? 'notify.tokenBanner' : 'notify.channelBanner', {
                        channel: l.channel(w.channel),
                        since: l.dateTime(w.since),
                      })}
                      <a href="${w.fixPath}">${l.t('notify.channelBannerAction')}</a>
                    </p>`,
                )}
                <div id="live-banner" class="live-banner" role="status" aria-live="polite" hidden></div>
              </div>`
            : ''
        }
        <main class="main">${body}</main>
      </body>
    </html>`;
}

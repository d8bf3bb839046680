import type { Texts } from '../../engine/texts.js';
import { UPLOAD_TYPES } from '../../media/sniff-upload-type.js';
import { jsonForScript, markup, type Html } from '../../server/html.js';

/** The longest text a visitor may send (the page enforces it too). */
export const MAX_TEXT_LENGTH = 2000;

/** The ?lang= parameter, else the browser's first supported language, else the source locale. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined, texts: Texts): string {
  const candidates = [query, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0])];
  for (const candidate of candidates) {
    const base = candidate?.trim().toLowerCase().split('-')[0];
    if (base && texts.locales.includes(base)) return base;
  }
  return texts.sourceLocale;
}

export interface PageSettings {
  org: string;
  maxVoiceBytes: number;
  maxFileBytes: number;
  idleDays: number;
  closedHours: number;
}

/** The web chat's one page, in `locale`; the page's script (public/app.js) takes it from there. */
export function chatPage(locale: string, texts: Texts, settings: PageSettings, assetVersion: string): Html {
  const { org } = settings;
  const strings = Object.fromEntries(texts.locales.map((l) => [l, webchatStrings(texts, l, settings)]));
  const config = {
    org,
    defaultLocale: locale,
    locales: strings,
    rtlLocales: texts.locales.filter((l) => texts.dir(l) === 'rtl'),
    maxTextLength: MAX_TEXT_LENGTH,
    maxVoiceBytes: settings.maxVoiceBytes,
    maxFileBytes: settings.maxFileBytes,
    fileTypes: UPLOAD_TYPES,
  };
  const title = texts.t(locale, 'webchat:title', { org });
  return markup`<!doctype html>
<html lang="${locale}" dir="${texts.dir(locale)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover, interactive-widget=resizes-content">
  <meta name="referrer" content="no-referrer">
  <meta name="robots" content="noindex, nofollow">
  <meta name="color-scheme" content="light">
  <meta name="theme-color" content="#ffffff">
  <title>${title}</title>
  <link rel="stylesheet" href="/chat/app.css?v=${assetVersion}">
  <script type="application/json" id="chat-config">${jsonForScript(config)}</script>
  <script src="/chat/app.js?v=${assetVersion}" defer></script>
</head>
<body>
  <svg class="chat-icon-sprite" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">
    <symbol id="chat-icon-phone" viewBox="0 0 24 24"><path d="M6.62 10.79a15.05 15.05 0 0 0 6.59 6.59l2.2-2.2a1 1 0 0 1 1.02-.24c1.12.37 2.33.57 3.57.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1C10.61 21 3 13.39 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1.02l-2.2 2.2z"/></symbol>
    <symbol id="chat-icon-send" viewBox="0 0 24 24"><path d="M2.01 21 23 12 2.01 3 2 10l15 2-15 2z"/></symbol>
    <symbol id="chat-icon-mic" viewBox="0 0 24 24"><path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c3.28-.49 6-3.31 6-6.72h-1.7z"/></symbol>
    <symbol id="chat-icon-stop" viewBox="0 0 24 24"><rect x="6" y="6" width="12" height="12" rx="2"/></symbol>
    <symbol id="chat-icon-attach" viewBox="0 0 24 24"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></symbol>
    <symbol id="chat-icon-image" viewBox="0 0 24 24"><path d="M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5l3.5-4.5z"/></symbol>
    <symbol id="chat-icon-document" viewBox="0 0 24 24"><path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm2 16H8v-2h8v2zm0-4H8v-2h8v2zm-3-5V3.5L18.5 9H13z"/></symbol>
    <symbol id="chat-icon-download" viewBox="0 0 24 24"><path d="M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2H5z"/></symbol>
    <symbol id="chat-icon-remove" viewBox="0 0 24 24"><path d="M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z"/></symbol>
  </svg>

  <div class="chat-app">
    <header class="chat-topbar">
      <h1 id="chat-title" class="chat-topbar__title" data-i18n="title">${title}</h1>
      <a id="chat-emergency" class="chat-emergency" href="tel:112">
        <svg class="chat-icon" aria-hidden="true" focusable="false"><use href="#chat-icon-phone"></use></svg>
        <span class="chat-emergency__label" data-i18n="emergencyBar">112</span>
      </a>
    </header>

    <div id="chat-device" class="chat-device" hidden>
      <button id="chat-remove" class="chat-remove" type="button" aria-haspopup="dialog">
        <svg class="chat-icon" aria-hidden="true" focusable="false"><use href="#chat-icon-remove"></use></svg>
        <span data-i18n="removeChat"></span>
      </button>
    </div>

    <main id="chat-main" class="chat-main">
      <section id="chat-welcome" class="chat-welcome" hidden>
        <p id="chat-intro" class="chat-welcome__intro" data-i18n="intro"></p>
        <p id="chat-privacy" class="chat-welcome__privacy" data-i18n="privacyNote"></p>
        <button id="chat-start" class="chat-button chat-button--primary chat-start" type="button" data-i18n="start"></button>
      </section>

      <div id="chat-messages" class="chat-messages" role="log" aria-live="polite" aria-relevant="additions" hidden></div>
    </main>

    <div class="chat-status-area">
      <p id="chat-connection" class="chat-status chat-status--connection" role="status" data-i18n="connectionLost" hidden></p>
      <p id="chat-notice" class="chat-status chat-status--notice" role="status" hidden></p>
    </div>

    <footer id="chat-footer" class="chat-footer" hidden>
      <div id="chat-recording" class="chat-recording" hidden>
        <span class="chat-recording__dot" aria-hidden="true"></span>
        <span data-i18n="recording"></span>
        <span id="chat-recording-time" class="chat-recording__time" dir="ltr">0:00</span>
      </div>
      <form id="chat-composer" class="chat-composer" novalidate>
        <label for="chat-input" class="chat-visually-hidden" data-i18n="placeholder"></label>
        <textarea id="chat-input" class="chat-input" rows="1" autocomplete="off" enterkeyhint="send" aria-describedby="chat-notice" data-i18n-placeholder="placeholder"></textarea>
        <button id="chat-attach" class="chat-icon-button chat-attach" type="button">
          <svg class="chat-icon" aria-hidden="true" focusable="false"><use href="#chat-icon-attach"></use></svg>
          <span class="chat-visually-hidden" data-i18n="attach"></span>
        </button>
        <input id="chat-file" class="chat-file-input" type="file" accept="${UPLOAD_TYPES.join(',')}" multiple hidden tabindex="-1" aria-hidden="true">
        <button id="chat-record" class="chat-icon-button chat-record" type="button" data-recording="false" hidden>
          <svg class="chat-icon" aria-hidden="true" focusable="false"><use href="#chat-icon-mic"></use></svg>
          <span class="chat-visually-hidden" data-i18n="record"></span>
        </button>
        <button id="chat-send" class="chat-icon-button chat-send" type="submit">
          <svg class="chat-icon" aria-hidden="true" focusable="false"><use href="#chat-icon-send"></use></svg>
          <span class="chat-visually-hidden" data-i18n="send"></span>
        </button>
      </form>
    </footer>
  </div>

  <dialog id="chat-remove-dialog" class="chat-dialog" aria-labelledby="chat-remove-title" aria-describedby="chat-remove-text">
    <h2 id="chat-remove-title" class="chat-dialog__title" data-i18n="removeTitle"></h2>
    <p id="chat-remove-text" class="chat-dialog__text" data-i18n="removeText"></p>
    <div class="chat-dialog__actions">
      <button id="chat-remove-cancel" class="chat-button chat-button--secondary" type="button" data-i18n="removeCancel" autofocus></button>
      <button id="chat-remove-confirm" class="chat-button chat-button--danger" type="button" data-i18n="removeConfirm"></button>
    </div>
  </dialog>
</body>
</html>
`;
}

const WEBCHAT_KEYS = [
  'title',
  'intro',
  'placeholder',
  'send',
  'record',
  'stopRecording',
  'recording',
  'voiceNote',
  'start',
  'connectionLost',
  'tooFast',
  'tooLong',
  'voiceQuota',
  'attach',
  'photo',
  'document',
  'fileTooLarge',
  'fileType',
  'fileQuota',
  'download',
  'downloadFailed',
  'sendFailed',
  'you',
  'bot',
  'person',
  'emergencyBar',
  'privacyNote',
  'removeChat',
  'removeTitle',
  'removeText',
  'removeConfirm',
  'removeCancel',
  'removed',
] as const;

/**
 * The page's texts in one language. `{{idle}}` and `{{closedAfter}}` are durations written by Intl in
 * that language ("14 dagen", "24 ساعة"), so the texts need no plural forms of their own; `{{maxFile}}`
 * the largest file, in megabytes ("10 megabyte").
 */
function webchatStrings(texts: Texts, locale: string, settings: PageSettings): Record<string, string> {
  const values = {
    org: settings.org,
    idle: duration(locale, settings.idleDays, 'day'),
    closedAfter: duration(locale, settings.closedHours, 'hour'),
    maxFile: new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: 'megabyte',
      unitDisplay: 'long',
      maximumFractionDigits: 1,
    }).format(settings.maxFileBytes / (1024 * 1024)),
  };
  return Object.fromEntries(WEBCHAT_KEYS.map((k) => [k, texts.t(locale, `webchat:${k}`, values)]));
}

function duration(locale: string, value: number, unit: 'day' | 'hour'): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

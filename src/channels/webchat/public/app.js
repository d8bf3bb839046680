/* tussenin web chat client. Plain ES2020, no dependencies, no build step.
 *
 * Every user-visible string comes from the server-filled config
 * (config.locales[current]); this file only holds logic.
 */
(() => {
  'use strict';

  const TOKEN_KEY = 'tussenin.chat.token';
  const LOCALE_KEY = 'tussenin.chat.locale';
  const POLL_WAIT_SECONDS = 25;
  const MAX_VOICE_SECONDS = 180;
  const VOICE_BITS_PER_SECOND = 32000; // speech stays clear; 3 minutes is well under 1 MB
  const VOICE_TYPES = ['audio/webm;codecs=opus', 'audio/ogg', 'audio/mp4'];
  const MAX_INPUT_ROWS = 5;
  /** A photo or PDF may take long on a slow phone line: 10 MB at 0.5 Mbit/s is nearly three minutes. */
  const FILE_TIMEOUT_MS = 300000;
  /** Photos are sent at most this large on their longest side, and re-encoded when bigger than PHOTO_KEEP_BYTES. */
  const PHOTO_MAX_PX = 2048;
  const PHOTO_KEEP_BYTES = 1024 * 1024;
  const PHOTO_QUALITY = 0.85;
  /** Longest side of the picture shown for the resident's own photo (drawn small, sharp on dense screens). */
  const THUMBNAIL_PX = 480;
  /** Media the transcript shows as a line: icon and label (the resident's own files; never fetched back). */
  const MEDIA_LABELS = new Map([
    ['voice', { icon: 'mic', key: 'voiceNote' }],
    ['image', { icon: 'image', key: 'photo' }],
    ['document', { icon: 'document', key: 'document' }],
  ]);
  /** Where a trust person's file is fetched from (with the visitor token), and the names it may carry. */
  const FILE_URL = /^\/chat\/api\/files\/\d+$/;
  const FILE_NAME = /^[A-Za-z0-9._-]{1,80}$/;
  const NOTICE_MS = 8000;
  const MAX_BACKOFF_MS = 30000;

  // Phone numbers in the bot's and trust persons' messages (see findPhoneNumbers).
  const DIGIT = '[0-9\\u0660-\\u0669\\u06F0-\\u06F9]';
  const GAP = '[ \\u00A0\\u202F]';
  /**
   * Digit groups as numbers are written: "112", "0800-2000", "06 12345678", "+31 6 1234 5678",
   * "+31 (0)30 123 4567"; Arabic-Indic digits too. Which part is a number is decided by dialableNumber.
   */
  const NUMBER_RUN = new RegExp(
    `\\+?${DIGIT}+(?:(?:${GAP}?[-\\u2010\\u2011\\u2013]${GAP}?|${GAP})(?:\\(0\\)${GAP}?)?${DIGIT}+|${GAP}?\\(0\\)${GAP}?${DIGIT}+)*`,
    'g',
  );
  const DIGIT_GROUP = new RegExp(`${DIGIT}+`, 'g');
  /** Emergency and helpline numbers short enough to be written alone (112, 113 zelfmoordpreventie). */
  const SHORT_NUMBERS = new Set(['112', '113']);

  class HttpError extends Error {
    constructor(status, data) {
      super(`HTTP ${status}`);
      this.status = status;
      this.data = data;
    }
  }

  const config = readConfig();
  if (!config) return;

  const el = {
    main: byId('chat-main'),
    welcome: byId('chat-welcome'),
    start: byId('chat-start'),
    messages: byId('chat-messages'),
    connection: byId('chat-connection'),
    notice: byId('chat-notice'),
    footer: byId('chat-footer'),
    composer: byId('chat-composer'),
    input: byId('chat-input'),
    send: byId('chat-send'),
    record: byId('chat-record'),
    attach: byId('chat-attach'),
    fileInput: byId('chat-file'),
    recording: byId('chat-recording'),
    recordingTime: byId('chat-recording-time'),
    device: byId('chat-device'),
    remove: byId('chat-remove'),
    removeDialog: byId('chat-remove-dialog'),
    removeConfirm: byId('chat-remove-confirm'),
    removeCancel: byId('chat-remove-cancel'),
  };

  const state = {
    locale: config.defaultLocale,
    token: null,
    sessionPromise: null,
    epoch: 0, // bumped when the session is replaced; stale poll answers are dropped
    polling: false,
    lastId: 0,
    clearedUpTo: 0, // discreet mode: the server no longer lists messages up to this id
    seen: new Set(),
    lastInboundId: 0,
    choiceMessage: null, // newest bot message with choices: { id, choices, row }
    renderedChoicesFor: null,
    locals: [], // resident messages shown locally, not yet confirmed by the server's list
    outbox: [], // messages still to be accepted by the server, sent one at a time
    pumping: false,
    composerItem: null,
    problems: new Set(),
    noticeTimer: 0,
    voiceType: null,
    recording: null,
    micPending: false,
    atBottom: true,
    removed: false, // the resident removed the chat from this device: no requests until they start again
    files: new Map(), // a trust person's photos fetched for their picture, by url: saved without fetching again
  };

  const sleepers = new Set();
  const storage = makeStorage();

  init();

  // ---------------------------------------------------------------- start-up

  function init() {
    state.token = storage.get(TOKEN_KEY);
    setLocale(pickInitialLocale(Boolean(state.token)));
    setupComposer();
    setupVoice();
    setupFiles();
    setupRemove();
    el.start.addEventListener('click', startConversation);
    window.addEventListener('online', wake);
    window.addEventListener('resize', onResize);
    el.main.addEventListener('scroll', rememberScrollPosition, { passive: true });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) wake();
    });

    if (state.token) {
      showChat();
      pollForever();
    } else {
      el.welcome.hidden = false;
    }
  }

  function readConfig() {
    const node = document.getElementById('chat-config');
    if (!node) return null;
    let raw;
    try {
      raw = JSON.parse(node.textContent || '');
    } catch {
      return null;
    }
    if (!raw || typeof raw !== 'object' || !raw.locales || typeof raw.locales !== 'object') return null;
    const names = Object.keys(raw.locales);
    if (!names.length) return null;
    return {
      locales: raw.locales,
      defaultLocale: raw.locales[raw.defaultLocale] ? raw.defaultLocale : names[0],
      rtlLocales: Array.isArray(raw.rtlLocales) ? raw.rtlLocales : [],
      maxTextLength: positiveNumber(raw.maxTextLength, 2000),
      maxVoiceBytes: positiveNumber(raw.maxVoiceBytes, 5 * 1024 * 1024),
      maxFileBytes: positiveNumber(raw.maxFileBytes, 10 * 1024 * 1024),
      fileTypes: Array.isArray(raw.fileTypes) ? raw.fileTypes.filter((type) => typeof type === 'string') : [],
    };
  }

  async function startConversation() {
    if (el.start.getAttribute('aria-busy') === 'true') return;
    el.start.setAttribute('aria-busy', 'true');
    state.removed = false;
    clearNotice('removed');
    try {
      await ensureSession();
    } catch {
      setProblem('start', true);
      el.start.removeAttribute('aria-busy');
      return;
    }
    setProblem('start', false);
    el.start.removeAttribute('aria-busy');
    showChat();
    enqueueStartMessage();
    pollForever();
    // Only on devices with a mouse: on phones this would pop up the keyboard over the greeting.
    if (window.matchMedia && window.matchMedia('(pointer: fine)').matches) el.input.focus();
  }

  function showChat() {
    el.welcome.hidden = true;
    el.messages.hidden = false;
    el.footer.hidden = false;
    el.device.hidden = false;
  }

  /** Any text starts the bot's greeting; the localized "start" label reads naturally in the history. */
  function enqueueStartMessage() {
    createItem('text', { text: t('start'), sendLocale: true });
  }

  // ------------------------------------------------------------ localization

  function t(key) {
    const own = config.locales[state.locale];
    const fallback = config.locales[config.defaultLocale];
    const value = (own && own[key]) || (fallback && fallback[key]);
    return typeof value === 'string' ? value : '';
  }

  function resolveLocale(code) {
    if (typeof code !== 'string' || !code) return null;
    if (config.locales[code]) return code;
    const base = code.toLowerCase().split(/[-_]/)[0];
    return config.locales[base] ? base : null;
  }

  function pickInitialLocale(hasToken) {
    // The stored locale belongs to the stored conversation; without one, trust the page's lang.
    const stored = hasToken ? resolveLocale(storage.get(LOCALE_KEY)) : null;
    return stored || resolveLocale(document.documentElement.lang) || config.defaultLocale;
  }

  function setLocale(code) {
    state.locale = resolveLocale(code) || config.defaultLocale;
    const root = document.documentElement;
    root.lang = state.locale;
    root.dir = config.rtlLocales.includes(state.locale) ? 'rtl' : 'ltr';
    applyStrings(document);
  }

  /** Fills every [data-i18n] text and [data-i18n-placeholder] in root from the current locale. */
  function applyStrings(root) {
    root.querySelectorAll('[data-i18n]').forEach((node) => {
      const text = t(node.dataset.i18n);
      if (text && node.textContent !== text) node.textContent = text;
    });
    root.querySelectorAll('[data-i18n-placeholder]').forEach((node) => {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    });
    if (root === document) {
      const title = t('title');
      if (title) document.title = title;
    }
  }

  function localizedNode(tag, key, className) {
    const node = document.createElement(tag);
    node.className = className;
    node.dataset.i18n = key;
    node.textContent = t(key);
    return node;
  }

  // ------------------------------------------------------------------- HTTP

  function ensureSession() {
    if (state.token) return Promise.resolve(state.token);
    if (!state.sessionPromise) {
      // One shared request, so parallel 401s do not create several sessions.
      state.sessionPromise = createSession().finally(() => {
        state.sessionPromise = null;
      });
    }
    return state.sessionPromise;
  }

  async function createSession() {
    const { status, data } = await fetchJson(
      '/chat/api/session',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ locale: navigator.language || '' }),
      },
      20000,
    );
    if ((status !== 201 && status !== 200) || !data || typeof data.token !== 'string' || !data.token) {
      throw new HttpError(status, data);
    }
    if (state.removed) throw new HttpError(0, null); // removed while this was on its way: do not keep it
    state.token = data.token;
    storage.set(TOKEN_KEY, data.token);
    return data.token;
  }

  /** Authenticated request; on 401 the token is dropped and the request retried once with a new session. */
  async function request(method, url, { json, body, contentType, timeoutMs = 20000 } = {}) {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // After "remove from this device" nothing may quietly start a new session.
      if (state.removed) throw new HttpError(0, null);
      const token = await ensureSession();
      const headers = { Authorization: `Bearer ${token}` };
      let payload = body;
      if (json !== undefined) {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(json);
      } else if (contentType) {
        headers['Content-Type'] = contentType;
      }
      const target = typeof url === 'function' ? url() : url;
      const result = await fetchJson(target, { method, headers, body: payload }, timeoutMs);
      if (result.status !== 401) {
        keepRenewedToken(token, result.renewedToken);
        return result;
      }
      // A forged, expired (unused too long) or forgotten token: start anew, without the old chat.
      forgetToken(token);
    }
    throw new HttpError(401, null);
  }

  /** fetch with a time limit that also covers reading the body; resolves to { status, data }. */
  async function fetchJson(url, options, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, {
        ...options,
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal,
      });
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null; // empty or non-JSON body
      }
      return {
        status: response.status,
        data,
        retryAfter: response.headers.get('retry-after'),
        renewedToken: response.headers.get('x-visitor-token'),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The server renews a token in use (X-Visitor-Token); a token left unused too long expires. */
  function keepRenewedToken(used, renewed) {
    if (!renewed || state.token !== used || state.removed) return;
    state.token = renewed;
    storage.set(TOKEN_KEY, renewed);
  }

  function forgetToken(token) {
    if (state.token !== token) return; // already replaced by another request
    state.token = null;
    storage.remove(TOKEN_KEY);
    resetConversation();
  }

  /** The old session is gone: show the new, empty conversation and keep what is still being sent. */
  function resetConversation() {
    state.epoch += 1;
    state.files.clear();
    state.lastId = 0;
    state.clearedUpTo = 0;
    state.seen.clear();
    state.lastInboundId = 0;
    state.choiceMessage = null;
    el.messages.querySelectorAll('.chat-message:not([data-client-id])').forEach((row) => row.remove());
    // Accepted messages belonged to the old session; unsent ones are resent under the new one.
    state.locals = state.locals.filter((item) => {
      if (state.outbox.includes(item)) return true;
      item.row.remove();
      return false;
    });
    renderChoices();
    // Nothing queued would leave an empty screen: greet the resident again.
    if (!state.outbox.length) enqueueStartMessage();
    wake();
  }

  // -------------------------------------------------------------- long poll

  async function pollForever() {
    if (state.polling) return;
    state.polling = true;
    let failures = 0;
    while (!state.removed) {
      let epoch = state.epoch;
      const url = () => {
        epoch = state.epoch; // the epoch of the request actually made (a 401 retry may change it)
        return `/chat/api/messages?after=${state.lastId}&wait=${POLL_WAIT_SECONDS}&cleared=${state.clearedUpTo}`;
      };
      const startedAt = Date.now();
      try {
        const { status, data } = await request('GET', url, { timeoutMs: (POLL_WAIT_SECONDS + 15) * 1000 });
        if (status !== 200 || !data || !Array.isArray(data.messages)) throw new HttpError(status, data);
        failures = 0;
        setProblem('poll', false);
        if (epoch === state.epoch) handlePollResult(data);
        // Guard against a server that answers an empty list at once: do not spin.
        if (!data.messages.length && Date.now() - startedAt < 1000) await sleep(1000);
      } catch {
        if (state.removed) break;
        setProblem('poll', true);
        await sleep(Math.min(MAX_BACKOFF_MS, 2000 * 2 ** failures));
        failures += 1;
      }
    }
    state.polling = false;
    setProblem('poll', false);
  }

  function handlePollResult(data) {
    const locale = resolveLocale(data.locale);
    if (locale && locale !== state.locale) {
      setLocale(locale);
      storage.set(LOCALE_KEY, locale);
    }
    const clearedUpTo = Number(data.clearedUpTo);
    if (Number.isSafeInteger(clearedUpTo) && clearedUpTo > state.clearedUpTo) clearTranscript(clearedUpTo);
    const messages = data.messages
      .filter((message) => message && typeof message === 'object')
      .sort((a, b) => Number(a.id) - Number(b.id));
    let added = 0;
    messages.forEach((message) => {
      if (addServerMessage(message)) added += 1;
    });
    if (added) {
      renderChoices();
      scrollToNewest();
    }
  }

  /** Discreet mode: the resident asked that the bot's messages be deleted; the page shows none up to `upTo`. */
  function clearTranscript(upTo) {
    state.clearedUpTo = upTo;
    state.files.clear();
    state.lastId = Math.max(state.lastId, upTo);
    el.messages.querySelectorAll('.chat-message[data-message-id]').forEach((row) => {
      if (Number(row.dataset.messageId) <= upTo) row.remove();
    });
    if (state.choiceMessage && state.choiceMessage.id <= upTo) state.choiceMessage = null;
    renderChoices();
  }

  // --------------------------------------------------------------- messages

  function addServerMessage(message) {
    const id = Number(message.id);
    if (!Number.isSafeInteger(id) || id <= 0 || state.seen.has(id)) return false;
    state.seen.add(id);
    state.lastId = Math.max(state.lastId, id);

    if (message.direction === 'in') {
      state.lastInboundId = Math.max(state.lastInboundId, id);
      const local = takeEchoedLocal(message);
      if (local) {
        confirmLocal(local, message, id);
        return true;
      }
    }

    const row = buildServerRow(message, id);
    if (!row) return false;
    // Server messages go above resident messages that the server has not listed yet.
    el.messages.insertBefore(row, firstLocalRow());
    const choices = message.direction === 'out' ? normalizeChoices(message.choices) : [];
    if (choices.length) state.choiceMessage = { id, choices, row };
    return true;
  }

  /** The server lists our own messages too; match them to local bubbles in order, so none shows twice. */
  function takeEchoedLocal(message) {
    const isMedia = Boolean(message.media);
    const index = state.locals.findIndex((item) => isMediaItem(item) === isMedia);
    return index < 0 ? null : state.locals.splice(index, 1)[0];
  }

  function confirmLocal(item, message, id) {
    item.echoed = true;
    const row = item.row;
    const first = firstLocalRow();
    if (first && first !== row) el.messages.insertBefore(row, first);
    row.removeAttribute('data-client-id');
    row.dataset.messageId = String(id);
    row.dataset.state = 'delivered';
    row.hidden = false;
    // The server's copy wins, but a tapped choice may come back without text: then keep the label.
    const text = typeof message.text === 'string' ? message.text : '';
    const bubble = row.querySelector('.chat-bubble');
    // (A photo keeps its local picture: the server never sends it back.)
    if (bubble && text && text !== item.text && item.kind !== 'file') {
      fillBubble(bubble, text, mediaKindOf(message));
      bubble.dir = bubbleDir(message.dir);
    }
  }

  function buildServerRow(message, id) {
    const direction = message.direction === 'in' ? 'in' : 'out';
    const text = typeof message.text === 'string' ? message.text : '';
    const media = mediaKindOf(message);
    const hasChoices = direction === 'out' && normalizeChoices(message.choices).length > 0;
    if (!text && !media && !hasChoices) return null;

    const row = buildRow(direction);
    row.dataset.messageId = String(id);
    row.dataset.state = 'delivered';
    // A trust person's message: their first name above it, and a bubble unlike the bot's.
    if (message.from === 'person') {
      row.classList.add('chat-message--person');
      // The visible name says who speaks; the hidden "Al Amal" label would say otherwise.
      row.querySelector('.chat-speaker')?.remove();
      const who = document.createElement('span');
      who.className = 'chat-name';
      who.textContent = typeof message.name === 'string' && message.name ? `${message.name} · ${t('person')}` : t('person');
      row.appendChild(who);
    }
    const file = direction === 'out' ? sentFileOf(message) : null;
    if (file) {
      row.appendChild(buildSentFileBubble(file, text, bubbleDir(message.dir)));
    } else if (text || media) {
      // A voice note, photo or document without text holds our own UI label, so it follows the page direction.
      // Phone numbers in what the bot or a trust person wrote become tap-to-call links.
      row.appendChild(buildBubble(text, media, text ? bubbleDir(message.dir) : null, direction === 'out'));
    }
    return row;
  }

  /** A file a trust person sent (a form, a letter, a photo): { kind, name, url }, or null when the message has none. */
  function sentFileOf(message) {
    const file = message.file;
    if (!file || typeof file !== 'object' || typeof file.url !== 'string' || !FILE_URL.test(file.url)) return null;
    return {
      kind: file.kind === 'image' ? 'image' : 'document',
      name: typeof file.name === 'string' && FILE_NAME.test(file.name) ? file.name : 'document',
      url: file.url,
    };
  }

  /**
   * A trust person's file: its label and name, the caption, and a button that saves it on the device. The
   * file is fetched with the visitor token (a plain link could not carry it) and saved under its name; a
   * photo is fetched at once and shown as a small picture drawn here (a data: URL, as the resident's own).
   */
  function buildSentFileBubble(file, text, dir) {
    const bubble = buildBubble('', file.kind, null);
    bubble.classList.add('chat-bubble--file', 'chat-bubble--sent-file');
    const name = document.createElement('span');
    name.className = 'chat-file__name';
    name.dir = 'ltr';
    name.textContent = file.name;
    bubble.appendChild(name);
    if (text) {
      const caption = document.createElement('span');
      caption.className = 'chat-bubble__text';
      caption.dir = dir;
      appendWithPhoneLinks(caption, text);
      bubble.appendChild(caption);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'chat-file__download';
    button.appendChild(icon('download'));
    button.appendChild(localizedNode('span', 'download', 'chat-file__download-label'));
    button.addEventListener('click', () => saveSentFile(file, button));
    bubble.appendChild(button);
    if (file.kind === 'image') showSentPhoto(file, bubble);
    return bubble;
  }

  async function showSentPhoto(file, bubble) {
    let blob;
    try {
      blob = await fetchSentFile(file.url);
    } catch {
      return; // the line and the button stay: the resident can still save it
    }
    state.files.set(file.url, blob);
    const url = await makeThumbnail(blob);
    if (!url || !bubble.isConnected) return;
    const picture = document.createElement('img');
    picture.className = 'chat-thumb';
    picture.alt = ''; // the label beside it ("Photo") says what it is
    picture.src = url;
    bubble.insertBefore(picture, bubble.firstChild);
    if (state.atBottom) scrollToNewest();
  }

  async function saveSentFile(file, button) {
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    try {
      const blob = state.files.get(file.url) || (await fetchSentFile(file.url));
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch {
      showNotice('downloadFailed');
    } finally {
      button.removeAttribute('aria-busy');
    }
  }

  /** A trust person's file as a Blob, fetched with the visitor token (never put in a URL). */
  async function fetchSentFile(url) {
    const token = state.token;
    if (!token || state.removed) throw new HttpError(0, null);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FILE_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!response.ok) throw new HttpError(response.status, null);
      keepRenewedToken(token, response.headers.get('x-visitor-token'));
      return await response.blob();
    } finally {
      clearTimeout(timer);
    }
  }

  function buildRow(direction) {
    const row = document.createElement('div');
    row.className = `chat-message chat-message--${direction}`;
    row.dataset.direction = direction;
    // Screen readers hear who speaks; sighted users see it from the side of the bubble.
    row.appendChild(localizedNode('span', direction === 'in' ? 'you' : 'bot', 'chat-visually-hidden chat-speaker'));
    return row;
  }

  /** `media`: null, or a kind of MEDIA_LABELS ('voice', 'image', 'document'). */
  function buildBubble(text, media, dir, linkPhones = false) {
    const bubble = document.createElement('div');
    bubble.className = 'chat-bubble';
    if (dir) bubble.dir = dir;
    fillBubble(bubble, text, media, linkPhones);
    return bubble;
  }

  /** Message content only ever goes in as text: textContent, or text nodes and links built here. */
  function fillBubble(bubble, text, media, linkPhones = false) {
    bubble.textContent = '';
    const label = media ? MEDIA_LABELS.get(media) : null;
    if (label) {
      const note = document.createElement('span');
      note.className = media === 'voice' ? 'chat-voice chat-media' : `chat-media chat-media--${media}`;
      note.appendChild(icon(label.icon));
      note.appendChild(localizedNode('span', label.key, 'chat-voice__label chat-media__label'));
      bubble.appendChild(note);
    }
    if (text) {
      const body = document.createElement('span');
      body.className = 'chat-bubble__text';
      if (linkPhones) appendWithPhoneLinks(body, text);
      else body.textContent = text;
      bubble.appendChild(body);
    }
  }

  // ----------------------------------------------------------- phone numbers

  /**
   * Appends text to parent as text nodes, with every phone number as a `tel:` link (digits only, the
   * text kept as written). The link reads left to right also inside a right-to-left message (its own
   * `dir`, an isolated run); the Unicode isolates the Arabic texts put around numbers stay as text.
   */
  function appendWithPhoneLinks(parent, text) {
    let at = 0;
    findPhoneNumbers(text).forEach((found) => {
      if (found.start > at) parent.appendChild(document.createTextNode(text.slice(at, found.start)));
      const link = document.createElement('a');
      link.className = 'chat-tel';
      link.href = `tel:${found.dial}`;
      link.dir = 'ltr';
      link.textContent = text.slice(found.start, found.end);
      parent.appendChild(link);
      at = found.end;
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  /** The phone numbers in a text: { start, end, dial }, in order. */
  function findPhoneNumbers(text) {
    const found = [];
    NUMBER_RUN.lastIndex = 0;
    let run;
    while ((run = NUMBER_RUN.exec(text))) {
      const base = run.index;
      const groups = Array.from(run[0].matchAll(DIGIT_GROUP)).filter((g) => run[0][g.index - 1] !== '(');
      // A number may start at the run's start or at any later group, and end after any group: the
      // longest piece that is a whole number wins ("0800-2000 2 keer" is 0800-2000).
      const starts = groups.map((g, i) => (i === 0 ? 0 : g.index));
      const ends = groups.filter((g) => run[0][g.index + g[0].length] !== ')').map((g) => g.index + g[0].length);
      let consumed = 0;
      starts.forEach((start) => {
        if (start < consumed) return;
        for (let i = ends.length - 1; i >= 0 && ends[i] > start; i -= 1) {
          const dial = dialableNumber(run[0].slice(start, ends[i]));
          if (dial && standsAlone(text, base + start, base + ends[i])) {
            found.push({ start: base + start, end: base + ends[i], dial });
            consumed = ends[i];
            return;
          }
        }
      });
    }
    return found;
  }

  /**
   * What to dial for a piece of text, or null when it is no phone number: 112 and 113; Dutch numbers
   * of ten digits (06, 030, 088...); 0800 and 0900 numbers (eight or eleven digits); international
   * numbers (+ or 00). A date written with dashes ("01-02-2024") is not one.
   */
  function dialableNumber(piece) {
    const western = piece
      .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
    if (/^\d{1,2}[-\u2010\u2011\u2013]\d{1,2}[-\u2010\u2011\u2013]\d{2,4}/.test(western)) return null;
    const digits = western.replace(/\(0\)/g, '').replace(/\D/g, '');
    if (western[0] === '+') return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' ? `+${digits}` : null;
    if (/^\d+$/.test(western) && SHORT_NUMBERS.has(digits)) return digits;
    if (digits.startsWith('00')) return digits.length >= 10 && digits.length <= 17 ? digits : null;
    if (/^0(800|900|906|909)/.test(digits)) return digits.length === 8 || digits.length === 11 ? digits : null;
    return digits[0] === '0' && digits.length === 10 ? digits : null;
  }

  /** Not part of a longer word, amount, date, time or account number ("€ 0,50", "14:00", "NL91 ABNA 0417 1643 00"). */
  function standsAlone(text, start, end) {
    const before = text[start - 1] || '';
    const after = text[end] || '';
    if (before && /[\p{L}\p{N}+\-\u2010\u2011\u2013/.,:€$£#@_]/u.test(before)) return false;
    if (after && /[\p{L}\p{N}/:%€@_]/u.test(after)) return false;
    if ((after === '.' || after === ',' || after === '-') && /\p{N}/u.test(text[end + 1] || '')) return false;
    return !/[A-Z]{2}\d{2}[ \u00A0]?[A-Z]{4}[ \u00A0]?$/.test(text.slice(Math.max(0, start - 12), start));
  }

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'chat-icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const use = document.createElementNS(ns, 'use');
    use.setAttribute('href', `#chat-icon-${name}`);
    svg.appendChild(use);
    return svg;
  }

  function firstLocalRow() {
    return el.messages.querySelector('.chat-message[data-client-id]');
  }

  /** The message's media kind when the page has a label for it, else null. */
  function mediaKindOf(message) {
    const kind = message.media && message.media.kind;
    return typeof kind === 'string' && MEDIA_LABELS.has(kind) ? kind : null;
  }

  function isMediaItem(item) {
    return item.kind === 'voice' || item.kind === 'file';
  }

  function bubbleDir(dir) {
    return dir === 'rtl' || dir === 'ltr' ? dir : 'auto';
  }

  function normalizeChoices(choices) {
    if (!Array.isArray(choices)) return [];
    return choices
      .filter((choice) => choice && typeof choice.id === 'string' && choice.id)
      .map((choice) => ({ id: choice.id, label: typeof choice.label === 'string' ? choice.label : choice.id }));
  }

  function scrollToNewest() {
    window.requestAnimationFrame(() => {
      el.main.scrollTop = el.main.scrollHeight;
      state.atBottom = true;
    });
  }

  function rememberScrollPosition() {
    state.atBottom = el.main.scrollHeight - el.main.scrollTop - el.main.clientHeight < 48;
  }

  /** Rotation or the on-screen keyboard changes the space: re-fit the text box, keep the newest message in view. */
  function onResize() {
    fitInputHeight();
    if (state.atBottom) scrollToNewest();
  }

  // ---------------------------------------------------------------- choices

  /** Choices of the newest bot question, unless the resident has already answered it. */
  function activeChoiceMessage() {
    const current = state.choiceMessage;
    if (!current || state.lastInboundId > current.id) return null;
    if (state.locals.some((item) => item.afterId >= current.id)) return null;
    return current;
  }

  function renderChoices() {
    const active = activeChoiceMessage();
    const key = active ? active.id : null;
    if (key === state.renderedChoicesFor) return; // unchanged: keep the buttons (and their focus)
    el.messages.querySelectorAll('.chat-choices').forEach((group) => group.remove());
    state.renderedChoicesFor = key;
    if (active) active.row.appendChild(buildChoices(active.choices));
  }

  function buildChoices(choices) {
    const group = document.createElement('div');
    group.className = 'chat-choices';
    group.setAttribute('role', 'group');
    choices.forEach((choice, index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'chat-choice';
      button.dir = 'auto'; // an Arabic label reads right-to-left even on a Dutch page
      button.dataset.choiceId = choice.id;

      const number = document.createElement('span');
      number.className = 'chat-choice__number';
      number.textContent = String(index + 1);
      const label = document.createElement('span');
      label.className = 'chat-choice__label';
      label.dir = 'auto';
      label.textContent = choice.label;
      button.append(number, ' · ', label);

      button.addEventListener('click', () => chooseOption(choice));
      group.appendChild(button);
    });
    return group;
  }

  function chooseOption(choice) {
    if (!activeChoiceMessage()) return; // already answered (double tap)
    createItem('choice', { choiceId: choice.id, text: choice.label });
  }

  // ----------------------------------------------------------------- sending

  /** A resident message: shown at once (pending), then sent in order with a stable id. */
  function createItem(kind, fields) {
    const item = { id: newMessageId(), kind, afterId: state.lastId, echoed: false, ...fields };
    item.row = buildLocalRow(item);
    el.messages.appendChild(item.row);
    state.locals.push(item);
    state.outbox.push(item);
    renderChoices();
    scrollToNewest();
    pumpOutbox();
    return item;
  }

  function buildLocalRow(item) {
    const row = buildRow('in');
    row.dataset.clientId = item.id;
    row.dataset.state = 'pending';
    if (item.kind === 'file') {
      row.appendChild(buildFileBubble(item));
      return row;
    }
    const isVoice = item.kind === 'voice';
    row.appendChild(buildBubble(isVoice ? '' : item.text, isVoice ? 'voice' : null, isVoice ? null : 'auto'));
    // Typed text stays in the text box until accepted, so its bubble appears only then.
    if (item.fromComposer) row.hidden = true;
    return row;
  }

  async function pumpOutbox() {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.outbox.length) {
        const item = state.outbox[0];
        const outcome = item.cancelled ? null : await deliver(item);
        state.outbox = state.outbox.filter((other) => other !== item);
        if (!item.cancelled) settle(item, outcome);
      }
    } finally {
      state.pumping = false;
    }
  }

  /** Sends one item until the server accepts or refuses it; network trouble retries the same id. */
  async function deliver(item) {
    for (let attempt = 0; ; attempt += 1) {
      if (item.cancelled) return { ok: false, reason: '' };
      let result = null;
      try {
        result = await postItem(item);
      } catch {
        result = null; // network failure, time-out or repeated 401
      }
      const status = result ? result.status : 0;
      if (status >= 200 && status < 300) {
        setProblem('send', false);
        return { ok: true };
      }
      if (item.kind === 'file' && (status === 413 || status === 415)) {
        setProblem('send', false);
        return { ok: false, reason: status === 413 ? 'fileTooLarge' : 'fileType' };
      }
      if (status === 409) {
        // The same voice note or file is still arriving from an earlier try: wait, then ask again.
        await sleep(retryAfterMs(result.retryAfter));
        continue;
      }
      if (status === 429) {
        setProblem('send', false);
        if (!isMediaItem(item)) return { ok: false, reason: 'tooFast' };
        // Too many voice notes and files this hour or day: waiting here would hold up everything typed after it.
        if (result.data && result.data.error === 'quota_exceeded') {
          return { ok: false, reason: item.kind === 'file' ? 'fileQuota' : 'voiceQuota' };
        }
        // A recording or a file cannot wait in the text box, so it waits here instead.
        showNotice('tooFast');
        await sleep(retryAfterMs(result.retryAfter));
        continue;
      }
      if (status >= 400 && status < 500 && status !== 408) {
        setProblem('send', false);
        return { ok: false, reason: isTooLong(result) ? 'tooLong' : 'sendFailed' };
      }
      setProblem('send', true);
      await sleep(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 10)));
    }
  }

  function postItem(item) {
    if (item.kind === 'voice') {
      return request('POST', `/chat/api/voice?id=${encodeURIComponent(item.id)}`, {
        body: item.blob,
        contentType: item.mimeType,
        timeoutMs: 120000,
      });
    }
    if (item.kind === 'file') {
      // The server decides the type from the file's first bytes; the declared type is only a hint.
      return request('POST', `/chat/api/file?id=${encodeURIComponent(item.id)}`, {
        body: item.blob,
        contentType: item.blob.type || 'application/octet-stream',
        timeoutMs: FILE_TIMEOUT_MS,
      });
    }
    const json = { id: item.id };
    if (item.kind === 'choice') json.choice = item.choiceId;
    else json.text = item.text;
    // The page's language was picked by the server from ?lang= or the browser's languages: pass it as the hint.
    if (item.sendLocale) json.locale = state.locale || navigator.language || '';
    return request('POST', '/chat/api/messages', { json });
  }

  function settle(item, outcome) {
    const accepted = outcome.ok || item.echoed;
    if (item === state.composerItem) finishComposer(accepted);
    if (accepted) {
      item.blob = null;
      if (!item.echoed) {
        item.row.hidden = false;
        item.row.dataset.state = 'sent';
      }
      if (el.notice.dataset.i18n !== 'tooLong') clearNotice();
    } else {
      state.locals = state.locals.filter((other) => other !== item);
      item.row.remove();
      showNotice(outcome.reason);
    }
    renderChoices(); // a refused choice brings its buttons back
    scrollToNewest();
  }

  function isTooLong(result) {
    if (result.status === 413) return true;
    const data = result.data || {};
    return /long|length|large|size/i.test(`${data.error || ''} ${data.reason || ''}`);
  }

  /** The server's Retry-After header (seconds), capped at five minutes; 5 s without one. */
  function retryAfterMs(header) {
    const seconds = Number(header);
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) * 1000 : 5000;
  }

  function newMessageId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not.
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------- composer

  function setupComposer() {
    el.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      sendTypedText();
    });
    el.input.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter adds a line; Enter that confirms an IME composition is left alone.
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      sendTypedText();
    });
    el.input.addEventListener('input', updateInput);
    // Keep the on-screen keyboard open when the send button is tapped.
    el.send.addEventListener('mousedown', (event) => event.preventDefault());
    updateInput();
  }

  function sendTypedText() {
    if (state.composerItem) return; // the previous text is still on its way
    const text = el.input.value.trim();
    if (!text) return;
    if (text.length > config.maxTextLength) {
      showNotice('tooLong', true);
      return;
    }
    state.composerItem = createItem('text', { text, fromComposer: true });
    el.input.readOnly = true;
    el.send.setAttribute('aria-disabled', 'true');
    el.composer.setAttribute('aria-busy', 'true');
  }

  function finishComposer(accepted) {
    state.composerItem = null;
    el.input.readOnly = false;
    el.send.removeAttribute('aria-disabled');
    el.composer.removeAttribute('aria-busy');
    if (accepted) {
      el.input.value = '';
      updateInput();
    }
  }

  function updateInput() {
    const tooLong = el.input.value.trim().length > config.maxTextLength;
    if (tooLong) {
      el.input.setAttribute('aria-invalid', 'true');
      showNotice('tooLong', true);
    } else {
      el.input.removeAttribute('aria-invalid');
      clearNotice('tooLong');
    }
    // Empty box: follow the page, so the placeholder sits on the right side; text: follow the text.
    if (el.input.value.trim()) el.input.setAttribute('dir', 'auto');
    else el.input.removeAttribute('dir');
    fitInputHeight();
  }

  /** Grows the text box with its content up to a few lines (rows, not inline styles: strict CSP). */
  function fitInputHeight() {
    const input = el.input;
    input.rows = 1;
    while (input.rows < MAX_INPUT_ROWS && input.scrollHeight > input.clientHeight) input.rows += 1;
  }

  // ------------------------------------------------------------------- voice

  function setupVoice() {
    state.voiceType = pickVoiceType();
    el.record.hidden = !state.voiceType;
    if (state.voiceType) el.record.addEventListener('click', toggleRecording);
  }

  function pickVoiceType() {
    if (typeof window.MediaRecorder !== 'function') return null;
    if (typeof window.MediaRecorder.isTypeSupported !== 'function') return null;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') return null;
    return VOICE_TYPES.find((type) => window.MediaRecorder.isTypeSupported(type)) || null;
  }

  function toggleRecording() {
    if (state.recording) stopRecording();
    else startRecording();
  }

  async function startRecording() {
    if (state.recording || state.micPending) return;
    state.micPending = true;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      state.micPending = false;
      showNotice('sendFailed'); // no microphone, or permission refused
      return;
    }
    state.micPending = false;

    let recorder;
    try {
      recorder = new window.MediaRecorder(stream, {
        mimeType: state.voiceType,
        audioBitsPerSecond: VOICE_BITS_PER_SECOND,
      });
    } catch {
      stopStream(stream);
      showNotice('sendFailed');
      return;
    }

    const session = { recorder, stream, chunks: [], bytes: 0, startedAt: Date.now(), timer: 0 };
    recorder.addEventListener('dataavailable', (event) => {
      if (!event.data || !event.data.size) return;
      session.chunks.push(event.data);
      session.bytes += event.data.size;
      // Stop a little early: the last chunk still has to fit under the server's limit.
      if (session.bytes >= config.maxVoiceBytes * 0.9) stopRecording();
    });
    recorder.addEventListener('stop', () => finishRecording(session));
    recorder.addEventListener('error', () => stopRecording());

    state.recording = session;
    recorder.start(1000); // a chunk every second, so the size cap is checked while recording
    session.timer = window.setInterval(() => updateRecordingClock(session), 500);
    showRecording(true);
    updateRecordingClock(session);
  }

  function stopRecording() {
    const session = state.recording;
    if (session && session.recorder.state !== 'inactive') session.recorder.stop();
  }

  function finishRecording(session) {
    window.clearInterval(session.timer);
    stopStream(session.stream);
    if (state.recording === session) state.recording = null;
    showRecording(false);

    if (state.removed) return; // removed from this device while recording: nothing is sent
    const type = session.recorder.mimeType || state.voiceType;
    const blob = new Blob(session.chunks, { type });
    if (!blob.size) return;
    if (blob.size > config.maxVoiceBytes) {
      showNotice('tooLong');
      return;
    }
    createItem('voice', { blob, mimeType: type });
  }

  function updateRecordingClock(session) {
    const seconds = Math.floor((Date.now() - session.startedAt) / 1000);
    const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    if (el.recordingTime.textContent !== text) el.recordingTime.textContent = text;
    if (seconds >= MAX_VOICE_SECONDS) stopRecording();
  }

  function showRecording(on) {
    el.recording.hidden = !on;
    el.record.dataset.recording = String(on);
    const label = el.record.querySelector('[data-i18n]');
    label.dataset.i18n = on ? 'stopRecording' : 'record';
    label.textContent = t(label.dataset.i18n);
    el.record.querySelector('use').setAttribute('href', on ? '#chat-icon-stop' : '#chat-icon-mic');
    if (!on) el.recordingTime.textContent = '0:00';
  }

  function stopStream(stream) {
    stream.getTracks().forEach((track) => track.stop()); // frees the microphone (and its indicator)
  }

  // ------------------------------------------------------ photos and PDFs

  function setupFiles() {
    el.attach.addEventListener('click', () => {
      if (state.removed) return;
      el.fileInput.value = ''; // the same file may be chosen again
      el.fileInput.click();
    });
    el.fileInput.addEventListener('change', () => {
      const chosen = Array.from(el.fileInput.files || []);
      el.fileInput.value = '';
      // One after another, in the order chosen (shrinking a photo takes a moment).
      chosen.reduce((previous, file) => previous.then(() => sendFile(file)), Promise.resolve());
    });
  }

  /**
   * One chosen file: checked here for size and declared type so the resident hears at once (the server
   * checks both again, the type by the file's content), then sent like a voice note.
   */
  async function sendFile(chosen) {
    if (state.removed || !chosen || !chosen.size) return;
    if (chosen.type && config.fileTypes.length && !config.fileTypes.includes(chosen.type)) {
      showNotice('fileType');
      return;
    }
    const fileKind = chosen.type === 'application/pdf' ? 'document' : 'image';
    const file = fileKind === 'image' ? await shrinkPhoto(chosen) : chosen;
    if (file.size > config.maxFileBytes) {
      showNotice('fileTooLarge');
      return;
    }
    createItem('file', { blob: file, fileKind, name: typeof chosen.name === 'string' ? chosen.name : '' });
  }

  /**
   * A phone photo of a letter is 3–6 MB, and over a prepaid line that is minutes and most of the hour's
   * upload allowance: a photo larger than PHOTO_MAX_PX or PHOTO_KEEP_BYTES goes as a JPEG at
   * PHOTO_MAX_PX on its longest side, where a letter's text stays readable. The original when the
   * browser cannot draw it, or when the result would not be smaller.
   */
  async function shrinkPhoto(file) {
    if (typeof window.createImageBitmap !== 'function' || typeof HTMLCanvasElement.prototype.toBlob !== 'function') return file;
    let bitmap;
    try {
      bitmap = await window.createImageBitmap(file);
    } catch {
      return file;
    }
    const scale = Math.min(1, PHOTO_MAX_PX / Math.max(bitmap.width, bitmap.height, 1));
    if (scale === 1 && file.size <= PHOTO_KEEP_BYTES) return file;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return file;
    context.fillStyle = '#fff'; // a transparent PNG on white, not black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const smaller = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', PHOTO_QUALITY));
    return smaller && smaller.size < file.size ? smaller : file;
  }

  /**
   * The resident's own file in the transcript: a photo as a small picture drawn here from the file (a
   * data: URL, which the page's CSP allows; nothing is fetched back from the server), a PDF as a line
   * with its name. Until the picture is ready, or if it cannot be drawn, a photo shows as a line too.
   */
  function buildFileBubble(item) {
    const bubble = buildBubble('', item.fileKind, null);
    bubble.classList.add('chat-bubble--file');
    if (item.fileKind === 'document' && item.name) {
      const name = document.createElement('span');
      name.className = 'chat-file__name';
      name.dir = 'auto';
      name.textContent = item.name;
      bubble.appendChild(name);
    }
    if (item.fileKind === 'image') {
      makeThumbnail(item.blob).then((url) => {
        if (!url || !bubble.isConnected) return;
        const picture = document.createElement('img');
        picture.className = 'chat-thumb';
        picture.alt = ''; // the label beside it ("Photo") says what it is
        picture.src = url;
        bubble.classList.add('chat-bubble--thumb');
        bubble.insertBefore(picture, bubble.firstChild);
        if (state.atBottom) scrollToNewest();
      });
    }
    return bubble;
  }

  /** A small JPEG data: URL of a picture file, or null when the browser cannot draw it. */
  async function makeThumbnail(file) {
    if (typeof window.createImageBitmap !== 'function') return null;
    let bitmap;
    try {
      bitmap = await window.createImageBitmap(file);
    } catch {
      return null;
    }
    try {
      const scale = Math.min(1, THUMBNAIL_PX / Math.max(bitmap.width, bitmap.height, 1));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      const context = canvas.getContext('2d');
      if (!context) return null;
      context.fillStyle = '#fff'; // a transparent PNG on white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL('image/jpeg', 0.8);
    } catch {
      return null;
    } finally {
      if (typeof bitmap.close === 'function') bitmap.close();
    }
  }

  // --------------------------------------------------- remove from this device

  function setupRemove() {
    el.remove.addEventListener('click', askToRemove);
    el.removeCancel.addEventListener('click', () => el.removeDialog.close());
    el.removeConfirm.addEventListener('click', () => {
      el.removeDialog.close();
      removeFromDevice();
    });
    // Back to the button that opened it (the browser does so too, but not every one).
    el.removeDialog.addEventListener('close', () => {
      if (!el.device.hidden) el.remove.focus();
    });
  }

  function askToRemove() {
    if (typeof el.removeDialog.showModal === 'function') el.removeDialog.showModal();
    else if (window.confirm(`${t('removeTitle')}\n\n${t('removeText')}`)) removeFromDevice();
  }

  /**
   * "Remove this chat from this device": the token and language leave this browser's storage, the
   * conversation leaves the screen, nothing waiting is sent, and the server is told to stop opening the
   * chat with this token (for a copy of it). What the resident told the organisation stays there; the
   * dialog says so.
   */
  function removeFromDevice() {
    const token = state.token;
    state.removed = true;
    state.token = null;
    storage.remove(TOKEN_KEY);
    storage.remove(LOCALE_KEY);
    if (token) {
      fetch('/chat/api/session', {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
        credentials: 'same-origin',
        keepalive: true,
      }).catch(() => undefined); // the token is gone from here either way
    }
    state.outbox.forEach((item) => {
      item.cancelled = true;
    });
    if (state.recording) stopRecording();
    state.epoch += 1;
    state.lastId = 0;
    state.clearedUpTo = 0;
    state.seen.clear();
    state.lastInboundId = 0;
    state.choiceMessage = null;
    state.renderedChoicesFor = null;
    state.locals = [];
    state.files.clear();
    if (state.composerItem) finishComposer(false);
    el.messages.textContent = '';
    el.input.value = '';
    el.fileInput.value = '';
    updateInput();
    setProblem('send', false);
    setProblem('poll', false);
    wake(); // ends waits, so the poll loop and the outbox see the removal now
    el.messages.hidden = true;
    el.footer.hidden = true;
    el.device.hidden = true;
    el.welcome.hidden = false;
    showNotice('removed', true);
    el.start.focus();
  }

  // ------------------------------------------------------------ status lines

  function setProblem(source, failing) {
    if (failing) state.problems.add(source);
    else state.problems.delete(source);
    el.connection.hidden = state.problems.size === 0;
  }

  /** Shows a localized notice; sticky ones stay until cleared (e.g. while the text is too long). */
  function showNotice(key, sticky = false) {
    const text = t(key);
    if (!text) return;
    window.clearTimeout(state.noticeTimer);
    if (el.notice.dataset.i18n !== key || el.notice.hidden) {
      el.notice.dataset.i18n = key; // lets a language switch translate it too
      el.notice.textContent = text;
      el.notice.hidden = false;
    }
    if (!sticky) state.noticeTimer = window.setTimeout(() => clearNotice(key), NOTICE_MS);
  }

  function clearNotice(key) {
    if (key && el.notice.dataset.i18n !== key) return;
    window.clearTimeout(state.noticeTimer);
    el.notice.hidden = true;
    el.notice.textContent = '';
    el.notice.removeAttribute('data-i18n');
  }

  // ----------------------------------------------------------------- helpers

  /** A sleep that wake() ends early (back online, tab visible again). */
  function sleep(ms) {
    return new Promise((resolve) => {
      const done = () => {
        window.clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = window.setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  function wake() {
    Array.from(sleepers).forEach((done) => done());
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function positiveNumber(value, fallback) {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  }

  /** localStorage can be missing or throw (private mode, blocked storage): fall back to memory. */
  function makeStorage() {
    const memory = new Map();
    const local = () => {
      try {
        return window.localStorage;
      } catch {
        return null;
      }
    };
    return {
      get(key) {
        if (memory.has(key)) return memory.get(key);
        try {
          const store = local();
          return store ? store.getItem(key) : null;
        } catch {
          return null;
        }
      },
      set(key, value) {
        memory.set(key, value);
        try {
          const store = local();
          if (store) store.setItem(key, value);
        } catch {
          /* memory copy is enough for this page view */
        }
      },
      remove(key) {
        memory.delete(key);
        try {
          const store = local();
          if (store) store.removeItem(key);
        } catch {
          /* nothing stored */
        }
      },
    };
  }
})();

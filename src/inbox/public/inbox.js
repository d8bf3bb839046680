// The inbox's script: live queue and case updates (server-sent events), replies without reload,
// filters that apply themselves, relative times. Everything works without it, just without live updates.
// Server-rendered fragments are inserted as HTML: the server escaped every resident text in them.
(() => {
  'use strict';
  const configEl = document.getElementById('inbox-config');
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent || '{}');
  const strings = config.strings || {};
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content');
  if (!csrf) return; // the login page

  const banner = document.getElementById('live-banner');
  const originalTitle = document.title;
  let unseen = 0;

  function showBanner(text, urgent, action) {
    if (!banner) return;
    banner.textContent = '';
    const span = document.createElement('span');
    span.textContent = text;
    banner.appendChild(span);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button';
      button.textContent = action.label;
      button.addEventListener('click', action.run);
      banner.appendChild(button);
    }
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'dismiss';
    dismiss.textContent = '×';
    dismiss.setAttribute('aria-label', strings['live.dismiss']);
    dismiss.addEventListener('click', () => {
      banner.hidden = true;
    });
    banner.appendChild(dismiss);
    banner.classList.toggle('live-banner--urgent', Boolean(urgent));
    banner.hidden = false;
  }

  function goToLogin() {
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign('/inbox/login?expired=1&next=' + next);
  }

  async function checkSession() {
    try {
      const res = await fetch('/inbox/session', { headers: { 'x-requested-with': 'fetch' }, credentials: 'same-origin' });
      if (res.status === 401) goToLogin();
    } catch {
      /* offline: EventSource retries by itself */
    }
  }

  function listen(url, handlers) {
    const source = new EventSource(url);
    for (const [event, handler] of Object.entries(handlers)) {
      source.addEventListener(event, (e) => handler(e.data ? JSON.parse(e.data) : {}, e));
    }
    source.addEventListener('expired', () => {
      source.close();
      goToLogin();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) checkSession();
      else checkSession();
    };
    return source;
  }

  // Relative times ("5 minutes ago"), refreshed every half minute.
  const relative = new Intl.RelativeTimeFormat(config.locale, { numeric: 'auto' });
  function ago(date) {
    const s = Math.round((date.getTime() - Date.now()) / 1000);
    const a = Math.abs(s);
    if (a < 60) return relative.format(Math.trunc(s), 'second');
    if (a < 3600) return relative.format(Math.trunc(s / 60), 'minute');
    if (a < 86400) return relative.format(Math.trunc(s / 3600), 'hour');
    return relative.format(Math.trunc(s / 86400), 'day');
  }
  function refreshTimes(root) {
    for (const el of (root || document).querySelectorAll('time[data-ago]')) {
      const at = new Date(el.getAttribute('datetime'));
      if (!Number.isNaN(at.getTime())) el.textContent = ago(at);
    }
  }
  setInterval(() => refreshTimes(), 30_000);

  // Filters apply as soon as they change.
  const filters = document.getElementById('filters');
  if (filters) {
    for (const input of filters.querySelectorAll('select, input'))
      input.addEventListener('change', () => filters.requestSubmit());
  }

  // The queue: refresh the list when handoffs change; announce new and urgent ones on every page.
  const queue = document.getElementById('queue');
  async function refreshQueue() {
    if (!queue) return;
    const url = new URL(location.href);
    url.searchParams.set('fragment', '1');
    const res = await fetch(url, { headers: { 'x-requested-with': 'fetch' }, credentials: 'same-origin' });
    if (res.status === 401) return goToLogin();
    if (!res.ok) return;
    queue.innerHTML = await res.text();
    refreshTimes(queue);
  }
  listen('/inbox/events', {
    queue(data) {
      if (data.change === 'opened' || data.change === 'urgent') {
        unseen += 1;
        document.title = '(' + unseen + ') ' + originalTitle;
        showBanner(
          data.change === 'urgent' || data.urgent ? strings['live.urgentHandoff'] : strings['live.newHandoff'],
          data.change === 'urgent' || data.urgent,
          queue ? null : { label: strings['live.reload'], run: () => location.assign('/inbox') },
        );
      }
      refreshQueue();
    },
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      unseen = 0;
      document.title = originalTitle;
    }
  });

  // The case page: new messages and delivery states live; replies without reload.
  const transcript = document.getElementById('transcript');
  if (config.caseId && transcript) {
    const scrollToEnd = () => {
      transcript.scrollTop = transcript.scrollHeight;
    };
    scrollToEnd();
    const last = transcript.lastElementChild;
    const after = last ? last.getAttribute('data-id') : '0';
    listen('/inbox/handoffs/' + config.caseId + '/events?after=' + encodeURIComponent(after || '0'), {
      message(data) {
        const template = document.createElement('template');
        template.innerHTML = data.html.trim();
        const item = template.content.firstElementChild;
        if (!item) return;
        const existing = document.getElementById(item.id);
        const nearEnd = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 120;
        if (existing) existing.replaceWith(item);
        else transcript.appendChild(item);
        if (!existing && nearEnd) scrollToEnd();
      },
      case() {
        showBanner(strings['live.caseChanged'], false, { label: strings['live.reload'], run: () => location.reload() });
      },
    });
  }

  // The case page on a phone (issue 16), on a case one works on: the sections beside the conversation fold
  // away behind their titles, so the conversation and the reply box are in reach; a tap opens one.
  if (config.page === 'case' && window.matchMedia('(max-width: 1023px)').matches) {
    const working = '.case-grid--working';
    for (const card of document.querySelectorAll(`${working} .case-side > .card, ${working} .case-extra > .card`)) {
      const title = card.querySelector(':scope > h2');
      if (!title || card.classList.contains('actions')) continue;
      const toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'fold-toggle';
      toggle.append(...title.childNodes);
      title.appendChild(toggle);
      const fold = (folded) => {
        card.classList.toggle('is-folded', folded);
        toggle.setAttribute('aria-expanded', String(!folded));
      };
      // What a link points at (#reminders) or a confirmation concerns stays open.
      fold(location.hash !== '#' + card.id);
      toggle.addEventListener('click', () => fold(!card.classList.contains('is-folded')));
    }
  }

  const form = document.getElementById('reply-form');
  if (form) {
    const text = document.getElementById('reply-text');
    const status = document.getElementById('reply-status');
    const send = document.getElementById('reply-send');
    // Issue 15: a machine translation of the draft, to check, correct and send with or instead of it.
    const translate = document.getElementById('reply-translate');
    const panel = document.getElementById('reply-translation');
    const translation = document.getElementById('reply-translation-text');
    const hideTranslation = () => {
      if (!panel) return;
      panel.hidden = true;
      translation.value = '';
    };
    if (translate && panel) {
      translate.hidden = false;
      translate.addEventListener('click', async () => {
        if (!text.value.trim()) return text.focus();
        translate.disabled = true;
        status.textContent = strings['reply.translating'];
        try {
          const res = await fetch(translate.dataset.url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'x-csrf-token': csrf, 'x-requested-with': 'fetch', 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ text: text.value }),
          });
          if (res.status === 401) return goToLogin();
          if (!res.ok) throw new Error(String(res.status));
          const body = await res.json();
          translation.value = body.text;
          panel.hidden = false;
          status.textContent = '';
          translation.focus();
        } catch {
          status.textContent = strings['reply.translateFailed'];
        } finally {
          translate.disabled = false;
        }
      });
      // A changed draft no longer matches its translation: preview it again.
      text.addEventListener('input', hideTranslation);
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!text.value.trim()) return;
      send.disabled = true;
      status.textContent = strings['reply.sending'];
      try {
        const res = await fetch(form.action, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'x-csrf-token': csrf, 'x-requested-with': 'fetch', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(replyFields()),
        });
        if (res.status === 401) return goToLogin();
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          status.textContent = strings['reply.failed'] + (body.reason ? ' (' + body.reason + ')' : '');
          return;
        }
        text.value = '';
        hideTranslation();
        status.textContent = '';
      } catch {
        status.textContent = strings['reply.failed'];
      } finally {
        send.disabled = false;
        text.focus();
      }
    });
    // Issue 16: a canned reply goes into the box where the cursor is; the trust person can still change it.
    const canned = document.getElementById('canned-reply');
    const cannedPicker = document.getElementById('canned-picker');
    if (canned && cannedPicker) {
      cannedPicker.hidden = false;
      canned.addEventListener('change', () => {
        const option = canned.selectedOptions[0];
        const snippet = option && option.dataset.text;
        if (!snippet) return;
        const start = text.selectionStart ?? text.value.length;
        const end = text.selectionEnd ?? text.value.length;
        text.value = text.value.slice(0, start) + snippet + text.value.slice(end);
        text.selectionStart = text.selectionEnd = start + snippet.length;
        canned.value = '';
        text.dispatchEvent(new Event('input'));
        text.focus();
      });
    }
    function replyFields() {
      const fields = { text: text.value };
      if (panel && !panel.hidden && translation.value.trim()) {
        fields.translation = translation.value;
        fields.send = form.querySelector('input[name="send"]:checked')?.value || 'both';
      }
      return fields;
    }
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
  }

  // Issue 15: a file for the resident. The form posts itself (multipart); this only says at once that a
  // chosen file is too large, instead of after the upload. The server checks size and type again.
  const fileForm = document.getElementById('send-file-form');
  if (fileForm) {
    const input = document.getElementById('send-file-input');
    const status = document.getElementById('send-file-status');
    const submit = document.getElementById('send-file-submit');
    const max = Number(fileForm.dataset.maxBytes) || Infinity;
    const tooLarge = () => Boolean(input.files && input.files[0] && input.files[0].size > max);
    input.addEventListener('change', () => {
      status.textContent = tooLarge() ? fileForm.dataset.tooLarge : '';
    });
    fileForm.addEventListener('submit', (event) => {
      if (tooLarge()) {
        event.preventDefault();
        status.textContent = fileForm.dataset.tooLarge;
        return;
      }
      status.textContent = fileForm.dataset.sending;
      submit.disabled = true; // one upload per press; the page that follows has the button back
    });
    // Back to this page from the browser's cache: the button works again.
    window.addEventListener('pageshow', () => {
      submit.disabled = false;
      if (!tooLarge()) status.textContent = '';
    });
  }
})();

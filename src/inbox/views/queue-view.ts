import type { CardMessage, QueueItem, QueueStatus, StaffLoad } from '../../handoff/handoff-queries.js';
import { authorLabel } from './message-item.js';
import { goodMatches, rankMatches } from '../../handoff/matching.js';
import { markup, type Html } from '../../server/html.js';
import type { Labels } from '../../i18n/labels.js';
import type { Reminder } from '../../continuity/reminders.js';
import { reminderList, writtenLanguage } from './case-view.js';
import { layout, type PageContext } from './layout.js';
import { MAX_CASES_SCANNED } from '../../handoff/case-search.js';
import { PHASES, TRAJECTORIES } from '../../handoff/handoff-service.js';

export interface QueueFilters {
  status: QueueStatus;
  mine: boolean;
  unassigned: boolean;
  urgent: boolean;
  language: string;
  /** The search (issue 16): case number, name or phone; the resident's words; fields of the case. Empty: not used. */
  text: string;
  words: string;
  phase: string;
  trajectory: string;
  from: string;
  to: string;
  agency: string;
  staff: string;
}

/** A queue line with what the inbox adds to it: how many intake voice notes nobody on staff has listened to. */
export type QueueCardItem = QueueItem & {
  unheardVoiceNotes?: number;
  overdue?: boolean;
  /** "Mijn zaken" (issue 16), on one's own cases: the newest message and how many of the resident's are new. */
  card?: { last: CardMessage | null; unread: number };
};

/** How much of the newest message a card shows. */
const PREVIEW_CHARS = 140;

export interface QueueViewModel {
  items: QueueCardItem[];
  filters: QueueFilters;
  languages: string[];
  staffLoad: StaffLoad[];
  names: Map<string, string>;
  now: Date;
  /** "Mijn zaken": the staff member's own reminders, soonest first. */
  reminders?: Reminder[];
  /** A short confirmation after an action that leaves the case page (`erased`). */
  notice?: string | undefined;
  /** A search by words read only the newest cases the other fields left. */
  scanLimited?: boolean;
  /** For the search's choices: the agencies, and the staff to pick from. */
  agencies?: readonly string[];
}

export function queuePage(p: PageContext, m: QueueViewModel): Html {
  const l = p.labels;
  const f = m.filters;
  const statuses: QueueStatus[] = ['waiting', 'open', 'claimed', 'closed', 'all'];
  const body = markup`<section class="queue-head">
      <h1>${f.mine ? l.t('queue.titleMine') : l.t('queue.title')}</h1>
      ${m.notice ? markup`<p class="notice" role="status">${l.t(`done.${m.notice}`)}</p>` : ''}
      <form method="get" action="/inbox" class="filters" id="filters">
        <label class="field"
          >${l.t('filters.status')}
          <select name="status">
            ${statuses.map((s) => markup`<option value="${s}" ${f.status === s ? markup`selected` : ''}>${l.t(`filters.statuses.${s}`)}</option>`)}
          </select>
        </label>
        <label class="field"
          >${l.t('filters.language')}
          <select name="language">
            <option value="">${l.t('filters.anyLanguage')}</option>
            ${[...new Set([...m.languages, ...(f.language ? [f.language] : [])])].map(
              (code) =>
                markup`<option value="${code}" ${f.language === code ? markup`selected` : ''}>${l.language(code)}</option>`,
            )}
          </select>
        </label>
        <label class="check"
          ><input type="checkbox" name="mine" value="1" ${f.mine ? markup`checked` : ''} /> ${l.t('filters.mine')}</label
        >
        <label class="check"
          ><input type="checkbox" name="unassigned" value="1" ${f.unassigned ? markup`checked` : ''} />
          ${l.t('filters.unassigned')}</label
        >
        <label class="check"
          ><input type="checkbox" name="urgent" value="1" ${f.urgent ? markup`checked` : ''} /> ${l.t('filters.urgent')}</label
        >
        ${searchFields(l, m)}
        <button type="submit" class="button">${l.t('filters.apply')}</button>
      </form>
      ${m.scanLimited ? markup`<p class="notice notice--warning" role="status">${l.t('filters.scanLimited', { count: MAX_CASES_SCANNED })}</p>` : ''}
    </section>
    ${
      f.mine && m.reminders && m.reminders.length > 0
        ? markup`<section class="card reminders" id="my-reminders">
          <h2>${l.t('reminders.mine')}</h2>
          ${reminderList(l, m.reminders, markup`<input type="hidden" name="_csrf" value="${p.csrfToken}" />`)}
        </section>`
        : ''
    }
    <ul class="queue" id="queue" aria-live="polite">
      ${queueItems(l, m)}
    </ul>`;
  return layout(p, l.t('queue.title'), body, { page: f.mine ? 'mine' : 'queue' });
}

/**
 * The search (issue 16): a box for a case number, name or phone always in view; the rest folded away
 * (open when one of them is in use), so the queue stays short on a phone.
 */
function searchFields(l: Labels, m: QueueViewModel): Html {
  const f = m.filters;
  const more = Boolean(f.words || f.phase || f.trajectory || f.from || f.to || f.agency || f.staff);
  const select = (name: keyof QueueFilters, any: string, options: [string, string][]) =>
    markup`<label class="field"
      >${l.t(`filters.${name}`)}
      <select name="${name}">
        <option value="">${l.t(any)}</option>
        ${options.map(([value, label]) => markup`<option value="${value}" ${f[name] === value ? markup`selected` : ''}>${label}</option>`)}
      </select>
    </label>`;
  const staff = [...m.names].filter(([id]) => id !== 'api').sort((a, b) => a[1].localeCompare(b[1]));
  return markup`<label class="field field--search"
      >${l.t('filters.search')}
      <input type="search" name="text" value="${f.text}" maxlength="100" dir="auto" placeholder="${l.t('filters.searchHint')}"
    /></label>
    <details class="search-more"${more ? markup` open` : ''}>
      <summary>${l.t('filters.more')}</summary>
      <label class="field"
        >${l.t('filters.words')}
        <input type="search" name="words" value="${f.words}" maxlength="200" dir="auto" />
        <span class="muted">${l.t('filters.wordsHint')}</span>
      </label>
      ${select('phase', 'filters.anyPhase', PHASES.map((p) => [p, l.phase(p)]))}
      ${select('trajectory', 'filters.anyTrajectory', TRAJECTORIES.map((t) => [t, l.trajectory(t)]))}
      <label class="field">${l.t('filters.from')} <input type="date" name="from" value="${f.from}" /></label>
      <label class="field">${l.t('filters.to')} <input type="date" name="to" value="${f.to}" /></label>
      ${select('agency', 'filters.anyAgency', (m.agencies ?? []).map((a) => [a, l.agency(a)]))}
      ${select('staff', 'filters.anyStaff', staff)}
      <p class="muted">${l.t('filters.searchAudited')}</p>
    </details>`;
}

/** The list itself; also served alone for the live refresh. */
export function queueItems(l: Labels, m: Pick<QueueViewModel, 'items' | 'staffLoad' | 'names' | 'now'>): Html {
  if (m.items.length === 0) return markup`<li class="empty">${l.t('queue.empty')}</li>`;
  return markup`${m.items.map((item) => queueCard(l, item, m))}`;
}

/**
 * The newest message on a card: who, the start of what they wrote (or what they sent), and, when it is
 * the resident's, how long they have waited for an answer.
 */
function lastMessage(l: Labels, last: CardMessage, m: Pick<QueueViewModel, 'names' | 'now'>): Html {
  const text = last.text ? (last.text.length > PREVIEW_CHARS ? `${last.text.slice(0, PREVIEW_CHARS)}…` : last.text) : null;
  const what = text ?? (last.mediaKind ? l.t(last.mediaKind === 'voice' || last.mediaKind === 'audio' ? 'transcript.voiceNote' : 'transcript.file') : '');
  return markup`<p class="last-message${last.direction === 'in' ? ' last-message--in' : ''}">
    <span class="last-who">${authorLabel(l, m.names, last)}:</span>
    <span class="last-text" dir="auto">${what}</span>
    ${
      last.direction === 'in'
        ? markup`<span class="waiting">${l.t('queue.awaitingReply')}
            <time datetime="${last.createdAt.toISOString()}" data-ago>${l.ago(last.createdAt, m.now)}</time></span
          >`
        : ''
    }
  </p>`;
}

function queueCard(l: Labels, item: QueueCardItem, m: Pick<QueueViewModel, 'staffLoad' | 'names' | 'now'>): Html {
  const matches = item.status === 'waiting' ? goodMatches(rankMatches(m.staffLoad, item)).slice(0, 3) : [];
  const holder = item.claimedBy ? (m.names.get(item.claimedBy) ?? item.claimedBy) : null;
  const assignee =
    item.assignedTo && item.assignedTo !== item.claimedBy ? (m.names.get(item.assignedTo) ?? item.assignedTo) : null;
  return markup`<li class="case-card${item.urgent ? ' case-card--urgent' : ''}" data-id="${item.id}">
    <a class="case-link" href="/inbox/handoffs/${item.id}">
      <div class="case-top">
        ${item.urgent ? markup`<span class="badge badge--urgent">${l.t('queue.urgent')}</span>` : ''}
        <span class="badge badge--${item.status}">${l.status(item.status)}</span>
        ${item.overdue ? markup`<span class="badge badge--overdue" data-overdue>${l.t('queue.overdue')}</span>` : ''}
        <span class="lang">${l.language(item.language)}</span>
        ${writtenLanguage(l, item.writtenLanguage)}
        <span class="chan">${l.channel(item.channel)}</span>
        ${
          item.unheardVoiceNotes
            ? markup`<span class="badge badge--unheard" data-unheard="${item.unheardVoiceNotes}">${l.t('queue.voiceNoteUnheard')}</span>`
            : ''
        }
        ${item.card && item.card.unread > 0 ? markup`<span class="badge badge--unread" data-unread="${item.card.unread}">${l.t('queue.unread', { count: item.card.unread })}</span>` : ''}
        ${item.status !== 'waiting' ? markup`<span class="chip chip--phase">${l.phase(item.phase)}</span>` : ''}
        <span class="waiting"
          >${l.t('queue.waitingSince')}
          <time datetime="${item.createdAt.toISOString()}" data-ago>${l.ago(item.createdAt, m.now)}</time></span
        >
      </div>
      ${item.card?.last ? lastMessage(l, item.card.last, m) : ''}
      <div class="domains">
        ${
          item.domains.length > 0
            ? item.domains.map((d) => markup`<span class="chip">${l.domain(d)}</span>`)
            : markup`<span class="chip chip--muted">${l.reason(item.reason)}</span>`
        }
      </div>
      ${item.safety ? markup`<p class="safety-warning">${l.t(`safetyPreference.${item.safety}`)}</p>` : ''}
      <dl class="facts">
        <div>
          <dt>${l.t('case.urgency')}</dt>
          <dd>${l.urgency(item.urgency)}</dd>
        </div>
        <div>
          <dt>${l.t('case.contact')}</dt>
          <dd>${l.contact(item.contact)}${item.reachable ? markup` · ${l.reachable(item.reachable)}` : ''}</dd>
        </div>
        <div>
          <dt>${l.t('case.helper')}</dt>
          <dd>${l.helper(item.helperGender)}</dd>
        </div>
        ${
          holder
            ? markup`<div>
                <dt>${l.t('case.heldBy')}</dt>
                <dd>${holder}</dd>
              </div>`
            : ''
        }
        ${
          assignee
            ? markup`<div>
                <dt>${l.t('case.assignedTo')}</dt>
                <dd>${assignee}</dd>
              </div>`
            : ''
        }
      </dl>
    </a>
    ${
      item.status === 'waiting'
        ? markup`<p class="match">
            ${
              matches.length > 0
                ? markup`${l.t('match.fits')}
                  ${matches.map(
                    (s, i) =>
                      markup`${i > 0 ? ', ' : ''}<span class="match-name">${s.name}</span>
                        (${l.t('match.open', { count: s.openCases })})`,
                  )}`
                : l.t('match.none')
            }
          </p>`
        : ''
    }
  </li>`;
}

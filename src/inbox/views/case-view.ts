import type { Reminder } from '../../continuity/reminders.js';
import type { CaseRecord, ResidentCase, StaffLoad, TranscriptMessage } from '../../handoff/handoff-queries.js';
import { PHASES, TRAJECTORIES } from '../../handoff/handoff-service.js';
import { MAX_CAPTION_LENGTH } from '../../handoff/staff-file.js';
import { UPLOAD_TYPES } from '../../media/sniff-upload-type.js';
import { matchWarnings, rankMatches } from '../../handoff/matching.js';
import { PREVENTED_OUTCOMES } from '../../handoff/prevented.js';
import type { StaffMember } from '../../staff/staff-types.js';
import { markup, type Html } from '../../server/html.js';
import type { Labels } from '../../i18n/labels.js';
import { layout, type PageContext } from './layout.js';
import { machineBlocks, mediaBlock, messageItem, type MessageContext } from './message-item.js';

export interface CaseViewModel {
  record: CaseRecord;
  /** False: the reader sees the summary only (a waiting case they may claim). */
  full: boolean;
  transcript: TranscriptMessage[];
  /** The resident's other cases (their course only): shown to everyone who sees this page. */
  otherCases: ResidentCase[];
  notes: { id: number; authorId: string; text: string; createdAt: Date }[];
  names: Map<string, string>;
  staffList: StaffMember[];
  staffLoad: StaffLoad[];
  agencies: string[];
  can: {
    claim: boolean;
    work: boolean;
    assign: boolean;
    close: boolean;
    exportResident?: boolean;
    eraseResident?: boolean;
    /** Change what a closed case likely prevented (who closed it, or a coordinator; issue 16). */
    prevented?: boolean;
  };
  dirOf: (locale: string) => 'ltr' | 'rtl';
  /** The default closing message in the resident's language, for the close form to offer (editable). */
  closingMessage: string;
  now: Date;
  /** The resident's channel delivers free text no more (WhatsApp's Cloud API, 24 hours after they last wrote). */
  windowClosed?: boolean;
  /** The resident's language when the reply box offers a machine translation into it (issue 15). */
  translateTo?: string | null;
  /** Canned replies to insert (issue 16), filled in, the resident's language first. */
  cannedReplies?: { id: number; locale: string; title: string; text: string }[];
  /** STAFF_MAX_FILE_BYTES: the largest file the "send a file" form takes (issue 15). */
  maxFileBytes?: number;
  /** The aftercare question's default delay at closing (AFTERCARE_AFTER_DAYS), for the close form. */
  aftercareDays?: number;
  /** The reader's own reminders on this case (a full reader only). */
  reminders?: Reminder[];
  /** The organisation's date tomorrow (`YYYY-MM-DD`), the reminder form's suggestion. */
  tomorrow?: string;
  /** A short confirmation after a form post (`claimed`, `replied`, …). */
  done?: string | undefined;
}

/**
 * Issue 16: the person who holds or was assigned the case does not fit the resident's language or
 * gender wish. A warning, not a block: the coordinator may know better (a colleague who speaks it too).
 */
function matchWarningNotice(l: Labels, m: CaseViewModel): Html {
  const r = m.record;
  const personId = r.assignedTo ?? r.claimedBy;
  if (!personId || r.status === 'closed') return markup``;
  const warnings = matchWarnings(
    m.staffLoad.find((p) => p.id === personId),
    r,
  );
  if (warnings.length === 0) return markup``;
  const name = m.names.get(personId) ?? personId;
  const language = l.language(r.writtenLanguage && r.writtenLanguage !== 'darija-latin' ? r.writtenLanguage : r.language);
  return markup`<p class="notice notice--warning" id="match-warning" role="status">
    ${warnings.map((w) => markup`<span>${l.t(`match.warning.${w}`, { name, language, gender: l.helper(r.helperGender ?? '') })}</span> `)}
  </p>`;
}

export function casePage(p: PageContext, m: CaseViewModel): Html {
  const l = p.labels;
  const r = m.record;
  const csrf = markup`<input type="hidden" name="_csrf" value="${p.csrfToken}" />`;
  const ctx: MessageContext = { labels: l, handoffId: r.id, names: m.names, dirOf: m.dirOf };
  const holder = r.claimedBy ? (m.names.get(r.claimedBy) ?? r.claimedBy) : null;
  const assignee = r.assignedTo ? (m.names.get(r.assignedTo) ?? r.assignedTo) : null;

  const header = markup`<section class="case-head">
    <a class="back" href="/inbox">${l.t('case.back')}</a>
    <h1>${l.t('case.title', { language: l.language(r.language), channel: l.channel(r.channel) })}</h1>
    <p class="case-badges">
      ${r.urgent ? markup`<span class="badge badge--urgent">${l.t('queue.urgent')}</span>` : ''}
      <span class="badge badge--${r.status}" id="case-status">${l.status(r.status)}</span>
      ${holder ? markup`<span>${l.t('case.heldBy')}: <strong>${holder}</strong></span>` : ''}
      ${assignee && r.assignedTo !== r.claimedBy ? markup`<span>${l.t('case.assignedTo')}: <strong>${assignee}</strong></span>` : ''}
      ${writtenLanguage(l, r.writtenLanguage)}
    </p>
    ${matchWarningNotice(l, m)}
    ${m.done ? markup`<p class="notice" role="status">${m.done === 'fileSent' ? l.t('sendFile.done') : l.t(`done.${m.done}`)}</p>` : ''}
  </section>`;

  const actions = markup`<section class="card actions" aria-label="${l.t('case.actions')}">
    ${m.can.claim ? markup`<form method="post" action="/inbox/handoffs/${r.id}/claim">${csrf}<button type="submit" class="button button--primary" id="claim">${l.t('case.claim')}</button></form>` : ''}
    ${
      m.can.assign && r.status !== 'closed'
        ? markup`<form method="post" action="/inbox/handoffs/${r.id}/assign" class="inline-form">
            ${csrf}
            <label class="field"
              >${r.status === 'claimed' ? l.t('case.transferTo') : l.t('case.assignTo')}
              <select name="staffId" required>
                <option value="">…</option>
                ${m.staffList
                  .filter((s) => s.active)
                  .map(
                    (s) => {
                      const misfit = matchWarnings(
                        m.staffLoad.find((p) => p.id === s.id),
                        r,
                      );
                      return markup`<option value="${s.id}" ${s.id === r.assignedTo ? markup`selected` : ''}>
                        ${s.name} (${l.role(s.role)})${misfit.length ? ` — ${misfit.map((w) => l.t(`match.misfit.${w}`)).join(', ')}` : ''}
                      </option>`;
                    },
                  )}
              </select>
            </label>
            <button type="submit" class="button">${r.status === 'claimed' ? l.t('case.transfer') : l.t('case.assign')}</button>
          </form>`
        : ''
    }
    ${m.full ? markup`<a class="button button--quiet" href="/inbox/handoffs/${r.id}/export">${l.t('case.export')}</a>` : ''}
    ${m.can.exportResident ? markup`<a class="button button--quiet" id="export-resident" href="/inbox/residents/${r.residentId}/export" download title="${l.t('case.exportResidentHint')}">${l.t('case.exportResident')}</a>` : ''}
    ${
      m.can.close
        ? markup`<details class="close-case">
            <summary>${l.t('case.close')}</summary>
            <form method="post" action="/inbox/handoffs/${r.id}/close" class="stack">
              ${csrf}
              <p>${l.t('case.closeExplain')}</p>
              <label class="check"
                ><input type="checkbox" name="send" value="1" checked /> ${l.t('case.closeSendMessage')}</label
              >
              <label
                >${l.t('case.closeMessage')}
                <textarea name="message" rows="4" maxlength="4000" dir="auto" lang="${r.language ?? 'nl'}">${m.closingMessage}</textarea>
              </label>
              <label class="field"
                >${l.t('aftercare.days')}
                <input type="number" name="aftercareDays" min="0" max="730" inputmode="numeric" value="${m.aftercareDays ?? 0}" />
              </label>
              ${preventedChoice(l, null, 'close-prevented')}
              <button type="submit" class="button button--danger">${l.t('case.closeConfirm')}</button>
            </form>
          </details>`
        : ''
    }
    ${
      m.can.eraseResident
        ? markup`<details class="close-case erase-resident">
            <summary>${l.t('case.eraseResident')}</summary>
            <form method="post" action="/inbox/residents/${r.residentId}/erase" class="stack">
              ${csrf}
              <p>${l.t('case.eraseExplain')}</p>
              <label class="check"
                ><input type="checkbox" name="confirm" value="1" ${r.safety === 'later' ? '' : markup`checked`} />
                ${l.t('case.eraseNotify')}</label
              >
              <label class="check"
                ><input type="checkbox" name="sure" value="1" required /> ${l.t('case.eraseSure')}</label
              >
              <button type="submit" class="button button--danger" id="erase-resident">${l.t('case.eraseConfirm')}</button>
            </form>
          </details>`
        : ''
    }
    ${r.status === 'closed' && r.closedAt ? markup`<p class="muted">${l.t('case.closedAt', { when: l.dateTime(r.closedAt), who: r.closedBy ? (m.names.get(r.closedBy) ?? r.closedBy) : '' })}</p>` : ''}
    ${r.status === 'closed' && m.full ? preventedOnClosedCase(l, m, csrf) : ''}
  </section>`;

  const summary = markup`<section class="card summary">
    <h2>${l.t('case.summary')}</h2>
    ${r.safety ? markup`<p class="safety-warning" role="note">${l.t(`safetyPreference.${r.safety}`)}</p>` : ''}
    ${r.discreet ? markup`<p class="safety-warning" role="note">${l.t('privacyPreference.discreet')}</p>` : ''}
    ${r.neutral ? markup`<p class="safety-warning" role="note">${l.t('privacyPreference.neutral')}</p>` : ''}
    <dl class="facts facts--wide">
      <div>
        <dt>${l.t('case.domains')}</dt>
        <dd>
          ${r.domains.length ? r.domains.map((d) => markup`<span class="chip">${l.domain(d)}</span>`) : l.t('common.notGiven')}
        </dd>
      </div>
      <div>
        <dt>${l.t('case.urgency')}</dt>
        <dd>${l.urgency(r.urgency)}</dd>
      </div>
      <div>
        <dt>${l.t('case.contact')}</dt>
        <dd>${l.contact(r.contact)}</dd>
      </div>
      ${m.full ? contactDetails(l, r.contactDetails) : ''}
      ${
        r.reachable
          ? markup`<div>
              <dt>${l.t('case.reachable')}</dt>
              <dd dir="auto">${l.reachable(r.reachable)}</dd>
            </div>`
          : ''
      }
      <div>
        <dt>${l.t('case.helper')}</dt>
        <dd>${l.helper(r.helperGender)}</dd>
      </div>
      <div>
        <dt>${l.t('case.language')}</dt>
        <dd>${l.language(r.language)}${r.writtenLanguage ? markup`<br />${writtenLanguage(l, r.writtenLanguage)}` : ''}</dd>
      </div>
      ${
        r.status === 'closed'
          ? markup`<div>
            <dt>${l.t('aftercare.title')}</dt>
            <dd id="aftercare">${aftercareStatus(l, r.aftercare)}</dd>
          </div>`
          : ''
      }
      <div>
        <dt>${l.t('case.reason')}</dt>
        <dd>
          ${l.reason(r.reason)}${
            r.previousHandoffId
              ? markup`<br /><a href="/inbox/handoffs/${r.previousHandoffId}">${l.t('case.previousCase')}</a>`
              : ''
          }
        </dd>
      </div>
      <div>
        <dt>${l.t('queue.waitingSince')}</dt>
        <dd>
          <time datetime="${r.createdAt.toISOString()}" data-ago>${l.ago(r.createdAt, m.now)}</time> (${l.dateTime(r.createdAt)})
        </dd>
      </div>
      ${
        m.full && r.residentName
          ? markup`<div>
              <dt>${l.t('case.residentName')}</dt>
              <dd dir="auto">${r.residentName}</dd>
            </div>`
          : ''
      }
      ${
        m.full && r.residentUnreachable
          ? markup`<div>
              <dt>${l.t('case.reach')}</dt>
              <dd class="warn">${l.t('case.unreachable')}</dd>
            </div>`
          : ''
      }
    </dl>
    ${m.full ? ownWords(ctx, m) : markup`<p class="notice">${m.can.claim ? l.t('case.claimToRead') : l.t('case.notYours')}</p>`}
    ${
      r.status !== 'closed'
        ? markup`<div class="matches">
            <h3>${l.t('match.title')}</h3>
            <ul>
              ${rankMatches(m.staffLoad, r)
                .slice(0, 5)
                .map(
                  (s) =>
                    markup`<li class="${s.speaksLanguage && s.fitsGender ? 'fit' : ''}">
                      ${s.name}
                      <span class="muted"
                        >· ${s.languages.map((c) => l.language(c)).join(', ')} · ${l.gender(s.gender)} ·
                        ${l.t('match.open', { count: s.openCases })}</span
                      >
                    </li>`,
                )}
            </ul>
          </div>`
        : ''
    }
  </section>`;

  const conversation = m.full
    ? markup`<section class="card conversation">
        <h2>${l.t('transcript.title')}</h2>
        <ol class="transcript" id="transcript" data-handoff="${r.id}">
          ${m.transcript.map((msg) => messageItem(ctx, msg))}
        </ol>
        ${replyBox(l, m, csrf)}${m.can.work ? sendFileForm(l, m, csrf) : ''}
      </section>`
    : '';

  const progress = m.full
    ? markup`<section class="card progress">
        <h2>${l.t('progress.title')}</h2>
        <form method="post" action="/inbox/handoffs/${r.id}/progress" class="stack">
          ${csrf}
          <fieldset ${m.can.work ? '' : markup`disabled`}>
            <label class="field"
              >${l.t('progress.phase')}
              <select name="phase">
                ${PHASES.map((ph, i) => markup`<option value="${ph}" ${r.phase === ph ? markup`selected` : ''}>${i + 1}. ${l.phase(ph)}</option>`)}
              </select>
            </label>
            <label class="field"
              >${l.t('progress.trajectory')}
              <select name="trajectory">
                <option value="" ${r.trajectory ? '' : markup`selected`}>${l.t('common.notGiven')}</option>
                ${TRAJECTORIES.map((tr) => markup`<option value="${tr}" ${r.trajectory === tr ? markup`selected` : ''}>${l.trajectory(tr)}</option>`)}
              </select>
            </label>
            <fieldset class="referrals">
              <legend>${l.t('progress.referrals')}</legend>
              ${m.agencies.map((a) => markup`<label class="check"><input type="checkbox" name="referrals" value="${a}" ${r.referrals.includes(a) ? markup`checked` : ''} /> ${l.agency(a)}</label>`)}
            </fieldset>
            ${m.can.work ? markup`<button type="submit" class="button">${l.t('progress.save')}</button>` : ''}
          </fieldset>
        </form>
      </section>`
    : '';

  const notes = m.full
    ? markup`<section class="card notes">
        <h2>${l.t('notes.title')}</h2>
        <p class="muted">${l.t('notes.private')}</p>
        <ul class="note-list">
          ${m.notes.map(
            (n) =>
              markup`<li>
                <div class="msg-meta">
                  <span class="msg-author">${m.names.get(n.authorId) ?? n.authorId}</span>
                  <time datetime="${n.createdAt.toISOString()}">${l.dateTime(n.createdAt)}</time>
                </div>
                <p class="msg-text" dir="auto">${n.text}</p>
              </li>`,
          )}
        </ul>
        ${
          r.status !== 'closed'
            ? markup`<form method="post" action="/inbox/handoffs/${r.id}/notes" class="stack">
                ${csrf}
                <label class="field"
                  >${l.t('notes.add')}<textarea name="text" rows="3" maxlength="4000" required dir="auto"></textarea>
                </label>
                <button type="submit" class="button">${l.t('notes.save')}</button>
              </form>`
            : ''
        }
      </section>`
    : '';

  const body = markup`${header}
    <div class="case-grid${m.can.work ? ' case-grid--working' : ''}">
      <div class="case-side">${actions}${summary}${otherCasesSection(l, m)}</div>
      <div class="case-main">${conversation}</div>
      <div class="case-extra">${progress}${notes}${m.full ? remindersSection(l, m, csrf) : ''}</div>
    </div>`;
  return layout(p, l.t('case.pageTitle'), body, { page: 'case', caseId: r.id });
}

/**
 * "What did the work likely prevent?" (issue 16, reports for funders): one choice, optional, counted
 * anonymously in the estimate of costs prevented.
 */
function preventedChoice(l: Labels, current: string | null, id: string): Html {
  return markup`<label class="field"
    >${l.t('funderReport.prevented.label')}
    <select name="prevented" id="${id}">
      <option value="" ${current ? '' : markup`selected`}>${l.t('funderReport.prevented.notRecorded')}</option>
      ${PREVENTED_OUTCOMES.map(
        (o) =>
          markup`<option value="${o}" ${current === o ? markup`selected` : ''}>${l.t(`funderReport.outcomes.${o}`)}</option>`,
      )}
    </select>
    <span class="muted">${l.t('funderReport.prevented.hint')}</span>
  </label>`;
}

/** A closed case: what it likely prevented, and for who closed it (or a coordinator) a form to change that. */
function preventedOnClosedCase(l: Labels, m: CaseViewModel, csrf: Html): Html {
  const r = m.record;
  const shown = r.prevented ? l.t(`funderReport.outcomes.${r.prevented}`) : l.t('funderReport.prevented.notRecorded');
  if (!m.can.prevented)
    return markup`<p class="muted" id="prevented">${l.t('funderReport.prevented.current', { outcome: shown })}</p>`;
  return markup`<form method="post" action="/inbox/handoffs/${r.id}/prevented" class="inline-form" id="prevented">
    ${csrf}${preventedChoice(l, r.prevented, 'prevented-outcome')}
    <button type="submit" class="button">${l.t('funderReport.prevented.save')}</button>
  </form>`;
}

/** Where the case's aftercare question stands: planned, asked (and the answer), not asked (and why), or none. */
function aftercareStatus(l: Labels, a: CaseRecord['aftercare']): string {
  if (a.skipped) return l.t('aftercare.skipped', { why: l.t(`aftercare.skippedWhy.${a.skipped}`) });
  if (a.sentAt) {
    const answer = a.answer
      ? l.t('aftercare.answer', { answer: l.t(`aftercare.answers.${a.answer}`) })
      : l.t('aftercare.noAnswer');
    return `${l.t('aftercare.asked', { when: l.dateTime(a.sentAt) })}. ${answer}`;
  }
  return a.at ? l.t('aftercare.planned', { when: l.dateTime(a.at) }) : l.t('aftercare.none');
}

/** "Remind me": the reader's own reminders on this case and a form for a new one (date, time, note). */
function remindersSection(l: Labels, m: CaseViewModel, csrf: Html): Html {
  const r = m.record;
  return markup`<section class="card reminders" id="reminders">
    <h2>${l.t('reminders.title')}</h2>
    <p class="muted">${l.t('reminders.hint')}</p>
    ${reminderList(l, m.reminders ?? [], csrf, r.id)}
    <form method="post" action="/inbox/handoffs/${r.id}/reminders" class="stack">
      ${csrf}
      <div class="inline-form">
        <label class="field">${l.t('reminders.date')}<input type="date" name="date" required value="${m.tomorrow ?? ''}" /></label>
        <label class="field">${l.t('reminders.time')}<input type="time" name="time" value="09:00" /></label>
      </div>
      <label class="field">${l.t('reminders.note')}<textarea name="note" rows="2" maxlength="1000" dir="auto"></textarea></label>
      <button type="submit" class="button">${l.t('reminders.add')}</button>
    </form>
  </section>`;
}

/** Reminders with their due time, note and a "done" button; `back` is the case to return to (else "Mijn zaken"). */
export function reminderList(l: Labels, reminders: readonly Reminder[], csrf: Html, back?: string): Html | string {
  if (reminders.length === 0) return '';
  return markup`<ul class="reminder-list">
    ${reminders.map(
      (rem) => markup`<li class="reminder${rem.notifiedAt ? ' reminder--due' : ''}">
        <div class="msg-meta">
          <time datetime="${rem.dueAt.toISOString()}">${l.dateTime(rem.dueAt)}</time>
          ${back ? '' : markup`<a href="/inbox/handoffs/${rem.handoffId}">${l.t('reminders.openCase')}</a>`}
        </div>
        ${rem.note ? markup`<p class="msg-text" dir="auto">${rem.note}</p>` : ''}
        <form method="post" action="/inbox/reminders/${rem.id}/done">
          ${csrf}<input type="hidden" name="back" value="${back ?? ''}" />
          <button type="submit" class="button button--small">${l.t('reminders.done')}</button>
        </form>
      </li>`,
    )}
  </ul>`;
}

/**
 * The language the first message was written in ("Eerste bericht in: Pools"): routing, shown wherever the
 * case's language is, so a trust person who speaks it can take the case.
 */
export function writtenLanguage(l: Labels, code: string | null): Html | string {
  if (!code) return '';
  return markup`<span class="written-language">${l.t('case.writtenLanguage', { language: l.writtenLanguage(code) })}</span>`;
}

/** What a `tel:` link may hold: digits with an optional leading +, as the intake keeps a number. */
const DIALABLE = /^\+?\d{3,15}$/;

/**
 * The phone number (tap to call) and the address or neighbourhood the resident gave: only for a reader of
 * the case (the caller checks), like the transcript. Both are the resident's own text, escaped by `markup`.
 */
function contactDetails(l: Labels, details: CaseRecord['contactDetails']): Html | string {
  const dialable = details.phone?.replace(/[\s\-().]/g, '') ?? '';
  return markup`${
    details.phone
      ? markup`<div>
          <dt>${l.t('case.contactPhone')}</dt>
          <dd>
            ${
              DIALABLE.test(dialable)
                ? markup`<a class="tel" id="contact-phone" href="tel:${dialable}" dir="ltr" aria-label="${l.t('case.call', { phone: details.phone })}">${details.phone}</a>`
                : markup`<span id="contact-phone" dir="ltr">${details.phone}</span>`
            }
          </dd>
        </div>`
      : ''
  }${
    details.address
      ? markup`<div>
          <dt>${l.t('case.contactAddress')}</dt>
          <dd dir="auto" id="contact-address">${details.address}</dd>
        </div>`
      : ''
  }`;
}

/**
 * "Earlier contact": each other case of the resident with its course, linking to it (opening it follows
 * the usual rules). Who held it helps matching, so a summary reader sees it; referrals only a case reader.
 */
function otherCasesSection(l: Labels, m: CaseViewModel): Html | string {
  if (m.otherCases.length === 0) return '';
  return markup`<section class="card other-cases">
    <h2>${l.t('case.otherCases')}</h2>
    <p class="muted">${l.t('case.otherCasesHint')}</p>
    <ul class="other-case-list">
      ${m.otherCases.map((c) => {
        const holder = c.claimedBy ? (m.names.get(c.claimedBy) ?? c.claimedBy) : null;
        const course = [
          l.phase(c.phase),
          c.trajectory ? l.trajectory(c.trajectory) : null,
          holder,
          c.closedAt ? l.t('case.otherCaseClosed', { when: l.dateTime(c.closedAt) }) : null,
        ].filter(Boolean);
        return markup`<li>
          <a href="/inbox/handoffs/${c.id}">${l.t('case.otherCaseFrom', { when: l.dateTime(c.createdAt) })}</a>
          <span class="badge badge--${c.status}">${l.status(c.status)}</span>
          <div class="muted">${course.join(' · ')}</div>
          ${m.full && c.referrals.length ? markup`<div>${c.referrals.map((a) => markup`<span class="chip">${l.agency(a)}</span>`)}</div>` : ''}
        </li>`;
      })}
    </ul>
  </section>`;
}

/** The resident's own words from the intake (notes point at messages), beside the summary. */
function ownWords(ctx: MessageContext, m: CaseViewModel): Html {
  const l = ctx.labels;
  const notes = m.record.intake?.notes ?? [];
  if (notes.length === 0) return markup``;
  const byId = new Map(m.transcript.map((t) => [t.id, t]));
  return markup`<div class="own-words">
    <h3>${l.t('case.ownWords')}</h3>
    ${notes.map((n) => {
      const msg = byId.get(n.messageId);
      if (!msg) return '';
      return markup`<blockquote class="own-word" dir="auto">
        ${msg.text ? markup`<p class="msg-text">${msg.text}</p>` : ''}${mediaBlock(ctx, msg)}${machineBlocks(ctx, msg)}
      </blockquote>`;
    })}
  </div>`;
}

function replyBox(l: Labels, m: CaseViewModel, csrf: Html): Html {
  const r = m.record;
  if (r.status === 'closed') return markup`<p class="notice">${l.t('reply.closed')}</p>`;
  if (!m.can.work)
    return markup`<p class="notice">${r.status === 'waiting' ? l.t('reply.claimFirst') : l.t('reply.notYours')}</p>`;
  return markup`${m.windowClosed ? markup`<p class="notice notice--warning" id="window-closed">${l.t('reply.windowClosed')}</p>` : ''}
  <form method="post" action="/inbox/handoffs/${r.id}/messages" class="reply" id="reply-form">
    ${csrf}
    <label class="field"
      ><span class="visually-hidden">${l.t('reply.label')}</span>
      <textarea
        name="text"
        id="reply-text"
        rows="3"
        maxlength="4000"
        required
        dir="auto"
        placeholder="${l.t('reply.placeholder')}"
      ></textarea>
    </label>
    ${m.cannedReplies && m.cannedReplies.length > 0 ? cannedReplyPicker(l, m.cannedReplies) : ''}
    ${m.translateTo ? translationPanel(l, m.translateTo) : ''}
    <div class="reply-bar">
      <span class="muted" id="reply-status" role="status"></span
      ><span class="reply-actions">${
        m.translateTo
          ? markup`<button type="button" class="button" id="reply-translate" hidden data-url="/inbox/handoffs/${r.id}/messages/preview">
              ${l.t('reply.translate', { language: l.language(m.translateTo) })}
            </button>`
          : ''
      }<button type="submit" class="button button--primary" id="reply-send">${l.t('reply.send')}</button></span>
    </div>
  </form>`;
}

/**
 * Issue 15, "Documents": a file for the resident (a filled-in form, a letter, a photo), below the reply
 * box, for whoever may reply. A plain multipart form that works without the page's script; the script
 * only says at once when a chosen file is too large (the server checks size and type again).
 */
function sendFileForm(l: Labels, m: CaseViewModel, csrf: Html): Html {
  const r = m.record;
  const max = m.maxFileBytes ?? 10 * 1024 * 1024;
  const size = `${Math.round((max / (1024 * 1024)) * 10) / 10} MB`;
  return markup`<details class="send-file" id="send-file">
    <summary>${l.t('sendFile.title')}</summary>
    <form
      method="post"
      action="/inbox/handoffs/${r.id}/files"
      enctype="multipart/form-data"
      class="stack"
      id="send-file-form"
      data-max-bytes="${max}"
      data-too-large="${l.t('sendFile.tooLarge', { max: size })}"
      data-sending="${l.t('sendFile.sending')}"
    >
      ${csrf}
      <p class="muted">${l.t('sendFile.hint', { max: size })}</p>
      <label class="field"
        >${l.t('sendFile.file')}
        <input type="file" name="file" id="send-file-input" accept="${UPLOAD_TYPES.join(',')}" required />
      </label>
      <label class="field"
        >${l.t('sendFile.caption')}
        <textarea name="caption" id="send-file-caption" rows="2" maxlength="${MAX_CAPTION_LENGTH}" dir="auto"></textarea>
      </label>
      <div class="reply-bar">
        <span class="muted" id="send-file-status" role="status"></span>
        <button type="submit" class="button" id="send-file-submit">${l.t('sendFile.send')}</button>
      </div>
    </form>
  </details>`;
}

/**
 * Issue 16: canned replies to insert into the reply box (its script puts the chosen text in; without the
 * script the picker stays hidden). Grouped by language, the resident's first.
 */
function cannedReplyPicker(l: Labels, replies: NonNullable<CaseViewModel['cannedReplies']>): Html {
  const locales = [...new Set(replies.map((r) => r.locale))];
  return markup`<label class="field canned-picker" id="canned-picker" hidden
    ><span class="visually-hidden">${l.t('canned.insert')}</span>
    <select id="canned-reply">
      <option value="">${l.t('canned.insert')}</option>
      ${locales.map(
        (locale) => markup`<optgroup label="${l.language(locale)}">
          ${replies
            .filter((r) => r.locale === locale)
            .map((r) => markup`<option value="${String(r.id)}" data-text="${r.text}" data-locale="${r.locale}">${r.title}</option>`)}
        </optgroup>`,
      )}
    </select>
  </label>`;
}

/**
 * Issue 15: the draft's machine translation, editable, and what goes to the resident. Its script fills
 * it in and shows it; without the script it stays hidden and the reply goes as written.
 */
function translationPanel(l: Labels, locale: string): Html {
  return markup`<fieldset class="reply-translation" id="reply-translation" hidden>
      <label class="field"
        ><span>${l.t('reply.translationLabel', { language: l.language(locale) })}</span>
        <textarea name="translation" id="reply-translation-text" rows="3" maxlength="4000" dir="auto" lang="${locale}"></textarea>
      </label>
      <div class="reply-translation-choice" role="radiogroup" aria-label="${l.t('reply.sendChoice')}">
        <span class="muted">${l.t('reply.sendChoice')}</span>
        ${(['both', 'translation', 'original'] as const).map(
          (choice) => markup`<label class="choice"
            ><input type="radio" name="send" value="${choice}"${choice === 'both' ? markup` checked` : ''} />
            ${l.t(`reply.send${choice[0]!.toUpperCase()}${choice.slice(1)}`)}</label
          >`,
        )}
      </div>
    </fieldset>`;
}

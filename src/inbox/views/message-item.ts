import type { TranscriptMessage } from '../../handoff/handoff-queries.js';
import { markup, type Html } from '../../server/html.js';
import type { Labels } from '../../i18n/labels.js';

export interface MessageContext {
  labels: Labels;
  handoffId: string;
  names: Map<string, string>;
  /** Writing direction of a locale (bot messages carry theirs). */
  dirOf: (locale: string) => 'ltr' | 'rtl';
}

/** A pressed button (`step:option`) in words the staff member reads. */
function choiceLabel(l: Labels, choice: string): string {
  const [step, option = ''] = choice.split(':');
  switch (step) {
    case 'domains':
      return l.domain(option);
    case 'urgency':
      return l.urgency(option);
    case 'contact':
      return l.contact(option);
    case 'reachable':
      return l.reachable(option);
    case 'helper':
      return l.helper(option);
    case 'language':
      return l.language(option);
    case 'cmd':
      return ['skip', 'continue', 'person'].includes(option) ? l.t(`transcript.command.${option}`) : `/${option}`;
    default:
      return l.botOption(step ?? '', option);
  }
}

export function authorLabel(l: Labels, names: Map<string, string>, m: Pick<TranscriptMessage, 'direction' | 'author'>): string {
  if (m.direction === 'in') return l.t('transcript.resident');
  if (!m.author || m.author === 'bot') return l.t('transcript.bot');
  return names.get(m.author) ?? (m.author === 'api' ? 'API' : l.t('transcript.staff'));
}

/**
 * A voice note, image, video or file of the resident, or a photo or PDF a trust person sent them (issue
 * 15), served through the authorised media route.
 */
export function mediaBlock(
  ctx: MessageContext,
  m: Pick<TranscriptMessage, 'mediaId' | 'mediaKind'> & Partial<Pick<TranscriptMessage, 'direction'>>,
): Html {
  const l = ctx.labels;
  if (!m.mediaKind) return markup``;
  if (!m.mediaId) return markup`<p class="media-missing">${l.t('transcript.mediaMissing')}</p>`;
  const src = `/inbox/handoffs/${ctx.handoffId}/media/${m.mediaId}`;
  switch (m.mediaKind) {
    case 'voice':
    case 'audio':
      return markup`<audio class="media-audio" controls preload="none" src="${src}"></audio
        ><a class="media-download" href="${src}?download=1">${l.t('transcript.download')}</a>`;
    case 'image':
      return markup`<a href="${src}" target="_blank" rel="noopener"
        ><img class="media-image" src="${src}" alt="${m.direction === 'out' ? l.t('sendFile.photoSent') : l.t('transcript.image')}" loading="lazy"
      /></a>`;
    case 'video':
      return markup`<video class="media-video" controls preload="none" src="${src}"></video>`;
    default:
      return markup`<a class="media-download" href="${src}?download=1">${m.direction === 'out' ? l.t('sendFile.documentSent') : l.t('transcript.file')}</a>`;
  }
}

/**
 * What a voice note says (issue 15), under its player, in the language it was spoken in; or that the
 * speech server could not read it. Marked as automatic: the trust person listens when it matters.
 */
function transcriptBlock(ctx: MessageContext, m: Pick<TranscriptMessage, 'transcript'>): Html {
  const l = ctx.labels;
  if (m.transcript === null) return markup``;
  if (m.transcript === 'failed') return markup`<p class="msg-machine msg-machine--failed">${l.t('transcript.spokenFailed')}</p>`;
  const { text, locale } = m.transcript;
  const label = locale ? l.t('transcript.spoken', { language: l.language(locale) }) : l.t('transcript.spokenUnknown');
  return markup`<div class="msg-machine msg-transcript">
      <span class="msg-machine-label">${label}</span>
      <p class="msg-text" dir="auto"${locale ? markup` lang="${locale}"` : ''}>${text}</p>
    </div>`;
}

/**
 * Inbound: the machine translation into the staff language, beside the original. Outbound: the trust
 * person's own text, when what went to the resident was its translation.
 */
function translationBlock(ctx: MessageContext, m: Pick<TranscriptMessage, 'direction' | 'translation' | 'locale'>): Html {
  const l = ctx.labels;
  if (!m.translation) return markup``;
  const { text, locale } = m.translation;
  const label =
    m.direction === 'out'
      ? l.t('transcript.sentTranslated', { language: l.language(m.locale) })
      : m.locale
        ? l.t('transcript.machineTranslation', { language: l.language(m.locale) })
        : l.t('transcript.machineTranslationAuto');
  return markup`<div class="msg-machine msg-translation">
      <span class="msg-machine-label">${label}</span>
      <p class="msg-text" dir="auto"${locale ? markup` lang="${locale}"` : ''}>${text}</p>
    </div>`;
}

/** A message's transcript and translation, wherever the message is shown (the transcript, the own words). */
export function machineBlocks(
  ctx: MessageContext,
  m: Pick<TranscriptMessage, 'direction' | 'transcript' | 'translation' | 'locale'>,
): Html {
  return markup`${transcriptBlock(ctx, m)}${translationBlock(ctx, m)}`;
}

/** Discreet mode touched it: the bot's own messages show their state then too. */
const isDeletion = (d: TranscriptMessage['delivery']) =>
  d !== null && ['deleting', 'deleted', 'delete-failed', 'not-deleted'].includes(d.channelStatus ?? '');

function deliveryLine(l: Labels, d: TranscriptMessage['delivery']): Html {
  if (!d) return markup``;
  let key: string;
  // Discreet mode: whether the message was taken off the resident's screen again (src/conversation/effects/clean-chat.ts).
  if (d.channelStatus === 'deleting' && d.status === 'pending') key = 'deleting';
  else if (d.channelStatus === 'deleted') key = 'deleted';
  else if (d.channelStatus === 'delete-failed' || d.channelStatus === 'not-deleted') key = 'notDeleted';
  // WhatsApp's Cloud API delivers free text only within 24 hours of the resident's last message.
  else if (d.status === 'failed' && d.lastError?.startsWith('window-closed: waiting')) key = 'windowWaiting';
  else if (d.status === 'failed' && (d.channelStatus === 'window-closed' || d.lastError?.startsWith('window-closed')))
    key = 'windowClosed';
  else if (d.status === 'failed') key = 'failed';
  else if (d.status === 'pending') key = d.lastError ? 'retrying' : 'pending';
  else
    key =
      d.channelStatus === 'read' || d.channelStatus === 'played'
        ? 'read'
        : d.channelStatus === 'delivered'
          ? 'delivered'
          : 'sent';
  return markup`<span class="delivery delivery--${key}" data-delivery="${key}">${l.t(`delivery.${key}`)}</span>`;
}

/**
 * One message of the transcript. Text is escaped by the template and keeps its line breaks (CSS);
 * its direction is the browser's reading of the text itself (dir="auto"), or the bot's locale.
 */
export function messageItem(ctx: MessageContext, m: TranscriptMessage): Html {
  const l = ctx.labels;
  const kind = m.direction === 'in' ? 'in' : m.author && m.author !== 'bot' ? 'staff' : 'bot';
  const dir = kind === 'bot' && m.locale ? ctx.dirOf(m.locale) : 'auto';
  return markup`<li class="msg msg--${kind}" id="m-${m.id}" data-id="${m.id}">
    <div class="msg-meta">
      <span class="msg-author">${authorLabel(l, ctx.names, m)}</span>
      <time datetime="${m.createdAt.toISOString()}">${l.time(m.createdAt)}</time>
    </div>
    <div class="msg-body" dir="${dir}">
      ${
        m.text
          ? markup`<p class="msg-text">${m.text}</p>`
          : m.choice
            ? markup`<p class="msg-choice">${l.t('transcript.pressed')} <span class="chip">${choiceLabel(l, m.choice)}</span></p>`
            : ''
      }${mediaBlock(ctx, m)}${machineBlocks(ctx, m)}
    </div>
    ${kind === 'staff' || (kind === 'bot' && isDeletion(m.delivery)) ? markup`<div class="msg-status">${deliveryLine(l, m.delivery)}</div>` : ''}
  </li>`;
}

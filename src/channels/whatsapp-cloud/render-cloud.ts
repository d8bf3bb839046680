import type { Texts } from '../../engine/texts.js';
import type { Choice } from '../../engine/types.js';
import { splitText } from '../telegram/render-telegram.js';
import { renderForWhatsApp, type RenderableMessage } from '../whatsapp/render-whatsapp.js';
import type {
  CloudButtonInteractive,
  CloudInteractiveBody,
  CloudListInteractive,
  CloudMessageBody,
  CloudTextBody,
} from './graph-api.js';

/** The Cloud API's limits, in characters. */
export const CLOUD_LIMITS = {
  text: 4096,
  /** The body of an interactive message. */
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  listButton: 20,
} as const;

export interface CloudRenderOptions {
  texts: Texts;
  /**
   * The label of the button that opens a list, in the message's language (`whatsapp:cloud.listButton`).
   * Without one, choices that need a list go out as numbered text.
   */
  listButtonLabel: string | undefined;
}

/**
 * One outbound message as Cloud API messages, in sending order. No choices: text, split at 4,096
 * characters. Up to three short choices: reply buttons; up to ten: a list; more: the numbered text
 * of the WhatsApp Web channel. The numbered list is in the body of buttons and lists too (same
 * numbering as render-whatsapp.ts), so typing the number works as on the other channels. A body
 * longer than an interactive message holds goes first as text, the interactive then gets a short one.
 */
export function renderForCloud(message: RenderableMessage, options: CloudRenderOptions): CloudMessageBody[] {
  const choices = message.choices ?? [];
  if (choices.length === 0) return textParts(message.text);
  const interactive = interactiveOf(choices, options.listButtonLabel);
  if (!interactive) return textParts(renderForWhatsApp(message, options.texts));

  const numbered = choices.filter((c) => c.number !== undefined);
  const withList = (text: string) => renderForWhatsApp({ text, choices: numbered, locale: message.locale }, options.texts);
  const labelsOnly = choices.map((c) => c.label).join('\n');
  const whole = withList(message.text);
  // An interactive message needs a body: with neither text nor numbers, the labels are it.
  if (whole.trim() === '') return [withBody(interactive, truncate(labelsOnly, CLOUD_LIMITS.interactiveBody))];
  if (whole.length <= CLOUD_LIMITS.interactiveBody) return [withBody(interactive, whole)];

  // Too long for one interactive body: the earlier paragraphs as text, the question with the buttons.
  const paragraphs = message.text.split('\n\n');
  const question = withList(paragraphs.pop() ?? '');
  if (paragraphs.length > 0 && question.length <= CLOUD_LIMITS.interactiveBody) {
    return [...textParts(paragraphs.join('\n\n')), withBody(interactive, question)];
  }
  const listOnly = withList('').trim() || labelsOnly;
  return [...textParts(message.text), withBody(interactive, truncate(listOnly, CLOUD_LIMITS.interactiveBody))];
}

function textParts(text: string): CloudTextBody[] {
  return splitText(text, CLOUD_LIMITS.text).map((body) => ({ type: 'text', text: { body, preview_url: false } }));
}

/** Buttons when the choices fit them, a list when they fit one, else nothing (plain text then). */
function interactiveOf(
  choices: Choice[],
  listButtonLabel: string | undefined,
): CloudButtonInteractive | CloudListInteractive | undefined {
  const labels = choices.map((c) => c.label);
  const fitButtons =
    choices.length <= CLOUD_LIMITS.buttons &&
    labels.every((label) => label.length > 0 && label.length <= CLOUD_LIMITS.buttonTitle) &&
    new Set(labels).size === labels.length && // WhatsApp refuses two buttons with one title
    choices.every((c) => c.id.length <= CLOUD_LIMITS.buttonId);
  if (fitButtons) {
    return {
      type: 'button',
      body: { text: '' },
      action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.id, title: c.label } })) },
    };
  }
  if (
    !listButtonLabel ||
    choices.length > CLOUD_LIMITS.rows ||
    choices.some((c) => c.id.length > CLOUD_LIMITS.rowId || c.label.length === 0)
  ) {
    return undefined;
  }
  return {
    type: 'list',
    body: { text: '' },
    action: {
      button: truncate(listButtonLabel, CLOUD_LIMITS.listButton),
      sections: [
        {
          rows: choices.map((c) => ({
            id: c.id,
            title: truncate(c.label, CLOUD_LIMITS.rowTitle),
            // A title cut short: the whole label underneath.
            ...(c.label.length > CLOUD_LIMITS.rowTitle ? { description: truncate(c.label, CLOUD_LIMITS.rowDescription) } : {}),
          })),
        },
      ],
    },
  };
}

function withBody(interactive: CloudButtonInteractive | CloudListInteractive, text: string): CloudInteractiveBody {
  return { type: 'interactive', interactive: { ...interactive, body: { text } } };
}

/** At most `max` characters: cut at a space in the second half if there is one, and marked with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const space = text.lastIndexOf(' ', cut);
  if (space >= max / 2) cut = space;
  // Never between the two halves of a surrogate pair (an emoji, some scripts).
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}

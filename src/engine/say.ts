import type { OutboundTemplate } from './types.js';
/**
 * What the machine asks to be said, before translation. Values are either plain or references to
 * locale keys, so the snapshot and the machine stay language-free and the renderer does the words.
 */
export type TextValue =
  | string
  | number
  | { t: string; vars?: Record<string, TextValue> | undefined }
  /** Values joined; `sep` is a text too, so a list of labels is separated as its language does ("، " in Arabic). */
  | { join: TextValue[]; sep: TextValue }
  /** A calendar date (`YYYY-MM-DD`) as the renderer's language names it: the weekday, or day and month. */
  | { date: string; show: 'weekday' | 'dayMonth' };

export interface ChoiceRef {
  id: string;
  label: string;
  number?: number | undefined;
}

export interface SayRequest {
  type: 'say';
  key: string;
  vars?: Record<string, TextValue> | undefined;
  choices?: ChoiceRef[] | undefined;
  /** The same key in every locale, one under the other (the language question before a language is known). */
  allLocales?: boolean | undefined;
  /** The approved template that stands in for this message outside a channel's service window (see OutboundMessage). */
  template?: OutboundTemplate | undefined;
  /** Further paragraphs of the same message (when someone will answer, under the handoff message). */
  more?: { key: string; vars?: Record<string, TextValue> | undefined }[] | undefined;
}

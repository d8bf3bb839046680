/**
 * Control characters a person never means to send (NUL, the other C0 codes but tab and line breaks,
 * DEL, C1). PostgreSQL refuses NUL in text outright, and the rest only garble a transcript, so they
 * are removed wherever text comes in: the resident's words, names and captions on every channel, and
 * staff replies and notes. Removing, not refusing: a message is never lost over an invisible byte.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const ALL_CONTROL = new RegExp(CONTROL.source, 'g');

export function withoutControlCharacters(text: string): string {
  return CONTROL.test(text) ? text.replace(ALL_CONTROL, '') : text;
}

/** The same for an optional field. */
export function cleanOptionalText<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : withoutControlCharacters(text)) as T;
}

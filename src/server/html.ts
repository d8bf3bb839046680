import { escapeHtml } from './escape-html.js';

/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is itself Html (made by
 * this tag or by `trusted`). Arrays are joined; null, undefined and false render as nothing. Resident
 * text can only reach a page through it, so it is always shown as text.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function markup(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Markup we made ourselves (never resident or staff text). */
export const trusted = (markup: string) => new Html(markup);

/** A JSON value for a `<script type="application/json">` block: `<` escaped so `</script>` cannot close it. */
export const jsonForScript = (value: unknown) => new Html(JSON.stringify(value).replace(/</g, '\\u003c'));

import type { SayRequest, TextValue } from './say.js';
import type { Texts } from './texts.js';
import type { OutboundMessage } from './types.js';

export interface RenderDefaults {
  /** Shown as {{org}} in every text. */
  org: string;
}

/** How a conversation wants its messages worded (discreet mode's neutral wording). */
export interface RenderStyle {
  /**
   * Neutral wording: a neutral first line (what a notification preview shows) and never the
   * organisation's name: texts are looked up with i18next's `neutral` context (`greeting_neutral`
   * before `greeting`), and {{org}} is empty should a text without a neutral variant name it.
   */
  neutral?: boolean | undefined;
}

/** Turns the machine's say requests into messages in the resident's language. Pure. */
export function renderSay(
  request: SayRequest,
  locale: string,
  texts: Texts,
  defaults: RenderDefaults,
  style: RenderStyle = {},
): OutboundMessage {
  const neutral = style.neutral === true;
  const context = neutral ? { context: 'neutral' } : {};
  const resolveIn =
    (l: string) =>
    (value: TextValue): string => {
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      if ('t' in value) return texts.t(l, value.t, { ...baseVars(l), ...resolveVars(value.vars, l), ...context });
      return value.join.map(resolveIn(l)).join(value.sep);
    };
  const resolveVars = (vars: Record<string, TextValue> | undefined, l: string) => {
    const out: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(vars ?? {})) out[name] = typeof value === 'number' ? value : resolveIn(l)(value);
    return out;
  };
  const baseVars = (l: string) => ({ org: neutral ? '' : defaults.org, language: texts.t(l, `bot:language.name.${l}`) });
  const sentence = (l: string) => texts.t(l, request.key, { ...baseVars(l), ...resolveVars(request.vars, l), ...context });

  const said = request.allLocales ? texts.locales.map(sentence).join('\n\n') : sentence(locale);
  const text = neutral ? `${texts.t(locale, 'bot:neutral.firstLine')}\n\n${said}` : said;
  const choices = request.choices?.map((c) => ({
    id: c.id,
    label: texts.t(locale, c.label, { ...baseVars(locale), ...context }),
    ...(c.number !== undefined ? { number: c.number } : {}),
  }));
  return {
    text,
    ...(choices && choices.length > 0 ? { choices } : {}),
    locale,
    dir: request.allLocales ? 'ltr' : texts.dir(locale),
  };
}

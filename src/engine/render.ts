import type { SayRequest, TextValue } from './say.js';
import type { Texts } from './texts.js';
import type { OutboundMessage } from './types.js';

export interface RenderDefaults {
  /** Shown as {{org}} in every text. */
  org: string;
  /**
   * The organisation's walk-in hours and address ({{walkInHours}}, {{walkInAddress}}); the hours are
   * worded per language. Without them `bot:walkIn.info` is said as `bot:walkIn.none`.
   */
  walkIn?: { hours: (locale: string) => string; address: string } | undefined;
}

/** The walk-in hours and address, said when a resident chooses to drop in (flows/intake.json). */
const WALK_IN_INFO = 'bot:walkIn.info';

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
      if ('date' in value) return dateName(value.date, value.show, l);
      return value.join.map(resolveIn(l)).join(resolveIn(l)(value.sep));
    };
  const resolveVars = (vars: Record<string, TextValue> | undefined, l: string) => {
    const out: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(vars ?? {})) out[name] = typeof value === 'number' ? value : resolveIn(l)(value);
    return out;
  };
  const baseVars = (l: string) => ({
    org: neutral ? '' : defaults.org,
    language: texts.t(l, `bot:language.name.${l}`),
    ...(defaults.walkIn ? { walkInHours: defaults.walkIn.hours(l), walkInAddress: defaults.walkIn.address } : {}),
  });
  const paragraph = (l: string, key: string, vars: Record<string, TextValue> | undefined) =>
    texts.t(l, key, { ...baseVars(l), ...resolveVars(vars, l), ...context });
  const key = request.key === WALK_IN_INFO && !defaults.walkIn ? 'bot:walkIn.none' : request.key;
  const sentence = (l: string) =>
    [paragraph(l, key, request.vars), ...(request.more ?? []).map((p) => paragraph(l, p.key, p.vars))].join('\n\n');

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
    ...(request.template ? { template: request.template } : {}),
  };
}

/** Building an Intl formatter costs far more than using one (a few hundred µs): one per language and kind. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date's weekday ("maandag", "الاثنين") or day and month ("28 december") in a language, from the platform's ICU data. */
function dateName(date: string, show: 'weekday' | 'dayMonth', locale: string): string {
  const key = `${locale} ${show}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      locale,
      show === 'weekday'
        ? { weekday: 'long', timeZone: 'UTC' }
        : { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' },
    );
    dateFormats.set(key, format);
  }
  return format.format(new Date(`${date}T12:00:00Z`));
}

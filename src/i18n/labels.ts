import type { Texts } from '../engine/texts.js';

/** Times on staff pages are the organisation's local time. */
export const TIME_ZONE = 'Europe/Amsterdam';

/**
 * The staff UI's words in one staff member's language (namespace `staff`), and the names of the ids a
 * handoff stores (domains, urgency, contact, languages, agencies). An id without a label shows as itself.
 */
export function createLabels(texts: Texts, locale: string) {
  const lng = texts.locales.includes(locale) ? locale : texts.sourceLocale;
  const t = (key: string, vars?: Record<string, unknown>) => texts.t(lng, `staff:${key}`, vars);
  const optional = (key: string, fallback: string) => {
    const full = `staff:${key}`;
    return texts.has(full) ? texts.t(lng, full) : fallback;
  };
  const relative = new Intl.RelativeTimeFormat(lng, { numeric: 'auto', style: 'long' });
  const dateTime = new Intl.DateTimeFormat(lng, { dateStyle: 'short', timeStyle: 'short', timeZone: TIME_ZONE });
  const time = new Intl.DateTimeFormat(lng, { hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE });
  const languageNames = new Intl.DisplayNames(lng, { type: 'language', fallback: 'code' });
  /** Our own word for a language if we have one (Tarifit), else the runtime's (`pl` → "Pools"), else the code. */
  const languageName = (code: string) => {
    const own = `staff:languages.${code}`;
    if (texts.has(own)) return texts.t(lng, own);
    try {
      return languageNames.of(code) ?? code;
    } catch {
      return code; // not a well-formed language code
    }
  };
  return {
    locale: lng,
    dir: texts.dir(lng),
    t,
    language: (code: string | null | undefined) => (code ? languageName(code) : t('common.unknown')),
    /**
     * The language a first message was written in, in words: "Pools", or for `darija-latin` "Darija in
     * Latijnse letters" (`staff:writtenLanguages`).
     */
    writtenLanguage: (code: string) => optional(`writtenLanguages.${code}`, languageName(code)),
    channel: (id: string) => optional(`channels.${id}`, id),
    domain: (id: string) => optional(`answers.domains.${id}`, id),
    urgency: (id: string | null) => (id ? optional(`answers.urgency.${id}`, id) : t('common.notGiven')),
    contact: (id: string | null) => (id ? optional(`answers.contact.${id}`, id) : t('common.notGiven')),
    /** A typed time ("na 14:00") is shown as the resident wrote it. */
    reachable: (id: string | null) => (id ? optional(`answers.reachable.${id}`, id) : t('common.notGiven')),
    helper: (id: string | null) => (id ? optional(`answers.helper.${id}`, id) : t('common.notGiven')),
    reason: (id: string) => optional(`reasons.${id}`, id),
    status: (id: string) => t(`status.${id}`),
    phase: (id: string) => t(`phases.${id}`),
    trajectory: (id: string | null) => (id ? t(`trajectories.${id}`) : t('common.notGiven')),
    agency: (id: string) => optional(`agencies.${id}`, id),
    /** A button of the intake by the resident-facing label (for steps without a staff label). */
    botOption: (step: string, option: string) => {
      const key = `bot:${step}.${option}`;
      return texts.has(key) ? texts.t(lng, key) : `${step}:${option}`;
    },
    role: (id: string) => t(`roles.${id}`),
    gender: (id: string | null) => (id ? optional(`genders.${id}`, id) : t('common.notGiven')),
    ago(at: Date, now = new Date()): string {
      const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(Math.trunc(seconds), 'second');
      if (abs < 3600) return relative.format(Math.trunc(seconds / 60), 'minute');
      if (abs < 86400) return relative.format(Math.trunc(seconds / 3600), 'hour');
      return relative.format(Math.trunc(seconds / 86400), 'day');
    },
    dateTime: (at: Date) => dateTime.format(at),
    time: (at: Date) => time.format(at),
  };
}

export type Labels = ReturnType<typeof createLabels>;

/** The referral agencies are the keys of `staff:agencies` in the source locale: data, not code. */
export function agencyIds(
  texts: { i18n: { getResourceBundle(lng: string, ns: string): unknown } },
  sourceLocale = 'nl',
): string[] {
  const bundle = texts.i18n.getResourceBundle(sourceLocale, 'staff') as { agencies?: Record<string, string> } | undefined;
  return Object.keys(bundle?.agencies ?? {});
}

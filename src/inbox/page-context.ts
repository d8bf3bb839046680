import type { Context } from 'hono';
import type { Texts } from '../engine/texts.js';
import type { InboxEnv } from './inbox-env.js';
import { createLabels } from '../i18n/labels.js';
import type { ChannelWarning, PageContext } from './views/layout.js';

/** The UI language for someone not logged in: the browser's first supported language, else Dutch. */
export function browserLocale(acceptLanguage: string | undefined, texts: Texts): string {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const base = part.split(';')[0]!.trim().toLowerCase().split('-')[0];
    if (base && texts.locales.includes(base)) return base;
  }
  return texts.sourceLocale;
}

export function pageContext(
  c: Context<InboxEnv>,
  texts: Texts,
  org: string,
  assetVersion: string,
  channelWarnings: () => ChannelWarning[] = () => [],
): PageContext {
  const staff = c.get('staff');
  const locale = staff?.uiLocale ?? browserLocale(c.req.header('accept-language'), texts);
  return {
    labels: createLabels(texts, locale),
    org,
    assetVersion,
    staff,
    csrfToken: c.get('csrfToken'),
    channelWarnings: staff?.role === 'coordinator' ? channelWarnings() : undefined,
  };
}

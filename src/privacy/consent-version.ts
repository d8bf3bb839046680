import { createHash } from 'node:crypto';
import type { FlowDefinition } from '../engine/flow-definition.js';
import { renderSay, type RenderDefaults, type RenderStyle } from '../engine/render.js';
import type { Texts } from '../engine/texts.js';

/** The version of the consent text in one language (a short hash of what the resident was shown). */
export interface ConsentVersion {
  (locale: string): string;
  /** The version of the text in neutral wording (discreet mode: a neutral first line, no organisation name). */
  neutral?: (locale: string) => string;
}

/** Consent given before consents were recorded (migration 0004), and a flow without a consent question. */
export const UNVERSIONED = 'unversioned';

/**
 * The version of the consent text a resident answered: the first 12 hex digits of the SHA-256 of the
 * consent question and its answers exactly as rendered in that language (organisation name filled in).
 * Any change to the wording, in any language, gives that language a new version; the old one stays in
 * the records that named it, and git history holds the text of every version. Computed once per locale.
 */
export function createConsentVersions(flow: FlowDefinition, texts: Texts, render: RenderDefaults): ConsentVersion {
  const versions: ConsentVersion = versionsOf(flow, texts, render, {});
  versions.neutral = versionsOf(flow, texts, render, { neutral: true });
  return versions;
}

function versionsOf(flow: FlowDefinition, texts: Texts, render: RenderDefaults, style: RenderStyle): (locale: string) => string {
  const step = flow.steps.find((s) => s.kind === 'choice' && s.save === 'consent');
  const cache = new Map<string, string>();
  return (locale) => {
    if (!step || step.kind !== 'choice') return UNVERSIONED;
    let version = cache.get(locale);
    if (!version) {
      const shown = renderSay(
        { type: 'say', key: step.prompt, choices: step.options.map((o) => ({ id: `${step.id}:${o.id}`, label: o.label })) },
        locale,
        texts,
        render,
        style,
      );
      const canonical = JSON.stringify({ locale, text: shown.text, answers: shown.choices?.map((c) => [c.id, c.label]) ?? [] });
      version = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
      cache.set(locale, version);
    }
    return version;
  };
}

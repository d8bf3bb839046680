import { SAFETY_OPTIONS } from './machine/context.js';
import { AFTERCARE_ANSWERS } from './types.js';
import type { FlowDefinition } from './flow-definition.js';
import { normalize } from './text-match.js';
import type { Texts } from './texts.js';

export const COMMANDS = [
  'person',
  'language',
  'restart',
  'stop',
  'help',
  'continue',
  'skip',
  'discreet',
  'neutral',
  'normal',
] as const;
export type Command = (typeof COMMANDS)[number];

/** A word list entry ready for matching: normalised, or kept raw when it is only punctuation ("?", "-"). */
export interface WordEntry {
  normalized: string;
  raw: string;
}

export interface LocaleVocabulary {
  commands: Map<Command, WordEntry[]>;
  /** A whole message that says "yes, there is more" where a step asks whether there is (`words:more`). */
  more: WordEntry[];
  /** step id -> option id -> words that choose it (the option's label first). */
  options: Map<string, Map<string, WordEntry[]>>;
}

/** Every word list of every locale, normalised once when the engine is built. */
export type Vocabulary = Map<string, LocaleVocabulary>;

function entry(word: string): WordEntry {
  return { normalized: normalize(word), raw: word.trim() };
}

export function buildVocabulary(flow: FlowDefinition, texts: Texts): Vocabulary {
  const vocabulary: Vocabulary = new Map();
  for (const locale of texts.locales) {
    const commands = new Map<Command, WordEntry[]>();
    for (const command of COMMANDS) commands.set(command, texts.list(locale, `words:commands.${command}`).map(entry));
    const options = new Map<string, Map<string, WordEntry[]>>();
    for (const step of flow.steps) {
      const stepOptions =
        step.kind === 'choice' || step.kind === 'multi'
          ? step.options.map((o) => ({ id: o.id, label: o.label }))
          : step.kind === 'summary'
            ? [
                { id: 'confirm', label: step.confirm.label },
                { id: 'change', label: step.change.label },
              ]
            : step.kind === 'details'
              ? [{ id: 'known', label: step.confirmLabel }]
              : [];
      const byOption = new Map<string, WordEntry[]>();
      for (const option of stepOptions) {
        byOption.set(option.id, [
          entry(texts.t(locale, option.label)),
          ...texts.list(locale, `words:options.${step.id}.${option.id}`).map(entry),
        ]);
      }
      options.set(step.id, byOption);
    }
    options.set(
      'stop',
      new Map([
        ['yes', [entry(texts.t(locale, 'bot:stop.yes')), ...texts.list(locale, 'words:options.stop.yes').map(entry)]],
        ['no', [entry(texts.t(locale, 'bot:stop.no')), ...texts.list(locale, 'words:options.stop.no').map(entry)]],
      ]),
    );
    options.set(
      'safety',
      new Map(
        SAFETY_OPTIONS.map((id) => [
          id,
          [entry(texts.t(locale, `bot:safety.options.${id}`)), ...texts.list(locale, `words:options.safety.${id}`).map(entry)],
        ]),
      ),
    );
    options.set(
      'aftercare',
      new Map(
        AFTERCARE_ANSWERS.map((id) => [
          id,
          [
            entry(texts.t(locale, `bot:aftercare.options.${id}`)),
            ...texts.list(locale, `words:options.aftercare.${id}`).map(entry),
          ],
        ]),
      ),
    );
    vocabulary.set(locale, { commands, more: texts.list(locale, 'words:more').map(entry), options });
  }
  return vocabulary;
}

export function matchesEntry(rawText: string, normalizedText: string, word: WordEntry): boolean {
  return word.normalized ? normalizedText === word.normalized : rawText.trim() === word.raw;
}

import type { CommandEventType, MachineEvent } from './events.js';
import { containsPhrase, guessLocaleFromScript, normalize, parseNumbers, wordCount } from './text-match.js';
import type { InboundContent } from './types.js';
import { COMMANDS, matchesEntry, type Command, type Vocabulary, type WordEntry } from './vocabulary.js';

/** The step the resident is at, as far as reading their message is concerned. */
export interface StepView {
  id: string;
  /** How answers are read: one option, several, or none (a step that only listens). */
  answers: 'one' | 'many' | 'none';
  optionIds: string[];
}

const COMMAND_EVENTS: Record<Command, CommandEventType> = {
  person: 'PERSON',
  language: 'LANGUAGE',
  restart: 'RESTART',
  stop: 'STOP',
  help: 'HELP',
  continue: 'CONTINUE',
  skip: 'SKIP',
  discreet: 'DISCREET',
  neutral: 'NEUTRAL',
  normal: 'NORMAL',
};

/** Telegram-style commands work on every channel; /start on a running conversation just repeats the question. */
const SLASH_COMMANDS: Record<string, CommandEventType> = {
  '/start': 'CONTINUE',
  '/help': 'HELP',
  '/stop': 'STOP',
  '/language': 'LANGUAGE',
  '/person': 'PERSON',
  '/restart': 'RESTART',
  '/skip': 'SKIP',
  '/discreet': 'DISCREET',
  '/neutral': 'NEUTRAL',
  '/normal': 'NORMAL',
};

/** Longest phrase-matching text that still counts as "typing the option's word", not a story. */
const MAX_WORDS_FOR_OPTION_PHRASE = 4;

/**
 * Reads one inbound message at one step into machine events. Danger comes before everything:
 * a message that names violence or suicide is answered with the emergency numbers whatever step it is.
 */
export function understand(content: InboundContent, step: StepView, locale: string, vocabulary: Vocabulary): MachineEvent[] {
  const localesInOrder = [locale, ...[...vocabulary.keys()].filter((l) => l !== locale)];

  if (content.choice) return [readChoice(content.choice, step, content)];
  if (content.notice) return [{ type: 'NOTICE', notice: content.notice }];
  if (content.media && !content.text) return [{ type: 'MEDIA', messageId: content.messageId, kind: content.media.kind }];

  const raw = content.text ?? '';
  const text = normalize(raw);
  if (!text && !raw.trim()) return [{ type: 'CONTINUE' }];

  const danger = dangerLocale(text, localesInOrder, vocabulary);
  if (danger) return [{ type: 'DANGER', messageId: content.messageId, locale: danger }];

  const slash = SLASH_COMMANDS[raw.trim().toLowerCase().split(/[\s@]/)[0] ?? ''];
  if (slash) return [commandEvent(slash, content)];

  const exact = matchOptions(step, localesInOrder, vocabulary, (w) => matchesEntry(raw, text, w));
  if (exact.length > 0) return [answerEvent(step, exact)];

  for (const l of localesInOrder) {
    const commands = vocabulary.get(l)!.commands;
    for (const command of COMMANDS) {
      if (commands.get(command)!.some((w) => matchesEntry(raw, text, w))) return [commandEvent(COMMAND_EVENTS[command], content)];
    }
  }

  const numbers = parseNumbers(raw);
  if (numbers && step.answers !== 'none') {
    const chosen = numbers.map((n) => step.optionIds[n - 1]);
    if (chosen.every((id): id is string => id !== undefined) && (step.answers === 'many' || chosen.length === 1)) {
      return [answerEvent(step, chosen)];
    }
    return [{ type: 'UNCLEAR' }];
  }

  if (wordCount(text) <= MAX_WORDS_FOR_OPTION_PHRASE) {
    const loose = matchOptions(step, localesInOrder, vocabulary, (w) => containsPhrase(text, w.normalized));
    if (loose.length === 1 || (loose.length > 1 && step.answers === 'many')) return [answerEvent(step, loose)];
  }

  return [{ type: 'TEXT', messageId: content.messageId, guessedLocale: guessLocaleFromScript(raw) }];
}

/**
 * The locale whose danger words a normalised text names (trying `localesInOrder` in order), or null.
 * Every locale's list counts, whatever language the resident chose.
 */
export function dangerLocale(text: string, localesInOrder: readonly string[], vocabulary: Vocabulary): string | null {
  for (const l of localesInOrder) {
    if (vocabulary.get(l)!.danger.some((phrase) => containsPhrase(text, phrase))) return l;
  }
  return null;
}

/** A command as an event; the privacy commands carry the channel (their answer says how to do it there). */
function commandEvent(type: CommandEventType, content: InboundContent): MachineEvent {
  if (type === 'DISCREET' || type === 'NEUTRAL') return { type, channel: content.channel ?? null };
  return { type } as MachineEvent;
}

function readChoice(choice: string, step: StepView, content: InboundContent): MachineEvent {
  const [scope, value] = choice.split(':', 2);
  if (scope === 'cmd') {
    const command = COMMANDS.find((c) => c === value);
    return command ? commandEvent(COMMAND_EVENTS[command], content) : { type: 'CONTINUE' };
  }
  // A button from an earlier question (or a forged payload) repeats the current question.
  if (scope !== step.id || !value || !step.optionIds.includes(value)) return { type: 'CONTINUE' };
  return answerEvent(step, [value]);
}

function answerEvent(step: StepView, optionIds: string[]): MachineEvent {
  return step.answers === 'many' ? { type: 'ANSWERS', options: optionIds } : { type: 'ANSWER', option: optionIds[0]! };
}

/** Options of the current step matched by `test`, trying the resident's locale first, then the others. */
function matchOptions(
  step: StepView,
  localesInOrder: string[],
  vocabulary: Vocabulary,
  test: (word: WordEntry) => boolean,
): string[] {
  if (step.answers === 'none') return [];
  for (const l of localesInOrder) {
    const byOption = vocabulary.get(l)!.options.get(step.id);
    if (!byOption) continue;
    const matched = step.optionIds.filter((id) => (byOption.get(id) ?? []).some(test));
    if (matched.length > 0) return matched;
  }
  return [];
}

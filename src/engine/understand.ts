import type { CommandEventType, MachineEvent } from './events.js';
import { containsPhrase, guessLocaleFromScript, normalize, parseNumbers, wordCount } from './text-match.js';
import type { InboundContent } from './types.js';
import { findPhoneNumber, readAddress } from './understanding/contact-details.js';
import type { MessageReader, Reading } from './understanding/message-reader.js';
import { toToken } from './understanding/tokens.js';
import { COMMANDS, matchesEntry, type Command, type Vocabulary, type WordEntry } from './vocabulary.js';

/** The step the resident is at, as far as reading their message is concerned. */
export interface StepView {
  id: string;
  /** How answers are read: one option, several, or none (a step that only listens). */
  answers: 'one' | 'many' | 'none';
  optionIds: string[];
  /** What "that's all / ok / 👍" means here: go on, skip the question, confirm, or nothing (ask again). */
  done: 'continue' | 'skip' | 'confirm' | 'unclear';
  /** A story told at this question is kept as the resident's own words (the question is asked again). */
  keepsStories: boolean;
  /** A details step: the text is a phone number or an address, not an option. */
  detail?: 'phone' | 'address' | undefined;
  /** Catch-all options ("something else"): chosen only by a short answer without a "no" in it. */
  catchAll?: string[] | undefined;
  /** The step asks whether there is more to tell: "I want to add something" gets "go on, I'm listening" (MORE). */
  hearsMore?: boolean | undefined;
  /** The question is who they want to talk to: a request for a person that names an option answers it. */
  aboutThePerson?: boolean | undefined;
  /** The conversation is urgent already (the numbers were given): the danger model no longer interrupts. */
  urgent?: boolean | undefined;
  /**
   * The conversation began in a language we have no texts for (Polish, French): the danger model, which
   * knows only our languages' words, would read noise in it. Phrases still count.
   */
  foreignLanguage?: boolean | undefined;
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

/**
 * Up to this many words, a sentence that names exactly one option answers with it, and the rest of the
 * sentence is kept as a note ("Tarifit alsjeblieft, een vrouw": woman, and the wish for Tarifit).
 */
const MAX_WORDS_FOR_ANSWER_IN_SENTENCE = 12;
/** From this many words a message is a story worth keeping as the resident's own words, not a typo or a bare answer. */
const MIN_WORDS_FOR_STORY = 4;

/**
 * Reads one inbound message at one step into machine events. Danger comes before everything:
 * a message that names violence or suicide is answered with the emergency numbers whatever step it is.
 */
export function understand(
  content: InboundContent,
  step: StepView,
  locale: string,
  vocabulary: Vocabulary,
  reader: MessageReader,
): MachineEvent[] {
  const localesInOrder = [locale, ...[...vocabulary.keys()].filter((l) => l !== locale)];

  if (content.choice) return [readChoice(content.choice, step, content)];
  if (content.notice) return [{ type: 'NOTICE', notice: content.notice }];
  if (content.media && !content.text) return [{ type: 'MEDIA', messageId: content.messageId, kind: content.media.kind }];

  const raw = content.text ?? '';
  const text = normalize(raw);
  if (!text && !raw.trim()) return [{ type: 'CONTINUE' }];

  const reading = reader.read(raw, localesInOrder);
  // A phrase that names danger is always answered; the model's reading of a situation only where a
  // message is one: not at a phone or address question (a value, not a story), not once the case is
  // urgent (it would interrupt answers such as "na 14:00, als hij werkt"), and not in a language it
  // was not trained on.
  const fromModel = reading.danger?.pattern.startsWith('model:') ?? false;
  if (reading.danger && !(fromModel && (step.urgent || step.detail || step.foreignLanguage))) {
    return [{ type: 'DANGER', messageId: content.messageId, locale: reading.danger.locale, category: reading.danger.category }];
  }
  const events = readText(content, raw, text, reading, step, localesInOrder, vocabulary);
  // A phone number typed at any other question is kept for when a call is chosen.
  const phone = step.detail ? null : findPhoneNumber(raw);
  return phone ? [{ type: 'DETAIL', detail: 'phone', value: phone }, ...events] : events;
}

function readText(
  content: InboundContent,
  raw: string,
  text: string,
  reading: Reading,
  step: StepView,
  localesInOrder: string[],
  vocabulary: Vocabulary,
): MachineEvent[] {
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

  // "Anything else?" "I want to add something": not a note, and not a bare "yes" (that is `done`: go on).
  if (step.hearsMore && localesInOrder.some((l) => vocabulary.get(l)!.more.some((w) => matchesEntry(raw, text, w)))) {
    return [{ type: 'MORE' }];
  }

  if (step.detail) {
    if (reading.done && step.done !== 'unclear') return [doneEvent(step)];
    // "1" takes the offered number or address; a longer row of digits is a phone number, read below.
    const chosen = parseNumbers(raw);
    if (chosen?.length === 1 && step.optionIds[chosen[0]! - 1]) return [answerEvent(step, [step.optionIds[chosen[0]! - 1]!])];
    // "bel me op 06 1234 5678" at the phone question is the number, not a request for a person.
    const phone = step.detail === 'phone' ? findPhoneNumber(raw) : null;
    if (phone) return [{ type: 'VALUE', value: phone }];
    if (reading.person) return [{ type: 'PERSON' }];
    const address = step.detail === 'address' ? readAddress(raw) : null;
    return [address ? { type: 'VALUE', value: address } : { type: 'UNCLEAR' }];
  }

  const words = wordCount(text);
  const loose = namedOptions(step, words, reading, localesInOrder, vocabulary, text);
  const answered = loose.ids.length === 1 || (loose.ids.length > 1 && step.answers === 'many');

  // A person asked for in any words, unless those words are the option itself ("bel me" is a phone call).
  if (reading.person && !(answered && (step.aboutThePerson || overlaps(reading.person.words, loose.phrases)))) {
    return [{ type: 'PERSON' }];
  }

  const numbers = parseNumbers(raw);
  if (numbers && step.answers !== 'none') {
    const chosen = numbers.map((n) => step.optionIds[n - 1]);
    if (chosen.every((id): id is string => id !== undefined) && (step.answers === 'many' || chosen.length === 1)) {
      return [answerEvent(step, chosen)];
    }
    return [{ type: 'UNCLEAR' }];
  }

  // Topics named in a story are chosen, and the story kept: "no money", "geen geld meer" is about money,
  // however the sentence ends. Not in thanks beside a "that's all" ("bu kadar, eline sağlık").
  if (answered && step.answers === 'many' && !reading.doneIsWhole) {
    return words < MIN_WORDS_FOR_STORY
      ? [answerEvent(step, loose.ids)]
      : [
          { type: 'NOTE', messageId: content.messageId },
          { type: 'ANSWERS', options: loose.ids, story: true },
        ];
  }

  // "That's all" where it means something; at consent "ja hoor" is read as the option it names. Words
  // beside it are kept as the resident's own, unless they name an option ("ja, heel dringend").
  if (reading.done && step.answers !== 'none' && step.done !== 'unclear' && (reading.doneIsWhole || !answered)) {
    return reading.doneIsWhole ? [doneEvent(step)] : [{ type: 'NOTE', messageId: content.messageId }, doneEvent(step)];
  }

  if (answered && words < MIN_WORDS_FOR_STORY) return [answerEvent(step, loose.ids)];
  if (answered) return [{ type: 'NOTE', messageId: content.messageId }, answerEvent(step, loose.ids)];
  if (reading.done && step.answers !== 'none') return [doneEvent(step)];

  if (step.keepsStories && words >= MIN_WORDS_FOR_STORY) {
    return [{ type: 'NOTE', messageId: content.messageId, ack: true }, { type: 'CONTINUE' }];
  }
  return [{ type: 'TEXT', messageId: content.messageId, guessedLocale: guessLocale(raw, reading) }];
}

/** One typical word is chance ("ur", "is"); two tell the language. */
const MIN_MARKERS = 2;

/**
 * The language of a text from its script (Arabic letters, Turkish letters) or, in Latin letters, from
 * the words typical of each language ("bghit", "dyali", "wach": Darija, read as Arabic), two at least.
 */
export function guessLocale(raw: string, reading: Reading): string | null {
  const byScript = guessLocaleFromScript(raw);
  if (byScript) return byScript;
  let best: string | null = null;
  let bestCount = MIN_MARKERS - 1;
  for (const [locale, count] of reading.markers) {
    if (count > bestCount) {
      best = locale;
      bestCount = count;
    } else if (count === bestCount) best = null;
  }
  return best;
}

function doneEvent(step: StepView): MachineEvent {
  switch (step.done) {
    case 'continue':
      return { type: 'CONTINUE' };
    case 'skip':
      return { type: 'SKIP' };
    case 'confirm':
      return { type: 'ANSWER', option: step.optionIds[0]! };
    case 'unclear':
      return { type: 'UNCLEAR' };
  }
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

/**
 * The options a message names in its words. At a question with one answer, only in a short sentence
 * and when nothing in it turns the option around ("liever geen man"). At a question with several
 * (topics), in a story of any length and whatever its negations: "ik heb geen geld", "param yok" and
 * "ma3ndich flous" are about money; only a catch-all ("iets anders") still needs a short answer
 * without a "no" in it.
 */
function namedOptions(
  step: StepView,
  words: number,
  reading: Reading,
  localesInOrder: string[],
  vocabulary: Vocabulary,
  text: string,
): { ids: string[]; phrases: string[] } {
  if (step.answers === 'none') return { ids: [], phrases: [] };
  const short = words <= MAX_WORDS_FOR_ANSWER_IN_SENTENCE;
  if (step.answers === 'one') {
    return short && !reading.negated ? looseOptions(step, localesInOrder, vocabulary, text) : { ids: [], phrases: [] };
  }
  const named = looseOptions(step, localesInOrder, vocabulary, text);
  if ((short && !reading.negated && !reading.done) || !step.catchAll?.length) return named;
  return { ids: named.ids.filter((id) => !step.catchAll!.includes(id)), phrases: named.phrases };
}

/** Options whose word or phrase a sentence contains (the resident's locale first), and those phrases. */
function looseOptions(
  step: StepView,
  localesInOrder: string[],
  vocabulary: Vocabulary,
  text: string,
): { ids: string[]; phrases: string[] } {
  const phrases: string[] = [];
  const ids = matchOptions(step, localesInOrder, vocabulary, (w) => {
    const found = containsPhrase(text, w.normalized);
    if (found) phrases.push(w.normalized);
    return found;
  });
  return { ids, phrases };
}

/** True when a person request's words share a word with an option's phrase (both compared as pattern words). */
function overlaps(personWords: string[], optionPhrases: string[]): boolean {
  const optionWords = new Set(optionPhrases.flatMap((p) => p.split(' ')).map((w) => toToken(w).word));
  return personWords.some((w) => optionWords.has(w));
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

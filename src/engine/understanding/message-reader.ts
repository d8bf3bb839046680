import type { Texts } from '../texts.js';
import { normalize } from '../text-match.js';
import { compilePattern, compileWordList, type Match } from './pattern.js';
import { PhraseIndex, type IndexedPhrase } from './phrase-index.js';
import { MASKED, tokenize, toToken, type Token } from './tokens.js';

import { DANGER_CATEGORIES, type DangerCategory } from './categories.js';
import type { DangerModel } from './danger-model.js';

export { DANGER_CATEGORIES, type DangerCategory };

/** What one message says, read against every locale's phrases (a resident may mix languages). */
export interface Reading {
  /**
   * Danger named in the message: by a phrase (`pattern` is its source), or by the danger model when no
   * phrase matched (`pattern` is `model:<score>`). `locale` is the phrase's language, or for the model
   * the message's (its script, else its marker words, else the resident's first locale).
   */
  danger: { category: DangerCategory; locale: string; pattern: string } | null;
  /** The phrase that asked for a person: its locale and its words (normalised), or null. */
  person: { locale: string; words: string[] } | null;
  /** The locale whose phrase said "that's all / nothing more / fine", or null (only for short messages). */
  done: string | null;
  /** True when the "that's all" phrase is the whole message ("nee dat was het"), not "param yok" (no money: that's all?). */
  doneIsWhole: boolean;
  /** True when the message is only a greeting ("hallo", "salam alaykoum", "merhaba"). */
  greetingOnly: boolean;
  /** Words of the message that are typical of each locale (for Latin-script Darija and mixed messages). */
  markers: Map<string, number>;
  /** True when any word is a negation in some locale ("niet", "geen", "لا", "değil"). */
  negated: boolean;
  words: number;
}

type PhraseKind = 'harmless' | 'danger' | 'person' | 'done' | 'greeting' | 'courtesy';

/** What the reader keeps beside each phrase in the index. */
interface About {
  locale: string;
  kind: PhraseKind;
  category?: DangerCategory;
  /** The locale's negation words (danger and person phrases only). */
  negator?: (t: Token) => boolean;
}

interface LocaleWords {
  locale: string;
  negator: (t: Token) => boolean;
  markers: (t: Token) => boolean;
}

/** How far before a phrase a negation cancels it ("ik ben niet bang om naar huis te gaan"). */
const NEGATION_REACH = 2;
/** "That's all" counts only when it is (nearly) the whole message: "ok dank je" yes, "ok maar ik heb ook schulden" no. */
const DONE_EXTRA_WORDS = 2;

export interface MessageReader {
  read(text: string, localesInOrder?: readonly string[]): Reading;
  /** The message's words with the harmless phrases' words masked: what the danger model reads (and is trained on). */
  maskedTokens(text: string): Token[];
  readonly locales: readonly string[];
}

const ARABIC_LETTERS = /[\u0600-\u06FF]/;

/** Plain words of a word list (globs and exclusions left out), normalised like message words. */
function plainWords(list: readonly string[]): string[] {
  return list
    .filter((w) => !/[*|!%]/.test(w))
    .flatMap((w) => normalize(w).split(' '))
    .filter(Boolean)
    .map((w) => toToken(w).word);
}

/**
 * Reads messages with the phrases of `locales/<lng>/understanding.json`. Pure and deterministic: the
 * same text gives the same reading; the phrases are compiled and indexed once.
 */
export function createMessageReader(texts: Texts, model: DangerModel | null = null): MessageReader {
  const locales: LocaleWords[] = [];
  const harmless: IndexedPhrase<About>[] = [];
  const main: IndexedPhrase<About>[] = [];
  const short: IndexedPhrase<About>[] = [];
  /** Thanks and blessings ("bedankt", "barakallahu fik", "Allah razı olsun", 🙏): not extra words beside "that's all". */
  const courtesy: IndexedPhrase<About>[] = [];
  const common = new Set<string>();
  for (const locale of texts.locales) {
    const where = (list: string) => `locales/${locale}/understanding.json ${list}`;
    const list = (key: string) => texts.list(locale, `understanding:${key}`);
    const negator = compileWordList(list('negators'), where('negators'));
    locales.push({ locale, negator, markers: compileWordList(list('markers'), where('markers')) });
    for (const word of plainWords([...list('markers'), ...list('negators')])) common.add(word);
    const phrases = (key: string, about: About, negation: boolean) =>
      list(key).map((p) => ({ pattern: compilePattern(p, where(key), negation ? negator : null), about }));
    harmless.push(...phrases('harmless', { locale, kind: 'harmless' }, false));
    for (const category of DANGER_CATEGORIES) {
      main.push(...phrases(`danger.${category}`, { locale, kind: 'danger', category, negator }, true));
    }
    main.push(...phrases('person', { locale, kind: 'person', negator }, true));
    short.push(...phrases('done', { locale, kind: 'done' }, false));
    short.push(...phrases('greeting', { locale, kind: 'greeting' }, false));
    courtesy.push(...phrases('courtesy', { locale, kind: 'courtesy' }, false));
  }
  const harmlessIndex = new PhraseIndex(harmless, common);
  const mainIndex = new PhraseIndex(main, common);
  const shortIndex = new PhraseIndex(short, common);
  const courtesyIndex = new PhraseIndex(courtesy, common);
  const allLocales = locales.map((l) => l.locale);

  /** Harmless phrases ("doodmoe", "de huisbaas dreigt met ontruiming") take their words out first. */
  function mask(tokens: Token[], included: (about: About) => boolean): Token[] {
    const masked = [...tokens];
    for (const { match } of harmlessIndex.matches(tokens, (p) => included(p.about), true)) {
      for (let i = match.start; i < match.end; i++) masked[i] = MASKED;
    }
    return masked;
  }

  return {
    locales: allLocales,
    maskedTokens: (text) => mask(tokenize(text), () => true),
    read(text, localesInOrder = allLocales) {
      const tokens = tokenize(text);
      const rank = new Map(localesInOrder.map((l, i) => [l, i]));
      const included = (about: About) => rank.has(about.locale);
      /** The match of the earliest locale in the resident's order, then the earliest in the message. */
      const first = (found: { phrase: IndexedPhrase<About>; match: Match }[], kind: PhraseKind) =>
        found
          .filter((f) => f.phrase.about.kind === kind)
          .sort(
            (a, b) => rank.get(a.phrase.about.locale)! - rank.get(b.phrase.about.locale)! || a.match.start - b.match.start,
          )[0];

      const masked = mask(tokens, included);

      // A negation word shortly before a phrase turns it around, unless the phrase names the negation itself.
      const notNegated = (phrase: IndexedPhrase<About>, match: Match) => {
        if (!included(phrase.about)) return false;
        if (phrase.pattern.negated || !phrase.about.negator) return true;
        for (let i = Math.max(0, match.start - NEGATION_REACH); i < match.start; i++) {
          if (phrase.about.negator(tokens[i]!)) return false;
        }
        return true;
      };
      const found = mainIndex.matches(masked, notNegated);
      const dangerFound = first(found, 'danger');
      const personFound = first(found, 'person');

      const polite = new Set<number>();
      for (const { match } of courtesyIndex.matches(tokens, (p) => included(p.about), true)) {
        for (let i = match.start; i < match.end; i++) polite.add(i);
      }
      /** Words of the message outside a match, thanks and blessings not counted. */
      const wordsBeside = (m: Match) => {
        let count = 0;
        for (let i = 0; i < tokens.length; i++) if ((i < m.start || i >= m.end) && !polite.has(i)) count++;
        return count;
      };
      const nearlyWhole = (phrase: IndexedPhrase<About>, m: Match) =>
        included(phrase.about) && (phrase.about.kind !== 'done' || wordsBeside(m) <= DONE_EXTRA_WORDS);
      const shortFound = shortIndex.matches(tokens, nearlyWhole, true);
      const doneFound = first(shortFound, 'done');
      const greeted = new Set<number>();
      for (const { phrase, match } of shortFound) {
        if (phrase.about.kind === 'greeting') for (let i = match.start; i < match.end; i++) greeted.add(i);
      }

      const ordered = locales.filter((l) => rank.has(l.locale));
      const markers = new Map<string, number>();
      for (const l of ordered) {
        const count = tokens.filter((t) => l.markers(t)).length;
        if (count > 0) markers.set(l.locale, count);
      }

      // No phrase: the model may still see danger in the words (see danger-model.ts).
      const modelFound = !dangerFound && model ? model.read(masked) : null;
      const messageLocale = () => {
        if (ARABIC_LETTERS.test(text) && rank.has('ar')) return 'ar';
        const byMarkers = [...markers.entries()].sort((a, b) => b[1] - a[1] || rank.get(a[0])! - rank.get(b[0])!)[0];
        return byMarkers?.[0] ?? localesInOrder[0] ?? allLocales[0]!;
      };

      return {
        negated: tokens.some((t) => ordered.some((l) => l.negator(t))),
        danger: dangerFound
          ? {
              category: dangerFound.phrase.about.category!,
              locale: dangerFound.phrase.about.locale,
              pattern: dangerFound.phrase.pattern.source,
            }
          : modelFound
            ? { category: modelFound.category, locale: messageLocale(), pattern: `model:${modelFound.score.toFixed(2)}` }
            : null,
        person: personFound
          ? {
              locale: personFound.phrase.about.locale,
              words: tokens.slice(personFound.match.start, personFound.match.end).map((t) => t.word),
            }
          : null,
        done: doneFound?.phrase.about.locale ?? null,
        doneIsWhole: doneFound !== undefined && wordsBeside(doneFound.match) === 0,
        greetingOnly: tokens.length > 0 && greeted.size === tokens.length,
        markers,
        words: tokens.length,
      };
    },
  };
}

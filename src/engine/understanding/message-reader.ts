import type { Texts } from '../texts.js';
import {
  anchors,
  compilePattern,
  compileWordList,
  matchFrom,
  mayMatch,
  type AnchorKey,
  type Match,
  type Pattern,
} from './pattern.js';
import { MASKED, tokenize, type Token } from './tokens.js';

/** The kinds of danger the bot answers with the emergency numbers (issue 9). */
export const DANGER_CATEGORIES = [
  'violence',
  'threat',
  'fearHome',
  'controlled',
  'forcedMarriage',
  'sexualAbuse',
  'childHarm',
  'selfHarm',
] as const;
export type DangerCategory = (typeof DANGER_CATEGORIES)[number];

/** What one message says, read against every locale's phrases (a resident may mix languages). */
export interface Reading {
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

/** A counter for the scratch marks on patterns (one number per message read and per word position tried). */
let stamps = 0;

/**
 * Patterns of one list, indexed by two letters their first word must hold (at its start, inside it, or
 * inside its skeleton), so a message is only tried against patterns that can start at each word.
 */
class PatternSet {
  readonly #index: Record<AnchorKey['on'], Map<string, Pattern[]>> = { start: new Map(), inside: new Map(), skeleton: new Map() };
  readonly #unanchored: Pattern[] = [];

  constructor(patterns: Pattern[]) {
    for (const pattern of patterns) {
      const keys = anchors(pattern);
      if (!keys) {
        this.#unanchored.push(pattern);
        continue;
      }
      for (const key of keys) {
        const map = this.#index[key.on];
        const list = map.get(key.letters) ?? [];
        if (!list.includes(pattern)) list.push(pattern);
        map.set(key.letters, list);
      }
    }
  }



  /** The first match (by start position) of any pattern that `accept` keeps. */
  find(tokens: readonly Token[], accept: (pattern: Pattern, match: Match) => boolean): { pattern: Pattern; match: Match } | null {
    const words = new Set(tokens.map((t) => t.word));
    const read = ++stamps;
    for (let start = 0; start < tokens.length; start++) {
      const token = tokens[start]!;
      if (token === MASKED) continue;
      const stamp = ++stamps;
      const lists: (Pattern[] | undefined)[] = [this.#index.start.get(token.start), this.#unanchored];
      if (this.#index.inside.size > 0) for (const pair of token.pairs) lists.push(this.#index.inside.get(pair));
      if (this.#index.skeleton.size > 0) for (const pair of token.skeletonPairs) lists.push(this.#index.skeleton.get(pair));
      for (const list of lists) {
        if (!list) continue;
        for (const pattern of list) {
          if (pattern.triedAt === stamp || pattern.impossibleIn === read) continue;
          pattern.triedAt = stamp;
          if (!mayMatch(pattern, words)) {
            pattern.impossibleIn = read;
            continue;
          }
          const end = matchFrom(pattern, tokens, start);
          if (end >= 0 && accept(pattern, { start, end })) return { pattern, match: { start, end } };
        }
      }
    }
    return null;
  }

  /** Every match of every pattern (for masking). */
  all(tokens: readonly Token[]): Match[] {
    const out: Match[] = [];
    this.find(tokens, (_, match) => {
      out.push(match);
      return false;
    });
    return out;
  }
}

interface LocalePhrases {
  locale: string;
  negator: (t: Token) => boolean;
  harmless: PatternSet;
  /** Every category's patterns in one set (one pass over the words), each pattern's category beside it. */
  danger: PatternSet;
  categoryOf: Map<Pattern, DangerCategory>;
  person: PatternSet;
  done: PatternSet;
  greeting: PatternSet;
  markers: (t: Token) => boolean;
}

/** How far before a phrase a negation cancels it ("ik ben niet bang om naar huis te gaan"). */
const NEGATION_REACH = 2;
/** "That's all" counts only when it is (nearly) the whole message: "ok dank je" yes, "ok maar ik heb ook schulden" no. */
const DONE_EXTRA_WORDS = 2;

export interface MessageReader {
  read(text: string, localesInOrder?: readonly string[]): Reading;
  readonly locales: readonly string[];
}

/**
 * Reads messages with the phrases of `locales/<lng>/understanding.json`. Pure and deterministic: the
 * same text gives the same reading; the phrases are compiled once.
 */
export function createMessageReader(texts: Texts): MessageReader {
  const byLocale = new Map<string, LocalePhrases>();
  for (const locale of texts.locales) {
    const where = (list: string) => `locales/${locale}/understanding.json ${list}`;
    const negator = compileWordList(texts.list(locale, 'understanding:negators'), where('negators'));
    const patternsOf = (key: string, negation = true) =>
      texts.list(locale, `understanding:${key}`).map((p) => compilePattern(p, where(key), negation ? negator : null));
    const compile = (key: string, negation = true) => new PatternSet(patternsOf(key, negation));
    const categoryOf = new Map<Pattern, DangerCategory>();
    for (const category of DANGER_CATEGORIES) for (const p of patternsOf(`danger.${category}`)) categoryOf.set(p, category);
    byLocale.set(locale, {
      locale,
      negator,
      harmless: compile('harmless', false),
      danger: new PatternSet([...categoryOf.keys()]),
      categoryOf,
      person: compile('person'),
      done: compile('done', false),
      greeting: compile('greeting', false),
      markers: compileWordList(texts.list(locale, 'understanding:markers'), where('markers')),
    });
  }
  const allLocales = [...byLocale.keys()];

  /** A negation word shortly before the phrase turns it around, unless the phrase names the negation itself. */
  const notNegated = (phrases: LocalePhrases, tokens: readonly Token[]) => (pattern: Pattern, match: Match) => {
    if (pattern.negated) return true;
    for (let i = Math.max(0, match.start - NEGATION_REACH); i < match.start; i++) if (phrases.negator(tokens[i]!)) return false;
    return true;
  };

  return {
    locales: allLocales,
    read(text, localesInOrder = allLocales) {
      const tokens = tokenize(text);
      const ordered = localesInOrder.map((l) => byLocale.get(l)).filter((p): p is LocalePhrases => p !== undefined);

      // Harmless phrases ("doodmoe", "de huisbaas dreigt met ontruiming") take their words out first.
      const masked = [...tokens];
      for (const phrases of ordered) {
        for (const m of phrases.harmless.all(tokens)) for (let i = m.start; i < m.end; i++) masked[i] = MASKED;
      }

      let danger: Reading['danger'] = null;
      for (const phrases of ordered) {
        const found = phrases.danger.find(masked, notNegated(phrases, tokens));
        if (found) {
          danger = { category: phrases.categoryOf.get(found.pattern)!, locale: phrases.locale, pattern: found.pattern.source };
          break;
        }
      }

      let person: Reading['person'] = null;
      for (const phrases of ordered) {
        const found = phrases.person.find(masked, notNegated(phrases, tokens));
        if (found) {
          person = { locale: phrases.locale, words: tokens.slice(found.match.start, found.match.end).map((t) => t.word) };
          break;
        }
      }

      let done: string | null = null;
      let doneIsWhole = false;
      for (const phrases of ordered) {
        const nearlyWhole = (_: Pattern, m: Match) => tokens.length - (m.end - m.start) <= DONE_EXTRA_WORDS;
        const found = phrases.done.find(tokens, nearlyWhole);
        if (found) {
          done = phrases.locale;
          doneIsWhole = found.match.end - found.match.start === tokens.length;
          break;
        }
      }

      const greeted = new Set<number>();
      for (const phrases of ordered) {
        for (const m of phrases.greeting.all(tokens)) for (let i = m.start; i < m.end; i++) greeted.add(i);
      }

      const markers = new Map<string, number>();
      for (const phrases of ordered) {
        const count = tokens.filter((t) => phrases.markers(t)).length;
        if (count > 0) markers.set(phrases.locale, count);
      }

      const negated = tokens.some((t) => ordered.some((phrases) => phrases.negator(t)));
      return {
        negated,
        danger,
        person,
        done,
        doneIsWhole,
        greetingOnly: tokens.length > 0 && greeted.size === tokens.length,
        markers,
        words: tokens.length,
      };
    },
  };
}

import { keyOptions, matchFrom, mayMatch, type Match, type Pattern } from './pattern.js';
import { MASKED, type Token } from './tokens.js';

/**
 * Phrases of every locale and list in one index, each under its most telling word: a plain word that
 * is not common ("geslagen", not "me"), else two letters its first word must hold. Reading a message
 * looks up each of its words once and tries only the phrases found, so the cost stays with the words
 * a message has, not with how many phrases the locales hold.
 */
export interface IndexedPhrase<T> {
  pattern: Pattern;
  /** What the reader needs to know of the phrase (its locale, list, category). */
  about: T;
}

type KeyKind = 'word' | 'start' | 'inside' | 'skeleton';

/** A counter for the marks on patterns: one number per message read. */
let reads = 0;

export class PhraseIndex<T> {
  readonly #maps: Record<KeyKind, Map<string, IndexedPhrase<T>[]>> = {
    word: new Map(),
    start: new Map(),
    inside: new Map(),
    skeleton: new Map(),
  };
  readonly #always: IndexedPhrase<T>[] = [];

  /** `common`: words too frequent to index a phrase by ("ik", "me", "the", "و"): the locales' marker and negation words. */
  constructor(phrases: IndexedPhrase<T>[], common: ReadonlySet<string>) {
    for (const phrase of phrases) {
      const keys = keyOptions(phrase.pattern, common);
      if (!keys) {
        this.#always.push(phrase);
        continue;
      }
      for (const key of keys) {
        const map = this.#maps[key.on];
        const list = map.get(key.value);
        if (list) list.push(phrase);
        else map.set(key.value, [phrase]);
      }
    }
  }

  /**
   * The matches in a message: for each phrase that matches, its first match `accept` keeps (or, with
   * `every`, all of them). Masked words match nothing and start nothing.
   */
  matches(
    tokens: readonly Token[],
    accept: (phrase: IndexedPhrase<T>, match: Match) => boolean,
    every = false,
  ): { phrase: IndexedPhrase<T>; match: Match }[] {
    const read = ++reads;
    const words = new Set<string>();
    const candidates: IndexedPhrase<T>[] = [];
    const add = (list: IndexedPhrase<T>[] | undefined) => {
      if (!list) return;
      for (const phrase of list) {
        if (phrase.pattern.triedAt === read) continue;
        phrase.pattern.triedAt = read;
        candidates.push(phrase);
      }
    };
    for (const token of tokens) {
      if (token === MASKED) continue;
      words.add(token.word);
      add(this.#maps.word.get(token.word));
      add(this.#maps.start.get(token.start));
      for (const pair of token.pairs) add(this.#maps.inside.get(pair));
      for (const pair of token.skeletonPairs) add(this.#maps.skeleton.get(pair));
    }
    add(this.#always);

    const found: { phrase: IndexedPhrase<T>; match: Match }[] = [];
    for (const phrase of candidates) {
      if (!mayMatch(phrase.pattern, words)) continue;
      for (let start = 0; start < tokens.length; start++) {
        if (tokens[start] === MASKED || !phrase.pattern.mayStartWith(tokens[start]!)) continue;
        const end = matchFrom(phrase.pattern, tokens, start);
        if (end < 0 || !accept(phrase, { start, end })) continue;
        found.push({ phrase, match: { start, end } });
        if (!every) break;
      }
    }
    return found;
  }
}

import { normalize } from '../text-match.js';
import { KEY_LENGTH, MASKED, startOf, toToken, type Token } from './tokens.js';

/**
 * A phrase pattern from `locales/<lng>/understanding.json`, compiled once. The syntax, for the people
 * who write them (the README has examples):
 *
 * - words separated by spaces must follow each other: `slaat me`
 * - `...` allows up to five words in between, `..` up to two: `bang ... naar huis`
 * - `*` inside a word stands for any letters: `sla*` (slaat, slaan), `*ضرب*` (يضربني, كيضربني)
 * - `a|b` is either word: `slaat|sloeg|geslagen me`
 * - `%` before a word compares it without vowels (Darija in Latin letters): `%*drb*` (kayderbni, ydrobni)
 * - `!` after a word names forms that do not count: `kork*!korkmu*` (korkuyorum, not korkmuyorum)
 * - ` & ` joins parts that must all be somewhere in the message, in any order and at any distance:
 *   `neck & squeez*|chok*|grab*` ("he squeezed my neck", "my neck hurts where he grabbed it")
 *
 * Words are normalised like messages are (case, accents, Arabic letter variants, Arabizi digits,
 * doubled letters), so a pattern may be written in any of those spellings.
 */
export interface Pattern {
  source: string;
  elements: Element[];
  /** True when the pattern itself names a negation ("wil niet meer leven"): a negation before it does not cancel it. */
  negated: boolean;
  /**
   * Word lists (plain words only) of which the message must hold one each, for every later word of the
   * pattern that is plain: a cheap check before matching word by word.
   */
  required: Set<string>[];
  /**
   * A scratch mark of the index (see PhraseIndex.matches): the last message it was taken for. A
   * field, not a Map, because it is read for every candidate of every message.
   */
  triedAt: number;
  /** A cheap check that the pattern's first word can be this token (its letters or word), before the full test. */
  mayStartWith: (token: Token) => boolean;
  /** The parts after ` & `: each must match somewhere in the message (any order, any distance). */
  also: Pattern[];
}

type WordTest = (token: Token) => boolean;
type Element =
  | {
      kind: 'word';
      test: WordTest;
      exact: Set<string> | null;
      /** Index keys: a word it matches has one of them (see AnchorKey), or null when not every alternative has one. */
      anchors: AnchorKey[] | null;
    }
  | { kind: 'gap'; max: number };

/**
 * Where a word an alternative matches must hold two known letters: at its start (`slaat`, `sla*`),
 * somewhere inside (`*ضرب*`: Arabic words carry their clitics in front), or inside its skeleton (`%*drb*`).
 */
export interface AnchorKey {
  on: 'start' | 'inside' | 'skeleton';
  letters: string;
}

const GAPS: Record<string, number> = { '...': 5, '…': 5, '..': 2 };

export class PatternError extends Error {}

/**
 * One alternative of a word, normalised: a literal (set lookup) or a glob (regex source) on the word
 * or on its skeleton, and the first letters every word it matches starts with (null when unknown).
 */
interface Alternative {
  exact?: string;
  glob?: string;
  skeleton: boolean;
  anchor: AnchorKey | null;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compileAlternative(source: string, where: string): Alternative {
  // An emoji is a word of its own ("😂|haha*"): messages keep it as one token.
  if (/^\p{Extended_Pictographic}+$/u.test(source.replace(/\uFE0F/g, ''))) {
    const emoji = source.replace(/\uFE0F/g, '');
    return { exact: emoji, skeleton: false, anchor: { on: 'start', letters: startOf(emoji) } };
  }
  const skeleton = source.startsWith('%');
  const body = skeleton ? source.slice(1) : source;
  const parts = body.split('*').map((part) => {
    if (!part) return '';
    const words = normalize(part).split(' ').filter(Boolean);
    if (words.length !== 1) throw new PatternError(`${where}: "${source}" must be one word`);
    const token = toToken(words[0]!);
    return skeleton ? token.skeleton : token.word;
  });
  if (parts.length === 1 && !skeleton)
    return { exact: parts[0]!, skeleton, anchor: { on: 'start', letters: startOf(parts[0]!) } };
  const longest = parts.reduce((a, b) => ([...b].length > [...a].length ? b : a), '');
  let anchor: AnchorKey | null = null;
  if (!skeleton && [...parts[0]!].length >= KEY_LENGTH) anchor = { on: 'start', letters: startOf(parts[0]!) };
  else if ([...longest].length >= KEY_LENGTH) anchor = { on: skeleton ? 'skeleton' : 'inside', letters: startOf(longest) };
  return { glob: parts.map(escapeRegex).join('.*'), skeleton, anchor };
}

/**
 * Alternatives as one test: a set of literal words, and at most one regex on the word and one on the
 * skeleton (V8 runs one alternation far faster than many small regexes).
 */
function matcherOf(alternatives: Alternative[]): WordTest | null {
  if (alternatives.length === 0) return null;
  const exact = new Set(alternatives.flatMap((a) => (a.exact !== undefined ? [a.exact] : [])));
  const regexOf = (skeleton: boolean) => {
    const globs = alternatives.filter((a) => a.glob !== undefined && a.skeleton === skeleton).map((a) => a.glob);
    return globs.length > 0 ? new RegExp(`^(?:${globs.join('|')})$`, 'u') : null;
  };
  const onWord = regexOf(false);
  const onSkeleton = regexOf(true);
  return (t) =>
    exact.has(t.word) || (onWord !== null && onWord.test(t.word)) || (onSkeleton !== null && onSkeleton.test(t.skeleton));
}

function compileWord(source: string, where: string): Element {
  const [include = '', ...exclude] = source.split('!');
  const alternatives = include.split('|').map((alternative) => {
    if (!alternative) throw new PatternError(`${where}: empty alternative in "${source}"`);
    return compileAlternative(alternative, where);
  });
  const included = matcherOf(alternatives)!;
  const excluded = matcherOf(exclude.map((e) => compileAlternative(e, where)));
  const test: WordTest = excluded ? (t) => included(t) && !excluded(t) : included;
  const literalOnly = excluded === null && alternatives.every((a) => a.exact !== undefined);
  const anchors = alternatives.every((a) => a.anchor !== null) ? alternatives.map((a) => a.anchor!) : null;
  return { kind: 'word', test, exact: literalOnly ? new Set(alternatives.map((a) => a.exact!)) : null, anchors };
}

/**
 * Compiles one pattern; `negators` are the locale's negation words (already compiled), so a pattern
 * that contains one is not cancelled by it.
 */
export function compilePattern(source: string, where: string, negators: WordTest | null): Pattern {
  const [main = '', ...rest] = source.split(/\s+&\s+/);
  if (rest.length > 0) {
    const parts = [main, ...rest].map((part) => {
      if (!part.trim()) throw new PatternError(`${where}: "${source}" has an empty part around &`);
      return compileSequence(part, where, negators);
    });
    return { ...parts[0]!, source, negated: parts.some((p) => p.negated), also: parts.slice(1) };
  }
  return compileSequence(source, where, negators);
}

function compileSequence(source: string, where: string, negators: WordTest | null): Pattern {
  const elements: Element[] = [];
  for (const piece of source.trim().split(/\s+/)) {
    if (GAPS[piece] !== undefined) {
      if (elements.length === 0) throw new PatternError(`${where}: "${source}" may not start with a gap`);
      elements.push({ kind: 'gap', max: GAPS[piece] });
      continue;
    }
    // A plain phrase piece such as "m'n" may normalise to two words: take them as two.
    if (!/[*|!%]/.test(piece)) {
      const words = normalize(piece).split(' ').filter(Boolean);
      if (words.length === 0 && !/\p{Extended_Pictographic}/u.test(piece)) continue;
      if (words.length === 0) {
        const emoji = piece.replace(/\uFE0F/g, '');
        const anchors: AnchorKey[] = [{ on: 'start', letters: startOf(emoji) }];
        elements.push({ kind: 'word', test: (t) => t.word === emoji, exact: new Set([emoji]), anchors });
        continue;
      }
      for (const w of words) elements.push(compileWord(w, where));
      continue;
    }
    elements.push(compileWord(piece, where));
  }
  if (elements.length === 0) throw new PatternError(`${where}: "${source}" has no words`);
  if (elements[elements.length - 1]!.kind === 'gap') throw new PatternError(`${where}: "${source}" may not end with a gap`);
  const negated =
    negators !== null &&
    source
      .trim()
      .split(/\s+/)
      .some((piece) => {
        const words = normalize(piece).split(' ').filter(Boolean);
        return words.some((w) => negators(toToken(w)));
      });
  const required = elements
    .slice(1)
    .flatMap((e) => (e.kind === 'word' && e.exact !== null ? [e.exact] : []))
    .sort((x, y) => x.size - y.size);
  return { source, elements, negated, required, triedAt: -1, mayStartWith: startCheck(elements[0]!), also: [] };
}

/** Compiles a list of single words (the negation words) into one test. */
export function compileWordList(words: readonly string[], where: string): WordTest {
  const elements = words.map((w) => compileWord(w.trim(), where));
  return (t) => elements.some((e) => e.kind === 'word' && e.test(t));
}

/** The end (exclusive) of a match of `elements` starting at `start`, or -1. */
function matchAt(elements: Element[], tokens: readonly Token[], index: number, position: number): number {
  if (index === elements.length) return position;
  const element = elements[index]!;
  if (element.kind === 'gap') {
    for (let skip = 0; skip <= element.max && position + skip <= tokens.length; skip++) {
      const end = matchAt(elements, tokens, index + 1, position + skip);
      if (end >= 0) return end;
    }
    return -1;
  }
  const token = tokens[position];
  if (!token || !element.test(token)) return -1;
  return matchAt(elements, tokens, index + 1, position + 1);
}

export interface Match {
  start: number;
  end: number;
}

function startCheck(first: Element): (token: Token) => boolean {
  if (first.kind !== 'word') return () => true;
  const exact = first.exact;
  if (exact) return (t) => exact.has(t.word);
  if (!first.anchors) return () => true;
  const on = (kind: AnchorKey['on']) => new Set(first.anchors!.filter((a) => a.on === kind).map((a) => a.letters));
  const start = on('start');
  const inside = on('inside');
  const skeleton = on('skeleton');
  return (t) =>
    start.has(t.start) ||
    (inside.size > 0 && t.pairs.some((p) => inside.has(p))) ||
    (skeleton.size > 0 && t.skeletonPairs.some((p) => skeleton.has(p)));
}

/** False when the message lacks a word the pattern needs (`words`: the message's words). */
export function mayMatch(pattern: Pattern, words: ReadonlySet<string>): boolean {
  for (const options of pattern.required) {
    let found = false;
    for (const word of words) {
      if (options.has(word)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/**
 * The end (exclusive) of the pattern's first match starting at `start`, or -1. Parts after ` & ` must
 * match somewhere in the message too; masked words (harmless phrases) match none of them.
 */
export function matchFrom(pattern: Pattern, tokens: readonly Token[], start: number): number {
  const end = matchAt(pattern.elements, tokens, 0, start);
  if (end < 0 || pattern.also.length === 0) return end;
  return pattern.also.every((part) => matchesAnywhere(part, tokens)) ? end : -1;
}

function matchesAnywhere(part: Pattern, tokens: readonly Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === MASKED || !part.mayStartWith(tokens[i]!)) continue;
    if (matchAt(part.elements, tokens, 0, i) >= 0) return true;
  }
  return false;
}

/** One way to find a phrase in the index: by a whole word, or by two letters a word holds (see AnchorKey). */
export interface IndexKey {
  on: 'word' | AnchorKey['on'];
  value: string;
}

/** How costly it is to index by letters rather than whole words (more candidates per message). */
const LETTER_KEY_COST: Record<AnchorKey['on'], number> = { start: 500, inside: 700, skeleton: 800 };
/** Indexing by a common word ("me", "ik", "و") finds a phrase in nearly every message. */
const COMMON_WORD_COST = 1000;

/**
 * The keys to index a phrase by: those of its most telling word. Any word of the phrase will do, since
 * the reader tries a phrase found this way at every position; a plain word that is not common is best.
 * Null when no word of the phrase has keys (it is then tried on every message).
 */
export function keyOptions(pattern: Pattern, common: ReadonlySet<string>): IndexKey[] | null {
  let best: IndexKey[] | null = null;
  let bestCost = Infinity;
  for (const element of pattern.elements) {
    if (element.kind !== 'word') continue;
    let keys: IndexKey[] | null = null;
    let cost = Infinity;
    if (element.exact) {
      const words = [...element.exact];
      const isCommon = words.some((w) => common.has(w) || [...w].length <= 2);
      keys = words.map((value) => ({ on: 'word', value }));
      cost = (isCommon ? COMMON_WORD_COST : 0) + words.length;
    } else if (element.anchors) {
      keys = element.anchors.map((a) => ({ on: a.on, value: a.letters }));
      cost = Math.max(...element.anchors.map((a) => LETTER_KEY_COST[a.on])) + element.anchors.length;
    }
    if (keys && cost < bestCost) {
      best = keys;
      bestCost = cost;
    }
  }
  return best;
}

/** Where the first word of a match must hold known letters, when every alternative says (for indexing). */
export function anchors(pattern: Pattern): AnchorKey[] | null {
  const first = pattern.elements[0]!;
  return first.kind === 'word' ? first.anchors : null;
}

import { normalize } from '../text-match.js';
import { toToken, type Token } from './tokens.js';

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
 *
 * Words are normalised like messages are (case, accents, Arabic letter variants, Arabizi digits,
 * doubled letters), so a pattern may be written in any of those spellings.
 */
export interface Pattern {
  source: string;
  elements: Element[];
  /** True when the pattern itself names a negation ("wil niet meer leven"): a negation before it does not cancel it. */
  negated: boolean;
}

type WordTest = (token: Token) => boolean;
type Element = { kind: 'word'; test: WordTest; exact: Set<string> | null } | { kind: 'gap'; max: number };

const GAPS: Record<string, number> = { '...': 5, '…': 5, '..': 2 };

export class PatternError extends Error {}

/** One alternative of a word: literal (fast set lookup) or a glob on the word or its skeleton. */
function compileAlternative(source: string, where: string): { exact?: string; test?: WordTest } {
  const skeleton = source.startsWith('%');
  const body = skeleton ? source.slice(1) : source;
  const parts = body.split('*').map((part) => {
    if (!part) return '';
    const words = normalize(part).split(' ').filter(Boolean);
    if (words.length !== 1) throw new PatternError(`${where}: "${source}" must be one word`);
    const token = toToken(words[0]!);
    return skeleton ? token.skeleton : token.word;
  });
  if (parts.length === 1 && !skeleton) return { exact: parts[0]! };
  const regex = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'u');
  return { test: skeleton ? (t) => regex.test(t.skeleton) : (t) => regex.test(t.word) };
}

function compileWord(source: string, where: string): Element {
  const [include = '', ...exclude] = source.split('!');
  const exact = new Set<string>();
  const tests: WordTest[] = [];
  for (const alternative of include.split('|')) {
    if (!alternative) throw new PatternError(`${where}: empty alternative in "${source}"`);
    const compiled = compileAlternative(alternative, where);
    if (compiled.exact !== undefined) exact.add(compiled.exact);
    else tests.push(compiled.test!);
  }
  const excluded = exclude.map((e) => compileAlternative(e, where));
  const isExcluded = (t: Token) => excluded.some((e) => (e.exact !== undefined ? t.word === e.exact : e.test!(t)));
  const test: WordTest = (t) => (exact.has(t.word) || tests.some((f) => f(t))) && !isExcluded(t);
  return { kind: 'word', test, exact: tests.length === 0 && excluded.length === 0 ? exact : null };
}

/**
 * Compiles one pattern; `negators` are the locale's negation words (already compiled), so a pattern
 * that contains one is not cancelled by it.
 */
export function compilePattern(source: string, where: string, negators: WordTest | null): Pattern {
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
        elements.push({ kind: 'word', test: (t) => t.word === piece.replace(/\uFE0F/g, ''), exact: new Set([piece.replace(/\uFE0F/g, '')]) });
        continue;
      }
      for (const w of words) elements.push(compileWord(w, where));
      continue;
    }
    elements.push(compileWord(piece, where));
  }
  if (elements.length === 0) throw new PatternError(`${where}: "${source}" has no words`);
  if (elements[elements.length - 1]!.kind === 'gap') throw new PatternError(`${where}: "${source}" may not end with a gap`);
  const negated = negators !== null && source.trim().split(/\s+/).some((piece) => {
    const words = normalize(piece).split(' ').filter(Boolean);
    return words.some((w) => negators(toToken(w)));
  });
  return { source, elements, negated };
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

/** The end (exclusive) of the pattern's first match starting at `start`, or -1. */
export function matchFrom(pattern: Pattern, tokens: readonly Token[], start: number): number {
  return matchAt(pattern.elements, tokens, 0, start);
}

/** The first word a token must be for the pattern to start there, when it is a plain word (for indexing). */
export function anchorWords(pattern: Pattern): Set<string> | null {
  const first = pattern.elements[0]!;
  return first.kind === 'word' ? first.exact : null;
}

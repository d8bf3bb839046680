import { normalize } from '../text-match.js';

/**
 * One word of a message, in the two forms patterns compare against: `word` (normalised, doubled letters
 * made single) and `skeleton` (the word without vowels, for Darija in Latin letters, whose vowels vary
 * from writer to writer: "kayderbni", "kaydrbni", "kidarbni").
 */
export interface Token {
  word: string;
  skeleton: string;
  /** Index keys, computed once per word (see phrase-index.ts): its first two letters, and every pair in the word and the skeleton. */
  start: string;
  pairs: string[];
  skeletonPairs: string[];
}

/** How many letters index a word (see phrase-index.ts). */
export const KEY_LENGTH = 2;
/** The index key of a word's start: its first two letters. */
export const startOf = (word: string) => [...word].slice(0, KEY_LENGTH).join('');
/** Every pair of letters in a word (the word itself when shorter). */
export function letterPairs(word: string): string[] {
  const letters = [...word];
  if (letters.length < KEY_LENGTH) return [word];
  const pairs: string[] = [];
  for (let i = 0; i + KEY_LENGTH <= letters.length; i++) pairs.push(letters.slice(i, i + KEY_LENGTH).join(''));
  return pairs;
}

function token(word: string, skeleton: string): Token {
  return { word, skeleton, start: startOf(word), pairs: letterPairs(word), skeletonPairs: letterPairs(skeleton) };
}

/** A masked token (taken by a harmless phrase): it matches nothing. */
export const MASKED: Token = Object.freeze({
  word: '\u0000',
  skeleton: '\u0000',
  start: '',
  pairs: [],
  skeletonPairs: [],
});

/**
 * Arabizi: the digits Moroccans use for Arabic letters inside Latin words ("m3a", "wa7ed", "9alb").
 * Only digits between or beside letters are read so; a phone number stays a number.
 */
const ARABIZI: Record<string, string> = { '2': 'a', '3': 'a', '5': 'kh', '7': 'h', '8': 'gh', '9': 'q' };

/**
 * Spellings that differ between writers of the same word, mapped to one form. Applied to text and
 * patterns alike, so a pattern is written in any of the spellings.
 */
const LATIN_VARIANTS: [RegExp, string][] = [
  [/sh/g, 'ch'], // chi / shi, machi / mashi
  [/ou/g, 'u'], // bghitou / bghitu, khouya / khuya
  [/kh/g, 'x'],
  [/gh/g, 'g'],
  [/ph/g, 'f'],
];
const VOWELS = /[aeiouy]/g;
const ARABIC_VOWEL_LETTERS = /[اويى]/g;
/** Emoji stay words of their own ("👍" says "that's all"); skin tones and variation selectors go. */
const EMOJI = /\p{Extended_Pictographic}/gu;
const IS_EMOJI = /\p{Extended_Pictographic}/u;
const EMOJI_MODIFIERS = /[\u{1F3FB}-\u{1F3FF}\uFE0F\u200D]/gu;

function latinWord(word: string): string {
  let w = word;
  if (/\d/.test(w) && /[a-z]/.test(w)) w = w.replace(/[235789]/g, (d) => ARABIZI[d]!);
  for (const [pattern, replacement] of LATIN_VARIANTS) w = w.replace(pattern, replacement);
  return w;
}

/** Letters written three or more times ("heeeelp", "عاااونوني") and doubled letters count once. */
function singleLetters(word: string): string {
  return word.replace(/(\p{L})\1+/gu, '$1');
}

export function toToken(rawWord: string): Token {
  const word = singleLetters(/[a-z]/.test(rawWord) ? latinWord(rawWord) : rawWord);
  const skeleton = /[a-z]/.test(word) ? word.replace(VOWELS, '') : word.replace(ARABIC_VOWEL_LETTERS, '');
  return token(word, skeleton || word);
}

/** A message as tokens: normalised words (see `normalize`) and emoji, in order. */
export function tokenize(text: string): Token[] {
  const withEmoji = text.replace(EMOJI_MODIFIERS, '').replace(EMOJI, (e) => ` ${e} `);
  const tokens: Token[] = [];
  for (const part of withEmoji.split(/\s+/)) {
    if (!part) continue;
    if (IS_EMOJI.test(part)) {
      tokens.push(token(part, part));
      continue;
    }
    for (const word of normalize(part).split(' ')) if (word) tokens.push(toToken(word));
  }
  return tokens;
}

import { DANGER_CATEGORIES, type DangerCategory } from './categories.js';
import { MASKED, type Token } from './tokens.js';

/**
 * A small linear model of danger, beside the phrases: it meets wordings nobody wrote a phrase for
 * ("hij houdt mijn bankpas en ik krijg alleen geld als hij de bon heeft gezien") by the words and word
 * parts they share with the corpus. Trained from the corpus and the training sets by
 * `npm run train:understanding` (test/understanding/train-model.ts), stored as data in
 * `locales/danger-model.json`; pure and deterministic like the phrases.
 *
 * Features of a message, after the harmless phrases took their words out (and without numbers): each word, its first four
 * letters, its three-letter pieces (Arabic carries clitics on the word: كيضربني, ضربني) and each pair
 * of neighbouring words. One logistic score says "danger"; a softmax over the eight categories says
 * which.
 */
export interface DangerModelData {
  format: 'tussenin.danger-model';
  version: 1;
  /** The score above which a message counts as danger. */
  threshold: number;
  /** Bias of the danger score, then of each category in DANGER_CATEGORIES order. */
  bias: number[];
  /** Per feature: its danger weight, then one weight per category (DANGER_CATEGORIES order). */
  weights: Record<string, number[]>;
}

export interface DangerScore {
  score: number;
  category: DangerCategory;
}

/** The features of a message (see above); masked words (harmless phrases) give none. */
export function dangerFeatures(tokens: readonly Token[]): string[] {
  // A number (an age, an amount, a house number) says nothing about danger.
  const words = tokens.filter((t) => t !== MASKED && t.word && !/^\d+$/.test(t.word)).map((t) => t.word);
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    out.add(`w:${word}`);
    const letters = [...word];
    if (letters.length > 4) out.add(`p:${letters.slice(0, 4).join('')}`);
    for (let j = 0; j + 3 <= letters.length; j++) out.add(`c:${letters.slice(j, j + 3).join('')}`);
    if (i + 1 < words.length) out.add(`b:${word}_${words[i + 1]}`);
  }
  return [...out];
}

export class DangerModel {
  constructor(readonly data: DangerModelData) {
    if (data.format !== 'tussenin.danger-model' || data.version !== 1) {
      throw new Error('locales/danger-model.json: not a danger model of version 1 (run npm run train:understanding)');
    }
    if (data.bias.length !== DANGER_CATEGORIES.length + 1) {
      throw new Error('locales/danger-model.json: trained for other danger categories (run npm run train:understanding)');
    }
  }

  /** The danger score (0–1) and the likeliest category of a message's tokens. */
  score(tokens: readonly Token[]): DangerScore {
    const sums = [...this.data.bias];
    for (const feature of dangerFeatures(tokens)) {
      const weights = this.data.weights[feature];
      if (!weights) continue;
      for (let i = 0; i < sums.length; i++) sums[i]! += weights[i] ?? 0;
    }
    let best = 1;
    for (let i = 2; i < sums.length; i++) if (sums[i]! > sums[best]!) best = i;
    return { score: 1 / (1 + Math.exp(-sums[0]!)), category: DANGER_CATEGORIES[best - 1]! };
  }

  /** A danger reading when the score passes the model's threshold. */
  read(tokens: readonly Token[]): DangerScore | null {
    const result = this.score(tokens);
    return result.score >= this.data.threshold ? result : null;
  }
}

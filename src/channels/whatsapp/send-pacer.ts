import { PacingBuckets } from '../../limits/pacing-buckets.js';

/**
 * Paces WhatsApp sends at a conservative rate: WhatsApp publishes no limits for an unofficial client
 * and bans numbers that send like machines. Per chat a token bucket (a short turn of `perChatBurst`
 * messages, then the per-minute rate) and a global rate, each slot pushed later by a random jitter, so
 * replies never leave at a metronome's beat. `wait(chat)` resolves when a send to that chat may go.
 */
export interface SendPacerOptions {
  perChatPerMinute: number;
  /** Messages to one chat that may go one after another (jitter apart) before its rate applies; default 1. */
  perChatBurst?: number;
  globalPerMinute: number;
  /** Up to this many milliseconds added at random to every slot. */
  jitterMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export class SendPacer {
  readonly #chats: PacingBuckets;
  /** Global send times already promised, ascending: a chat held back by its own rate does not hold up the others. */
  #reserved: number[] = [];
  readonly #globalGapMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(private readonly options: SendPacerOptions) {
    this.#chats = new PacingBuckets(options.perChatBurst ?? 1, 60_000 / options.perChatPerMinute);
    this.#globalGapMs = 60_000 / options.globalPerMinute;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  async wait(chat: string): Promise<void> {
    const now = this.#now();
    const jitter = Math.round(this.#random() * this.options.jitterMs);
    // Reserve the slot before sleeping, so concurrent sends queue up behind each other.
    const at = this.#reserveGlobal(this.#chats.earliest(chat, now) + jitter, now);
    this.#chats.take(chat, at); // the chat's pace counts from when this send really goes
    if (at > now) await this.#sleep(at - now);
  }

  /** The earliest time from `start` that is a global gap away from every promised send; promises it. */
  #reserveGlobal(start: number, now: number): number {
    const gap = this.#globalGapMs;
    this.#reserved = this.#reserved.filter((r) => r > now - gap);
    let at = start;
    for (const r of this.#reserved) {
      if (at + gap <= r) break; // fits before this one (and after the ones before it)
      if (at < r + gap) at = r + gap;
    }
    const index = this.#reserved.findIndex((r) => r > at);
    this.#reserved.splice(index === -1 ? this.#reserved.length : index, 0, at);
    return at;
  }
}

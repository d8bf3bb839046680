/**
 * Paces WhatsApp sends at a conservative rate: WhatsApp publishes no limits for an unofficial client
 * and bans numbers that send like machines. A per-chat and a global rate (messages per minute), each
 * slot pushed later by a random jitter, so replies never leave at a metronome's beat.
 * `wait(chat)` resolves when a send to that chat may go.
 */
export interface SendPacerOptions {
  perChatPerMinute: number;
  globalPerMinute: number;
  /** Up to this many milliseconds added at random to every slot. */
  jitterMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export class SendPacer {
  readonly #nextPerChat = new Map<string, number>();
  /** Global send times already promised, ascending: a chat held back by its own rate does not hold up the others. */
  #reserved: number[] = [];
  readonly #chatGapMs: number;
  readonly #globalGapMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(private readonly options: SendPacerOptions) {
    this.#chatGapMs = 60_000 / options.perChatPerMinute;
    this.#globalGapMs = 60_000 / options.globalPerMinute;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  async wait(chat: string): Promise<void> {
    const now = this.#now();
    const jitter = Math.round(this.#random() * this.options.jitterMs);
    // Reserve the slot before sleeping, so concurrent sends queue up behind each other.
    const at = this.#reserveGlobal(Math.max(now, this.#nextPerChat.get(chat) ?? 0) + jitter, now);
    this.#nextPerChat.set(chat, at + this.#chatGapMs);
    if (this.#nextPerChat.size > 10_000) this.#forgetIdle(now);
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

  #forgetIdle(now: number) {
    for (const [chat, next] of this.#nextPerChat) if (next < now) this.#nextPerChat.delete(chat);
  }
}

import { PacingBuckets } from '../../limits/pacing-buckets.js';

export interface PacerOptions {
  /** One message a chat per this many milliseconds, after a burst (Telegram: about one a second). */
  perChatIntervalMs: number;
  /** Sends to one chat that may go at once before the interval applies (TELEGRAM_CHAT_BURST). */
  burst: number;
  /** Over all chats (Telegram's ceiling is 30/s; TELEGRAM_MESSAGES_PER_SECOND). */
  globalPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Keeps sends within Telegram's limits. Per chat a token bucket: Telegram asks for about one message a
 * second per chat and allows short bursts, so a turn of up to `burst` messages goes out at once; its
 * 429 `retry_after` stays the authority (the outbox waits that long). Globally, evenly spaced slots.
 * `wait(chat)` resolves when a send may go.
 */
export class Pacer {
  readonly #chats: PacingBuckets;
  #nextGlobal = 0;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PacerOptions) {
    this.#chats = new PacingBuckets(options.burst, options.perChatIntervalMs);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async wait(chat: string): Promise<void> {
    // First this chat's own pace, then a global slot taken only once the chat may send, so one chat
    // held back by its pace never holds back the others.
    const now = this.#now();
    const chatAt = this.#chats.earliest(chat, now);
    this.#chats.take(chat, chatAt); // before sleeping: the chat's next send queues behind this one
    if (chatAt > now) await this.#sleep(chatAt - now);
    const later = this.#now();
    const globalAt = Math.max(later, this.#nextGlobal);
    this.#nextGlobal = globalAt + 1000 / this.options.globalPerSecond;
    if (globalAt > later) await this.#sleep(globalAt - later);
  }
}

/**
 * Keeps sends within Telegram's limits: about one message a second per chat and a global rate
 * (30/s is Telegram's ceiling; we stay under it). `wait(chat)` resolves when a send may go.
 */
export class Pacer {
  readonly #nextPerChat = new Map<string, number>();
  #nextGlobal = 0;

  constructor(
    private readonly perChatIntervalMs: number,
    private readonly globalPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async wait(chat: string): Promise<void> {
    // First this chat's own gap, then a global slot taken only once that gap is over, so one chat
    // held back for its one-second gap never holds back the others.
    const now = this.now();
    const chatAt = Math.max(now, this.#nextPerChat.get(chat) ?? 0);
    this.#nextPerChat.set(chat, chatAt + this.perChatIntervalMs); // reserved before sleeping: the next send queues behind
    if (this.#nextPerChat.size > 10_000) this.#forgetIdle(now);
    if (chatAt > now) await this.sleep(chatAt - now);
    const later = this.now();
    const globalAt = Math.max(later, this.#nextGlobal);
    this.#nextGlobal = globalAt + 1000 / this.globalPerSecond;
    if (globalAt > later) {
      this.#nextPerChat.set(chat, Math.max(this.#nextPerChat.get(chat)!, globalAt + this.perChatIntervalMs));
      await this.sleep(globalAt - later);
    }
  }

  #forgetIdle(now: number) {
    for (const [chat, next] of this.#nextPerChat) if (next < now) this.#nextPerChat.delete(chat);
  }
}

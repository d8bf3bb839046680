/**
 * Per-chat pacing with bursts (a token bucket, kept as its "theoretical arrival time", GCRA): a chat may
 * take `burst` sends close together (a normal turn: a greeting, a question and its follow-up), then one
 * every `intervalMs`; a quiet spell gives the burst back. `earliest` says when the chat's next send may
 * go; `take` records the moment it will actually go (after jitter or a global slot), so the pace holds
 * between real send times. A send takes its moment before it waits, so sends queued for one chat go out
 * one interval apart, in order.
 */
export class PacingBuckets {
  /** Per chat: when its bucket would be empty again if nothing more were sent (GCRA's TAT). */
  readonly #emptyAt = new Map<string, number>();

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
  ) {}

  /** The earliest moment from `now` a send to `chat` may go. */
  earliest(chat: string, now: number): number {
    const emptyAt = this.#emptyAt.get(chat);
    return emptyAt === undefined ? now : Math.max(now, emptyAt - (this.burst - 1) * this.intervalMs);
  }

  /** Records a send to `chat` at `at` (not before `earliest`). */
  take(chat: string, at: number): void {
    this.#emptyAt.set(chat, Math.max(this.#emptyAt.get(chat) ?? at, at) + this.intervalMs);
    if (this.#emptyAt.size > 10_000) this.#forgetIdle(at);
  }

  /** Chats whose bucket is full again are as good as new: forgotten, so the map stays small. */
  #forgetIdle(now: number): void {
    for (const [chat, emptyAt] of this.#emptyAt) if (emptyAt <= now) this.#emptyAt.delete(chat);
  }
}

import { EventEmitter } from 'node:events';
import type { ChannelAdapter, DeleteResult } from '../../outbox/channel-adapter.js';

/**
 * The web chat's side of the outbox. The page reads a conversation's stored messages itself, so
 * "sending" is waking the visitor's waiting long-poll; a message is committed before the outbox
 * row that points at it can be picked, so the woken poll always finds it.
 */
export class WebchatAdapter implements ChannelAdapter {
  readonly channel = 'web' as const;
  readonly #events = new EventEmitter().setMaxListeners(0);

  async send(recipient: { externalUserId: string }, _message: unknown, meta: { messageId: number }) {
    this.#events.emit(recipient.externalUserId);
    return { ok: true as const, channelMessageId: `web-${meta.messageId}` };
  }

  /**
   * Discreet mode: nothing to call. The page shows only what GET /chat/api/messages lists, which leaves
   * out everything up to the newest deleted message (`clearedUpTo` in webchat-routes.ts); the outbox row
   * records the deletion, and once it is recorded `wake` makes an open page clear its transcript.
   */
  async deleteMessage(): Promise<DeleteResult> {
    return { ok: true };
  }

  /** Ends the visitor's waiting long poll, so the page reads again (after a deletion was recorded). */
  wake(visitorId: string): void {
    this.#events.emit(visitorId);
  }

  /** Resolves when something is sent to the visitor, or after `ms`, or when `signal` aborts. */
  waitForMessage(visitorId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#events.off(visitorId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#events.once(visitorId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

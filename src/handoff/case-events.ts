import { EventEmitter } from 'node:events';

/**
 * What changed, for the inbox's live views and the notifications. Ids only: a listener reads what it
 * may show itself, so nothing here carries resident text.
 */
export type CaseEvent =
  | {
      type: 'handoff';
      change: 'opened' | 'urgent' | 'claimed' | 'assigned' | 'updated' | 'closed';
      /** Null when the writer did not learn the id (the conversation step); look it up by conversation. */
      handoffId: string | null;
      residentId: string;
      conversationId: string;
    }
  | { type: 'message'; residentId: string; conversationId: string | null }
  | { type: 'delivery'; residentId: string; messageId: number };

/**
 * An in-process bus. Per process: with several instances on one Postgres, each instance's live views
 * also re-check the database every few seconds (see src/inbox/live-events.ts), so a change made by
 * another instance shows up after at most that long.
 */
export class CaseEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  emit(event: CaseEvent): void {
    this.#emitter.emit('event', event);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: CaseEvent) => void): () => void {
    const safe = (event: CaseEvent) => {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the writer that emitted.
      }
    };
    this.#emitter.on('event', safe);
    return () => this.#emitter.off('event', safe);
  }
}

import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { CaseEvent, CaseEvents } from '../handoff/case-events.js';

export interface LiveOptions {
  events: CaseEvents;
  /** Re-check the database this often even without an event (changes made by another instance). */
  pollMs: number;
  /** Still logged in? Checked every `sessionCheckMs`; when not, the stream says `expired` and ends. */
  sessionValid: () => Promise<boolean>;
  sessionCheckMs?: number;
  heartbeatMs?: number;
}

/** Every open stream, so the app can end them at shutdown (a server does not close with streams open). */
export class LiveStreams {
  readonly #open = new Set<SSEStreamingApi>();

  add(stream: SSEStreamingApi): void {
    this.#open.add(stream);
  }
  delete(stream: SSEStreamingApi): void {
    this.#open.delete(stream);
  }
  get size(): number {
    return this.#open.size;
  }
  closeAll(): void {
    for (const stream of this.#open) stream.abort();
    this.#open.clear();
  }
}

/**
 * A server-sent event stream that runs `tick` when a relevant event arrives on the bus (at once) or
 * every `pollMs` (catch-up), until the client goes, the session ends, or the app stops.
 * `tick` writes what changed since its last run; it must be safe to call at any time.
 */
export function liveStream(
  c: Context,
  registry: LiveStreams,
  options: LiveOptions,
  relevant: (event: CaseEvent) => boolean,
  tick: (stream: SSEStreamingApi, woken: CaseEvent[]) => Promise<void>,
): Response {
  const sessionCheckMs = options.sessionCheckMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  return streamSSE(c, async (stream) => {
    registry.add(stream);
    let woken: CaseEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = options.events.subscribe((event) => {
      if (!relevant(event)) return;
      woken.push(event);
      wake?.();
    });
    stream.onAbort(() => wake?.());
    let lastSessionCheck = Date.now();
    let lastWrite = Date.now();
    try {
      await stream.writeSSE({ event: 'ready', data: '{}', retry: 3000 });
      await tick(stream, []);
      while (!stream.aborted && !stream.closed) {
        if (woken.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, Math.min(options.pollMs, heartbeatMs));
            function done() {
              clearTimeout(timer);
              wake = null;
              resolve();
            }
            wake = done;
          });
        }
        if (stream.aborted) break;
        if (Date.now() - lastSessionCheck >= sessionCheckMs) {
          lastSessionCheck = Date.now();
          if (!(await options.sessionValid())) {
            await stream.writeSSE({ event: 'expired', data: '{}' });
            break;
          }
        }
        const batch = woken;
        woken = [];
        await tick(stream, batch);
        if (Date.now() - lastWrite >= heartbeatMs) {
          await stream.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
      }
    } finally {
      unsubscribe();
      registry.delete(stream);
    }
  });
}

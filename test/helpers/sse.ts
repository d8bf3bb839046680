/** One server-sent event as parsed from a stream. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads server-sent events from a streaming response until `until` accepts one (returning every event
 * read so far) or `timeoutMs` passes (throws). The stream is cancelled afterwards.
 */
export async function readEvents(res: Response, until: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now()))),
      ]);
      if (chunk === 'timeout' || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line.startsWith('id: ')) event.id = line.slice(4);
        }
        if (data.length === 0 && block.startsWith(':')) continue;
        event.data = data.join('\n');
        events.push(event);
        if (until(event)) return events;
      }
    }
    throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Polls `check` until it is truthy (returning its value) or throws after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

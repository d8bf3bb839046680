/** A body read whole (`bytes`), or refused because it passed the cap (`over`, with how much was read). */
export type CappedBody = { over: false; bytes: Uint8Array } | { over: true; read: number };

const FIRST_BUFFER_BYTES = 64 * 1024;

/**
 * Reads a request body as it streams in, into one buffer that never grows past `cap`: the first chunk
 * that would pass it ends the keeping, so an upload costs at most `cap` bytes of memory however large it
 * claims or turns out to be. `expected` (a Content-Length at most `cap`) sizes the buffer once.
 *
 * Past the cap the rest is read and dropped up to `discardUpTo` bytes in all (so a client whose body
 * was refused for a quota, not its size, gets the answer rather than a reset connection), and beyond
 * that the stream is cancelled: the HTTP server drains or closes what the client still sends.
 */
export async function readCappedBody(
  body: ReadableStream<Uint8Array> | null,
  cap: number,
  options: { expected?: number; discardUpTo?: number } = {},
): Promise<CappedBody> {
  if (!body) return { over: false, bytes: new Uint8Array(0) };
  const { expected } = options;
  const reader = body.getReader();
  let buffer = new Uint8Array(expected !== undefined && expected <= cap ? expected : Math.min(cap, FIRST_BUFFER_BYTES));
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > cap) {
        buffer = new Uint8Array(0); // nothing of it is kept
        return {
          over: true,
          read: size + value.byteLength + (await discard(reader, options.discardUpTo ?? cap, size + value.byteLength)),
        };
      }
      if (size + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.min(cap, Math.max(size + value.byteLength, buffer.byteLength * 2)));
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value, size);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return { over: false, bytes: buffer.subarray(0, size) };
}

/**
 * Reads a body to its end without keeping it, up to `limit` bytes (then cancels): for an answer given
 * before the body was needed, so the client reads that answer rather than a reset connection.
 */
export async function discardBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<void> {
  if (!body || body.locked) return;
  const reader = body.getReader();
  try {
    await discard(reader, limit, 0);
  } catch {
    // The client went away: nothing to answer.
  } finally {
    reader.releaseLock();
  }
}

/** Reads and drops chunks while the total stays within `limit`; cancels past it. Returns the bytes dropped. */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number, already: number): Promise<number> {
  let read = already;
  while (read <= limit) {
    const { done, value } = await reader.read();
    if (done) return read - already;
    read += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return read - already;
}

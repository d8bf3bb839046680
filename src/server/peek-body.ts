/** A body's first bytes, and the whole body (those bytes included) still to be read. */
export interface PeekedBody {
  head: Uint8Array;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Reads the first `count` bytes of a request body (fewer when it is shorter) without losing them: the
 * returned `body` streams them again, then the rest as it arrives. To decide from a file's first bytes
 * (its type) before the rest is read, kept or refused.
 */
export async function peekBody(body: ReadableStream<Uint8Array> | null, count: number): Promise<PeekedBody> {
  if (!body) return { head: new Uint8Array(0), body: null };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < count) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  const head = new Uint8Array(Math.min(size, count));
  let at = 0;
  for (const chunk of chunks) {
    if (at >= head.byteLength) break;
    const part = chunk.subarray(0, head.byteLength - at);
    head.set(part, at);
    at += part.byteLength;
  }
  const rest = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        if (done) {
          reader.releaseLock();
          controller.close();
        }
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) {
          reader.releaseLock();
          controller.close();
        } else controller.enqueue(next.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 }, // read on only when asked: a refused upload is not pulled further
  );
  return { head, body: rest };
}

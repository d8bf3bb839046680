/** A download that went over the cap: the resident gets the "too large" reply, nothing is stored. */
export class FileTooLarge extends Error {}

/**
 * Fetches a file from the Bot API file endpoint, reading at most `maxBytes` (a lying or missing
 * Content-Length cannot make us hold more than that in memory).
 */
export async function downloadFile(url: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await fetch(url, signal ? { signal } : {});
  if (!response.ok || !response.body) throw new Error(`file download failed with HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new FileTooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new FileTooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

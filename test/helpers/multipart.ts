/** One part of a multipart/form-data body: a field's text, or a file's bytes with its name. */
export interface MultipartPart {
  name: string;
  filename?: string | undefined;
  contentType?: string | undefined;
  bytes: Uint8Array;
}

/**
 * Parses a multipart/form-data body the way a tolerant server does, for the fakes of Telegram's Bot API
 * and Meta's Graph API. grammY writes its headers without spaces and the file name unquoted
 * (`content-disposition:form-data;name="x";filename=photo.jpg`); fetch's FormData writes them the usual
 * way. Both are read here. Throws on a body that is not multipart at all.
 */
export function parseMultipart(body: Uint8Array, contentType: string | undefined): Map<string, MultipartPart> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) throw new Error(`not multipart: ${contentType}`);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts = new Map<string, MultipartPart>();
  let at = data.indexOf(delimiter);
  while (at >= 0) {
    let start = at + delimiter.length;
    if (data.subarray(start, start + 2).toString() === '--') break; // the closing delimiter
    if (data.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = data.indexOf(delimiter, start);
    if (next < 0) throw new Error('multipart body without a closing delimiter');
    const end = data.subarray(next - 2, next).toString() === '\r\n' ? next - 2 : next;
    const part = data.subarray(start, end);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:\s*form-data\s*;(.*)/i.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/.exec(disposition)?.[1];
    if (name !== undefined) {
      const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/.exec(disposition);
      parts.set(name, {
        name,
        filename: filename ? (filename[1] ?? filename[2] ?? '').trim() : undefined,
        contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim(),
        bytes: new Uint8Array(part.subarray(split + 4)),
      });
    }
    at = next;
  }
  return parts;
}

export const fieldText = (parts: Map<string, MultipartPart>, name: string): string | undefined => {
  const part = parts.get(name);
  return part ? Buffer.from(part.bytes).toString('utf8') : undefined;
};

/** A file type a resident may upload in the web chat, as its first bytes show it. */
export interface SniffedType {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
  kind: 'image' | 'document';
}

/** Enough first bytes to recognise every type below (WebP's is the longest: "RIFF", a size, "WEBP"). */
export const SNIFF_BYTES = 12;

const SIGNATURES: { contentType: SniffedType['contentType']; kind: SniffedType['kind']; matches: (b: Uint8Array) => boolean }[] =
  [
    { contentType: 'image/jpeg', kind: 'image', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
    { contentType: 'image/png', kind: 'image', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
    {
      contentType: 'image/webp',
      kind: 'image',
      matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b.subarray(8), ascii('WEBP')),
    },
    { contentType: 'application/pdf', kind: 'document', matches: (b) => startsWith(b, ascii('%PDF-')) },
  ];

/**
 * The type of an uploaded file by its content (magic bytes), never by the type or name the browser
 * gave: an HTML or SVG page renamed `.pdf` and sent as application/pdf is none of these, so it is
 * refused rather than stored under a type a browser would trust. Null for anything else.
 */
export function sniffUploadType(head: Uint8Array): SniffedType | null {
  const found = SIGNATURES.find((s) => s.matches(head));
  return found ? { contentType: found.contentType, kind: found.kind } : null;
}

/** The types sniffUploadType knows, for refusals and the page's file picker. */
export const UPLOAD_TYPES: readonly string[] = SIGNATURES.map((s) => s.contentType);

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.byteLength >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

import { ALLOWED_MEDIA_TYPES, baseContentType } from '../media/store-media.js';

/**
 * Types served under their own name: sound, pictures and video (the page's <audio>, <img> and <video>
 * elements play and show them). Never SVG or HTML (they can run script), and not PDF (a viewer with
 * its own script engine): those and anything else go as application/octet-stream.
 */
export const INLINE_MEDIA_TYPES: ReadonlySet<string> = new Set(
  [...ALLOWED_MEDIA_TYPES].filter((type) => /^(audio|image|video)\//.test(type)),
);

const EXTENSIONS: Record<string, string> = {
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

/**
 * A stored file as a response. The stored content type is used only if it is on the allowlist
 * (else application/octet-stream). Always `Content-Disposition: attachment` (issue 15): opened on its
 * own, a resident's file is saved, never rendered by the browser; the inbox's <img>, <audio> and
 * <video> elements show and play it all the same (they do not look at the disposition). Always
 * `nosniff`, and a sandboxing CSP in case a browser renders it anyway.
 */
export function mediaResponse(file: { contentType: string; content: Uint8Array; kind: string }, options: { name: string }): Response {
  const stored = baseContentType(file.contentType);
  const allowed = ALLOWED_MEDIA_TYPES.has(stored) || INLINE_MEDIA_TYPES.has(stored);
  const type = allowed ? stored : 'application/octet-stream';
  const filename = `${options.name.replace(/[^A-Za-z0-9_-]/g, '')}.${EXTENSIONS[type] ?? 'bin'}`;
  return new Response(file.content as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'content-type': type,
      'content-length': String(file.content.byteLength),
      'content-disposition': `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; media-src 'self'; img-src 'self'; sandbox",
      'cache-control': 'private, no-store',
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}

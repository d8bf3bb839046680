import { ALLOWED_MEDIA_TYPES, baseContentType } from '../media/store-media.js';

/**
 * Types a browser may show inline: sound, pictures and video only. Never SVG or HTML (they can run
 * script), and not PDF (a viewer with its own script engine): those and anything else are downloads.
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
 * (else application/octet-stream); it is shown inline only if it is also on the inline list (else
 * `Content-Disposition: attachment`). Always `nosniff`, and a sandboxing CSP in case a browser
 * renders it anyway.
 */
export function mediaResponse(
  file: { contentType: string; content: Uint8Array; kind: string },
  options: { name: string; download?: boolean },
): Response {
  const stored = baseContentType(file.contentType);
  const allowed = ALLOWED_MEDIA_TYPES.has(stored) || INLINE_MEDIA_TYPES.has(stored);
  const type = allowed ? stored : 'application/octet-stream';
  const inline = !options.download && INLINE_MEDIA_TYPES.has(type);
  const filename = `${options.name.replace(/[^A-Za-z0-9_-]/g, '')}.${EXTENSIONS[type] ?? 'bin'}`;
  return new Response(file.content as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'content-type': type,
      'content-length': String(file.content.byteLength),
      'content-disposition': inline ? 'inline' : `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; media-src 'self'; img-src 'self'; sandbox",
      'cache-control': 'private, no-store',
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}

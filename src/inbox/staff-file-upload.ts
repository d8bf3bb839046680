import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from '../server/body-limit.js';
import { MAX_CAPTION_LENGTH } from '../handoff/staff-file.js';
import { SNIFF_BYTES, sniffUploadType } from '../media/sniff-upload-type.js';
import { HttpError } from '../server/http-error.js';
import { readForm } from '../server/read-form.js';

/** Room for what comes with the file in the form: the caption (up to 4 bytes a character), the CSRF token, the parts' headers. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** Where the inbox page posts a file; inbox-routes gives this path its own body limit. */
export const STAFF_FILE_PAGE_PATH = /^\/inbox\/handoffs\/[^/]+\/files$/;

/** Why an upload is refused, in words for whoever sent it: the API's English, or the staff member's language on a page. */
export interface UploadReasons {
  tooLarge: string;
  wrongType: string;
  missing: string;
}

export function englishReasons(maxBytes: number): UploadReasons {
  return {
    tooLarge: `a file may be at most ${megabytes(maxBytes)} (STAFF_MAX_FILE_BYTES)`,
    wrongType:
      'a file must be a PDF or a photo (JPEG, PNG or WebP); its content is none of these, whatever its name or declared type',
    missing: 'send multipart/form-data with the file in the field "file" (and an optional "caption")',
  };
}

/**
 * The body limit of a file upload: STAFF_MAX_FILE_BYTES and the form around it. A body over it is refused
 * with 413 before it is read (by its Content-Length) or as soon as it passes the limit, never kept whole.
 */
export function staffFileBodyLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes + FORM_OVERHEAD_BYTES,
    onError: () => {
      throw new HttpError(413, 'too_large', englishReasons(maxBytes).tooLarge);
    },
  });
}

/**
 * A staff member's file from a multipart form (`file`, optional `caption`; the page adds `_csrf`): 413 over
 * STAFF_MAX_FILE_BYTES, 415 when its first bytes are not a PDF, JPEG, PNG or WebP (whatever it is called or
 * declared as), 400 for a missing or empty file, a caption that is not text or too long, or another field.
 */
export async function readStaffFile(
  c: Context<any>,
  options: { maxBytes: number; reasons?: UploadReasons; allowed?: readonly string[] },
): Promise<{ bytes: Uint8Array; caption: string | undefined }> {
  const reasons = options.reasons ?? englishReasons(options.maxBytes);
  if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    throw new HttpError(415, 'unsupported_media_type', reasons.missing);
  }
  const form = await readForm(c);
  const allowed = new Set(['file', 'caption', ...(options.allowed ?? [])]);
  const unknown = Object.keys(form).find((name) => !allowed.has(name));
  if (unknown) throw new HttpError(400, 'invalid_request', `unknown field ${unknown.slice(0, 40)}: send "file" and "caption"`);
  const file = form['file'];
  if (!(file instanceof File) || file.size === 0) throw new HttpError(400, 'invalid_request', reasons.missing);
  if (file.size > options.maxBytes) throw new HttpError(413, 'too_large', reasons.tooLarge);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!sniffUploadType(bytes.subarray(0, SNIFF_BYTES))) throw new HttpError(415, 'unsupported_media_type', reasons.wrongType);
  const caption = form['caption'];
  if (caption !== undefined && typeof caption !== 'string') throw new HttpError(400, 'invalid_request', 'caption must be text');
  if (caption !== undefined && caption.trim().length > MAX_CAPTION_LENGTH) {
    throw new HttpError(400, 'invalid_request', `caption: may be at most ${MAX_CAPTION_LENGTH} characters`);
  }
  return { bytes, caption };
}

/** A size as staff read it: "10 MB". */
export function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${bytes} bytes`;
}

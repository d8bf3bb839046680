import { SNIFF_BYTES, sniffUploadType, type SniffedType } from '../media/sniff-upload-type.js';
import { withoutControlCharacters } from '../text/control-characters.js';
import { HandoffError } from './handoff-error.js';

/**
 * A caption may be this long, as typed. Telegram and WhatsApp's Cloud API take captions up to 1,024
 * characters, and the trust person's name (and the neutral first line) still go on top; a longer text
 * is a reply of its own.
 */
export const MAX_CAPTION_LENGTH = 900;

/** A file a trust person sends a resident (issue 15, "Documents"): its bytes and an optional caption. */
export interface StaffFile {
  bytes: Uint8Array;
  caption?: string | null | undefined;
}

/**
 * The file's type by its content (magic bytes), never by its name or declared type: a PDF or a photo
 * (JPEG, PNG, WebP), or a refusal. The routes check it first to answer 415; this keeps the service safe
 * from any other caller.
 */
export function staffFileType(bytes: Uint8Array): SniffedType {
  const type = sniffUploadType(bytes.subarray(0, SNIFF_BYTES));
  if (!type) throw new HandoffError('invalid', 'a file must be a PDF or a photo (JPEG, PNG or WebP), by its content');
  return type;
}

/** The caption as sent: no control characters, plain line ends, trimmed; null when there is none. */
export function cleanCaption(caption: string | null | undefined): string | null {
  if (caption == null) return null;
  const text = withoutControlCharacters(caption.replace(/\r\n/g, '\n')).trim();
  if (!text) return null;
  if (text.length > MAX_CAPTION_LENGTH) {
    throw new HandoffError('invalid', `caption may be at most ${MAX_CAPTION_LENGTH} characters`);
  }
  return text;
}

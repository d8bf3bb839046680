import { baseContentType } from './store-media.js';

const NAMES: Record<string, string> = {
  'application/pdf': 'document.pdf',
  'image/jpeg': 'photo.jpg',
  'image/png': 'photo.png',
  'image/webp': 'photo.webp',
};

/**
 * The name a resident sees for a file staff sent them (`document.pdf`, `photo.jpg`): what it is, from
 * its stored type. Never the name it had on the trust person's computer, which is not kept: it may name
 * the family or the case, and a phone shows a file's name in notifications and in its downloads.
 */
export function outboundFileName(contentType: string): string {
  return NAMES[baseContentType(contentType)] ?? 'file.bin';
}

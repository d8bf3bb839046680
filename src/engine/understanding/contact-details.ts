import { toWesternDigits } from '../text-match.js';

/**
 * A phone number as people type it: "0687654321", "06-87 65 43 21", "+31 6 8765 4321", "0031 30 123 4567",
 * "+212 6 12 34 56 78". It starts with 0 or + (so a date, an amount or a case number is not taken for one)
 * and has 9 to 15 digits.
 */
const PHONE = /(?:\+|\b0)[\d\s\-.()/]{7,22}\d/g;

/** The first phone number in a text, digits only (and a leading +), or null. */
export function findPhoneNumber(text: string): string | null {
  for (const match of toWesternDigits(text).matchAll(PHONE)) {
    const digits = match[0].replace(/[^\d]/g, '');
    if (digits.length >= 9 && digits.length <= 15) return `${match[0].startsWith('+') ? '+' : ''}${digits}`;
  }
  return null;
}

/** Longest address or neighbourhood kept: enough for a street, number, postcode and town. */
const MAX_ADDRESS_LENGTH = 200;

/** An address or neighbourhood as typed ("Kanaleneiland", "Marshallaan 12, Utrecht"), or null when it holds no letters. */
export function readAddress(text: string): string | null {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (!/\p{L}/u.test(trimmed)) return null;
  return trimmed.slice(0, MAX_ADDRESS_LENGTH);
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest of resident content (message text and pressed choices, media, intake answers,
 * conversation snapshots, handoff summaries, staff notes) with AES-256-GCM from node:crypto.
 *
 * Keys come from ENCRYPTION_KEYS (`id:base64key,…`); the first encrypts, all decrypt, so a key can be
 * rotated: put the new one first, keep the old ones until `npm run cli -- crypto reencrypt` has moved
 * every row (it reports what is left on each key). Stored forms:
 * - text:  `enc:v1:<keyId>:<base64 of iv(12) | tag(16) | ciphertext>`
 * - JSON:  the same text as a JSON string (the jsonb column stays jsonb)
 * - bytes: `TIE1` | key id length (1 byte) | key id | iv | tag | ciphertext
 * Anything without these markers is read as plain (rows written before a key was set, or without one).
 */

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface FieldCipher {
  /** False without keys (development): everything is stored and read as plain. */
  readonly enabled: boolean;
  /** The key new writes use, or null. */
  readonly currentKeyId: string | null;
  encryptText(plain: string): string;
  encryptText(plain: string | null): string | null;
  decryptText(stored: string): string;
  decryptText(stored: string | null): string | null;
  /** For jsonb columns: a JSON string holding the ciphertext of the value's JSON. */
  encryptJson(value: unknown): unknown;
  decryptJson<T>(stored: unknown): T;
  encryptBytes(plain: Uint8Array): Uint8Array;
  decryptBytes(stored: Uint8Array): Uint8Array;
  /** The key id a stored value was written with; `plain` for unencrypted, null for nothing stored. */
  keyIdOf(stored: unknown): string | null;
}

export class DecryptionError extends Error {}

const TEXT_PREFIX = 'enc:v1:';
const BYTES_MAGIC = Buffer.from('TIE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses ENCRYPTION_KEYS; throws with a message fit for a ConfigError. */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const keys = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      if (colon < 1)
        throw new Error('expected "id:base64key" items separated by commas (make one with `npm run cli -- crypto new-key`)');
      const id = part.slice(0, colon);
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" may hold only letters, digits, - and _ (at most 32)`);
      const key = Buffer.from(part.slice(colon + 1), 'base64');
      if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes in base64 (got ${key.length} bytes)`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('expected at least one "id:base64key"');
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('every key needs its own id');
  return keys;
}

/** A new key line for ENCRYPTION_KEYS: `<id>:<32 random bytes in base64>`. */
export function newEncryptionKey(id: string): string {
  if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" may hold only letters, digits, - and _ (at most 32)`);
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function createFieldCipher(keys: readonly EncryptionKey[]): FieldCipher {
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const current = keys[0] ?? null;

  function seal(plain: Buffer): { keyId: string; sealed: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current!.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { keyId: current!.id, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  function open(keyId: string, sealed: Buffer): Buffer {
    const key = byId.get(keyId);
    if (!key) throw new DecryptionError(`stored data is encrypted with key "${keyId}", which is not in ENCRYPTION_KEYS`);
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('stored ciphertext is too short');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DecryptionError(`stored ciphertext does not match key "${keyId}" (altered, or a different key with that id)`);
    }
  }

  function encryptText(plain: string): string;
  function encryptText(plain: string | null): string | null;
  function encryptText(plain: string | null): string | null {
    if (plain === null || !current) return plain;
    const { keyId, sealed } = seal(Buffer.from(plain, 'utf8'));
    return `${TEXT_PREFIX}${keyId}:${sealed.toString('base64')}`;
  }

  function decryptText(stored: string): string;
  function decryptText(stored: string | null): string | null;
  function decryptText(stored: string | null): string | null {
    if (stored === null || !stored.startsWith(TEXT_PREFIX)) return stored;
    const rest = stored.slice(TEXT_PREFIX.length);
    const colon = rest.indexOf(':');
    if (colon < 1) throw new DecryptionError('stored ciphertext has no key id');
    return open(rest.slice(0, colon), Buffer.from(rest.slice(colon + 1), 'base64')).toString('utf8');
  }

  const isSealedBytes = (stored: Uint8Array) =>
    stored.length > BYTES_MAGIC.length + 1 && Buffer.from(stored.buffer, stored.byteOffset, 4).equals(BYTES_MAGIC);

  return {
    enabled: current !== null,
    currentKeyId: current?.id ?? null,
    encryptText,
    decryptText,
    encryptJson(value) {
      return current ? encryptText(JSON.stringify(value)) : value;
    },
    decryptJson<T>(stored: unknown): T {
      if (typeof stored === 'string' && stored.startsWith(TEXT_PREFIX)) return JSON.parse(decryptText(stored)) as T;
      return stored as T;
    },
    encryptBytes(plain) {
      if (!current) return plain;
      const { keyId, sealed } = seal(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength));
      const id = Buffer.from(keyId, 'utf8');
      return Buffer.concat([BYTES_MAGIC, Buffer.from([id.length]), id, sealed]);
    },
    decryptBytes(stored) {
      if (!isSealedBytes(stored)) return stored;
      const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      const idLength = bytes[4]!;
      const keyId = bytes.subarray(5, 5 + idLength).toString('utf8');
      return open(keyId, bytes.subarray(5 + idLength));
    },
    keyIdOf(stored) {
      if (stored === null || stored === undefined) return null;
      if (typeof stored === 'string') {
        if (!stored.startsWith(TEXT_PREFIX)) return 'plain';
        return stored.slice(TEXT_PREFIX.length).split(':', 1)[0]!;
      }
      if (stored instanceof Uint8Array) {
        if (!isSealedBytes(stored)) return 'plain';
        return Buffer.from(stored.buffer, stored.byteOffset + 5, stored[4]!).toString('utf8');
      }
      return 'plain';
    },
  };
}

/** No keys: stores and reads everything as plain. Development and most tests. */
export const PLAIN_CIPHER: FieldCipher = createFieldCipher([]);

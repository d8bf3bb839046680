import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import {
  createFieldCipher,
  DecryptionError,
  newEncryptionKey,
  parseEncryptionKeys,
  PLAIN_CIPHER,
} from '../../src/crypto/field-cipher.js';

const k1 = newEncryptionKey('k1');
const k2 = newEncryptionKey('k2');

describe('the field cipher (AES-256-GCM)', () => {
  const cipher = createFieldCipher(parseEncryptionKeys(k1));

  it('round-trips text, JSON and bytes, and never stores the plain form', () => {
    const text = 'زوجي يضربني — 14:00 ✓';
    const sealed = cipher.encryptText(text);
    expect(sealed).toMatch(/^enc:v1:k1:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('14:00');
    expect(cipher.decryptText(sealed)).toBe(text);
    // a fresh IV each time: the same text never gives the same ciphertext
    expect(cipher.encryptText(text)).not.toBe(sealed);

    const answers = { domains: ['money', 'school'], consent: 'yes' };
    const json = cipher.encryptJson(answers);
    expect(typeof json).toBe('string');
    expect(cipher.decryptJson(json)).toEqual(answers);

    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const box = cipher.encryptBytes(bytes);
    expect(Buffer.from(box.subarray(0, 4)).toString()).toBe('TIE1');
    expect(Buffer.from(box).includes(Buffer.from(bytes))).toBe(false);
    expect(new Uint8Array(cipher.decryptBytes(box))).toEqual(bytes);
    expect(cipher.encryptText(null)).toBeNull();
  });

  it('reads values stored before encryption as they are', () => {
    expect(cipher.decryptText('hallo')).toBe('hallo');
    expect(cipher.decryptJson({ a: 1 })).toEqual({ a: 1 });
    expect(cipher.decryptBytes(new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(cipher.keyIdOf('hallo')).toBe('plain');
  });

  it('rotates: the first key writes, every listed key reads', () => {
    const old = cipher.encryptText('oud');
    const rotated = createFieldCipher(parseEncryptionKeys(`${k2},${k1}`));
    expect(rotated.decryptText(old)).toBe('oud');
    expect(rotated.keyIdOf(rotated.encryptText('nieuw'))).toBe('k2');
    expect(rotated.keyIdOf(rotated.encryptBytes(new Uint8Array([9])))).toBe('k2');
    // without the old key, its rows cannot be read, and the error names the key
    const newOnly = createFieldCipher(parseEncryptionKeys(k2));
    expect(() => newOnly.decryptText(old)).toThrow(/key "k1", which is not in ENCRYPTION_KEYS/);
  });

  it('refuses altered ciphertext instead of returning garbage', () => {
    const sealed = cipher.encryptText('geheim');
    const body = Buffer.from(sealed.slice('enc:v1:k1:'.length), 'base64');
    body.writeUInt8(body.readUInt8(body.length - 1) ^ 1, body.length - 1);
    expect(() => cipher.decryptText(`enc:v1:k1:${body.toString('base64')}`)).toThrow(DecryptionError);
  });

  it('stores plain without keys (development)', () => {
    expect(PLAIN_CIPHER.enabled).toBe(false);
    expect(PLAIN_CIPHER.encryptText('hallo')).toBe('hallo');
  });
});

describe('ENCRYPTION_KEYS in the configuration', () => {
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return null;
  };

  it('is required in production, and names the variable and the way to make a key', () => {
    const message = problem({ NODE_ENV: 'production' });
    expect(message).toContain('ENCRYPTION_KEYS: required when NODE_ENV=production');
    expect(message).toContain('crypto new-key');
    expect(problem({ NODE_ENV: 'production', ENCRYPTION_KEYS: k1 })).toBeNull();
    expect(problem({ NODE_ENV: 'development' })).toBeNull();
  });

  it('refuses a malformed key without echoing it', () => {
    const short = `k1:${Buffer.alloc(16).toString('base64')}`;
    const message = problem({ ENCRYPTION_KEYS: short })!;
    expect(message).toContain('ENCRYPTION_KEYS: key "k1" must be 32 bytes in base64 (got 16 bytes)');
    expect(message).toContain('(hidden)');
    expect(message).not.toContain(short);
    expect(problem({ ENCRYPTION_KEYS: `${k1},${k1}` })).toContain('every key needs its own id');
    expect(problem({ ENCRYPTION_KEYS: 'no-colon' })).toContain('id:base64key');
  });
});

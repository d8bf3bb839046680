import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/staff/password.js';
import { safeEqual } from '../../src/staff/secret-token.js';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('returns false, never throws, for a malformed stored hash', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$2$3$x$y', 'bcrypt$a$b$c$d$e', 'scrypt$abc$8$1$c2FsdA$aGFzaA']) {
      expect(await verifyPassword('whatever', stored)).toBe(false);
    }
  });

  it('asks for at least ten characters', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('long enough pass')).toBeNull();
  });

  it('compares tokens in constant time, equal only when equal', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError, runCommand } from '../../src/cli/commands.js';
import { createApiTokenStore } from '../../src/staff/api-tokens.js';
import { createLogin } from '../../src/staff/login.js';
import { createStaffStore } from '../../src/staff/staff-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.destroy());
beforeEach(() => testDb.truncate());

/** Runs a CLI command with `stdin` piped in; returns what it printed. */
async function cli(argv: string[], stdin = ''): Promise<{ out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  await runCommand(argv, testDb.database, { stdin: Readable.from([stdin]), stdout, stderr });
  return { out, err };
}

const ADD = [
  'staff',
  'add',
  '--name',
  'Fatima Amrani',
  '--email',
  'Fatima@Example.org',
  '--role',
  'coordinator',
  '--languages',
  'nl,ar,rif',
  '--gender',
  'woman',
];

describe('the staff CLI', () => {
  it('adds the first coordinator with the password from stdin, who can then log in', async () => {
    const { out } = await cli(ADD, 'a good long password\n');
    expect(out).toMatch(/^added Fatima Amrani <fatima@example.org> as coordinator/);
    const person = await createStaffStore(testDb.database).byEmail('fatima@example.org');
    expect(person).toMatchObject({ role: 'coordinator', languages: ['nl', 'ar', 'rif'], gender: 'woman', uiLocale: 'nl' });
    const login = createLogin(testDb.database);
    expect(await login('FATIMA@example.org', 'a good long password')).toEqual({ ok: true, staffId: person!.id });
  });

  it('refuses a short password, a duplicate email, a bad role or gender, with a message', async () => {
    await expect(cli(ADD, 'short\n')).rejects.toThrow(/at least 10/);
    await cli(ADD, 'a good long password\n');
    await expect(cli(ADD, 'a good long password\n')).rejects.toThrow(/exists already/);
    const bad = (flag: string, value: string) => {
      const argv = [...ADD];
      argv[argv.indexOf(flag) + 1] = value;
      argv[argv.indexOf('--email') + 1] = 'other@example.org';
      return cli(argv, 'a good long password\n');
    };
    await expect(bad('--role', 'boss')).rejects.toThrow(CliError);
    await expect(bad('--gender', 'x')).rejects.toThrow(/--gender must be one of woman, man/);
    await expect(bad('--languages', 'Dutch!')).rejects.toThrow(/language codes/);
    await expect(cli(['staff', 'add', '--email', 'a@b.nl'])).rejects.toThrow(/--role is required/);
    await expect(cli(['nonsense'])).rejects.toThrow(/Usage/);
  });

  it('makes a personal API token that is shown once, works, and can be revoked', async () => {
    await cli(ADD, 'a good long password\n');
    const { out, err } = await cli(['token', 'create', '--email', 'fatima@example.org', '--label', 'case system']);
    const token = out.trim();
    expect(token).toMatch(/^tsi_[A-Za-z0-9_-]{43}$/);
    expect(err).toMatch(/shown once/);
    const tokens = createApiTokenStore(testDb.database);
    expect((await tokens.verify(token))?.email).toBe('fatima@example.org');
    const list = (await cli(['token', 'list', '--email', 'fatima@example.org'])).out;
    expect(list).toContain('case system');
    expect(list).not.toContain(token);
    const id = list.split(/\s+/)[0]!;
    expect((await cli(['token', 'revoke', '--id', id])).out).toContain('revoked');
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('disables a person (no log-in, no token) and sets a new password', async () => {
    await cli(ADD, 'a good long password\n');
    const { out } = await cli(['token', 'create', '--email', 'fatima@example.org']);
    await cli(['staff', 'disable', '--email', 'fatima@example.org']);
    const login = createLogin(testDb.database);
    expect(await login('fatima@example.org', 'a good long password')).toMatchObject({ ok: false });
    expect(await createApiTokenStore(testDb.database).verify(out.trim())).toBeUndefined();
    await cli(['staff', 'enable', '--email', 'fatima@example.org']);
    await cli(['staff', 'password', '--email', 'fatima@example.org'], 'another long password\n');
    expect(await login('fatima@example.org', 'another long password')).toMatchObject({ ok: true });
    expect((await cli(['staff', 'list'])).out).toMatch(/active\s+coordinator\s+fatima@example.org\s+Fatima Amrani/);
  });
});

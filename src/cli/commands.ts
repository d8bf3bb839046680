import { parseArgs } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { createAuditLog } from '../audit/audit-log.js';
import { countByKey, reencryptAll } from './reencrypt.js';
import type { Database } from '../db/database.js';
import { createApiTokenStore } from '../staff/api-tokens.js';
import { passwordProblem } from '../staff/password.js';
import { createSessionStore } from '../staff/sessions.js';
import { createStaffStore, DuplicateEmailError } from '../staff/staff-store.js';
import { STAFF_GENDERS, STAFF_ROLES, type StaffRole } from '../staff/staff-types.js';
import { readPassword } from './read-password.js';

export const USAGE = `Usage: npm run cli -- <command>

  staff add --name <name> --email <email> --role <trust_person|coordinator>
            --languages <nl,ar,...> [--gender <woman|man>] [--ui-locale <nl|ar|tr|en>]
                                   the password is read from the terminal (hidden) or the first line of stdin
  staff list
  staff password --email <email>   set a new password (ends the person's sessions)
  staff disable --email <email>    no more log-in or API access (ends sessions)
  staff enable --email <email>
  token create --email <email> [--label <text>]
                                   a personal API token for integrations; shown once, stored hashed
  token list --email <email>
  token revoke --id <token id>
  audit verify                     check the audit log's hash chain: prints OK with the number of entries,
                                   or names the first broken entry and exits with 1
  crypto new-key [--id <key id>]   print a new ENCRYPTION_KEYS entry (id:base64 of 32 random bytes)
  crypto status                    how many stored values each key (or none: plain) holds, per column
  crypto reencrypt                 rewrite every value not under the first key of ENCRYPTION_KEYS with it
                                   (after a rotation, or to encrypt rows from before keys were set)
`;

export class CliError extends Error {}

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  stdout: Writable;
  stderr: Writable;
}

const UI_LOCALES = ['nl', 'ar', 'tr', 'en'];

async function newPassword(io: CliIo): Promise<string> {
  const password = await readPassword(io.stdin, io.stderr, 'Password: ');
  const problem = passwordProblem(password);
  if (problem) throw new CliError(problem);
  if (io.stdin.isTTY) {
    const again = await readPassword(io.stdin, io.stderr, 'Password again: ');
    if (again !== password) throw new CliError('the two passwords differ');
  }
  return password;
}

/**
 * Runs one CLI command against a database; throws CliError for a mistake the user can fix. Returns
 * the exit code when it is not 0 (a check that found a fault).
 */
export async function runCommand(argv: string[], database: Database, io: CliIo): Promise<number | void> {
  const [group, action, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      languages: { type: 'string' },
      gender: { type: 'string' },
      'ui-locale': { type: 'string' },
      label: { type: 'string' },
      id: { type: 'string' },
    },
    strict: true,
  });
  const staff = createStaffStore(database);
  const tokens = createApiTokenStore(database);
  const sessions = createSessionStore(database, { idleMs: 1, maxMs: 1 });
  const out = (line: string) => io.stdout.write(line + '\n');
  const need = (name: keyof typeof values): string => {
    const value = values[name];
    if (typeof value !== 'string' || !value.trim()) throw new CliError(`--${name} is required`);
    return value.trim();
  };
  const person = async () => {
    const found = await staff.byEmail(need('email'));
    if (!found) throw new CliError(`no staff member with email ${values.email}`);
    return found;
  };

  switch (`${group ?? ''} ${action ?? ''}`) {
    case 'staff add': {
      const role = need('role') as StaffRole;
      if (!STAFF_ROLES.includes(role)) throw new CliError(`--role must be one of ${STAFF_ROLES.join(', ')}`);
      const email = need('email');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new CliError('--email is not an email address');
      const languages = need('languages')
        .split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean);
      if (languages.some((l) => !/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/.test(l))) {
        throw new CliError('--languages must be language codes separated by commas, such as nl,ar,rif');
      }
      const gender = values.gender?.trim().toLowerCase() || null;
      if (gender && !(STAFF_GENDERS as readonly string[]).includes(gender))
        throw new CliError(`--gender must be one of ${STAFF_GENDERS.join(', ')}`);
      const uiLocale = values['ui-locale']?.trim() || 'nl';
      if (!UI_LOCALES.includes(uiLocale)) throw new CliError(`--ui-locale must be one of ${UI_LOCALES.join(', ')}`);
      const name = need('name');
      const password = await newPassword(io);
      try {
        const created = await staff.create({ name, email, role, languages, gender, uiLocale, password });
        out(`added ${created.name} <${created.email}> as ${created.role} (id ${created.id})`);
      } catch (error) {
        if (error instanceof DuplicateEmailError) throw new CliError(error.message);
        throw error;
      }
      return;
    }
    case 'staff list': {
      for (const p of await staff.list()) {
        out(
          `${p.id}  ${p.active ? 'active  ' : 'disabled'}  ${p.role.padEnd(12)}  ${p.email}  ${p.name}  [${p.languages.join(',')}] ${p.gender ?? ''}`,
        );
      }
      return;
    }
    case 'staff password': {
      const p = await person();
      await staff.setPassword(p.id, await newPassword(io));
      await sessions.destroyAllFor(p.id);
      out(`new password set for ${p.email}; their sessions have ended`);
      return;
    }
    case 'staff disable':
    case 'staff enable': {
      const p = await person();
      await staff.setActive(p.id, action === 'enable');
      if (action === 'disable') await sessions.destroyAllFor(p.id);
      out(`${p.email} is ${action === 'enable' ? 'enabled' : 'disabled'}`);
      return;
    }
    case 'token create': {
      const p = await person();
      const { id, token } = await tokens.create(p.id, values.label?.trim() || null);
      io.stderr.write(`token ${id} for ${p.email} (shown once; store it as a secret):\n`);
      out(token);
      return;
    }
    case 'token list': {
      const p = await person();
      for (const t of await tokens.list(p.id)) {
        out(
          `${t.id}  ${t.revokedAt ? 'revoked' : 'active '}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? 'never'}  ${t.label ?? ''}`,
        );
      }
      return;
    }
    case 'token revoke': {
      const id = need('id');
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError('--id must be a token id from `token list`');
      out((await tokens.revoke(id)) ? `token ${id} revoked` : `no active token ${id}`);
      return;
    }
    case 'audit verify': {
      const check = await createAuditLog(database).verify();
      if (!check.ok) {
        io.stderr.write(
          `audit log BROKEN at entry ${check.brokenId}: ${check.reason} (${check.entries} entries before it verified)\n`,
        );
        return 1;
      }
      const unchained = check.unchained ? `, ${check.unchained} older entries from before the chain` : '';
      const head = check.head ? `; chain head: entry ${check.head.id} ${check.head.hash}` : '';
      out(`audit log OK: ${check.entries} entries verified${unchained}${head}`);
      return;
    }
    case 'crypto status': {
      const counts = await countByKey(database);
      const current = database.cipher.currentKeyId;
      out(current ? `new writes use key "${current}"` : 'ENCRYPTION_KEYS is not set: new writes are stored plain');
      for (const [column, perKey] of Object.entries(counts)) {
        const parts = Object.entries(perKey).map(([key, n]) => `${key}: ${n}`);
        out(`${column.padEnd(24)} ${parts.length ? parts.join(', ') : 'empty'}`);
      }
      return;
    }
    case 'crypto reencrypt': {
      if (!database.cipher.enabled) throw new CliError('ENCRYPTION_KEYS is not set: there is no key to encrypt with');
      const rewritten = await reencryptAll(database);
      const total = Object.values(rewritten).reduce((a, b) => a + b, 0);
      for (const [column, n] of Object.entries(rewritten)) if (n > 0) out(`${column}: ${n} rewritten`);
      out(`re-encrypted ${total} stored values with key "${database.cipher.currentKeyId}"`);
      return;
    }
    default:
      throw new CliError(USAGE);
  }
}

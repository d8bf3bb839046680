import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { initPgliteFolder, pgliteTemplateFolder } from '../../src/db/pglite-initdb.js';

const made: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tussenin-template-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded database on a first start', () => {
  it('is copied from the empty database npm install made, and opens and migrates as a new one', async () => {
    const template = pgliteTemplateFolder()!;
    expect(existsSync(path.join(template, 'PG_VERSION'))).toBe(true); // made by postinstall
    const dataDir = scratch();
    const folder = path.join(dataDir, 'pglite');
    expect(await initPgliteFolder(folder)).toBe('copied');
    expect(readdirSync(folder).sort()).toEqual(readdirSync(template).sort());
    // The copy is the app user's alone, whatever the template's modes (readable by all, for Docker's user).
    const modes = new Set<string>();
    const collect = (dir: string) => {
      modes.add(`dir ${(statSync(dir).mode & 0o777).toString(8)}`);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const entryPath = path.join(dir, entry.name);
        if (entry.isDirectory()) collect(entryPath);
        else modes.add(`file ${(statSync(entryPath).mode & 0o777).toString(8)}`);
      }
    };
    collect(folder);
    expect([...modes].sort()).toEqual(['dir 700', 'file 600']);

    const database = await openDatabase({ dataDir });
    try {
      const [row] = await database.rows<{ tables: number }>(
        // the migrations ran on the copy
        sql`select count(*)::int as tables from information_schema.tables where table_name in ('residents', 'messages')`,
      );
      expect(row).toEqual({ tables: 2 });
    } finally {
      await database.close();
    }
    expect(await initPgliteFolder(folder)).toBe('existing');
  });

  it('finishes a copy that was cut short (no PG_VERSION yet) on the next start', async () => {
    const folder = path.join(scratch(), 'pglite');
    await initPgliteFolder(folder);
    rmSync(path.join(folder, 'PG_VERSION'));
    writeFileSync(path.join(folder, 'postgresql.conf'), ''); // a half-written file
    expect(await initPgliteFolder(folder)).toBe('copied');
    expect(existsSync(path.join(folder, 'PG_VERSION'))).toBe(true);
  });

  it('runs initdb itself when there is no template (install scripts were skipped)', async () => {
    const folder = path.join(scratch(), 'pglite');
    expect(await initPgliteFolder(folder, path.join(scratch(), 'no-template'))).toBe('initdb');
    expect(existsSync(path.join(folder, 'PG_VERSION'))).toBe(true);
  });
});

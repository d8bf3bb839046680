// `npm install` runs this (postinstall): it creates an empty PGlite database once, beside the installed
// packages, so that the app's first start copies it instead of running PGlite's initdb, a WebAssembly
// module of about 650 MB while it runs (src/db/pglite-initdb.ts). Plain JavaScript: it runs before
// anything is built. It never fails the install: without a template the first start runs initdb itself.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

try {
  // Keep in step with pgliteTemplateFolder() in src/db/pglite-initdb.ts.
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  const manifestOf = (folder) => {
    const file = path.join(folder, 'package.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  };
  while (manifestOf(dir).name !== '@electric-sql/pglite') {
    if (path.dirname(dir) === dir) throw new Error('the @electric-sql/pglite package was not found');
    dir = path.dirname(dir);
  }
  const { version } = manifestOf(dir);
  const template = path.join(dir, '..', '..', '.cache', 'tussenin', `pglite-${version}`);
  if (existsSync(path.join(template, 'PG_VERSION'))) process.exit(0);
  const making = `${template}.making-${process.pid}`;
  rmSync(making, { recursive: true, force: true });
  mkdirSync(making, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(making);
  await db.waitReady;
  await db.close();
  rmSync(template, { recursive: true, force: true });
  renameSync(making, template);
  console.log(`tussenin: an empty embedded database is ready for the first start (${template})`);
} catch (error) {
  console.warn(`tussenin: no embedded database template (${error?.message ?? error}); the first start creates one itself`);
}

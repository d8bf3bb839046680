// `npm install` runs this (postinstall): it creates an empty PGlite database once, beside the installed
// packages, so that the app's first start copies it instead of running PGlite's initdb, a WebAssembly
// module of about 650 MB while it runs (src/db/pglite-initdb.ts). Plain JavaScript: it runs before
// anything is built. It never fails the install: without a template the first start runs initdb itself.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chmodTree, pgliteTemplateFolder } from './pglite-template-path.mjs';

try {
  const template = pgliteTemplateFolder();
  if (!template) throw new Error('the @electric-sql/pglite package was not found');
  if (existsSync(path.join(template, 'PG_VERSION'))) process.exit(0);
  const making = `${template}.making-${process.pid}`;
  rmSync(making, { recursive: true, force: true });
  mkdirSync(making, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(making);
  await db.waitReady;
  await db.close();
  // Readable by every user: the app may run as another user than the one who installed (Docker's `node`).
  // It holds nothing but an empty database; the copy in the data folder is the app user's alone.
  chmodTree(making, 0o755, 0o644);
  rmSync(template, { recursive: true, force: true });
  renameSync(making, template);
  console.log(`tussenin: an empty embedded database is ready for the first start (${template})`);
} catch (error) {
  console.warn(`tussenin: no embedded database template (${error?.message ?? error}); the first start creates one itself`);
}

import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const PG_VERSION = 'PG_VERSION';

/**
 * Where `npm install` leaves an empty database for the installed PGlite (src/db/pglite-template-install.mjs
 * makes it, in the same place): `node_modules/.cache/tussenin/pglite-<version>` beside the package, so
 * the same from the sources (tsx) and from the build (dist/). Null when the package cannot be found.
 */
export function pgliteTemplateFolder(): string | null {
  for (let dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite'))); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (name === '@electric-sql/pglite' && version)
        return path.join(dir, '..', '..', '.cache', 'tussenin', `pglite-${version}`);
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Creates a new PGlite data folder; nothing to do when the folder holds a database already. The empty
 * database `npm install` made is copied when there is one (its `PG_VERSION` last, so a copy cut short
 * is made again on the next start). Else PGlite runs `initdb`, in a worker thread: a WebAssembly module of
 * its own whose memory (about 650 MB) would otherwise stay with the process for its whole life; a worker's
 * memory goes when the worker ends. The app then opens the folder as usual.
 */
export async function initPgliteFolder(
  folder: string,
  template: string | null = pgliteTemplateFolder(),
): Promise<'existing' | 'copied' | 'initdb'> {
  if (existsSync(path.join(folder, PG_VERSION))) return 'existing';
  if (template && existsSync(path.join(template, PG_VERSION))) {
    cpSync(template, folder, {
      recursive: true,
      filter: (source) => path.basename(source) !== PG_VERSION || path.dirname(source) !== template,
    });
    ownOnly(folder);
    copyFileSync(path.join(template, PG_VERSION), path.join(folder, PG_VERSION));
    chmodSync(path.join(folder, PG_VERSION), 0o600);
    return 'copied';
  }
  await initdbInWorker(folder);
  return 'initdb';
}

async function initdbInWorker(folder: string): Promise<void> {
  const entry = import.meta.resolve('@electric-sql/pglite');
  const code = `const { workerData, parentPort } = require('node:worker_threads');
import(workerData.entry)
  .then(async ({ PGlite }) => { const db = new PGlite(workerData.folder); await db.waitReady; await db.close(); parentPort.postMessage('ready'); })
  .catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));`;
  const worker = new Worker(code, { eval: true, workerData: { entry, folder } });
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the PGlite initdb worker stopped (exit code ${code})`)));
    });
    if (answer !== 'ready') throw new Error(`could not create the database in ${folder}: ${(answer as { error: string }).error}`);
  } finally {
    await worker.terminate();
  }
}

/** The data folder is the app user's alone (the template is readable by all, for installs as another user). */
function ownOnly(folder: string): void {
  chmodSync(folder, 0o700);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const entryPath = path.join(folder, entry.name);
    if (entry.isDirectory()) ownOnly(entryPath);
    else chmodSync(entryPath, 0o600);
  }
}

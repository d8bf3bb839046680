import { chmodSync, copyFileSync, cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { chmodTree, pgliteTemplateFolder } from './pglite-template-path.mjs';

/** Where `npm install` leaves an empty database for the installed PGlite (see pglite-template-path.mjs). */
export { pgliteTemplateFolder };

const PG_VERSION = 'PG_VERSION';

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
    // The data folder is the app user's alone (the template is readable by all, for installs as another user).
    chmodTree(folder, 0o700, 0o600);
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

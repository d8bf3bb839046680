import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Creates a new PGlite data folder in a worker thread. PGlite runs `initdb` as a WebAssembly module of
 * its own whose memory (about 650 MB) would otherwise stay with the process for its whole life; a
 * worker's memory goes when the worker ends. The app then opens the folder as usual. Nothing to do
 * when the folder holds a database already.
 */
export async function initPgliteFolder(folder: string): Promise<void> {
  if (existsSync(path.join(folder, 'PG_VERSION'))) return;
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

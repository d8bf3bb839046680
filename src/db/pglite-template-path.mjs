// @ts-check
// Shared by src/db/pglite-template-install.mjs (npm's postinstall, before anything is built) and
// src/db/pglite-initdb.ts (the app): plain JavaScript, typed by JSDoc, so plain `node` runs it and tsc
// both checks it and emits it into dist/ (allowJs).
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@electric-sql/pglite';

/**
 * The installed PGlite package: its folder (the one whose package.json names it, found upward from its
 * entry point, up to the file system's root) and version. Null when it cannot be found.
 * @returns {{ folder: string, version: string } | null}
 */
export function pglitePackage() {
  for (let dir = path.dirname(fileURLToPath(import.meta.resolve(PACKAGE))); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = /** @type {{ name?: string, version?: string }} */ (JSON.parse(readFileSync(manifest, 'utf8')));
      if (name === PACKAGE && version) return { folder: dir, version };
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Where `npm install` leaves an empty database for the installed PGlite (pglite-template-install.mjs makes
 * it): `node_modules/.cache/tussenin/pglite-<version>` beside the package, so the same from the sources
 * (tsx) and from the build (dist/). Null when the package cannot be found.
 * @returns {string | null}
 */
export function pgliteTemplateFolder() {
  const pglite = pglitePackage();
  return pglite && path.join(pglite.folder, '..', '..', '.cache', 'tussenin', `pglite-${pglite.version}`);
}

/**
 * Sets the modes of a folder, of every folder in it (`dirMode`) and of every file in them (`fileMode`).
 * @param {string} folder
 * @param {number} dirMode
 * @param {number} fileMode
 * @returns {void}
 */
export function chmodTree(folder, dirMode, fileMode) {
  chmodSync(folder, dirMode);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const entryPath = path.join(folder, entry.name);
    if (entry.isDirectory()) chmodTree(entryPath, dirMode, fileMode);
    else chmodSync(entryPath, fileMode);
  }
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { projectPath } from '../project-path.js';

export interface StaticAssets<Name extends string> {
  files: Record<Name, string>;
  /** Changes with the content (`?v=` in the pages), so a browser fetches a new version after a deploy. */
  version: string;
}

/** A folder's plain files (no build step: the inbox's and the web chat's CSS and script), read once at start. */
export function loadStaticAssets<Name extends string>(folder: readonly string[], names: readonly Name[]): StaticAssets<Name> {
  const hash = createHash('sha256');
  const files = {} as Record<Name, string>;
  for (const name of names) {
    files[name] = readFileSync(projectPath(...folder, name), 'utf8');
    hash.update(name).update(files[name]);
  }
  return { files, version: hash.digest('hex').slice(0, 10) };
}

const CONTENT_TYPES = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' } as const;

/** One asset as a cacheable response. */
export function assetResponse(c: Context, body: string, kind: keyof typeof CONTENT_TYPES, maxAgeSeconds: number): Response {
  return c.body(body, 200, { 'content-type': CONTENT_TYPES[kind], 'cache-control': `public, max-age=${maxAgeSeconds}` });
}

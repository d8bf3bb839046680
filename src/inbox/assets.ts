import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { projectPath } from '../project-path.js';

export interface InboxAssets {
  css: string;
  js: string;
  /** Changes with the content, so a new version is fetched after a deploy. */
  version: string;
}

/** The inbox's stylesheet and script (plain files, no build step), read once at start. */
export function loadInboxAssets(): InboxAssets {
  const file = (name: string) => readFileSync(projectPath('src', 'inbox', 'public', name), 'utf8');
  const css = file('inbox.css');
  const js = file('inbox.js');
  const version = createHash('sha256').update(css).update(js).digest('hex').slice(0, 10);
  return { css, js, version };
}

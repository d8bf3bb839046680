import { loadStaticAssets, type StaticAssets } from '../server/static-assets.js';

export type InboxAssets = StaticAssets<'inbox.css' | 'inbox.js'>;

/** The inbox's stylesheet and script (src/inbox/public), read once at start. */
export function loadInboxAssets(): InboxAssets {
  return loadStaticAssets(['src', 'inbox', 'public'], ['inbox.css', 'inbox.js']);
}

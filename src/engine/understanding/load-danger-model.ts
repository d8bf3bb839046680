import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DangerModel, type DangerModelData } from './danger-model.js';

/**
 * `locales/danger-model.json`, or null when an organisation removed it (then only the phrases read
 * danger). A file that is there but unreadable stops start-up, naming it.
 */
export function loadDangerModel(localesDir: string): DangerModel | null {
  const file = path.join(localesDir, 'danger-model.json');
  if (!existsSync(file)) return null;
  let data: DangerModelData;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as DangerModelData;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); run npm run train:understanding`);
  }
  return new DangerModel(data);
}

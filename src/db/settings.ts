import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { settings } from './schema.js';

/** A value made once and kept (for example a signing secret), the same for every instance on the database. */
export async function getOrCreateSetting(
  database: Database,
  key: string,
  make: () => string = () => randomBytes(32).toString('base64url'),
): Promise<string> {
  await database.db.insert(settings).values({ key, value: make() }).onConflictDoNothing();
  const [row] = await database.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row!.value;
}

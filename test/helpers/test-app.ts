import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Database } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const silentLogger = createLogger('silent');

/** Extra createApp options a test may pass (a shorter reminder, the Telegram bot's identity). */
export type TestAppOptions = Omit<Partial<AppOptions>, 'config' | 'logger' | 'database'>;

/**
 * The whole app in-process on a given database, with fast polling and no port. The third argument is
 * either a reminder delay in milliseconds (the older form) or extra createApp options.
 */
export async function createTestApp(
  database: Database,
  env: Record<string, string> = {},
  options: number | TestAppOptions = {},
): Promise<App> {
  const config = loadConfig({
    NODE_ENV: 'test',
    WEBCHAT_SECRET: 'test-secret-test-secret-test-secret-123',
    WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: '1000000',
    WEBCHAT_MESSAGES_PER_MINUTE: '1000',
    // Tests (and the bench) drive residents faster than people type; the limits have tests of their own.
    INBOUND_PER_RESIDENT_PER_MINUTE: '100000',
    INBOUND_GLOBAL_PER_SECOND: '100000',
    OUTBOX_POLL_MS: '20',
    TIMER_POLL_MS: '20',
    ...env,
  });
  const extra = typeof options === 'number' ? { reminderAfterMs: options } : options;
  return createApp({ ...extra, config, logger: silentLogger, database });
}

/**
 * The setup most database test files share: one fresh database and one app for the file, closed and
 * removed after it, and every table emptied before each test. `assign` receives them (as the file's
 * own `app` and `testDb`): `useTestApp((made) => ({ app, testDb } = made), env, options)`.
 */
export function useTestApp(
  assign: (made: { app: App; testDb: TestDatabase }) => void,
  env: Record<string, string> = {},
  options: TestAppOptions & { start?: boolean } = {},
): void {
  let made: { app: App; testDb: TestDatabase } | undefined;
  beforeAll(async () => {
    const { start, ...appOptions } = options;
    const testDb = await createTestDatabase();
    const app = await createTestApp(testDb.database, env, appOptions);
    if (start) await app.start();
    made = { app, testDb };
    assign(made);
  });
  afterAll(async () => {
    await made?.app.close();
    await made?.testDb.destroy();
  });
  beforeEach(() => made?.testDb.truncate());
}

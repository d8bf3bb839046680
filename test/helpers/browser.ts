import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { App } from '../../src/app.js';
import { TEST_PASSWORD } from './staff-client.js';
import { createTestApp, type TestAppOptions } from './test-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';

/** True when browser tests can run; in CI a missing browser is an error, not a skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM_PATH} is missing: CI must install Debian's chromium (apt-get install chromium)`);
  console.warn(`browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install chromium)`);
  return false;
}

/** Chromium, headless; `extraArgs` for a test that needs more (a fake microphone). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Watches a page for what must fail a browser test: an uncaught error, a console error, and every
 * Content-Security-Policy violation (reported by the page's own `securitypolicyviolation` event, which
 * an init script turns into a console error, so a blocked inline script or style cannot go unnoticed).
 * Call before the first navigation; assert `expect(problems).toEqual([])` at the end.
 */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const blocked = event.blockedURI || 'inline';
      console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${blocked} at ${event.sourceFile || event.documentURI}:${event.lineNumber}`,
      );
    });
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return problems;
}

export interface BrowserAppOptions {
  /** Config variables on top of createTestApp's. */
  env?: Record<string, string>;
  app?: TestAppOptions;
  /** Start the app's workers and channels (the default), or only serve its pages. */
  start?: boolean;
  /** Extra Chromium arguments (see launchChromium). */
  chromiumArgs?: string[];
}

export interface BrowserApp {
  /** False when Chromium is missing: the hooks do nothing, and the file's tests must be skipped. */
  readonly available: boolean;
  readonly testDb: TestDatabase;
  readonly app: App;
  readonly browser: Browser;
  /** Where the app is served: `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /**
   * Logs a staff member in with TEST_PASSWORD and waits for the inbox. `startAt` is the page opened first
   * (by default the log-in page; `/inbox` checks that the inbox sends a visitor there), `screenshot` names
   * a picture of the log-in page in SCREENSHOTS.
   */
  logIn(page: Page, staff: { email: string }, options?: { startAt?: string; screenshot?: string }): Promise<void>;
}

/**
 * The setup the browser test files share: for the file, one fresh database, the app on it served on a
 * free port of 127.0.0.1, and Chromium, closed and removed after it. `options` may be a function, called
 * in beforeAll, for options made then (a fake server that must be started first).
 */
export function useBrowserApp(
  options: BrowserAppOptions | (() => BrowserAppOptions | Promise<BrowserAppOptions>) = {},
): BrowserApp {
  const available = browserAvailable();
  let testDb: TestDatabase | undefined;
  let app: App | undefined;
  let server: ServerType | undefined;
  let browser: Browser | undefined;
  let baseUrl: string | undefined;

  beforeAll(async () => {
    if (!available) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    const { env, app: appOptions, start = true, chromiumArgs } = typeof options === 'function' ? await options() : options;
    testDb = await createTestDatabase();
    app = await createTestApp(testDb.database, env, appOptions);
    if (start) await app.start();
    const listening = serve({ fetch: app.server.fetch, port: 0, hostname: '127.0.0.1' });
    server = listening;
    await new Promise((resolve) => listening.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    browser = await launchChromium(chromiumArgs);
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await app?.close();
    await testDb?.destroy();
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useBrowserApp: not set up (no Chromium, or used outside the tests)');
    return value;
  };
  return {
    available,
    get testDb() {
      return ready(testDb);
    },
    get app() {
      return ready(app);
    },
    get browser() {
      return ready(browser);
    },
    get baseUrl() {
      return ready(baseUrl);
    },
    async logIn(page, staff, { startAt = '/inbox/login', screenshot } = {}) {
      await page.goto(`${ready(baseUrl)}${startAt}`);
      await page.waitForURL(/\/inbox\/login/);
      if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/${screenshot}.png` });
      await page.fill('input[name=email]', staff.email);
      await page.fill('input[name=password]', TEST_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`${ready(baseUrl)}/inbox`);
    },
  };
}

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { browserAvailable, launchChromium, watchPage } from '../helpers/browser.js';
import { addStaff, TEST_PASSWORD } from '../helpers/staff-client.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** The staff pages of issues 15 and 16 at desktop and phone size: canned replies, "how residents see you". */

const SCREENSHOTS = 'test-results/screenshots';
const run = browserAvailable();
let testDb: TestDatabase;
let app: App;
let server: ServerType;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database, {}, { inbox: { loginAttemptsPerMinute: 1000 } });
  server = serve({ fetch: app.server.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  if (!run) return;
  await browser?.close();
  await app?.close();
  server?.close();
  await testDb?.destroy();
});

async function logIn(page: Page, email: string) {
  await page.goto(`${baseUrl}/inbox/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}/inbox`);
}

describe.runIf(run)('staff pages in a real browser', () => {
  it.each([
    { name: 'desktop', viewport: { width: 1280, height: 860 }, uiLocale: 'nl' },
    { name: 'phone', viewport: { width: 390, height: 844 }, uiLocale: 'ar' },
  ])('on a $name: a coordinator keeps canned replies; a trust person chooses a role label', async ({ name, viewport, uiLocale }) => {
    await testDb.truncate();
    const coordinator = await addStaff(app, { role: 'coordinator', name: 'Fatima Amrani', uiLocale });
    const page = await browser.newPage({ viewport, locale: uiLocale === 'ar' ? 'ar' : 'nl-NL' });
    const problems = await watchPage(page);
    await logIn(page, coordinator.email);

    await page.goto(`${baseUrl}/inbox/replies`);
    expect(await page.getAttribute('html', 'dir')).toBe(uiLocale === 'ar' ? 'rtl' : 'ltr');
    await page.selectOption('form[action="/inbox/replies"] select[name="locale"]', 'ar');
    await page.fill('form[action="/inbox/replies"] input[name="title"]', 'Welkom');
    await page.fill('form[action="/inbox/replies"] textarea[name="body"]', 'مرحبا، أنا {{name}} من {{org}}.');
    await page.click('form[action="/inbox/replies"] button[type="submit"]');
    await page.waitForURL(/done=saved/);
    await page.locator('.canned-reply summary', { hasText: 'Welkom' }).click();
    expect(await page.locator('.canned-reply textarea[name="body"]').inputValue()).toBe('مرحبا، أنا {{name}} من {{org}}.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: `${SCREENSHOTS}/canned-replies-${name}.png`, fullPage: true });

    await page.locator('a.me-name').click();
    await page.waitForURL(/\/inbox\/me/);
    await page.check('input[name="show"][value="role"]');
    await page.fill('input[name="residentLabel"]', 'Vertrouwenspersoon');
    await page.click('form[action="/inbox/me"] button[type="submit"]');
    await page.waitForURL(/done=saved/);
    expect(await page.locator('blockquote').textContent()).toContain('Vertrouwenspersoon');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: `${SCREENSHOTS}/resident-name-${name}.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

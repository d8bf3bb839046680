import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { addStaff } from '../helpers/staff-client.js';

/** The staff pages of issues 15 and 16 at desktop and phone size: canned replies, "how residents see you". */

const site = useBrowserApp({ app: { inbox: { loginAttemptsPerMinute: 1000 } }, start: false });

describe.runIf(site.available)('staff pages in a real browser', () => {
  it.each([
    { name: 'desktop', viewport: { width: 1280, height: 860 }, uiLocale: 'nl' },
    { name: 'phone', viewport: { width: 390, height: 844 }, uiLocale: 'ar' },
  ])(
    'on a $name: a coordinator keeps canned replies; a trust person chooses a role label',
    async ({ name, viewport, uiLocale }) => {
      await site.testDb.truncate();
      const coordinator = await addStaff(site.app, { role: 'coordinator', name: 'Fatima Amrani', uiLocale });
      const page = await site.browser.newPage({ viewport, locale: uiLocale === 'ar' ? 'ar' : 'nl-NL' });
      const problems = await watchPage(page);
      await site.logIn(page, coordinator);

      await page.goto(`${site.baseUrl}/inbox/replies`);
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
    },
  );
});

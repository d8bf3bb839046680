import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { amsterdam, seedCase } from '../helpers/report-cases.js';
import { addStaff } from '../helpers/staff-client.js';

/**
 * Issue 16: the coordinators' report page with the report for funders, in a real browser, at desktop
 * and phone size, in Dutch and Arabic: the charts (server-drawn SVG) read in both directions, nothing
 * makes the page scroll sideways, the CSP lets everything through, and the period form and the CSV
 * download work. Screenshots in test-results/screenshots/reports-*.png.
 */

const site = useBrowserApp({ app: { inbox: { livePollMs: 500, loginAttemptsPerMinute: 1000 } } });

/** March 2026: cases on three channels and in three languages, some closed with what they likely prevented. */
async function seedMonth() {
  const made = [
    {
      channel: 'web',
      language: 'ar',
      domains: ['parenting', 'school'],
      urgency: 'week',
      day: 2,
      closed: 'supervisionOrder',
      trajectory: 'heavy',
    },
    { channel: 'web', language: 'ar', domains: ['money'], urgency: 'notUrgent', day: 3, closed: 'ambulant', trajectory: 'light' },
    {
      channel: 'telegram',
      language: 'nl',
      domains: ['housing'],
      urgency: 'now',
      day: 5,
      closed: 'eviction',
      trajectory: 'heavy',
    },
    {
      channel: 'whatsapp',
      language: 'tr',
      domains: ['health', 'letters'],
      urgency: 'week',
      day: 9,
      closed: 'residentialClosed',
      trajectory: null,
    },
    { channel: 'whatsapp', language: 'ar', domains: ['safety'], urgency: 'now', day: 12, closed: 'none', trajectory: 'light' },
    { channel: 'web', language: 'nl', domains: ['money', 'letters'], urgency: 'week', day: 14, closed: null, trajectory: null },
    { channel: 'web', language: 'ar', domains: ['school'], urgency: 'week', day: 20, closed: null, trajectory: null },
    {
      channel: 'telegram',
      language: 'ar',
      domains: ['parenting'],
      urgency: 'notUrgent',
      day: 31,
      closed: null,
      trajectory: null,
    },
  ] as const;
  for (const c of made) {
    const day = String(c.day).padStart(2, '0');
    const id = await seedCase(site.app, {
      channel: c.channel,
      language: c.language,
      reason: 'intake-complete',
      urgent: c.urgency === 'now',
      createdAt: `2026-03-${day}T10:00`,
      summary: { domains: [...c.domains], urgency: c.urgency },
    });
    await site.app.database
      .rows(sql`update handoffs set phase = ${c.closed ? 'refer' : 'trust'}::tussen_in_phase, trajectory = ${c.trajectory}::trajectory
                                where id = ${id}::uuid`);
    if (c.closed) {
      await site.app.database.rows(sql`update handoffs set status = 'closed', prevented = ${c.closed},
                                    closed_at = ${amsterdam(`2026-03-${day}T16:00`).toISOString()}::timestamptz where id = ${id}::uuid`);
      await site.app.database.rows(sql`insert into handoff_referrals (handoff_id, agency, created_by, created_at)
                                  values (${id}::uuid, 'youthParenting', 'test', ${amsterdam(`2026-03-${day}T12:00`).toISOString()}::timestamptz)`);
    }
  }
}

beforeAll(async () => {
  if (site.available) await seedMonth();
});

/** Where an element is, in CSS pixels of the page. */
const box = async (page: Page, selector: string) => {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not on the page`);
  return found;
};

describe.runIf(site.available)('the report for funders in a real browser', () => {
  it.each([
    { name: 'desktop-nl', viewport: { width: 1280, height: 900 }, uiLocale: 'nl' },
    { name: 'phone-nl', viewport: { width: 390, height: 844 }, uiLocale: 'nl' },
    { name: 'desktop-ar', viewport: { width: 1280, height: 900 }, uiLocale: 'ar' },
    { name: 'phone-ar', viewport: { width: 390, height: 844 }, uiLocale: 'ar' },
  ])(
    'on a $name screen: charts that read in the page’s direction, no sideways scrolling, no CSP errors',
    async ({ name, viewport, uiLocale }) => {
      const coordinator = await addStaff(site.app, { role: 'coordinator', name: 'Fatima Amrani', uiLocale });
      const page = await site.browser.newPage({ viewport, locale: uiLocale === 'ar' ? 'ar' : 'nl-NL', acceptDownloads: true });
      const problems = await watchPage(page);
      await site.logIn(page, coordinator);
      await page.goto(`${site.baseUrl}/inbox/reports?period=month&year=2026&month=3`);
      expect(await page.getAttribute('html', 'dir')).toBe(uiLocale === 'ar' ? 'rtl' : 'ltr');
      await page.locator('#funder-report').waitFor();
      expect(await page.locator('#kf-new dd').textContent()).toBe('8');

      // The charts: one per breakdown, each bar labelled, drawn from the page's start edge.
      const chart = '#chart-byChannel';
      expect(await page.locator(`${chart} .bar`).count()).toBe(3);
      const svg = await box(page, chart);
      const label = await box(page, `${chart} .bar-label`);
      const bar = await box(page, `${chart} .bar`);
      const value = await box(page, `${chart} .bar-value`);
      expect(await page.locator(`${chart} .bar-label`).first().textContent()).toBe(
        uiLocale === 'ar' ? 'الدردشة على الموقع' : 'webchat',
      );
      if (uiLocale === 'ar') {
        // Mirrored: label and bar hug the right edge, the value sits to the bar's left.
        expect(svg.x + svg.width - (label.x + label.width)).toBeLessThan(2);
        expect(svg.x + svg.width - (bar.x + bar.width)).toBeLessThan(2);
        expect(value.x + value.width).toBeLessThanOrEqual(bar.x);
      } else {
        expect(label.x - svg.x).toBeLessThan(2);
        expect(bar.x - svg.x).toBeLessThan(2);
        expect(value.x).toBeGreaterThanOrEqual(bar.x + bar.width);
      }
      // Every label is inside the chart (nothing cut off at the edge).
      for (const text of await page.locator('.bar-chart text').all()) {
        const b = (await text.boundingBox())!;
        const owner = (await text.evaluate((el) => el.closest('svg')!.getBoundingClientRect().toJSON())) as DOMRect;
        expect(b.x).toBeGreaterThanOrEqual(owner.x - 1);
        expect(b.x + b.width).toBeLessThanOrEqual(owner.x + owner.width + 1);
      }
      // The table behind a chart, for who cannot see it.
      await page.locator('#card-byLanguage details summary').click();
      expect(await page.locator('#card-byLanguage table tbody tr').count()).toBe(3);

      // The estimate of costs prevented, with its arithmetic, labelled as an estimate.
      await page.locator('#costs').scrollIntoViewIfNeeded();
      expect(await page.locator('#costs-prevented tbody tr').count()).toBe(8);
      expect(await page.locator('#costs .badge--estimate').isVisible()).toBe(true);

      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, 'the page scrolls sideways').toBeLessThanOrEqual(viewport.width);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${SCREENSHOTS}/reports-${name}.png`, fullPage: true });
      // Parts at readable size (below the header, which stays in view on wide screens).
      for (const part of ['#funder-report', '#card-byTopic', '#costs']) {
        await page.locator(part).evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 90));
        await page.screenshot({ path: `${SCREENSHOTS}/reports-${name}-${part.slice(1)}.png` });
      }
      // On a phone the header scrolls away: the whole estimate in one picture.
      if (viewport.width < 720)
        await page.locator('#costs').screenshot({ path: `${SCREENSHOTS}/reports-${name}-costs-whole.png` });

      // The form: a quarter hides the month, a custom period shows its dates; the page follows the choice.
      await page.selectOption('#period-kind', 'quarter');
      expect(await page.locator('select[name="month"]').isVisible()).toBe(false);
      expect(await page.locator('select[name="quarter"]').isVisible()).toBe(true);
      await page.selectOption('#period-kind', 'custom');
      expect(await page.locator('input[name="from"]').isVisible()).toBe(true);
      await page.fill('input[name="from"]', '2026-03-10');
      await page.fill('input[name="to"]', '2026-03-31');
      await Promise.all([page.waitForURL(/period=custom/), page.click('#period-form button[type="submit"]')]);
      expect(await page.locator('#kf-new dd').textContent()).toBe('4');

      // The CSV download of the period shown: small counts hidden.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      expect(download.suggestedFilename()).toBe('tussenin-report-2026-03-10-2026-03-31.csv');
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv).toContain('<5');
      expect(csv).not.toMatch(/(^|,)[1-4](\r?\n|,|$)/m);

      expect(problems).toEqual([]);
      await page.close();
    },
  );
});

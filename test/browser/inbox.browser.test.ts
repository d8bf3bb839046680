import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { eventually } from '../helpers/sse.js';
import { addStaff, openHandoffOf } from '../helpers/staff-client.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const site = useBrowserApp({ app: { inbox: { livePollMs: 500, loginAttemptsPerMinute: 1000 } } });

/** A resident who goes through the intake in Arabic, with their own words, and is handed over. */
async function arabicResident(): Promise<WebchatClient> {
  const chat = await new WebchatClient(site.app.server).startSession();
  await chat.say('السلام عليكم');
  await chat.press('language:ar');
  await chat.press('consent:yes');
  await chat.say('ابني لا يذهب إلى المدرسة منذ أسبوعين، وأنا لا أعرف ماذا أفعل');
  await chat.press('domains:school');
  await chat.press('cmd:continue');
  await chat.press('urgency:week');
  await chat.press('contact:chat');
  await chat.press('helper:woman');
  await chat.press('summary:confirm');
  return chat;
}

const direction = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => getComputedStyle(el).direction);

describe.runIf(site.available)('the inbox in a real browser', () => {
  it.each([
    { name: 'desktop', viewport: { width: 1280, height: 860 }, uiLocale: 'nl' },
    { name: 'phone', viewport: { width: 390, height: 844 }, uiLocale: 'ar' },
  ])(
    'on a $name: log in, see a handoff arrive live, claim it, reply, see the answer arrive',
    async ({ name, viewport, uiLocale }) => {
      await site.testDb.truncate();
      const person = await addStaff(site.app, {
        name: 'Nadia El Amrani',
        languages: ['nl', 'ar', 'rif'],
        gender: 'woman',
        uiLocale,
      });
      await addStaff(site.app, { name: 'Karim Ouali', languages: ['ar', 'nl'], gender: 'man' });
      const page = await site.browser.newPage({ viewport, locale: uiLocale === 'ar' ? 'ar' : 'nl-NL' });
      // uncaught errors, console errors and Content-Security-Policy violations
      const errors = await watchPage(page);

      await site.logIn(page, person, { startAt: '/inbox', screenshot: `inbox-${name}-login` });
      expect(await page.getAttribute('html', 'dir')).toBe(uiLocale === 'ar' ? 'rtl' : 'ltr');
      await page.locator('.empty').waitFor();

      // a resident finishes the intake while the queue is open: it appears without a reload
      const chat = await arabicResident();
      const card = page.locator('.case-card').first();
      await card.waitFor({ timeout: 10_000 });
      await page.locator('#live-banner:not([hidden])').waitFor();
      expect(await page.locator('.case-card .lang').first().textContent()).toBe(uiLocale === 'ar' ? 'العربية' : 'Arabisch');
      expect(await page.locator('.case-card .match-name').first().textContent()).toBe('Nadia El Amrani');
      // then someone in danger: the urgent one comes in live and goes to the top
      const urgent = await new WebchatClient(site.app.server).startSession();
      await urgent.say('hallo');
      await urgent.say('mijn man slaat mij, ik ben bang');
      await page.locator('.case-card--urgent').waitFor({ timeout: 10_000 });
      await page.locator('.live-banner--urgent').waitFor();
      expect(await page.locator('.case-card').count()).toBe(2);
      expect(await page.locator('.case-card').first().getAttribute('class')).toContain('case-card--urgent');
      await page.screenshot({ path: `${SCREENSHOTS}/inbox-${name}-queue.png`, fullPage: true });

      await page.locator(`.case-card[data-id="${await openHandoffOf(site.app, chat)}"] a.case-link`).click();
      await page.locator('#claim').click();
      await page.waitForURL(/done=claimed/);
      // On a phone the summary (with the resident's own words) is folded on a case one works on: open it.
      if (name === 'phone') await page.locator('.card.summary .fold-toggle').click();
      const own = page.locator('.own-word').first();
      await own.waitFor();
      expect(await own.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      const arabicBubble = page.locator('.msg--in .msg-body', { hasText: 'ابني لا يذهب' });
      expect(await arabicBubble.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      expect(await direction(page, '.msg--bot .msg-body[dir="rtl"]')).toBe('rtl');

      await page.fill('#reply-text', 'مرحبا، أنا نادية. سأتصل بك اليوم بعد الظهر.');
      await page.click('#reply-send');
      const mine = page.locator('.msg--staff').last();
      await mine.locator('[data-delivery="sent"]').waitFor({ timeout: 10_000 });
      expect(await page.inputValue('#reply-text')).toBe('');
      await eventually(
        async () => (await chat.read()).messages.some((m) => m.text?.startsWith('مرحبا، أنا نادية')),
        5000,
        'the reply on the resident’s side',
      );

      await chat.say('شكرا جزيلا، أنا في البيت بعد الساعة الثانية');
      const answer = page.locator('.msg--in', { hasText: 'شكرا جزيلا' });
      await answer.waitFor({ timeout: 10_000 });
      expect(await answer.locator('.msg-body').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      await page.locator('.conversation').screenshot({ path: `${SCREENSHOTS}/inbox-${name}-conversation.png` });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${SCREENSHOTS}/inbox-${name}-case.png`, fullPage: true });
      if (name === 'phone') {
        // the transcript and the reply box fit the screen: nothing wider than the viewport
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth).toBeLessThanOrEqual(viewport.width);
      }

      // a reminder for herself on the case; it waits in "Mijn zaken" (issue 13)
      if (name === 'phone') await page.locator('#reminders .fold-toggle').click(); // folded on a phone
      const dueDate = DateTime.now().setZone('Europe/Amsterdam').plus({ days: 30 }).toISODate()!;
      await page.fill('#reminders input[name="date"]', dueDate);
      await page.fill('#reminders input[name="time"]', '10:30');
      await page.fill('#reminders textarea[name="note"]', 'Nabellen over de school');
      await page.click('#reminders button[type="submit"]');
      await page.waitForURL(/done=reminded/);
      await page.goto(`${site.baseUrl}/inbox?mine=1`);
      await page.locator('#my-reminders li', { hasText: 'Nabellen over de school' }).waitFor();
      const dueAt = DateTime.fromISO(`${dueDate}T10:30`, { zone: 'Europe/Amsterdam' }).toUTC().toISO();
      expect(await page.locator('#my-reminders time').first().getAttribute('datetime')).toBe(dueAt);
      await page.screenshot({ path: `${SCREENSHOTS}/inbox-${name}-mine.png`, fullPage: true });
      if (name === 'phone') {
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('shows a resident’s HTML as text in the page, and runs none of it', async () => {
    await site.testDb.truncate();
    const person = await addStaff(site.app, { role: 'coordinator' });
    const chat = await new WebchatClient(site.app.server).startSession();
    await chat.say('<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><b>vet</b>');
    await chat.say('persoon');
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = await watchPage(page);
    await site.logIn(page, person, { startAt: '/inbox' });
    await page.locator('.case-card a.case-link').first().click();
    await page.locator('#claim').click();
    await page.waitForURL(/done=claimed/);
    await page.getByText('<b>vet</b>', { exact: false }).waitFor();
    expect(await page.locator('.transcript b, .transcript img, .transcript script').count()).toBe(0);
    // and a message arriving live is inserted as text as well
    await chat.say('<img src=y onerror="window.hacked=3">live');
    await page.locator('.msg--in', { hasText: 'live' }).waitFor();
    expect(await page.locator('.transcript img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sends an expired session to the log-in page', async () => {
    await site.testDb.truncate();
    const person = await addStaff(site.app);
    const context = await site.browser.newContext({ locale: 'nl-NL' });
    const inbox = await context.newPage();
    const problems = await watchPage(inbox);
    await site.logIn(inbox, person, { startAt: '/inbox' });
    // The inbox closed (its live stream would notice the end itself and go to the log-in page), the cookie kept.
    await inbox.close();
    await site.testDb.database.db.execute(
      (await import('drizzle-orm')).sql`update staff_sessions set last_seen_at = now() - interval '1 day'`,
    );
    const later = await context.newPage();
    problems.push(...(await watchPage(later)));
    await later.goto(`${site.baseUrl}/inbox?urgent=1`);
    await later.waitForURL(/\/inbox\/login\?expired=1/);
    expect(await later.locator('.notice').textContent()).toContain('Je sessie is verlopen');
    expect(problems).toEqual([]);
    await context.close();
  });
});

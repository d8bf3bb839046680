import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { addStaff, openHandoffOf } from '../helpers/staff-client.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 16 on a phone (390 × 844): a worked case puts the conversation and the reply box first and folds
 * the rest; "Mijn zaken" shows what is new; the search and canned replies fit the screen.
 */

const site = useBrowserApp({ app: { inbox: { livePollMs: 500, loginAttemptsPerMinute: 1000 } } });

describe.runIf(site.available)('the inbox on a phone', () => {
  it.each(['nl', 'ar'])('in %s: the reply box in reach, sections folded, Mijn zaken with what is new', async (uiLocale) => {
    await site.testDb.truncate();
    const chat = await new WebchatClient(site.app.server).startSession();
    await chat.say('السلام عليكم');
    for (const choice of [
      'language:ar',
      'consent:yes',
      'domains:school',
      'domains:money',
      'cmd:continue',
      'urgency:week',
      'contact:chat',
      'helper:woman',
      'summary:confirm',
    ]) {
      await chat.press(choice);
    }
    const handoffId = await openHandoffOf(site.app, chat);
    for (let i = 1; i <= 12; i++) await chat.say(`رسالة رقم ${i}: ابني لا يذهب إلى المدرسة وأنا قلقة جدا عليه`);
    const person = await addStaff(site.app, { name: 'Nadia El Amrani', uiLocale, languages: ['nl', 'ar'], gender: 'woman' });
    const coordinator = await addStaff(site.app, { role: 'coordinator', name: 'Coördinator' });
    await site.app.services.cannedReplies.create(coordinator.id, {
      locale: 'ar',
      title: 'Moment',
      body: 'لحظة من فضلك، أنا {{name}}.',
    });

    const page = await site.browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: uiLocale === 'ar' ? 'ar' : 'nl-NL',
    });
    const problems = await watchPage(page);
    await site.logIn(page, person);
    await page.goto(`${site.baseUrl}/inbox/handoffs/${handoffId}`);
    await page.locator('#claim').click();
    await page.waitForURL(/done=claimed/);

    await page.screenshot({ path: `${SCREENSHOTS}/phone-case-claimed-${uiLocale}.png` });
    // The reply box is on the first screen, under the conversation's newest messages.
    const reply = (await page.locator('#reply-text').boundingBox())!;
    expect(reply.y + reply.height).toBeLessThanOrEqual(844);
    const conversation = (await page.locator('.card.conversation').boundingBox())!;
    const summary = (await page.locator('.card.summary').boundingBox())!;
    expect(conversation.y).toBeLessThan(summary.y);
    // The summary is folded behind its title; a tap opens it.
    expect(await page.locator('.card.summary').getAttribute('class')).toContain('is-folded');
    await page.locator('.card.summary .fold-toggle').click();
    expect(await page.locator('.card.summary').getAttribute('class')).not.toContain('is-folded');
    // A canned reply goes into the box, filled in.
    await page.selectOption('#canned-reply', { label: 'Moment' });
    expect(await page.inputValue('#reply-text')).toBe('لحظة من فضلك، أنا Nadia.');
    await page.click('#reply-send');
    await expect.poll(() => page.inputValue('#reply-text')).toBe('');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SCREENSHOTS}/phone-case-${uiLocale}.png` });

    // Mijn zaken: the newest message and how many are new since the case was read.
    await chat.say('شكرا، أنا في انتظارك');
    await page.goto(`${site.baseUrl}/inbox?mine=1&status=open`);
    const card = page.locator(`.case-card[data-id="${handoffId}"]`);
    await card.locator('.last-message').waitFor();
    expect(await card.locator('.last-text').textContent()).toBe('شكرا، أنا في انتظارك');
    expect(await card.locator('.badge--unread').getAttribute('data-unread')).toBe('1');
    expect(await card.locator('.last-text').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    // The search: one box in view, the rest folded.
    expect(await page.locator('input[name="text"]').isVisible()).toBe(true);
    expect(await page.locator('input[name="words"]').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SCREENSHOTS}/phone-my-cases-${uiLocale}.png`, fullPage: true });
    await page.fill('input[name="text"]', handoffId.slice(0, 8));
    await page.press('input[name="text"]', 'Enter');
    await page.waitForURL(/text=/);
    expect(await page.locator('.case-card').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});

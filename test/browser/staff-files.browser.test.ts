import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { texts } from '../helpers/engine-driver.js';
import { pngImage } from '../helpers/png-image.js';
import { addStaff, openHandoffOf } from '../helpers/staff-client.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 15, "Documents", in real browsers on phones: a trust person sends the resident a filled-in form
 * (a PDF) and a photo from the case page; the resident's web chat shows them with a button that saves the
 * file (fetched with the visitor token, never a token in a link), the photo as a small picture. Both pages
 * run under the strict CSP, and any violation or console error fails the test.
 */

const PHONE = { width: 390, height: 844 };
const site = useBrowserApp({ app: { inbox: { livePollMs: 500, loginAttemptsPerMinute: 1000 } } });

const PDF = Buffer.from('%PDF-1.4\n% ingevuld formulier toeslagen\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

/** Sends a file from the case page's "send a file" form, as a trust person on a phone does. */
async function sendFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, caption: string) {
  const form = page.locator('#send-file');
  if (!(await form.evaluate((details) => (details as HTMLDetailsElement).open))) await form.locator('summary').click();
  await page.setInputFiles('#send-file-input', file);
  await page.fill('#send-file-caption', caption);
  await page.click('#send-file-submit');
  await page.waitForURL(/done=fileSent/);
}

describe.runIf(site.available)('a trust person sends a file to the web chat, in real browsers', () => {
  it('on phones: a PDF the resident can save, and a photo shown as a small picture', async () => {
    // The resident, on their phone, asks for a person.
    const resident = await site.browser.newPage({ viewport: PHONE, locale: 'nl-NL', acceptDownloads: true });
    const residentProblems = await watchPage(resident);
    await resident.goto(`${site.baseUrl}/chat?lang=nl`);
    await resident.click('#chat-start');
    await resident.locator('.chat-choice[data-choice-id="language:nl"]').click();
    await resident.getByText(t('nl', 'bot:consent.prompt')).waitFor();
    await resident.fill('#chat-input', 'Ik wil graag met iemand praten');
    await resident.press('#chat-input', 'Enter');
    const chat = new WebchatClient(site.app.server);
    await expect
      .poll(async () => (chat.token = (await resident.evaluate(() => localStorage.getItem('tussenin.chat.token'))) ?? ''))
      .not.toBe('');
    await expect.poll(() => openHandoffOf(site.app, chat).catch(() => null), { timeout: 10_000 }).not.toBeNull();
    const handoffId = await openHandoffOf(site.app, chat);

    // The trust person, on hers, claims the case and sends the filled-in form with a word.
    const samira = await addStaff(site.app, { name: 'Samira El Idrissi' });
    const staff = await site.browser.newPage({ viewport: PHONE, locale: 'nl-NL' });
    const staffProblems = await watchPage(staff);
    await site.logIn(staff, samira, { startAt: '/inbox' });
    await staff.goto(`${site.baseUrl}/inbox/handoffs/${handoffId}`);
    await staff.click('#claim');
    await staff.waitForURL(/done=claimed/);
    await staff.locator('#send-file summary').click();
    await staff.locator('#send-file-form').scrollIntoViewIfNeeded();
    await staff.screenshot({ path: `${SCREENSHOTS}/staff-file-phone-form.png` });
    // Nothing on the page is wider than the phone.
    expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await sendFile(
      staff,
      { name: 'Aanvraag toeslag familie Amrani.pdf', mimeType: 'application/pdf', buffer: PDF },
      'Hier is het ingevulde formulier. Wil je het nakijken?',
    );
    await staff.getByText(t('nl', 'staff:sendFile.done')).waitFor();
    const sent = staff.locator('.msg--staff').last();
    await sent.locator('a.media-download', { hasText: t('nl', 'staff:sendFile.documentSent') }).waitFor();
    await sent.scrollIntoViewIfNeeded();
    await staff.screenshot({ path: `${SCREENSHOTS}/staff-file-phone-case.png` });

    // The resident's chat shows it without a reload: from Samira, with its name and a button to save it.
    const bubble = resident.locator('.chat-message--person .chat-bubble--sent-file').first();
    await bubble.waitFor({ timeout: 15_000 });
    expect(await bubble.locator('.chat-file__name').textContent()).toBe('document.pdf');
    expect(await bubble.locator('.chat-media__label').textContent()).toBe(t('nl', 'webchat:document'));
    expect(await bubble.locator('.chat-bubble__text').textContent()).toBe(
      'Hier is het ingevulde formulier. Wil je het nakijken?',
    );
    const save = bubble.getByRole('button', { name: t('nl', 'webchat:download') });
    const saveBox = (await save.boundingBox())!;
    expect(saveBox.height).toBeGreaterThanOrEqual(44);
    expect(saveBox.x + saveBox.width).toBeLessThanOrEqual(PHONE.width);
    await resident.screenshot({ path: `${SCREENSHOTS}/staff-file-phone-webchat-pdf.png` });
    const [download] = await Promise.all([resident.waitForEvent('download'), save.click()]);
    expect(download.suggestedFilename()).toBe('document.pdf');
    expect(readFileSync((await download.path())!)).toEqual(PDF);
    // Delivered: the case page says so without a reload (the form's post reloaded the page with the file
    // still pending; its live stream follows it until it is sent).
    await staff.locator('.msg--staff').last().locator('[data-delivery="sent"]').waitFor({ timeout: 15_000 });

    // A photo: the resident's chat draws it small (a data: URL, as for their own), with the same button.
    const png = pngImage(600, 800);
    await sendFile(staff, { name: 'IMG_2231.png', mimeType: 'image/png', buffer: png }, 'En de brief van school.');
    const photo = resident.locator('.chat-bubble--sent-file .chat-thumb');
    await photo.waitFor({ timeout: 15_000 });
    expect(await photo.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    expect(await photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect((await photo.boundingBox())!.width).toBeLessThanOrEqual(12 * 18 + 1);
    await photo.scrollIntoViewIfNeeded();
    await resident.screenshot({ path: `${SCREENSHOTS}/staff-file-phone-webchat-photo.png` });
    const [photoDownload] = await Promise.all([
      resident.waitForEvent('download'),
      resident
        .locator('.chat-bubble--sent-file')
        .last()
        .getByRole('button', { name: t('nl', 'webchat:download') })
        .click(),
    ]);
    expect(photoDownload.suggestedFilename()).toBe('photo.png');
    expect(readFileSync((await photoDownload.path())!)).toEqual(png);
    expect(await resident.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // No link holds the visitor token, and nothing broke the pages' CSP.
    expect(await resident.locator('a[href*="/chat/api/files"]').count()).toBe(0);
    expect(residentProblems).toEqual([]);
    expect(staffProblems).toEqual([]);
    await resident.close();
    await staff.close();
  });
});

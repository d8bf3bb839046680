import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { texts } from '../helpers/engine-driver.js';
import { media } from '../../src/db/schema.js';
import { pngImage } from '../helpers/png-image.js';
import { addStaff, openHandoffOf } from '../helpers/staff-client.js';
import type { WebchatClient } from '../helpers/webchat-client.js';

const site = useBrowserApp();

const lastBotBubble = (page: Page) => page.locator('.chat-message--out .chat-bubble').last();

/** The tap-to-call links in the bot's and trust persons' messages: [text as shown, href, dir]. */
const phoneLinks = (page: Page) =>
  page
    .locator('.chat-message--out a.chat-tel')
    .evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('dir')]));

/** Where two parts of a link's text are drawn, left edge first: the part that reads first is on the left in LTR. */
const leftEdges = (page: Page, href: string, parts: [string, string]) =>
  page
    .locator(`.chat-message--out a.chat-tel[href="${href}"]`)
    .first()
    .evaluate((a, [first, second]) => {
      const text = a.firstChild as Text;
      const x = (part: string) => {
        const range = document.createRange();
        const at = text.data.indexOf(part);
        range.setStart(text, at);
        range.setEnd(text, at + part.length);
        return range.getBoundingClientRect().left;
      };
      return [x(first!), x(second!)];
    }, parts) as Promise<[number, number]>;

describe.runIf(site.available)('the web chat in a real browser', () => {
  it('runs the intake on a phone, right to left in Arabic, with the emergency numbers when danger is named', async () => {
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nl-NL' });
    // uncaught errors, console errors and Content-Security-Policy violations
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat`);
    await expect(page.locator('html')).toBeTruthy();
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:ar"]').click();
    await page.getByText(texts.t('ar', 'bot:consent.prompt', { org: 'Al Amal' })).waitFor();

    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    const bubble = lastBotBubble(page);
    expect(await bubble.getAttribute('dir')).toBe('rtl');
    expect(await bubble.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    // a bot bubble sits on the right-hand (start) side in a right-to-left page
    const box = (await bubble.boundingBox())!;
    expect(box.x + box.width).toBeGreaterThan(390 - 60);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar.png`, fullPage: true });

    await page.fill('#chat-input', '١'); // Arabic-Indic one: yes
    await page.press('#chat-input', 'Enter');
    await page.getByText(texts.t('ar', 'bot:domains.prompt')).waitFor();

    await page.fill('#chat-input', 'زوجي يضربني');
    await page.click('#chat-send');
    await page.getByText('0800-2000').waitFor();
    // then: is it safe to chat now? (safe, later, chat only, call at a certain time)
    await page.getByText(texts.t('ar', 'bot:safety.ask')).waitFor();
    expect(await page.locator('.chat-choice').count()).toBe(4);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar-emergency.png`, fullPage: true });
    await page.getByText(texts.t('ar', 'bot:safety.options.chatOnly')).click();
    await page.getByText(texts.t('ar', 'bot:safety.chatOnlyAck')).waitFor();
    expect(await page.locator('.chat-choice').count()).toBe(2); // talk to a person now, or go on
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows what a resident typed as text, never as markup', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=nl`);
    await page.click('#chat-start');
    await page.locator('.chat-choice').first().waitFor();
    await page.fill('#chat-input', '<img src=x onerror="window.hacked=1"><b>vet</b>');
    await page.press('#chat-input', 'Enter');
    await page.getByText('<b>vet</b>', { exact: false }).waitFor();
    expect(await page.locator('.chat-bubble b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-desktop-nl.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('clears the transcript on the page when the resident asks for discreet mode, also after a reload', async () => {
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=nl`);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:nl"]').click();
    const consent = texts.t('nl', 'bot:consent.prompt', { org: 'Al Amal' });
    await page.getByText(consent).waitFor();
    await page.fill('#chat-input', 'wis berichten');
    await page.press('#chat-input', 'Enter');
    await page.getByText(texts.t('nl', 'bot:discreet.own.web'), { exact: false }).waitFor();
    // The greeting, the language question and the consent question leave the page without a reload.
    await page.getByText(consent).waitFor({ state: 'detached' });
    expect(await page.locator('.chat-message--out').count()).toBe(1);
    expect(await page.locator('.chat-choice').count()).toBe(0);
    await page.reload();
    await page.getByText(texts.t('nl', 'bot:discreet.own.web'), { exact: false }).waitFor();
    expect(await page.getByText(consent).count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-discreet-nl.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
  it.each(['nl', 'ar'])('removes the chat from this device when the resident asks and confirms (%s)', async (locale) => {
    const t = (key: string) => texts.t(locale, key, { org: 'Al Amal' });
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=${locale}`);
    // Nothing to remove before a chat exists.
    expect(await page.getByRole('button', { name: t('webchat:removeChat') }).isVisible()).toBe(false);
    await page.click('#chat-start');
    await page.locator(`.chat-choice[data-choice-id="language:${locale}"]`).click();
    const consent = t('bot:consent.prompt');
    await page.getByText(consent).waitFor();
    await page.fill('#chat-input', 'ik heb een vraag');
    await page.press('#chat-input', 'Enter');
    await page.locator('.chat-message--in[data-message-id]', { hasText: 'ik heb een vraag' }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem('tussenin.chat.token'));
    expect(token).toBeTruthy();

    const remove = page.getByRole('button', { name: t('webchat:removeChat') });
    expect(await page.getAttribute('html', 'dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
    // At the inline end of its row: the right in Dutch, the left in Arabic.
    const box = (await remove.boundingBox())!;
    if (locale === 'ar') expect(box.x).toBeLessThan(60);
    else expect(box.x + box.width).toBeGreaterThan(390 - 60);
    expect(box.height).toBeGreaterThanOrEqual(44);

    // It asks first; cancelling keeps everything.
    const shown = await page.locator('.chat-message').count();
    await remove.click();
    const dialog = page.getByRole('dialog', { name: t('webchat:removeTitle') });
    await dialog.waitFor();
    expect(await dialog.evaluate((el) => getComputedStyle(el).direction)).toBe(locale === 'ar' ? 'rtl' : 'ltr');
    await dialog.getByText(t('webchat:removeText').split('\n')[0]!).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-remove-dialog-${locale}.png` });
    await dialog.getByRole('button', { name: t('webchat:removeCancel') }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('.chat-message').count()).toBe(shown);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('chat-remove');

    await remove.click();
    await dialog.getByRole('button', { name: t('webchat:removeConfirm') }).click();
    await page.getByText(t('webchat:removed')).waitFor();
    expect(await page.locator('.chat-message').count()).toBe(0);
    expect(await page.locator('#chat-start').isVisible()).toBe(true);
    expect(await remove.isVisible()).toBe(false);
    expect(
      await page.evaluate(() => [localStorage.getItem('tussenin.chat.token'), localStorage.getItem('tussenin.chat.locale')]),
    ).toEqual([null, null]);
    // The server no longer opens the chat with that token either.
    await expect
      .poll(async () => {
        const res = await fetch(`${site.baseUrl}/chat/api/messages?after=0`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { messages: unknown[] }).messages.length;
      })
      .toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-removed-${locale}.png` });
    // A reload shows the welcome screen, not the old chat; a new start is a new, empty chat.
    await page.reload();
    await page.locator('#chat-start').waitFor();
    expect(await page.getByText(consent).count()).toBe(0);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:nl"]').waitFor();
    expect(await page.getByText('ik heb een vraag').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('turns the emergency numbers into tap-to-call links that read left to right inside Arabic text', async () => {
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat`);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:ar"]').click();
    await page.getByText(texts.t('ar', 'bot:consent.prompt', { org: 'Al Amal' })).waitFor();
    await page.fill('#chat-input', 'زوجي يضربني');
    await page.press('#chat-input', 'Enter');
    const emergency = texts.t('ar', 'bot:emergency.text');
    const bubble = page.locator('.chat-message--out .chat-bubble', { hasText: 'Veilig Thuis' }).last();
    await bubble.waitFor();

    // the message reads exactly as the bot wrote it; the numbers in it are links (digits only in tel:)
    expect(await bubble.locator('.chat-bubble__text').textContent()).toBe(emergency);
    const links = await bubble
      .locator('a.chat-tel')
      .evaluateAll((all) => all.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['112', 'tel:112'],
      ['0800-2000', 'tel:08002000'],
      ['113', 'tel:113'],
      ['0800-0113', 'tel:08000113'],
      ['0800-0432', 'tel:08000432'],
    ]);
    // inside the right-to-left bubble each number is a left-to-right run: "0800" drawn left of "2000"
    expect(await bubble.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    const link = bubble.locator('a.chat-tel[href="tel:08002000"]');
    expect(await link.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    const [left, right] = await leftEdges(page, 'tel:08002000', ['0800', '2000']);
    expect(left).toBeLessThan(right);
    // and it sits inside its bubble, big enough to tap
    const box = (await link.boundingBox())!;
    const bubbleBox = (await bubble.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(bubbleBox.x);
    expect(box.x + box.width).toBeLessThanOrEqual(bubbleBox.x + bubbleBox.width);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar-tel-links.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('links the numbers in a trust person’s reply, never the resident’s own words', async () => {
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=nl`);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:nl"]').click();
    await page.getByText(texts.t('nl', 'bot:consent.prompt', { org: 'Al Amal' })).waitFor();
    await page.fill('#chat-input', 'persoon');
    await page.press('#chat-input', 'Enter');
    await page.fill('#chat-input', 'Mijn nummer is 0612345678');
    await page.press('#chat-input', 'Enter');
    await page.locator('.chat-message--in[data-message-id]', { hasText: 'Mijn nummer is 0612345678' }).waitFor();

    const token = await page.evaluate(() => localStorage.getItem('tussenin.chat.token'));
    const handoffId = await openHandoffOf(site.app, { token } as WebchatClient);
    const staff = await addStaff(site.app, { name: 'Samira' });
    const actor = { id: staff.id, name: staff.name, role: staff.role, uiLocale: 'nl', via: 'session' as const };
    await site.app.services.handoffs.claim(actor, handoffId);
    const reply = 'Hoi, ik ben Samira. Bel me op 06 12345678 of +31 6 1234 5678, niet op 05-03-2026. Bij gevaar: 112.';
    await site.app.services.handoffs.reply(actor, handoffId, reply);
    const bubble = page.locator('.chat-message--out .chat-bubble', { hasText: 'ik ben Samira' });
    await bubble.waitFor();

    expect(await bubble.locator('.chat-bubble__text').textContent()).toBe(reply);
    // A human face (issue 15): her name above the bubble, and a bubble unlike the bot's.
    const row = page.locator('.chat-message--person', { hasText: 'ik ben Samira' });
    expect(await row.locator('.chat-name').textContent()).toBe(`Samira · ${texts.t('nl', 'webchat:person')}`);
    const botBubble = page.locator('.chat-message--out:not(.chat-message--person) .chat-bubble').first();
    const colour = (l: typeof bubble) => l.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await colour(bubble)).not.toBe(await colour(botBubble));
    await page
      .locator('.chat-message--out', { hasText: texts.t('nl', 'bot:handoff.joined', { org: 'Al Amal', name: 'Samira' }) })
      .waitFor();
    expect(
      await bubble.locator('a.chat-tel').evaluateAll((all) => all.map((a) => [a.textContent, a.getAttribute('href')])),
    ).toEqual([
      ['06 12345678', 'tel:0612345678'],
      ['+31 6 1234 5678', 'tel:+31612345678'],
      ['112', 'tel:112'],
    ]);
    // the plus stays in front of the country code
    const [plus, rest] = await leftEdges(page, 'tel:+31612345678', ['+31', '5678']);
    expect(plus).toBeLessThan(rest);
    expect(await page.locator('.chat-message--in a').count()).toBe(0);
    expect((await phoneLinks(page)).every(([, , dir]) => dir === 'ltr')).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-person.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sends a photo and a PDF on a phone in Arabic: the photo shows as a small picture, the PDF as a line', async () => {
    const t = (key: string) => texts.t('ar', key, { org: 'Al Amal' });
    const width = 375;
    const page = await site.browser.newPage({ viewport: { width, height: 812 }, locale: 'ar' });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=ar`);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:ar"]').click();
    await page.getByText(t('bot:consent.prompt')).waitFor();
    await page.locator('.chat-choice[data-choice-id="consent:yes"]').click();
    await page.getByText(t('bot:domains.prompt')).waitFor();

    // The paperclip beside the voice button: named in Arabic, big enough to tap, and the composer fits.
    const attach = page.getByRole('button', { name: t('webchat:attach') });
    const attachBox = (await attach.boundingBox())!;
    expect(attachBox.height).toBeGreaterThanOrEqual(44);
    expect(attachBox.x).toBeGreaterThanOrEqual(0);
    expect(attachBox.x + attachBox.width).toBeLessThanOrEqual(width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    expect((await page.locator('#chat-input').boundingBox())!.width).toBeGreaterThan(120);

    const choose = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), attach.click()]);
      expect(chooser.isMultiple()).toBe(true);
      await chooser.setFiles(file);
    };

    const png = pngImage(600, 800);
    await choose({ name: 'رسالة-البلدية.png', mimeType: 'image/png', buffer: png });
    const photo = page.locator('.chat-message--in[data-message-id] .chat-thumb');
    await photo.waitFor();
    await page.getByText(t('bot:note.saved')).first().waitFor();
    // Drawn on the page from the file (nothing fetched back from the server), small, on the resident's
    // side: the left in Arabic.
    expect(await photo.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    expect(await photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const box = (await photo.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(12 * 18 + 1);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThan(width / 2 + 60);
    // What it is, for a screen reader.
    expect(await page.locator('.chat-message--in .chat-bubble--thumb .chat-media__label').textContent()).toBe(t('webchat:photo'));
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar-photo.png` });
    // Stored under the type its content shows.
    const stored = await site.app.database.db
      .select({ contentType: media.contentType, kind: media.kind, size: media.byteSize })
      .from(media);
    expect(stored).toContainEqual({ contentType: 'image/png', kind: 'image', size: png.byteLength });

    // A phone camera's photo (2400 × 3200, with grain: over the 10 MB a file may be): sent as a JPEG of
    // 1536 × 2048, far smaller, its text still readable.
    const big = pngImage(2400, 3200, { grain: 12 });
    expect(big.byteLength).toBeGreaterThan(10 * 1024 * 1024);
    await choose({ name: 'IMG_2041.png', mimeType: 'image/png', buffer: big });
    await expect.poll(() => page.locator('.chat-message--in[data-message-id] .chat-thumb').count(), { timeout: 10_000 }).toBe(2);
    const jpegs = () =>
      site.app.database.db
        .select({ content: media.content, size: media.byteSize })
        .from(media)
        .where(eq(media.contentType, 'image/jpeg'));
    await expect.poll(async () => (await jpegs()).length, { timeout: 10_000 }).toBe(1);
    const [shrunk] = await jpegs();
    expect(shrunk!.size).toBeLessThan(big.byteLength);
    // JPEG's SOF0 frame header holds height then width.
    const bytes = Buffer.from(shrunk!.content);
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    expect([bytes.readUInt16BE(sof + 7), bytes.readUInt16BE(sof + 5)]).toEqual([1536, 2048]);

    await choose({ name: 'formulier-toeslagen.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    const pdf = page.locator('.chat-message--in[data-message-id] .chat-media--document');
    await pdf.waitFor();
    expect(await page.locator('.chat-message--in .chat-file__name').textContent()).toBe('formulier-toeslagen.pdf');
    expect(await pdf.locator('.chat-media__label').textContent()).toBe(t('webchat:document'));

    // An HTML page named .pdf: the server looks at its content and refuses it; the page says why.
    await choose({ name: 'brief.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><script>1</script></html>') });
    await page.getByText(t('webchat:fileType')).waitFor();
    expect(await page.locator('.chat-message--in .chat-media--document').count()).toBe(1);
    // An SVG is refused before it is sent.
    await choose({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    });
    await page.getByText(t('webchat:fileType')).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar-files.png`, fullPage: true });

    // After a reload the page has no copy of the picture: the photo is a line, like a voice note.
    await page.reload();
    await page.locator('.chat-message--in .chat-media--image').first().waitFor();
    expect(await page.locator('.chat-thumb').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/webchat-phone-ar-files-reloaded.png`, fullPage: true });
    // The one refusal the browser logs is the server's 415 for the HTML page.
    expect(problems.filter((p) => !/status of 415/.test(p))).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(1);

    // A trust person sees the photo on the case, as a Telegram photo.
    await page.fill('#chat-input', 'persoon');
    await page.press('#chat-input', 'Enter');
    const token = await page.evaluate(() => localStorage.getItem('tussenin.chat.token'));
    await expect.poll(() => openHandoffOf(site.app, { token } as WebchatClient).catch(() => null)).not.toBeNull();
    const handoffId = await openHandoffOf(site.app, { token } as WebchatClient);
    const coordinator = await addStaff(site.app, { role: 'coordinator', uiLocale: 'nl' });
    const inbox = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
    const inboxProblems = await watchPage(inbox);
    await site.logIn(inbox, coordinator);
    await inbox.goto(`${site.baseUrl}/inbox/handoffs/${handoffId}`);
    const image = inbox.locator('img.media-image').first();
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(600);
    expect(await inbox.locator('a.media-download').count()).toBeGreaterThanOrEqual(1);
    await inbox.screenshot({ path: `${SCREENSHOTS}/inbox-phone-webchat-files.png`, fullPage: true });
    expect(inboxProblems).toEqual([]);
    await inbox.close();
    await page.close();
  });
});

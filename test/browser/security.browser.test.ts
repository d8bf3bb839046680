import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { useBrowserApp, watchPage } from '../helpers/browser.js';
import { texts } from '../helpers/engine-driver.js';
import { FakeWhatsApp, waitFor } from '../helpers/fake-whatsapp.js';

/**
 * The security headers in a real browser: the pages work under the Content-Security-Policy and the
 * Permissions-Policy (the web chat records a voice note, the WhatsApp page draws its QR), and a
 * violation is caught by `watchPage`, which every browser test uses.
 */

const STAFF_TOKEN = 'staff-token-staff-token-staff-token-123';
const fake = new FakeWhatsApp();
const site = useBrowserApp({
  env: { WHATSAPP_ENABLED: 'true', STAFF_API_TOKEN: STAFF_TOKEN },
  app: { whatsappSocketFactory: fake.factory, whatsappMediaDownloader: fake.downloadMedia, whatsappPrintQr: () => undefined },
  // A fake microphone that needs no click on a permission prompt: only the Permissions-Policy decides.
  chromiumArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});

describe.runIf(site.available)('the security headers in a real browser', () => {
  it('fail a test on any CSP violation: inline script, inline style, a picture from elsewhere', async () => {
    const page = await site.browser.newPage();
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat`);
    await page.locator('#chat-start').waitFor();
    expect(problems).toEqual([]);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.ranInline = true';
      document.body.append(script);
      const styled = document.createElement('div');
      styled.setAttribute('style', 'color: red');
      document.body.append(styled);
      const picture = document.createElement('img');
      picture.src = 'https://tracker.example.invalid/pixel.png';
      document.body.append(picture);
    });
    // Chromium logs each refusal itself, and the page's securitypolicyviolation event (a task later) says it again.
    await expect.poll(() => problems.filter((p) => p.startsWith('CSP violation')).length).toBe(3);
    expect(problems.join('\n')).toMatch(/Executing inline script violates/);
    expect(problems.join('\n')).toMatch(/CSP violation: script-src-elem blocked inline/);
    expect(problems.join('\n')).toMatch(/CSP violation: style-src-attr blocked inline/);
    expect(problems.join('\n')).toMatch(/CSP violation: img-src blocked https:\/\/tracker\.example\.invalid/);
    expect(await page.evaluate(() => (window as unknown as { ranInline?: boolean }).ranInline)).toBeUndefined();
    await page.close();
  });

  it('let the web chat record and send a voice note (microphone allowed there), and no other page', async () => {
    const page = await site.browser.newPage({ locale: 'nl-NL' });
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/chat?lang=nl`);
    await page.click('#chat-start');
    await page.locator('.chat-choice[data-choice-id="language:nl"]').click();
    await page.locator('.chat-choice[data-choice-id="consent:yes"]').click();
    await page.getByText(texts.t('nl', 'bot:domains.prompt')).waitFor();

    await page.locator('#chat-record:not([hidden])').click();
    await page.locator('#chat-recording:not([hidden])').waitFor();
    await page.waitForTimeout(1500); // a second of (fake) sound: one chunk
    await page.locator('#chat-record').click();
    // the bot keeps it as the resident's own words for the trust person
    await page.getByText(texts.t('nl', 'bot:domains.ackWords')).waitFor({ timeout: 15_000 });
    const voice = await site.testDb.database.db.select().from(messages).where(eq(messages.mediaKind, 'voice'));
    expect(voice).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();

    // The inbox may not use the microphone, whatever the browser would allow.
    const inbox = await site.browser.newPage();
    await inbox.goto(`${site.baseUrl}/inbox/login`);
    const refused = await inbox.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ audio: true }).then(
        () => 'allowed',
        (error: Error) => error.name,
      ),
    );
    expect(refused).toBe('NotAllowedError');
    await inbox.close();
  });

  it('show the WhatsApp pairing page with its QR and no violation', async () => {
    await waitFor(
      () => site.app.whatsapp!.status().state === 'qr',
      5000,
      () => 'a QR code',
    );
    const context = await site.browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${STAFF_TOKEN}` } });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${site.baseUrl}/whatsapp`);
    const qr = page.locator('figure.qr svg');
    await qr.waitFor();
    const box = (await qr.boundingBox())!;
    expect(box.width).toBe(320);
    expect(box.height).toBe(320);
    expect(problems).toEqual([]);
    await context.close();
  });
});

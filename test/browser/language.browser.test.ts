import { afterAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserApp, watchPage } from '../helpers/browser.js';
import { FakeSpeechServer } from '../helpers/fake-speech-server.js';
import { FakeTranslateServer } from '../helpers/fake-translate-server.js';
import { eventually } from '../helpers/sse.js';
import { addStaff, openHandoffOf } from '../helpers/staff-client.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 15 as a trust person meets it on a phone: a voice note's transcript and a machine translation
 * under the resident's words, and a reply previewed, corrected and sent in the resident's language.
 */

const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 9, 8, 7, 6]);
let speech: FakeSpeechServer;
let translate: FakeTranslateServer;

// Registered before useBrowserApp's hooks, so that it runs after them (afterAll hooks run last first):
// the fakes close after the app that calls them.
afterAll(async () => {
  await speech?.close();
  await translate?.close();
});
const site = useBrowserApp(async () => {
  speech = await FakeSpeechServer.start();
  translate = await FakeTranslateServer.start();
  speech.respondWith(() => ({ body: { text: 'ابني لا يذهب إلى المدرسة منذ أسبوعين', language: 'ar' } }));
  translate.respondWith((request) => ({
    body: {
      translatedText:
        request.body!['target'] === 'nl' ? `NL: ${String(request.body!['q']).slice(0, 20)}` : 'سأتصل بك غدًا في الساعة العاشرة.',
    },
  }));
  return {
    env: { TRANSCRIBE_URL: speech.url, TRANSLATE_URL: translate.url },
    app: { inbox: { livePollMs: 500, loginAttemptsPerMinute: 1000 }, languagePollMs: 100 },
  };
});

describe.runIf(site.available)('bridging language in a real browser', () => {
  it('on a phone: reads the transcript and translation, previews a reply in Arabic, corrects it and sends only the translation', async () => {
    const chat = await new WebchatClient(site.app.server).startSession();
    await chat.say('السلام عليكم');
    await chat.press('language:ar');
    await chat.press('consent:yes');
    const voice = await site.app.server.request('/chat/api/voice?id=voice-note-1', {
      method: 'POST',
      headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
      body: OGG,
    });
    expect(voice.status).toBe(202);
    await chat.say('عندي أيضا مشكلة مع الإيجار');
    await chat.press('cmd:person');
    const handoffId = await openHandoffOf(site.app, chat);
    // The worker runs on its own (started app); wait until both are stored.
    await eventually(
      async () => speech.requests.length === 1 && translate.requests.length >= 2,
      10_000,
      'transcribed and translated',
    );

    const person = await addStaff(site.app, { name: 'Nadia El Amrani', uiLocale: 'nl' });
    const page = await site.browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'nl-NL' });
    const problems = await watchPage(page);
    await site.logIn(page, person);
    await page.goto(`${site.baseUrl}/inbox/handoffs/${handoffId}`);
    await page.locator('#claim').click();
    await page.waitForURL(/done=claimed/);

    const transcript = page.locator('.conversation .msg-transcript').first();
    await transcript.waitFor();
    expect(await transcript.textContent()).toContain('ابني لا يذهب إلى المدرسة');
    expect(await transcript.locator('p').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await page.locator('.conversation .msg-translation').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.conversation .msg-translation').first().textContent()).toContain('Machinevertaling');

    await page.fill('#reply-text', 'Ik bel je morgen om tien uur.');
    await page.click('#reply-translate');
    const translation = page.locator('#reply-translation-text');
    await translation.waitFor({ state: 'visible' });
    expect(await translation.inputValue()).toBe('سأتصل بك غدًا في الساعة العاشرة.');
    expect(await translation.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await translation.fill('سأتصل بك غدًا في الساعة العاشرة صباحًا.');
    await page.check('input[name="send"][value="translation"]');
    await page.screenshot({ path: `${SCREENSHOTS}/language-phone-reply-preview.png`, fullPage: false });
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.click('#reply-send');
    await page.locator('#reply-translation[hidden]').waitFor({ state: 'attached' });
    expect(await page.inputValue('#reply-text')).toBe('');

    await eventually(
      async () => (await chat.read()).messages.some((m) => m.text === 'سأتصل بك غدًا في الساعة العاشرة صباحًا.'),
      10_000,
      'the corrected translation reaches the resident',
    );
    await page.reload();
    await page.locator('.msg--staff .msg-translation', { hasText: 'Ik bel je morgen om tien uur.' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/language-phone-case.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

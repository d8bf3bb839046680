import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LanguageServiceError } from '../../src/language/language-service-error.js';
import { createTranslationClient, type TranslationClient } from '../../src/language/translation-client.js';
import { FakeTranslateServer } from '../helpers/fake-translate-server.js';

/** The LibreTranslate client against a local fake: the request it makes, and what it makes of every kind of answer. */

const API_KEY = 'lt-test-0123456789';
const TEXT = 'Mijn huisbaas zet mij op straat en ik weet niet waar ik heen moet';

let fake: FakeTranslateServer;
let client: TranslationClient;

beforeAll(async () => {
  fake = await FakeTranslateServer.start({ detectedLanguage: 'ar' });
  client = createTranslationClient({ url: fake.url, timeoutMs: 200 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function failure(promise: Promise<unknown>): Promise<LanguageServiceError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(LanguageServiceError);
  return error as LanguageServiceError;
}

describe('the translation client', () => {
  it('posts { q, source, target, format } as JSON to /translate, without an api_key when it has none', async () => {
    const result = await client.translate({ text: TEXT, source: 'nl', target: 'en' });
    expect(result).toEqual({ text: `[en] ${TEXT}`, detectedSource: null });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/translate', authorization: undefined, status: 200 });
    expect(request!.contentType).toMatch(/^application\/json/);
    expect(request!.body).toEqual({ q: TEXT, source: 'nl', target: 'en', format: 'text' });
  });

  it('sends the api_key in the body when it has one', async () => {
    const keyed = await FakeTranslateServer.start({ apiKey: API_KEY });
    try {
      const withKey = createTranslationClient({ url: keyed.url, apiKey: API_KEY, timeoutMs: 1000 });
      expect((await withKey.translate({ text: 'hallo', source: 'nl', target: 'tr' })).text).toBe('[tr] hallo');
      expect(keyed.requests[0]!.body).toEqual({ q: 'hallo', source: 'nl', target: 'tr', format: 'text', api_key: API_KEY });
      expect(keyed.requests[0]!.authorization).toBeUndefined();
    } finally {
      await keyed.close();
    }
  });

  it("returns the detected language when the source is 'auto'", async () => {
    expect(await client.translate({ text: 'مرحبا', source: 'auto', target: 'nl' })).toEqual({
      text: '[nl] مرحبا',
      detectedSource: 'ar',
    });
    expect(fake.requests[0]!.body).toMatchObject({ source: 'auto' });
  });

  it('keeps the translated text as the server gave it', async () => {
    fake.respondWith(() => ({ body: { translatedText: ' Hello\n' } }));
    expect(await client.translate({ text: 'Hallo', source: 'nl', target: 'en' })).toEqual({
      text: ' Hello\n',
      detectedSource: null,
    });
  });

  it.each([
    [{ language: '' }, null],
    [{ confidence: 12 }, null],
    [null, null],
    ['ar', null],
    [{ language: 'tr', confidence: 88 }, 'tr'],
  ])('reads detectedLanguage %j as %j', async (detectedLanguage, detectedSource) => {
    fake.respondWith(() => ({ body: { translatedText: 'hi', detectedLanguage } }));
    expect((await client.translate({ text: 'hoi', source: 'auto', target: 'en' })).detectedSource).toBe(detectedSource);
  });

  it.each([
    ['', '/translate'],
    ['/', '/translate'],
    ['//', '/translate'],
    ['/libretranslate', '/libretranslate/translate'],
    ['/libretranslate/', '/libretranslate/translate'],
  ])('joins the url %j to %s', async (suffix, path) => {
    fake.respondWith(() => ({ body: { translatedText: 'ok' } }));
    const joined = createTranslationClient({ url: `${fake.url}${suffix}`, timeoutMs: 1000 });
    await joined.translate({ text: 'hoi', source: 'nl', target: 'en' });
    expect(fake.requests[0]!.path).toBe(path);
  });

  it('uses the fetch it is given', async () => {
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const withFetch = createTranslationClient({ url: fake.url, timeoutMs: 1000, fetch: counting });
    await withFetch.translate({ text: 'hoi', source: 'nl', target: 'en' });
    expect(urls).toEqual([`${fake.url}/translate`]);
  });
});

describe('the translation client when the server does not give a result', () => {
  it('gives up after timeoutMs on a server that does not answer: retryable, no status', async () => {
    fake.hangNext();
    const started = Date.now();
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toMatch(/no answer within 200 ms/);
    expect(error.message).not.toContain(TEXT);
  });

  it('times out on an answer that comes too late', async () => {
    fake.respondWith(() => ({ body: { translatedText: 'late' }, delayMs: 600 }));
    expect(await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }))).toMatchObject({ retryable: true });
  });

  it('calls a dropped connection a retryable network error', async () => {
    fake.dropNext();
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toMatch(/network error/);
  });

  it('calls a refused connection a retryable network error', async () => {
    const gone = await FakeTranslateServer.start();
    await gone.close();
    const nowhere = createTranslationClient({ url: gone.url, timeoutMs: 1000 });
    const error = await failure(nowhere.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    [429, { error: 'Slowdown: 30 per 1 minute' }, true],
    [500, { error: 'Internal Server Error' }, true],
    [502, '<html>Bad Gateway</html>', true],
    [503, undefined, true],
    [400, { error: 'xx is not supported' }, false],
    [403, { error: 'Invalid API key' }, false],
    [404, { error: 'Not Found' }, false],
  ])('answers HTTP %i with a LanguageServiceError carrying the status (retryable %s)', async (status, body, retryable) => {
    fake.failNext(1, { status, body });
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error).toMatchObject({ retryable, status });
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it("puts LibreTranslate's error in the error message", async () => {
    fake.failNext(1, { status: 400, body: { error: 'xx is not supported' } });
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'xx' }));
    expect(error.message).toBe('translation server: HTTP 400: xx is not supported');
  });

  it('calls a wrong api key not retryable', async () => {
    const keyed = await FakeTranslateServer.start({ apiKey: API_KEY });
    try {
      const wrong = createTranslationClient({ url: keyed.url, apiKey: 'wrong', timeoutMs: 1000 });
      const error = await failure(wrong.translate({ text: TEXT, source: 'nl', target: 'en' }));
      expect(error).toMatchObject({ retryable: false, status: 403 });
      expect(error.message).toBe('translation server: HTTP 403: Invalid API key');
      expect(error.message).not.toContain('wrong');
    } finally {
      await keyed.close();
    }
  });

  it('calls an empty text a request the server refuses, not retryable', async () => {
    const error = await failure(client.translate({ text: '', source: 'nl', target: 'en' }));
    expect(error).toMatchObject({ retryable: false, status: 400 });
  });

  it.each([
    ['the whole text', `Cannot translate "${TEXT}"`],
    ['the start of the text', `Cannot translate "${TEXT.slice(0, 24)}…"`],
    ['the text in other case and spacing', `could not handle: ${TEXT.toUpperCase().replace(/ /g, '  ')}`],
  ])('leaves out a server error message that repeats %s', async (_, message) => {
    fake.failNext(1, { status: 400, body: { error: message } });
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error.message).toBe('translation server: HTTP 400');
  });

  it('leaves out a message that repeats a short text', async () => {
    fake.failNext(1, { status: 500, body: { error: 'failed on: ik ben bang' } });
    const error = await failure(client.translate({ text: 'ik ben bang', source: 'nl', target: 'en' }));
    expect(error.message).toBe('translation server: HTTP 500');
  });

  it('cuts a long server error message short', async () => {
    fake.failNext(1, { status: 500, body: { error: 'x'.repeat(1000) } });
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error.message.length).toBeLessThan(260);
  });

  it.each([
    ['JSON that does not parse', { body: `{"translatedText": "${TEXT}"`, contentType: 'application/json' }],
    ['plain text', { body: TEXT }],
    ['JSON without translatedText', { body: { text: TEXT } }],
    ['JSON with a translatedText that is not a string', { body: { translatedText: [TEXT] } }],
    ['JSON that is not an object', { body: [TEXT] }],
  ])('calls a 200 with %s unreadable: not retryable, and the text stays out of the message', async (_, reply) => {
    fake.respondWith(() => reply);
    const error = await failure(client.translate({ text: TEXT, source: 'nl', target: 'en' }));
    expect(error).toMatchObject({ retryable: false, status: undefined });
    expect(error.message).not.toContain(TEXT);
    expect(error.message).not.toContain('huisbaas');
  });

  it('makes one request per call: retrying is the caller’s, and the server answers again after failing N times', async () => {
    fake.failNext(2);
    expect(await failure(client.translate({ text: 'hoi', source: 'nl', target: 'en' }))).toMatchObject({ status: 500 });
    expect(await failure(client.translate({ text: 'hoi', source: 'nl', target: 'en' }))).toMatchObject({ status: 500 });
    expect((await client.translate({ text: 'hoi', source: 'nl', target: 'en' })).text).toBe('[en] hoi');
    expect(fake.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('calls a url that is not an http url a configuration fault, not retryable', async () => {
    const broken = createTranslationClient({ url: 'translate.local:5000', timeoutMs: 1000 });
    expect(await failure(broken.translate({ text: TEXT, source: 'nl', target: 'en' }))).toMatchObject({ retryable: false });
  });
});

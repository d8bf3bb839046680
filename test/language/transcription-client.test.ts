import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LanguageServiceError } from '../../src/language/language-service-error.js';
import { createTranscriptionClient, type TranscriptionClient } from '../../src/language/transcription-client.js';
import { FakeSpeechServer } from '../helpers/fake-speech-server.js';

/** The speech-to-text client against a local fake: the request it makes, and what it makes of every kind of answer. */

const API_KEY = 'sk-test-speech-0123456789';
const TRANSCRIPT = 'Mijn huisbaas zet mij op straat en ik weet niet waar ik heen moet';
const VOICE = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);

let fake: FakeSpeechServer;
let client: TranscriptionClient;

beforeAll(async () => {
  fake = await FakeSpeechServer.start();
  client = createTranscriptionClient({ url: fake.url, model: 'Systran/faster-whisper-small', timeoutMs: 200 });
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

describe('the transcription client', () => {
  it('posts the file, model, language and verbose_json as multipart to /v1/audio/transcriptions with the bearer', async () => {
    const keyed = await FakeSpeechServer.start({ apiKey: API_KEY });
    try {
      const withKey = createTranscriptionClient({ url: keyed.url, model: 'whisper-1', apiKey: API_KEY, timeoutMs: 1000 });
      const result = await withKey.transcribe({ bytes: VOICE, contentType: 'audio/ogg; codecs=opus', language: 'ar' });
      expect(result).toEqual({ text: `transcript of ${VOICE.byteLength} bytes`, locale: 'ar' });
      const [request] = keyed.requests;
      expect(request).toMatchObject({
        method: 'POST',
        path: '/v1/audio/transcriptions',
        authorization: `Bearer ${API_KEY}`,
        status: 200,
      });
      expect(request!.contentType).toMatch(/^multipart\/form-data; boundary=/);
      expect(request!.fields).toEqual({ model: 'whisper-1', language: 'ar', response_format: 'verbose_json' });
      expect(request!.file).toEqual({ bytes: VOICE, type: 'audio/ogg; codecs=opus', name: 'voice.ogg' });
    } finally {
      await keyed.close();
    }
  });

  it('leaves out the language and the Authorization header when it has none, and takes the detected language', async () => {
    const result = await client.transcribe({ bytes: VOICE, contentType: 'audio/webm' });
    expect(result).toEqual({ text: `transcript of ${VOICE.byteLength} bytes`, locale: 'nl' });
    const [request] = fake.requests;
    expect(request!.authorization).toBeUndefined();
    expect(request!.fields).toEqual({ model: 'Systran/faster-whisper-small', response_format: 'verbose_json' });
  });

  it('treats an empty language as unknown', async () => {
    await client.transcribe({ bytes: VOICE, contentType: 'audio/webm', language: '' });
    expect(fake.requests[0]!.fields).not.toHaveProperty('language');
  });

  it.each([
    ['', '/v1/audio/transcriptions'],
    ['/', '/v1/audio/transcriptions'],
    ['/v1', '/v1/audio/transcriptions'],
    ['/v1/', '/v1/audio/transcriptions'],
    ['/speech', '/speech/v1/audio/transcriptions'],
    ['/speech/v1//', '/speech/v1/audio/transcriptions'],
  ])('joins the url %j to %s', async (suffix, path) => {
    fake.respondWith(() => ({ body: { text: 'ok' } }));
    const joined = createTranscriptionClient({ url: `${fake.url}${suffix}`, model: 'm', timeoutMs: 1000 });
    await joined.transcribe({ bytes: VOICE, contentType: 'audio/ogg' });
    expect(fake.requests[0]!.path).toBe(path);
  });

  it.each([
    ['audio/ogg', 'voice.ogg'],
    ['audio/ogg; codecs=opus', 'voice.ogg'],
    ['audio/opus', 'voice.ogg'],
    ['audio/webm;codecs=opus', 'voice.webm'],
    ['video/webm', 'voice.webm'],
    ['audio/mp4', 'voice.m4a'],
    ['audio/x-m4a', 'voice.m4a'],
    ['audio/mpeg', 'voice.mp3'],
    ['Audio/MPEG', 'voice.mp3'],
    ['audio/wav', 'voice.wav'],
    ['audio/x-wav', 'voice.wav'],
    ['application/octet-stream', 'audio.bin'],
    ['', 'audio.bin'],
  ])('names a %j file %s', async (contentType, name) => {
    await client.transcribe({ bytes: VOICE, contentType });
    expect(fake.requests[0]!.file).toMatchObject({ name, bytes: VOICE });
  });

  it.each([
    ['arabic', undefined, 'ar'],
    ['Arabic', undefined, 'ar'],
    ['dutch', undefined, 'nl'],
    ['turkish', undefined, 'tr'],
    ['english', undefined, 'en'],
    ['french', undefined, 'fr'],
    ['german', undefined, 'de'],
    ['polish', undefined, 'pl'],
    ['spanish', undefined, 'es'],
    ['italian', undefined, 'it'],
    ['portuguese', undefined, 'pt'],
    ['russian', undefined, 'ru'],
    ['ukrainian', undefined, 'uk'],
    ['persian', undefined, 'fa'],
    ['somali', undefined, 'so'],
    ['tigrinya', undefined, 'ti'],
    ['kurdish', undefined, 'ku'],
    ['urdu', undefined, 'ur'],
    ['ar', undefined, 'ar'],
    ['TR', undefined, 'tr'],
    ['pt-BR', undefined, 'pt'],
    ['klingon', 'tr', 'tr'],
    ['klingon', undefined, null],
    ['constructor', undefined, null],
    [undefined, 'so', 'so'],
    [undefined, undefined, null],
    [42, undefined, null],
  ])('reads the language %j (asked for %j) as %j', async (language, requested, locale) => {
    fake.respondWith(() => ({ body: { text: 'hallo', ...(language !== undefined ? { language } : {}) } }));
    const result = await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg', language: requested });
    expect(result.locale).toBe(locale);
  });

  it('trims the text, and takes empty text (silence) as a result', async () => {
    fake.respondWith(() => ({ body: { text: `  ${TRANSCRIPT}\n`, language: 'dutch' } }));
    expect(await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' })).toEqual({ text: TRANSCRIPT, locale: 'nl' });
    fake.respondWith(() => ({ body: { text: ' ', language: 'dutch' } }));
    expect(await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' })).toEqual({ text: '', locale: 'nl' });
  });

  it('takes a text/plain answer as the transcript, in the language it asked for', async () => {
    fake.respondWith(() => ({ body: `\n${TRANSCRIPT}\n` }));
    expect(await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg', language: 'nl' })).toEqual({
      text: TRANSCRIPT,
      locale: 'nl',
    });
    expect(await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' })).toEqual({ text: TRANSCRIPT, locale: null });
  });

  it('uses the fetch it is given', async () => {
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const withFetch = createTranscriptionClient({ url: fake.url, model: 'm', timeoutMs: 1000, fetch: counting });
    await withFetch.transcribe({ bytes: VOICE, contentType: 'audio/ogg' });
    expect(urls).toEqual([`${fake.url}/v1/audio/transcriptions`]);
  });
});

describe('the transcription client when the server does not give a result', () => {
  it('gives up after timeoutMs on a server that does not answer: retryable, no status', async () => {
    fake.hangNext();
    const started = Date.now();
    const error = await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toMatch(/no answer within 200 ms/);
  });

  it('times out on an answer that comes too late', async () => {
    fake.respondWith(() => ({ body: { text: 'late' }, delayMs: 600 }));
    expect(await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }))).toMatchObject({ retryable: true });
  });

  it('calls a dropped connection a retryable network error', async () => {
    fake.dropNext();
    const error = await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toMatch(/network error/);
  });

  it('calls a refused connection a retryable network error', async () => {
    const gone = await FakeSpeechServer.start();
    await gone.close();
    const nowhere = createTranscriptionClient({ url: gone.url, model: 'm', timeoutMs: 1000 });
    const error = await failure(nowhere.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    [429, { error: { message: 'too many requests' } }, true],
    [500, { detail: 'CUDA out of memory' }, true],
    [502, '<html>Bad Gateway</html>', true],
    [503, { error: 'model is loading' }, true],
    [400, { error: 'failed to read audio data' }, false],
    [401, { error: { message: 'Invalid API key' } }, false],
    [404, { detail: 'Not Found' }, false],
    [413, undefined, false],
  ])('answers HTTP %i with a LanguageServiceError carrying the status (retryable %s)', async (status, body, retryable) => {
    fake.failNext(1, { status, body });
    const error = await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(error).toMatchObject({ retryable, status });
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it("puts the server's own error message in the error message", async () => {
    fake.failNext(1, { status: 400, body: { error: { message: 'unsupported audio format' } } });
    const error = await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(error.message).toBe('transcription server: HTTP 400: unsupported audio format');
  });

  it('calls a wrong bearer not retryable', async () => {
    const keyed = await FakeSpeechServer.start({ apiKey: API_KEY });
    try {
      const wrong = createTranscriptionClient({ url: keyed.url, model: 'm', apiKey: 'wrong', timeoutMs: 1000 });
      expect(await failure(wrong.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }))).toMatchObject({
        retryable: false,
        status: 401,
      });
    } finally {
      await keyed.close();
    }
  });

  it.each([
    ['JSON that does not parse', { body: `{"text": "${TRANSCRIPT}"`, contentType: 'application/json' }],
    ['HTML', { body: `<p>${TRANSCRIPT}</p>`, contentType: 'text/html' }],
    ['JSON without text', { body: { transcript: TRANSCRIPT } }],
    ['JSON with a text that is not a string', { body: { text: [TRANSCRIPT] } }],
    ['JSON that is not an object', { body: [TRANSCRIPT] }],
  ])('calls a 200 with %s unreadable: not retryable, and the transcript stays out of the message', async (_, reply) => {
    fake.respondWith(() => reply);
    const error = await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }));
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(TRANSCRIPT);
    expect(error.message).not.toContain('huisbaas');
  });

  it('makes one request per call: retrying is the caller’s, and the server answers again after failing N times', async () => {
    fake.failNext(2);
    expect(await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }))).toMatchObject({ status: 503 });
    expect(await failure(client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }))).toMatchObject({ status: 503 });
    expect((await client.transcribe({ bytes: VOICE, contentType: 'audio/ogg' })).text).toBe(
      `transcript of ${VOICE.byteLength} bytes`,
    );
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('calls a url that is not a url a configuration fault, not retryable', async () => {
    const broken = createTranscriptionClient({ url: 'speech.local:9000', model: 'm', timeoutMs: 1000 });
    expect(await failure(broken.transcribe({ bytes: VOICE, contentType: 'audio/ogg' }))).toMatchObject({ retryable: false });
  });
});

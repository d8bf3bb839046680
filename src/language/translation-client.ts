import { callLanguageServer, unreadableAnswer } from './language-service-error.js';

/**
 * Translation on a self-hosted LibreTranslate: `POST /translate`. One request per call; retrying is
 * the caller's choice.
 */

export interface TranslationClient {
  /** source: an ISO 639-1 code or 'auto'. */
  translate(input: { text: string; source: string; target: string }): Promise<{ text: string; detectedSource: string | null }>;
}

export interface TranslationClientOptions {
  url: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const SERVICE = 'translation server';

export function createTranslationClient(options: TranslationClientOptions): TranslationClient {
  const endpoint = `${options.url.replace(/\/+$/, '')}/translate`;

  return {
    async translate({ text, source, target }) {
      const answer = await callLanguageServer({
        service: SERVICE,
        url: endpoint,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ q: text, source, target, format: 'text', ...(options.apiKey ? { api_key: options.apiKey } : {}) }),
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
        secret: text,
      });
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        throw unreadableAnswer(SERVICE, answer, 'an answer that is not JSON');
      }
      const result = (typeof json === 'object' && json !== null ? json : {}) as {
        translatedText?: unknown;
        detectedLanguage?: { language?: unknown } | null;
      };
      if (typeof result.translatedText !== 'string') throw unreadableAnswer(SERVICE, answer, 'an answer without translatedText');
      const detected = result.detectedLanguage?.language;
      return { text: result.translatedText, detectedSource: typeof detected === 'string' && detected !== '' ? detected : null };
    },
  };
}

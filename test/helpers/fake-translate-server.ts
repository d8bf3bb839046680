import { ScriptedFakeServer, type BodyFields, type FakeReply, type RecordedRequest } from './scripted-fake-server.js';

/**
 * A local stand-in for LibreTranslate, for tests: a real HTTP server on 127.0.0.1 answering
 * `POST /translate`. It records every request with its JSON body, answers as the test says (by
 * default `[<target>] <q>`, with the detected language when the source is 'auto'), and can be told
 * to fail, drop or never answer the next requests. Its errors are LibreTranslate's `{ error: "…" }`.
 */

export interface RecordedTranslateRequest extends RecordedRequest {
  /** The parsed JSON body; undefined when it was not JSON. */
  body: Record<string, any> | undefined;
}

export type FakeTranslateReply = FakeReply;

export type TranslateResponder = (request: RecordedTranslateRequest) => FakeTranslateReply;

export class FakeTranslateServer extends ScriptedFakeServer<RecordedTranslateRequest> {
  /** failNext's default: 500. */
  protected readonly failure: FakeTranslateReply = { status: 500, body: { error: 'Internal Server Error' } };

  private constructor(
    /** When set, requests need it as `api_key` in the body. */
    readonly apiKey: string | undefined,
    /** What 'auto' detects. */
    readonly detectedLanguage: string,
  ) {
    super();
  }

  static start(options: { apiKey?: string; detectedLanguage?: string } = {}): Promise<FakeTranslateServer> {
    return new FakeTranslateServer(options.apiKey, options.detectedLanguage ?? 'nl').listen();
  }

  defaultReply(request: RecordedTranslateRequest): FakeTranslateReply {
    if (request.method !== 'POST' || request.path !== '/translate') return { status: 404, body: { error: 'Not Found' } };
    const body = request.body;
    if (!body) return { status: 400, body: { error: 'Invalid request: request body is not JSON' } };
    if (this.apiKey !== undefined && body['api_key'] !== this.apiKey) return { status: 403, body: { error: 'Invalid API key' } };
    for (const field of ['q', 'source', 'target']) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        return { status: 400, body: { error: `Invalid request: missing ${field} parameter` } };
      }
    }
    return {
      body: {
        translatedText: `[${body['target']}] ${body['q']}`,
        ...(body['source'] === 'auto' ? { detectedLanguage: { confidence: 90, language: this.detectedLanguage } } : {}),
      },
    };
  }

  /** The body as a JSON object, if it is one. */
  protected parseBody(raw: Buffer): BodyFields<RecordedTranslateRequest> {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return { body: undefined };
    }
    const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
    return { body: isObject ? (json as Record<string, any>) : undefined };
  }
}

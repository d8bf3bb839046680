import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for LibreTranslate, for tests: a real HTTP server on 127.0.0.1 answering
 * `POST /translate`. It records every request with its JSON body, answers as the test says (by
 * default `[<target>] <q>`, with the detected language when the source is 'auto'), and can be told
 * to fail, drop or never answer the next requests. Its errors are LibreTranslate's `{ error: "…" }`.
 */

export interface RecordedTranslateRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: Record<string, any> | undefined;
  at: number;
  /** The HTTP status the fake answered with (0: dropped, or not answered yet). */
  status: number;
}

export interface FakeTranslateReply {
  /** Default 200. */
  status?: number;
  /** An object goes out as JSON; a string as it is, text/plain unless `contentType` says otherwise. */
  body?: unknown;
  contentType?: string;
  delayMs?: number;
}

export type TranslateResponder = (request: RecordedTranslateRequest) => FakeTranslateReply;

type Scripted = { kind: 'reply'; reply: FakeTranslateReply } | { kind: 'drop' } | { kind: 'hang' };

export class FakeTranslateServer {
  readonly requests: RecordedTranslateRequest[] = [];
  #responder: TranslateResponder = (request) => this.defaultReply(request);
  readonly #scripted: Scripted[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** When set, requests need it as `api_key` in the body. */
    readonly apiKey: string | undefined,
    /** What 'auto' detects. */
    readonly detectedLanguage: string,
  ) {}

  static async start(options: { apiKey?: string; detectedLanguage?: string } = {}): Promise<FakeTranslateServer> {
    let fake: FakeTranslateServer | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeTranslateServer(server, `http://127.0.0.1:${port}`, options.apiKey, options.detectedLanguage ?? 'nl');
    return fake;
  }

  /** Answers every request not scripted by failNext/dropNext/hangNext; `defaultReply` is the default. */
  respondWith(responder: TranslateResponder): void {
    this.#responder = responder;
  }

  /** What the server answers unless told otherwise. */
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

  /** The next `count` requests get this answer (default: 500). */
  failNext(count = 1, reply: FakeTranslateReply = { status: 500, body: { error: 'Internal Server Error' } }): void {
    for (let i = 0; i < count; i++) this.#scripted.push({ kind: 'reply', reply });
  }

  /** The next `count` requests get their connection dropped (a network error). */
  dropNext(count = 1): void {
    for (let i = 0; i < count; i++) this.#scripted.push({ kind: 'drop' });
  }

  /** The next `count` requests are never answered (the client's timeout ends them). */
  hangNext(count = 1): void {
    for (let i = 0; i < count; i++) this.#scripted.push({ kind: 'hang' });
  }

  /** Forgets the requests, the scripted answers and a custom responder. */
  reset(): void {
    this.requests.length = 0;
    this.#scripted.length = 0;
    this.#responder = (request) => this.defaultReply(request);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, any> | undefined;
    try {
      const json: unknown = JSON.parse(raw.toString('utf8'));
      body = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, any>) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedTranslateRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', this.url).pathname,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
      at: Date.now(),
      status: 0,
    };
    this.requests.push(record);

    const scripted = this.#scripted.shift();
    if (scripted?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (scripted?.kind === 'hang') return;
    const reply = scripted?.kind === 'reply' ? scripted.reply : this.#responder(record);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    record.status = reply.status ?? 200;
    writeReply(res, record.status, reply);
  }
}

function writeReply(res: ServerResponse, status: number, reply: FakeTranslateReply): void {
  const body = reply.body;
  if (body === undefined) {
    res.writeHead(status, reply.contentType ? { 'content-type': reply.contentType } : {});
    res.end();
    return;
  }
  const text = typeof body === 'string';
  res.writeHead(status, { 'content-type': reply.contentType ?? (text ? 'text/plain; charset=utf-8' : 'application/json') });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible speech-to-text server (speaches, whisper.cpp's server),
 * for tests: a real HTTP server on 127.0.0.1 answering `POST /v1/audio/transcriptions`. It records
 * every request with its form fields and file, answers as the test says (by default a transcript
 * naming the file's size, in the requested language or 'nl'), and can be told to fail, drop or never
 * answer the next requests.
 */

export interface RecordedSpeechRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The form's text fields: model, language, response_format … */
  fields: Record<string, string>;
  file: { bytes: Uint8Array; type: string; name: string } | undefined;
  at: number;
  /** The HTTP status the fake answered with (0: dropped, or not answered yet). */
  status: number;
}

export interface FakeSpeechReply {
  /** Default 200. */
  status?: number;
  /** An object goes out as JSON; a string as it is, text/plain unless `contentType` says otherwise. */
  body?: unknown;
  contentType?: string;
  delayMs?: number;
}

export type SpeechResponder = (request: RecordedSpeechRequest) => FakeSpeechReply;

type Scripted = { kind: 'reply'; reply: FakeSpeechReply } | { kind: 'drop' } | { kind: 'hang' };

export class FakeSpeechServer {
  readonly requests: RecordedSpeechRequest[] = [];
  #responder: SpeechResponder = (request) => this.defaultReply(request);
  readonly #scripted: Scripted[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** When set, requests need `Authorization: Bearer <apiKey>`. */
    readonly apiKey: string | undefined,
  ) {}

  static async start(options: { apiKey?: string } = {}): Promise<FakeSpeechServer> {
    let fake: FakeSpeechServer | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSpeechServer(server, `http://127.0.0.1:${port}`, options.apiKey);
    return fake;
  }

  /** Answers every request not scripted by failNext/dropNext/hangNext; `defaultReply` is the default. */
  respondWith(responder: SpeechResponder): void {
    this.#responder = responder;
  }

  /** What the server answers unless told otherwise. */
  defaultReply(request: RecordedSpeechRequest): FakeSpeechReply {
    if (request.method !== 'POST' || request.path !== '/v1/audio/transcriptions')
      return { status: 404, body: { detail: 'Not Found' } };
    if (this.apiKey !== undefined && request.authorization !== `Bearer ${this.apiKey}`) {
      return { status: 401, body: { error: { message: 'Invalid API key', type: 'invalid_request_error' } } };
    }
    if (!request.file) return { status: 400, body: { error: { message: 'no file in the request' } } };
    return {
      body: {
        task: 'transcribe',
        language: request.fields['language'] ?? 'nl',
        duration: 1.5,
        text: `transcript of ${request.file.bytes.byteLength} bytes`,
        segments: [],
      },
    };
  }

  /** The next `count` requests get this answer (default: 503, the model still loading). */
  failNext(count = 1, reply: FakeSpeechReply = { status: 503, body: { error: { message: 'model is loading' } } }): void {
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
    const contentType = req.headers['content-type'];
    const record: RecordedSpeechRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', this.url).pathname,
      authorization: req.headers.authorization,
      contentType,
      ...(await parseForm(raw, contentType)),
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

async function parseForm(raw: Buffer, contentType: string | undefined): Promise<Pick<RecordedSpeechRequest, 'fields' | 'file'>> {
  const fields: Record<string, string> = {};
  let file: RecordedSpeechRequest['file'];
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType ?? '' } }).formData();
  } catch {
    return { fields, file };
  }
  const files: File[] = [];
  form.forEach((value, name) => {
    if (typeof value === 'string') fields[name] = value;
    else if (name === 'file') files.push(value);
  });
  if (files[0]) file = { bytes: new Uint8Array(await files[0].arrayBuffer()), type: files[0].type, name: files[0].name };
  return { fields, file };
}

function writeReply(res: ServerResponse, status: number, reply: FakeSpeechReply): void {
  if (reply.body === undefined) {
    res.writeHead(status, reply.contentType ? { 'content-type': reply.contentType } : {});
    res.end();
    return;
  }
  const body = reply.body;
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

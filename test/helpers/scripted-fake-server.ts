import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody } from './read-body.js';
import { listenLocally } from './local-server.js';

/**
 * What the fakes of outside HTTP services share (fake-speech-server.ts, fake-translate-server.ts): a
 * real HTTP server on 127.0.0.1 that records every request, answers with the fake's default reply or a
 * custom responder, and can be told to fail, drop or never answer the next requests.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  at: number;
  /** The HTTP status the fake answered with (0: dropped, or not answered yet). */
  status: number;
}

export interface FakeReply {
  /** Default 200. */
  status?: number;
  /** An object goes out as JSON; a string as it is, text/plain unless `contentType` says otherwise. */
  body?: unknown;
  contentType?: string;
  delayMs?: number;
}

/** What a fake reads from a request's body, besides the fields every recorded request has. */
export type BodyFields<Request extends RecordedRequest> = Omit<Request, keyof RecordedRequest>;

type Scripted = { kind: 'reply'; reply: FakeReply } | { kind: 'drop' } | { kind: 'hang' };

export abstract class ScriptedFakeServer<Request extends RecordedRequest> {
  readonly requests: Request[] = [];
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  #url = '';
  #responder: (request: Request) => FakeReply = (request) => this.defaultReply(request);
  readonly #scripted: Scripted[] = [];

  /** What failNext answers unless told otherwise. */
  protected abstract readonly failure: FakeReply;

  /** What the server answers unless told otherwise. */
  abstract defaultReply(request: Request): FakeReply;

  /** Reads the fake's own fields from the request body. */
  protected abstract parseBody(raw: Buffer, contentType: string | undefined): BodyFields<Request> | Promise<BodyFields<Request>>;

  /** `http://127.0.0.1:<port>`; still set after close, for a client that should find nobody there. */
  get url(): string {
    return this.#url;
  }

  protected async listen(): Promise<this> {
    this.#url = await listenLocally(this.#server);
    return this;
  }

  /** Answers every request not scripted by failNext/dropNext/hangNext; `defaultReply` is the default. */
  respondWith(responder: (request: Request) => FakeReply): void {
    this.#responder = responder;
  }

  /** The next `count` requests get this answer (default: the fake's `failure`). */
  failNext(count = 1, reply: FakeReply = this.failure): void {
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
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    const record = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', this.#url).pathname,
      authorization: req.headers.authorization,
      contentType,
      ...(await this.parseBody(raw, contentType)),
      at: Date.now(),
      status: 0,
    } as Request;
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

function writeReply(res: ServerResponse, status: number, reply: FakeReply): void {
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

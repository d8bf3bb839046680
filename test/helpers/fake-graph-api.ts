import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fieldText, parseMultipart } from './multipart.js';
import { listenLocally } from './local-server.js';
import { readBody } from './read-body.js';

/**
 * A local stand-in for Meta's Graph API (WhatsApp Business Cloud API), for tests: a real HTTP server
 * on 127.0.0.1 that the channel reaches through its apiRoot. It answers `POST /<version>/<phone
 * number id>/messages` (sends and mark-as-read), `POST /<version>/<phone number id>/media` (an upload,
 * multipart, for an image or document message), `GET /<version>/<media id>` (media metadata) and
 * serves the media bytes at the url it gave, each only with the right bearer token. It records every
 * request and can be told to fail the next calls with a Graph error, a dropped connection or silence.
 */

export const TEST_GRAPH_TOKEN = 'EAAtest0123456789abcdefghijklmnopqrstuvwxyz';
export const TEST_PHONE_NUMBER_ID = '106540352242922';
export const TEST_API_VERSION = 'v23.0';

export interface RecordedGraphRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** The parsed JSON body of a POST. */
  body: Record<string, any> | undefined;
  at: number;
  /** The HTTP status the fake answered with (0: connection dropped or never answered). */
  status: number;
}

/** A message the fake accepted, as the resident's phone would show it. */
export interface SentCloudMessage {
  wamid: string;
  to: string;
  type: string;
  body: Record<string, any>;
}

/** A file uploaded for sending (`POST /<phone number id>/media`), as the fake keeps it. */
export interface UploadedCloudMedia {
  id: string;
  /** The `type` field: the file's MIME type. */
  type: string;
  filename: string | undefined;
  bytes: Uint8Array;
}

export interface GraphFailure {
  httpStatus: number;
  code: number;
  subcode?: number;
  message?: string;
  details?: string;
  retryAfterSeconds?: number;
}

type Scripted =
  | { kind: 'graph'; failure: GraphFailure }
  /** The connection is dropped without an answer. */
  | { kind: 'drop' }
  /** No answer for this long (longer than the client's timeout). */
  | { kind: 'hang'; ms: number };

export interface FakeMedia {
  bytes: Uint8Array;
  mimeType: string;
  /** What the metadata says (default: the real size); a lie tests the cap while reading. */
  declaredSize?: number | undefined;
  /** Leave out file_size from the metadata. */
  noSize?: boolean;
  /** Serve the bytes in chunks without a Content-Length (only reading tells the size). */
  chunked?: boolean;
}

/** Graph errors as Meta sends them. */
export const graphErrors = {
  windowClosed: (): GraphFailure => ({
    httpStatus: 400,
    code: 131047,
    message: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  }),
  undeliverable: (): GraphFailure => ({ httpStatus: 400, code: 131026, message: 'Message undeliverable' }),
  rateLimit: (): GraphFailure => ({ httpStatus: 400, code: 130429, message: 'Rate limit hit' }),
  pairRateLimit: (): GraphFailure => ({
    httpStatus: 400,
    code: 131056,
    message: '(Business Account, Consumer Account) pair rate limit hit',
  }),
  tokenExpired: (): GraphFailure => ({
    httpStatus: 401,
    code: 190,
    subcode: 463,
    message: 'Error validating access token: Session has expired',
  }),
  serverError: (): GraphFailure => ({ httpStatus: 500, code: 131000, message: 'Something went wrong' }),
  invalidParameter: (): GraphFailure => ({ httpStatus: 400, code: 100, message: 'Invalid parameter' }),
};

export class FakeGraphApi {
  readonly requests: RecordedGraphRequest[] = [];
  readonly sent: SentCloudMessage[] = [];
  /** wamids of resident messages marked read. */
  readonly reads: string[] = [];
  /** Files uploaded to send, in order. */
  readonly uploads: UploadedCloudMedia[] = [];
  readonly #media = new Map<string, FakeMedia>();
  readonly #scripted: { scope: 'messages' | 'media' | 'any'; answer: Scripted }[] = [];
  #counter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly token: string,
    readonly phoneNumberId: string,
  ) {}

  static async start(options: { token?: string; phoneNumberId?: string } = {}): Promise<FakeGraphApi> {
    let fake: FakeGraphApi | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    fake = new FakeGraphApi(
      server,
      await listenLocally(server),
      options.token ?? TEST_GRAPH_TOKEN,
      options.phoneNumberId ?? TEST_PHONE_NUMBER_ID,
    );
    return fake;
  }

  /** Makes the next `count` calls (of the scope: sends and reads, or media) fail with this Graph error. */
  failNext(failure: GraphFailure, count = 1, scope: 'messages' | 'media' | 'any' = 'messages'): void {
    for (let i = 0; i < count; i++) this.#scripted.push({ scope, answer: { kind: 'graph', failure } });
  }

  /** The next call of the scope gets its connection dropped (a network error). */
  dropNext(scope: 'messages' | 'media' | 'any' = 'messages'): void {
    this.#scripted.push({ scope, answer: { kind: 'drop' } });
  }

  /** The next call of the scope is not answered for `ms` (the client's timeout then ends it). */
  hangNext(ms: number, scope: 'messages' | 'media' | 'any' = 'messages'): void {
    this.#scripted.push({ scope, answer: { kind: 'hang', ms } });
  }

  addMedia(mediaId: string, media: FakeMedia): void {
    this.#media.set(mediaId, media);
  }

  /** What the resident `to` (wa_id) sees of our messages, oldest first: text, or body then button and row titles. */
  visibleTo(to: string): string[] {
    return this.sent.filter((m) => m.to === to).map((m) => shownText(m.body));
  }

  /**
   * The photos and documents the resident `to` received, oldest first: the message's type, the uploaded
   * file it names, its caption and (a document) its file name.
   */
  filesTo(to: string): { type: string; caption: string | undefined; filename: string | undefined; upload: UploadedCloudMedia }[] {
    return this.sent
      .filter((m) => m.to === to && (m.type === 'image' || m.type === 'document'))
      .map((m) => {
        const part = m.body[m.type] as { id: string; caption?: string; filename?: string };
        return {
          type: m.type,
          caption: part.caption,
          filename: part.filename,
          upload: this.uploads.find((u) => u.id === part.id)!,
        };
      });
  }

  /** Calls to the media download url (not the metadata). */
  mediaDownloads(): RecordedGraphRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/media-download/'));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    let body: Record<string, any> | undefined;
    const parts = (req.headers['content-type'] ?? '').startsWith('multipart/form-data')
      ? parseMultipart(raw, req.headers['content-type'])
      : undefined;
    if (parts) {
      body = Object.fromEntries([...parts.keys()].filter((k) => k !== 'file').map((k) => [k, fieldText(parts, k)]));
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    const record: RecordedGraphRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
      at: Date.now(),
      status: 0,
    };
    this.requests.push(record);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    // An upload counts with the sends: a failure scripted for the next send may meet the upload first.
    const scope = url.pathname.endsWith('/messages') || url.pathname.endsWith('/media') ? 'messages' : 'media';
    const index = this.#scripted.findIndex((s) => s.scope === 'any' || s.scope === scope);
    if (index >= 0) {
      const scripted = this.#scripted.splice(index, 1)[0]!.answer;
      if (scripted.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (scripted.kind === 'hang') {
        await new Promise((resolve) => setTimeout(resolve, scripted.ms));
        if (!res.destroyed) answer(504, { error: { message: 'late', code: 2 } });
        return;
      }
      const f = scripted.failure;
      return answer(
        f.httpStatus,
        {
          error: {
            message: f.message ?? `error ${f.code}`,
            type: 'OAuthException',
            code: f.code,
            ...(f.subcode !== undefined ? { error_subcode: f.subcode } : {}),
            ...(f.details ? { error_data: { messaging_product: 'whatsapp', details: f.details } } : {}),
            fbtrace_id: 'AbCdEfGh',
          },
        },
        f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {},
      );
    }

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return answer(401, {
        error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 },
      });
    }

    const mediaDownload = /^\/media-download\/([^/]+)$/.exec(url.pathname);
    if (mediaDownload && req.method === 'GET') {
      const media = this.#media.get(decodeURIComponent(mediaDownload[1]!));
      if (!media) return answer(404, { error: { message: 'not found', code: 100 } });
      record.status = 200;
      if (media.chunked) {
        res.writeHead(200, { 'content-type': media.mimeType });
        const bytes = Buffer.from(media.bytes);
        const size = Math.ceil(bytes.byteLength / 4);
        for (let offset = 0; offset < bytes.byteLength; offset += size) res.write(bytes.subarray(offset, offset + size));
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.bytes.byteLength) });
      res.end(Buffer.from(media.bytes));
      return;
    }

    const upload = /^\/(v\d+\.\d+)\/([^/]+)\/media$/.exec(url.pathname);
    if (upload && req.method === 'POST') {
      // As Meta: multipart with messaging_product=whatsapp, the file's type and the file; answers its id.
      if (upload[2] !== this.phoneNumberId) return answer(400, { error: { message: 'Unsupported post request', code: 100 } });
      const file = parts?.get('file');
      if (!parts || body?.['messaging_product'] !== 'whatsapp' || !file || file.bytes.byteLength === 0 || !body['type']) {
        return answer(400, { error: { message: 'Param file, type and messaging_product are required', code: 100 } });
      }
      const id = `${1000000000000000 + ++this.#counter}`;
      this.uploads.push({ id, type: String(body['type']), filename: file.filename, bytes: file.bytes });
      return answer(200, { id });
    }

    const messages = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(url.pathname);
    if (messages && req.method === 'POST') {
      if (messages[2] !== this.phoneNumberId) return answer(400, { error: { message: 'Unsupported post request', code: 100 } });
      if (body?.['messaging_product'] !== 'whatsapp') {
        return answer(400, { error: { message: 'The parameter messaging_product is required.', code: 100 } });
      }
      if (body['status'] === 'read') {
        this.reads.push(String(body['message_id']));
        return answer(200, { success: true });
      }
      // A photo or document names a file uploaded before (Meta refuses an unknown media id).
      const media = body['type'] === 'image' || body['type'] === 'document' ? body[body['type']] : undefined;
      if (media && !this.uploads.some((u) => u.id === media.id)) {
        return answer(400, { error: { message: '(#131053) Media upload error', code: 131053 } });
      }
      const wamid = `wamid.${randomBytes(12).toString('base64url')}${++this.#counter}`;
      this.sent.push({ wamid, to: String(body['to']), type: String(body['type']), body });
      return answer(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: body['to'], wa_id: body['to'] }],
        messages: [{ id: wamid }],
      });
    }

    const mediaInfo = /^\/(v\d+\.\d+)\/([^/]+)$/.exec(url.pathname);
    if (mediaInfo && req.method === 'GET') {
      const id = decodeURIComponent(mediaInfo[2]!);
      const media = this.#media.get(id);
      if (!media) return answer(404, { error: { message: 'Unsupported get request', code: 100 } });
      return answer(200, {
        messaging_product: 'whatsapp',
        url: `${this.url}/media-download/${encodeURIComponent(id)}`,
        mime_type: media.mimeType,
        sha256: 'c2hhMjU2',
        ...(media.noSize ? {} : { file_size: media.declaredSize ?? media.bytes.byteLength }),
        id,
      });
    }
    return answer(404, { error: { message: `no route for ${req.method} ${url.pathname}`, code: 100 } });
  }
}

/** A sent message as text: a text's body; an interactive's body and its buttons' or rows' titles; a template's name. */
function shownText(body: Record<string, any>): string {
  if (body['type'] === 'text') return String(body['text']?.body ?? '');
  if (body['type'] === 'interactive') {
    const interactive = body['interactive'] ?? {};
    const titles =
      interactive.type === 'button'
        ? (interactive.action?.buttons ?? []).map((b: any) => b.reply?.title)
        : (interactive.action?.sections ?? []).flatMap((s: any) => (s.rows ?? []).map((r: any) => r.title));
    return [interactive.body?.text ?? '', ...titles].join('\n');
  }
  if (body['type'] === 'template') return `[template ${body['template']?.name}]`;
  if (body['type'] === 'image' || body['type'] === 'document') return String(body[body['type']]?.caption ?? '');
  return '';
}

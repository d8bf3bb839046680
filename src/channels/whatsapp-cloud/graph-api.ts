import { readCappedBody } from '../../server/read-capped-body.js';

/**
 * A thin client for the parts of Meta's Graph API the WhatsApp Business Cloud API channel uses:
 * sending messages (text, interactive, template), marking a received message read, and fetching a
 * file a resident sent. Every call has a timeout; nothing throws for the other side's trouble: each
 * call returns a value or a GraphError for the classifier (classify-cloud-error.ts).
 */

export interface GraphApiOptions {
  token: string;
  phoneNumberId: string;
  /** https://graph.facebook.com (a fake in tests), without a trailing slash. */
  apiRoot: string;
  /** 'v23.0' */
  apiVersion: string;
  /** For every API call (default 15 s). */
  timeoutMs?: number;
  /** For the download of one media file, body included (default 60 s). */
  mediaTimeoutMs?: number;
}

/** A failed call. `httpStatus` 0: no HTTP answer at all (network trouble or our timeout). */
export interface GraphError {
  httpStatus: number;
  /** Graph's error code (131047, 190 …); null when the answer was not a Graph error. */
  code: number | null;
  subcode?: number | undefined;
  message: string;
  /** `error_data.details`, where Graph explains the code. */
  details?: string | undefined;
  /** From a Retry-After header. */
  retryAfterMs?: number | undefined;
  timedOut?: boolean | undefined;
}

export type GraphResult<T> = { ok: true; value: T } | { ok: false; error: GraphError };

export interface CloudTextBody {
  type: 'text';
  text: { body: string; preview_url: boolean };
}

export interface CloudButtonInteractive {
  type: 'button';
  body: { text: string };
  action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
}

export interface CloudListInteractive {
  type: 'list';
  body: { text: string };
  action: {
    button: string;
    sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
  };
}

export interface CloudInteractiveBody {
  type: 'interactive';
  interactive: CloudButtonInteractive | CloudListInteractive;
}

export interface CloudTemplateBody {
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components?: {
      type: 'button';
      sub_type: 'quick_reply';
      index: string;
      parameters: { type: 'payload'; payload: string }[];
    }[];
  };
}

/** A photo uploaded first (`uploadMedia`), by its media id. */
export interface CloudImageBody {
  type: 'image';
  image: { id: string; caption?: string };
}

/** A document (a PDF) uploaded first, by its media id, with the name the resident's phone shows. */
export interface CloudDocumentBody {
  type: 'document';
  document: { id: string; filename: string; caption?: string };
}

/** One message as the /messages endpoint takes it, without `messaging_product` and `to`. */
export type CloudMessageBody = CloudTextBody | CloudInteractiveBody | CloudTemplateBody | CloudImageBody | CloudDocumentBody;

/** A file to upload for sending (`POST /<phone number id>/media`). */
export interface MediaUpload {
  bytes: Uint8Array;
  /** `image/jpeg`, `image/png`, `application/pdf` … */
  contentType: string;
  name: string;
}

/** An approved message template, for messages outside the 24-hour customer service window. */
export interface TemplateMessage {
  name: string;
  /** The template's language code as approved at Meta ('nl', 'en_US', 'ar', 'tr'). */
  language: string;
  /**
   * Payloads for the template's quick-reply buttons, in the template's button order; a press comes
   * back as a `button` message with this payload.
   */
  buttons?: readonly string[] | undefined;
}

export interface MediaInfo {
  url: string;
  mimeType: string;
  /** As Graph reports it; may be absent. */
  fileSize: number | undefined;
}

export type MediaDownload =
  | { status: 'ok'; bytes: Uint8Array; mimeType: string }
  /** More than the cap, by the declared size or while reading: nothing kept. */
  | { status: 'tooLarge' }
  | { status: 'failed'; error: GraphError };

export interface GraphApi {
  sendMessage(to: string, body: CloudMessageBody): Promise<GraphResult<{ wamid: string }>>;
  sendTemplate(to: string, template: TemplateMessage): Promise<GraphResult<{ wamid: string }>>;
  /** Blue ticks on a message the resident sent us. */
  markRead(wamid: string): Promise<GraphResult<void>>;
  mediaInfo(mediaId: string): Promise<GraphResult<MediaInfo>>;
  /** A file the resident sent, read up to `maxBytes` (the declared size first, then while reading). */
  downloadMedia(mediaId: string, maxBytes: number): Promise<MediaDownload>;
  /** Uploads a file to send (a staff member's photo or PDF); its media id goes in an image or document message. */
  uploadMedia(file: MediaUpload): Promise<GraphResult<{ id: string }>>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MEDIA_TIMEOUT_MS = 60_000;

export function createGraphApi(options: GraphApiOptions): GraphApi {
  const root = options.apiRoot.replace(/\/+$/, '');
  const base = `${root}/${options.apiVersion}`;
  const auth = { authorization: `Bearer ${options.token}` };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const mediaTimeoutMs = options.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
  const messagesUrl = `${base}/${encodeURIComponent(options.phoneNumberId)}/messages`;

  async function call(url: string, init: RequestInit = {}, limitMs = timeoutMs): Promise<GraphResult<unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { ...auth, ...init.headers }, signal: AbortSignal.timeout(limitMs) });
    } catch (error) {
      return { ok: false, error: noAnswer(error) };
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      if (isTimeout(error)) return { ok: false, error: noAnswer(error) };
      json = undefined;
    }
    if (!response.ok) return { ok: false, error: graphErrorOf(response, json) };
    return { ok: true, value: json };
  }

  async function postMessage(payload: Record<string, unknown>): Promise<GraphResult<unknown>> {
    return call(messagesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', ...payload }),
    });
  }

  async function send(to: string, body: CloudMessageBody): Promise<GraphResult<{ wamid: string }>> {
    const result = await postMessage({ recipient_type: 'individual', to, ...body });
    if (!result.ok) return result;
    const wamid = (result.value as { messages?: { id?: unknown }[] } | undefined)?.messages?.[0]?.id;
    if (typeof wamid !== 'string' || wamid === '') {
      return { ok: false, error: { httpStatus: 200, code: null, message: 'Graph answered without a message id' } };
    }
    return { ok: true, value: { wamid } };
  }

  async function mediaInfo(mediaId: string): Promise<GraphResult<MediaInfo>> {
    const query = new URLSearchParams({ phone_number_id: options.phoneNumberId });
    const result = await call(`${base}/${encodeURIComponent(mediaId)}?${query}`);
    if (!result.ok) return result;
    const info = result.value as { url?: unknown; mime_type?: unknown; file_size?: unknown } | undefined;
    if (typeof info?.url !== 'string') {
      return { ok: false, error: { httpStatus: 200, code: null, message: 'Graph answered without a media url' } };
    }
    const size = Number(info.file_size);
    return {
      ok: true,
      value: {
        url: info.url,
        mimeType: typeof info.mime_type === 'string' ? info.mime_type : '',
        fileSize: info.file_size !== undefined && Number.isFinite(size) ? size : undefined,
      },
    };
  }

  /**
   * The bearer token goes only where Graph's own answer points, and never in the clear to another
   * host: https, or the API root's own origin (a local fake in tests).
   */
  function mayCarryToken(url: string): boolean {
    try {
      const target = new URL(url);
      return target.protocol === 'https:' || target.origin === new URL(root).origin;
    } catch {
      return false;
    }
  }

  async function downloadMedia(mediaId: string, maxBytes: number): Promise<MediaDownload> {
    const info = await mediaInfo(mediaId);
    if (!info.ok) return { status: 'failed', error: info.error };
    if (info.value.fileSize !== undefined && info.value.fileSize > maxBytes) return { status: 'tooLarge' };
    if (!mayCarryToken(info.value.url)) {
      return {
        status: 'failed',
        error: { httpStatus: 0, code: null, message: 'the media url is neither https nor the API root' },
      };
    }
    try {
      const response = await fetch(info.value.url, { headers: auth, signal: AbortSignal.timeout(mediaTimeoutMs) });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { status: 'failed', error: { httpStatus: response.status, code: null, message: 'media download refused' } };
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        return { status: 'tooLarge' };
      }
      const read = await readCappedBody(response.body, maxBytes, {
        ...(Number.isFinite(declared) ? { expected: declared } : {}),
        discardUpTo: 0,
      });
      if (read.over) return { status: 'tooLarge' };
      const mimeType = info.value.mimeType || response.headers.get('content-type') || 'application/octet-stream';
      return { status: 'ok', bytes: read.bytes, mimeType };
    } catch (error) {
      return { status: 'failed', error: noAnswer(error) };
    }
  }

  /**
   * Multipart, as Meta documents it: `messaging_product=whatsapp`, the file's `type`, and the `file`
   * itself. Given as long as a media download (a file of several megabytes on a slow line).
   */
  async function uploadMedia(file: MediaUpload): Promise<GraphResult<{ id: string }>> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.contentType);
    form.set('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.contentType }), file.name);
    const result = await call(
      `${base}/${encodeURIComponent(options.phoneNumberId)}/media`,
      { method: 'POST', body: form },
      mediaTimeoutMs,
    );
    if (!result.ok) return result;
    const id = (result.value as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || id === '') {
      return { ok: false, error: { httpStatus: 200, code: null, message: 'Graph answered the upload without a media id' } };
    }
    return { ok: true, value: { id } };
  }

  return {
    sendMessage: send,
    uploadMedia,
    sendTemplate: (to, template) => send(to, templateBody(template)),
    async markRead(wamid) {
      const result = await postMessage({ status: 'read', message_id: wamid });
      return result.ok ? { ok: true, value: undefined } : result;
    },
    mediaInfo,
    downloadMedia,
  };
}

export function templateBody(template: TemplateMessage): CloudTemplateBody {
  const buttons = template.buttons ?? [];
  return {
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      ...(buttons.length > 0
        ? {
            components: buttons.map((payload, index) => ({
              type: 'button' as const,
              sub_type: 'quick_reply' as const,
              index: String(index),
              parameters: [{ type: 'payload' as const, payload }],
            })),
          }
        : {}),
    },
  };
}

/** `{ "error": { "message", "type", "code", "error_subcode", "error_data": { "details" }, "fbtrace_id" } }` */
function graphErrorOf(response: Response, json: unknown): GraphError {
  const body = (json as { error?: Record<string, unknown> } | undefined)?.error;
  const code = typeof body?.['code'] === 'number' ? body['code'] : null;
  const subcode = typeof body?.['error_subcode'] === 'number' ? body['error_subcode'] : undefined;
  const message = typeof body?.['message'] === 'string' ? body['message'] : `HTTP ${response.status}`;
  const data = body?.['error_data'] as { details?: unknown } | undefined;
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    httpStatus: response.status,
    code,
    ...(subcode !== undefined ? { subcode } : {}),
    message,
    ...(typeof data?.details === 'string' ? { details: data.details } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function noAnswer(error: unknown): GraphError {
  if (isTimeout(error)) return { httpStatus: 0, code: null, message: 'timed out', timedOut: true };
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return { httpStatus: 0, code: null, message: `network: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
}

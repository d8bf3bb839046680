/**
 * The one error of the language server clients, and the one call they both make: a POST that ends in
 * a 2xx body or in a LanguageServiceError. Error messages go into logs, so they never carry the text
 * a resident sent or said: only the status, a network error code and the server's own message.
 */

/** A call to a language server that did not give a result. `retryable`: a timeout, a network error, 429 or 5xx; not retryable: other 4xx, or a response we cannot read. */
export class LanguageServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LanguageServiceError';
  }
}

export interface LanguageServerAnswer {
  status: number;
  /** '' when the server sent none. */
  contentType: string;
  body: string;
}

export interface LanguageServerCall {
  /** Names the server in error messages: 'transcription server'. */
  service: string;
  url: string;
  headers: Record<string, string>;
  body: BodyInit;
  timeoutMs: number;
  fetch?: typeof fetch | undefined;
  /** What the resident wrote: left out of the error message even when the server echoes it. */
  secret?: string | undefined;
}

/** POSTs and reads the whole answer within `timeoutMs`; anything but a 2xx throws a LanguageServiceError. */
export async function callLanguageServer(call: LanguageServerCall): Promise<LanguageServerAnswer> {
  // Checked here rather than left to fetch, whose TypeError would look like network trouble.
  if (!isHttpUrl(call.url)) throw new LanguageServiceError(`${call.service}: the configured url is not an http(s) url`, false);
  const signal = AbortSignal.timeout(call.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await (call.fetch ?? fetch)(call.url, { method: 'POST', headers: call.headers, body: call.body, signal });
    body = await response.text();
  } catch (error) {
    throw noAnswer(call, error);
  }
  if (response.ok) return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
  const reason = serverMessage(body, call.secret);
  throw new LanguageServiceError(
    `${call.service}: HTTP ${response.status}${reason ? `: ${reason}` : ''}`,
    response.status === 429 || response.status >= 500,
    response.status,
  );
}

/** A 2xx answer the client cannot use (not JSON, or without the field it needs). */
export function unreadableAnswer(service: string, answer: LanguageServerAnswer, what: string): LanguageServiceError {
  return new LanguageServiceError(
    `${service}: ${what} (HTTP ${answer.status}, ${answer.contentType || 'no content type'})`,
    false,
  );
}

function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function noAnswer(call: LanguageServerCall, error: unknown): LanguageServiceError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new LanguageServiceError(`${call.service}: no answer within ${call.timeoutMs} ms`, true);
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : error instanceof Error
          ? error.message
          : String(error);
  return new LanguageServiceError(`${call.service}: network error (${detail})`, true);
}

const MAX_REASON_LENGTH = 200;

/**
 * The server's own error message from a JSON body: LibreTranslate and whisper.cpp `{ error: "…" }`,
 * OpenAI style `{ error: { message } }`, FastAPI (speaches) `{ detail: "…" }`. Null when there is
 * none, or when it repeats a piece of what the resident wrote.
 */
function serverMessage(body: string, secret: string | undefined): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const { error, detail, message } = json as Record<string, unknown>;
  const nested = (error as { message?: unknown } | null | undefined)?.message;
  const candidate = [error, nested, detail, message].find((value): value is string => typeof value === 'string' && value !== '');
  if (candidate === undefined) return null;
  const reason = candidate.replace(/\s+/g, ' ').trim();
  if (secret !== undefined && echoes(reason, secret)) return null;
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

const ECHO_WINDOW = 16;

/** Whether `reason` holds the secret, or for a long secret any 16 characters of it (a server may quote the start). */
function echoes(reason: string, secret: string): boolean {
  const haystack = reason.toLowerCase();
  const needle = secret.replace(/\s+/g, ' ').trim().toLowerCase();
  if (needle === '') return false;
  if (needle.length <= ECHO_WINDOW) return haystack.includes(needle);
  for (let start = 0; start + ECHO_WINDOW <= needle.length; start++) {
    if (haystack.includes(needle.slice(start, start + ECHO_WINDOW))) return true;
  }
  return false;
}

/**
 * What may go into a log line. Resident content, phone numbers and secrets travel inside errors
 * (grammY's BotError carries the whole update and `ctx.api.token`; postgres errors carry the query
 * parameters; Baileys logs message objects), so redacting a few known paths is not enough. Instead:
 *
 * - numbers and booleans pass, but for a chat, user or phone number;
 * - strings pass only under keys that name ids, states and reasons (SAFE_STRING_KEYS), and then only
 *   after tokens and long digit runs are scrubbed;
 * - errors become { type, message, code, status, method, updateId, stack, cause } with the message
 *   and stack scrubbed, whatever else they carry (ctx, update, parameters, payload, request);
 * - anything else (objects, arrays) is walked to a small depth with the same rules.
 */

const SAFE_STRING_KEYS = new Set([
  'app',
  'attempt',
  'bot',
  'category',
  'channel',
  'code',
  'conversationId',
  'database',
  'event',
  'flow',
  'handoffId',
  'holder',
  'id',
  'job',
  'kind',
  'level',
  'locale',
  'messageId',
  'method',
  'mode',
  'module',
  'notifier',
  'outboxId',
  'path',
  'reason',
  'residentId',
  'retryAfter',
  'signal',
  'staffId',
  'state',
  'status',
  'step',
  'timerId',
  'type',
  'updateId',
]);

/** Error fields kept by name; a postgres error's `detail`, `query` and `parameters` are not among them. */
const ERROR_STRING_FIELDS = ['code', 'method', 'constraint_name', 'table_name', 'column_name', 'routine'] as const;
const ERROR_NUMBER_FIELDS = ['status', 'statusCode', 'error_code', 'errno'] as const;

const MAX_DEPTH = 4;
const MAX_ARRAY = 10;
const MAX_STRING = 400;
const REDACTED = '[redacted]';

/** Bot tokens (123456:ABC…), bearer tokens, URL credentials, and digit runs long enough to be a phone number or chat id. */
const SCRUB_RULES: [RegExp, string][] = [
  [/\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g, '[token]'],
  [/\bbot\d+:[^/\s]+/gi, 'bot[token]'],
  [/(bearer\s+)[^\s"']+/gi, '$1[token]'],
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[credentials]@'],
  [/(?<![\w.:-])\+?\d(?:[ -]?\d){8,}(?![\w.:-])/g, '[number]'],
  // A value quoted in a database message (`invalid input syntax for type uuid: "…"`) may be content.
  [/(:\s*)"[^"]*"/g, '$1"…"'],
];

export function scrubText(text: string): string {
  let out = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  for (const [pattern, replacement] of SCRUB_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Numbers that identify a resident on a channel (a Telegram chat or user id): not logged either. */
const PERSONAL_NUMBER_KEYS = new Set(['chat_id', 'chatId', 'user_id', 'userId', 'phone', 'phone_number', 'externalUserId']);

const isErrorLike = (value: unknown): value is Record<string, unknown> =>
  value instanceof Error ||
  (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string');

export function safeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!isErrorLike(error)) return { type: typeof error, value: safeValue('value', error, depth + 1) };
  const source = error as Error & Record<string, unknown>;
  const className = source.constructor?.name;
  const out: Record<string, unknown> = {
    type: className && className !== 'Object' ? className : (source.name ?? 'Error'),
    message: scrubText(String(source.message ?? '')),
  };
  for (const field of ERROR_STRING_FIELDS) {
    if (typeof source[field] === 'string') out[field] = scrubText(source[field] as string);
  }
  for (const field of ERROR_NUMBER_FIELDS) {
    if (typeof source[field] === 'number') out[field] = source[field];
  }
  if (typeof source.description === 'string') out.description = scrubText(source.description);
  // grammY's BotError: which update, never the update itself.
  const ctx = source.ctx as { update?: { update_id?: unknown } } | undefined;
  if (typeof ctx?.update?.update_id === 'number') out.updateId = ctx.update.update_id;
  if (typeof source.stack === 'string') out.stack = source.stack.split('\n').slice(0, 12).map(scrubText).join('\n');
  if (depth < MAX_DEPTH) {
    // BotError keeps the real error in `error`; others use the standard `cause`.
    const inner = source.cause ?? (source.name === 'BotError' ? source.error : undefined);
    if (inner !== undefined) out.cause = safeError(inner, depth + 1);
    if (Array.isArray(source.errors)) out.errors = source.errors.slice(0, 3).map((e) => safeError(e, depth + 1));
  }
  return out;
}

function safeValue(key: string, value: unknown, depth: number): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') return PERSONAL_NUMBER_KEYS.has(key) ? REDACTED : Number(value);
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'string') return SAFE_STRING_KEYS.has(key) ? scrubText(value) : REDACTED;
  if (value instanceof Error) return safeError(value, depth);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return REDACTED;
  if (depth >= MAX_DEPTH) return '[object]';
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((item) => safeValue(key, item, depth + 1));
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = safeValue(k, v, depth + 1);
  return out;
}

/** The fields of one log call, made safe (see above). `err`/`error` are errors by convention. */
export function safeLogFields(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = (key === 'err' || key === 'error') && value !== undefined ? safeError(value) : safeValue(key, value, 1);
  }
  return out;
}

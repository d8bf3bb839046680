import { pino, type Logger } from 'pino';
import { safeError, safeLogFields, scrubText } from './safe-log-fields.js';

export type { Logger };

/**
 * JSON logs on stdout (or `destination`, for tests). Resident content, phone numbers and secrets never
 * go into a log line: every call's fields pass through `safeLogFields` (strings only under id-like
 * keys, errors reduced to type, message, code and update id, tokens and numbers scrubbed), whoever
 * logs: our code, grammY's errors or Baileys.
 */
export function createLogger(level: string, pretty = false, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'tussenin' },
    // The hook below has already made `err` safe; pino's own error serializer would rebuild it.
    serializers: { err: (value: unknown) => value },
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        const safeRest = rest.map((arg) => (typeof arg === 'string' ? scrubText(arg) : '[redacted]'));
        if (first instanceof Error) return method.apply(this, [{ err: safeError(first) }, ...safeRest] as never);
        if (first !== null && typeof first === 'object') {
          return method.apply(this, [safeLogFields(first), ...safeRest] as never);
        }
        return method.apply(this, [typeof first === 'string' ? scrubText(first) : first, ...safeRest] as never);
      },
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

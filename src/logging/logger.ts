import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Fields that may hold what a resident wrote or who they are, in any log line, at the top or one level
 * down (pino's `*`): message text, captions, channel addresses (Telegram chat ids, WhatsApp numbers
 * and JIDs), display names, and a grammY error's `payload` (the request it sent, with chat id and text).
 */
export const REDACTED_PATHS = [
  'text',
  '*.text',
  'caption',
  '*.caption',
  'externalUserId',
  '*.externalUserId',
  'externalId',
  '*.externalId',
  'phone',
  '*.phone',
  'jid',
  '*.jid',
  'remoteJid',
  '*.remoteJid',
  'key.remoteJid',
  '*.key.remoteJid',
  'displayName',
  '*.displayName',
  'pushName',
  '*.pushName',
  'chat_id',
  '*.chat_id',
  'payload',
  '*.payload',
];

/**
 * JSON logs on stdout (or `destination`, for tests). Resident content and phone numbers never go into
 * a log line: log ids (resident, conversation, message) and counts, not text; the fields above are
 * redacted should one slip through.
 */
export function createLogger(level: string, pretty = false, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'tussenin' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

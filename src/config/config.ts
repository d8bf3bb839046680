import { z } from 'zod';
import { parseEncryptionKeys } from '../crypto/field-cipher.js';
import { isValidTimezone, parseClosedDates } from '../hours/office-hours.js';
import { parseWeeklyHours } from '../hours/weekly-hours.js';
import { parseTrustProxy } from '../server/client-address.js';
import { GROUP_MEMBERS_MAX } from '../db/transaction-group.js';

/**
 * Every environment variable the process reads, parsed once at start.
 * A wrong value stops start-up with a ConfigError that names the variable and what it expects.
 */
const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A transform through a parser that throws a plain-English Error: its message follows what is expected. */
const parsed =
  <T>(parse: (value: string) => T, expected: string) =>
  (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `${expected}: ${(error as Error).message}` });
      return z.NEVER;
    }
  };

/** A whole number of at least `min` (and at most `max`), refused with the one message `expected <what>`. */
const wholeNumber = (what: string, min: number, max?: number) => {
  const message = `expected ${what}`;
  const atLeast = z.coerce.number({ message }).int({ message }).min(min, { message });
  return max === undefined ? atLeast : atLeast.max(max, { message });
};

const positiveInt = (what: string) => wholeNumber(what, 1);

/** An upload is held in memory while it arrives (eight at once at most): files are not meant to be larger. */
const MAX_FILE_BYTES_LIMIT = 100 * 1024 * 1024;
/** Telegram takes files up to 50 MB from a bot; a staff file must reach the resident on every channel. */
const MAX_STAFF_FILE_BYTES_LIMIT = 50 * 1024 * 1024;

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'expected development, production or test' })
    .default('development'),
  PORT: wholeNumber('a port number between 1 and 65535', 0, 65535).default(3000),
  HOST: z.string().min(1, { message: 'expected a host name or address' }).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_POOL_SIZE: positiveInt('a whole number of connections, at least 1').default(10),
  DATABASE_GROUP_COMMIT: wholeNumber('a whole number of messages from 1 to 16 (1: each its own transaction)', 1, 16).default(
    GROUP_MEMBERS_MAX,
  ),
  DATA_DIR: z.string().min(1, { message: 'expected a folder path' }).default('./data'),
  // Unset: 25 on the embedded database, V8's own on Postgres (src/lifecycle/heap-growth.ts).
  HEAP_GROWTH_PERCENT: wholeNumber('a whole number of percent from 0 to 300 (0: V8 decides)', 0, 300).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  TRUST_PROXY: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `expected false, a number of proxy hops, or the proxies' addresses separated by commas: ${(error as Error).message}`,
        });
        return z.NEVER;
      }
    })
    .default({ kind: 'none' }),
  PUBLIC_URL: z.url({ message: 'expected an absolute URL such as https://chat.example.org' }).optional(),
  ORG_NAME: z.string().min(1, { message: 'expected the organisation name shown to residents' }).default('Al Amal'),
  /** When trust persons work (issue 13): `mo-fr 09:00-17:00; sa 10:00-12:00` (Dutch day names too). */
  ORG_HOURS: z
    .string()
    .transform(parsed(parseWeeklyHours, 'expected opening hours such as "mo-fr 09:00-17:00; sa 10:00-12:00"'))
    .default(parseWeeklyHours('mo-fr 09:00-17:00')),
  ORG_TIMEZONE: z
    .string()
    .refine(isValidTimezone, { message: 'expected an IANA time zone such as Europe/Amsterdam' })
    .default('Europe/Amsterdam'),
  /** Days the organisation is closed (holidays): `2026-12-25, 2026-12-24..2027-01-01`. */
  ORG_CLOSED_DATES: z
    .string()
    .transform(parsed(parseClosedDates, 'expected dates such as "2026-12-25, 2026-12-31..2027-01-01"'))
    .default(new Set<string>()),
  /** The walk-in hours (same form as ORG_HOURS) and address, told to a resident who chooses to drop in. */
  WALK_IN_HOURS: z.string().transform(parsed(parseWeeklyHours, 'expected walk-in hours such as "tu,th 13:00-16:00"')).optional(),
  WALK_IN_ADDRESS: z.string().min(3, { message: 'expected the street address residents can walk in at' }).max(300).optional(),
  RETURN_TO_SAME_PERSON_DAYS: wholeNumber('a whole number of days, 0 (off) or more', 0).default(90),
  AFTERCARE_AFTER_DAYS: wholeNumber('a whole number of days from 0 (off) to 730', 0, 730).default(90),
  ESCALATE_URGENT_AFTER_MINUTES: wholeNumber('a whole number of minutes, 0 (off) or more', 0).default(15),
  FLOW_FILE: z.string().min(1, { message: 'expected a path to a flow JSON file' }).default('flows/intake.json'),
  WEBCHAT_ENABLED: booleanText.default(true),
  WEBCHAT_SECRET: z.string().min(32, { message: 'expected at least 32 characters of random text' }).optional(),
  WEBCHAT_MESSAGES_PER_MINUTE: positiveInt('a whole number of messages per minute, at least 1').default(20),
  WEBCHAT_NEW_CHATS_PER_ADDRESS_PER_HOUR: positiveInt('a whole number of new chats per hour, at least 1').default(30),
  WEBCHAT_MAX_VOICE_BYTES: positiveInt('a number of bytes, at least 1').default(5 * 1024 * 1024),
  WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR: positiveInt('a number of bytes, at least 1').default(10 * 1024 * 1024),
  WEBCHAT_VOICE_BYTES_PER_VISITOR_DAY: positiveInt('a number of bytes, at least 1').default(30 * 1024 * 1024),
  WEBCHAT_VOICE_BYTES_PER_ADDRESS_HOUR: positiveInt('a number of bytes, at least 1').default(50 * 1024 * 1024),
  WEBCHAT_VOICE_BYTES_PER_ADDRESS_DAY: positiveInt('a number of bytes, at least 1').default(200 * 1024 * 1024),
  /** The largest photo or PDF a web chat visitor may send; its bytes count against the WEBCHAT_VOICE_BYTES_* quotas. */
  WEBCHAT_MAX_FILE_BYTES: positiveInt('a number of bytes from 1 to 104857600 (100 MB)')
    .max(MAX_FILE_BYTES_LIMIT, { message: 'expected a number of bytes from 1 to 104857600 (100 MB)' })
    .default(10 * 1024 * 1024),
  WEBCHAT_IDLE_DAYS: positiveInt('a whole number of days, at least 1').default(14),
  WEBCHAT_CLOSED_TRANSCRIPT_HOURS: wholeNumber('a whole number of hours, 0 (at once) or more', 0).default(24),
  INBOUND_PER_RESIDENT_PER_MINUTE: positiveInt('a whole number of messages per minute, at least 1').default(30),
  INBOUND_MAX_LAG_MS: positiveInt('a number of milliseconds, at least 1').default(10_000),
  INBOUND_GLOBAL_PER_SECOND: positiveInt('a whole number of messages per second, at least 1').optional(),
  OUTBOX_MAX_ATTEMPTS: positiveInt('a whole number of attempts, at least 1').default(8),
  OUTBOX_POLL_MS: positiveInt('a number of milliseconds, at least 1').default(1000),
  OUTBOX_LEASE_SECONDS: positiveInt('a whole number of seconds, at least 1').default(60),
  TIMER_POLL_MS: positiveInt('a number of milliseconds, at least 1').default(5000),
  RETENTION_CLOSED_DAYS: positiveInt('a whole number of days, at least 1').default(365),
  RETENTION_ABANDONED_DAYS: positiveInt('a whole number of days, at least 1').default(90),
  RETENTION_INTERVAL_MINUTES: wholeNumber('a whole number of minutes, 0 (off) or more', 0).default(60),
  STAFF_SESSION_IDLE_MINUTES: positiveInt('a whole number of minutes, at least 1').default(120),
  STAFF_SESSION_MAX_HOURS: positiveInt('a whole number of hours, at least 1').default(12),
  /** Wrong passwords in a row (per email; twice as many per client address) before the delays start. */
  STAFF_LOGIN_MAX_FAILURES: positiveInt('a whole number of attempts, at least 1').default(5),
  /** The longest delay between log-in attempts (default 300); STAFF_LOCKOUT_MINUTES is its old name, in minutes. */
  STAFF_LOGIN_MAX_DELAY_SECONDS: positiveInt('a whole number of seconds, at least 1').optional(),
  STAFF_LOCKOUT_MINUTES: positiveInt('a whole number of minutes, at least 1').optional(),
  STAFF_LOGIN_ALERT_AFTER: positiveInt('a whole number of failed log-ins, at least 1').default(10),
  /**
   * The largest file (a PDF, a photo) a trust person may send a resident (issue 15). At most 50 MB:
   * what Telegram takes from a bot, and the file is held in memory while it is stored and sent.
   */
  STAFF_MAX_FILE_BYTES: positiveInt('a number of bytes from 1 to 52428800 (50 MB)')
    .max(MAX_STAFF_FILE_BYTES_LIMIT, { message: 'expected a number of bytes from 1 to 52428800 (50 MB)' })
    .default(10 * 1024 * 1024),
  STAFF_TELEGRAM_CHAT_ID: z
    .string()
    .regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, {
      message: 'expected a Telegram chat id such as -1001234567890, or @channelname',
    })
    .optional(),
  STAFF_WEBHOOK_URL: z.url({ message: 'expected an absolute http(s) URL for the staff notifications webhook' }).optional(),
  STAFF_WEBHOOK_SECRET: z.string().min(16, { message: 'expected at least 16 characters of random text' }).optional(),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { message: 'expected the bot token BotFather gave, like 123456789:AAE...' })
    .optional(),
  TELEGRAM_MODE: z.enum(['webhook', 'polling'], { message: 'expected webhook or polling' }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, { message: 'expected 16 to 256 letters, digits, _ or -' })
    .optional(),
  TELEGRAM_API_ROOT: z
    .url({ message: 'expected the base URL of a Bot API server, such as https://api.telegram.org' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://api.telegram.org'),
  TELEGRAM_MAX_MEDIA_BYTES: positiveInt('a number of bytes, at least 1').default(20 * 1024 * 1024),
  TELEGRAM_MESSAGES_PER_SECOND: positiveInt('a whole number of messages per second, at least 1').default(25),
  TELEGRAM_CHAT_BURST: positiveInt('a whole number of messages, at least 1').default(3),
  /** The older switch: true means WhatsApp Web (WHATSAPP_MODE=web). */
  WHATSAPP_ENABLED: booleanText.optional(),
  /**
   * Which WhatsApp (issue 14): `web` (WhatsApp Web through Baileys) or `cloud` (Meta's official Cloud
   * API). Setting it turns WhatsApp on; WHATSAPP_ENABLED=true alone still means `web` (older configs).
   */
  WHATSAPP_MODE: z
    .enum(['web', 'cloud'], { message: 'expected web (WhatsApp Web) or cloud (the official Cloud API)' })
    .optional(),
  WHATSAPP_CLOUD_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_.|-]{20,1024}$/, { message: 'expected the permanent (system user) access token from Meta Business' })
    .optional(),
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z
    .string()
    .regex(/^\d{6,20}$/, { message: 'expected the phone number id (digits) from WhatsApp Manager → API setup' })
    .optional(),
  WHATSAPP_CLOUD_APP_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,128}$/, { message: 'expected the Meta app secret (App settings → Basic)' })
    .optional(),
  WHATSAPP_CLOUD_VERIFY_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, { message: 'expected 16 to 256 letters, digits, _ or -' })
    .optional(),
  WHATSAPP_CLOUD_API_ROOT: z
    .url({ message: 'expected the Graph API base URL, such as https://graph.facebook.com' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://graph.facebook.com'),
  WHATSAPP_CLOUD_API_VERSION: z
    .string()
    .regex(/^v\d{1,3}\.\d{1,2}$/, { message: 'expected a Graph API version such as v23.0' })
    .default('v23.0'),
  /** The approved template per language for the aftercare question outside the 24-hour window: `nl=tussenin_nazorg,en=tussenin_aftercare:en_US`. */
  /** The approved template per language that tells a resident a trust person's reply waits (outside the 24-hour window). */
  WHATSAPP_CLOUD_REPLY_TEMPLATES: z
    .string()
    .transform(
      parsed(
        parseTemplateNames,
        'expected locale=template_name pairs such as "nl=tussenin_bericht_wacht,ar=tussenin_bericht_wacht_ar:ar"',
      ),
    )
    .optional(),
  WHATSAPP_CLOUD_AFTERCARE_TEMPLATES: z
    .string()
    .transform(
      parsed(parseTemplateNames, 'expected locale=template_name pairs such as "nl=tussenin_nazorg,en=tussenin_aftercare:en_US"'),
    )
    .optional(),
  WHATSAPP_MAX_MEDIA_BYTES: positiveInt('a number of bytes, at least 1').default(16 * 1024 * 1024),
  WHATSAPP_MESSAGES_PER_MINUTE: positiveInt('a whole number of messages per minute, at least 1').default(30),
  WHATSAPP_CHAT_MESSAGES_PER_MINUTE: positiveInt('a whole number of messages per minute, at least 1').default(20),
  WHATSAPP_CHAT_BURST: positiveInt('a whole number of messages, at least 1').default(2),
  WHATSAPP_SEND_JITTER_MS: wholeNumber('a number of milliseconds, 0 or more', 0).default(1500),
  WHATSAPP_LEASE_MS: wholeNumber('a number of milliseconds, at least 1000', 1000).default(30_000),
  /**
   * Speech to text (issue 15): an OpenAI-compatible server of the organisation's own (whisper.cpp's
   * server, faster-whisper-server). Unset: voice notes are not transcribed and nothing is sent anywhere.
   */
  TRANSCRIBE_URL: z
    .url({ message: 'expected the base URL of an OpenAI-compatible speech-to-text server, such as http://whisper:8080' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  TRANSCRIBE_MODEL: z
    .string()
    .min(1, { message: 'expected the model name the speech server knows' })
    .max(200)
    .default('whisper-1'),
  TRANSCRIBE_API_KEY: z.string().min(1).max(1024).optional(),
  TRANSCRIBE_TIMEOUT_SECONDS: positiveInt('a whole number of seconds, at least 1').default(120),
  /** Machine translation (issue 15): a LibreTranslate-compatible server. Unset: nothing is translated. */
  TRANSLATE_URL: z
    .url({ message: 'expected the base URL of a LibreTranslate server, such as http://libretranslate:5000' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  TRANSLATE_API_KEY: z.string().min(1).max(1024).optional(),
  TRANSLATE_TIMEOUT_SECONDS: positiveInt('a whole number of seconds, at least 1').default(30),
  /** The language residents' words are translated into for the trust persons. */
  STAFF_LOCALE: z
    .string()
    .regex(/^[a-z]{2,3}$/, { message: 'expected a two-letter language code such as nl' })
    .default('nl'),
  ENCRYPTION_KEYS: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseEncryptionKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  STAFF_API_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_.~+/=-]{32,256}$/, { message: 'expected at least 32 random letters, digits or -._~+/=' })
    .optional(),
  METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_.~+/=-]{32,256}$/, { message: 'expected at least 32 random letters, digits or -._~+/=' })
    .optional(),
});

export type Config = z.infer<typeof envSchema>;

/** Values never echoed back in an error message: they may hold passwords. */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'WEBCHAT_SECRET',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'STAFF_API_TOKEN',
  'STAFF_WEBHOOK_SECRET',
  'ENCRYPTION_KEYS',
  'WHATSAPP_CLOUD_TOKEN',
  'WHATSAPP_CLOUD_APP_SECRET',
  'WHATSAPP_CLOUD_VERIFY_TOKEN',
  'TRANSCRIBE_API_KEY',
  'TRANSLATE_API_KEY',
]);

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; expected: string; got: string | undefined }[]) {
    super(
      'Invalid configuration:\n' +
        problems
          .map((p) => `  ${p.variable}: ${p.expected}${p.got === undefined ? '' : ` (got ${JSON.stringify(p.got)})`}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; empty strings count as unset so `FOO=` in a .env file means "use the default". */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema
    .superRefine(checkTelegram)
    .superRefine(checkStaffNotifications)
    .superRefine(checkEncryption)
    .superRefine(checkWalkIn)
    .superRefine(checkWhatsApp)
    .superRefine((env, ctx) => checkWebchatFiles(env, ctx, relevant.WEBCHAT_MAX_FILE_BYTES !== undefined))
    .safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const got = SECRET_VARIABLES.has(variable) && relevant[variable] !== undefined ? '(hidden)' : relevant[variable];
        return { variable, expected: issue.message, got };
      }),
    );
  }
  const config = parsed.data;
  // Left at its default, the largest file is no larger than the smallest upload quota (a config that
  // lowered the voice quotas keeps starting); set larger by hand, checkWebchatFiles refused it above.
  if (relevant.WEBCHAT_MAX_FILE_BYTES === undefined) {
    config.WEBCHAT_MAX_FILE_BYTES = Math.min(config.WEBCHAT_MAX_FILE_BYTES, smallestUploadQuota(config).bytes);
  }
  return config;
}

export const configVariables = Object.keys(envSchema.shape);

/** Webhook mode (the default when PUBLIC_URL is set) needs a public URL and a secret to check. */
function checkTelegram(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (!env.TELEGRAM_BOT_TOKEN) return;
  if (telegramMode(env) !== 'webhook') return;
  if (!env.PUBLIC_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['PUBLIC_URL'],
      message: 'expected the public https URL Telegram can reach, for TELEGRAM_MODE=webhook',
    });
  }
  if (!env.TELEGRAM_WEBHOOK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['TELEGRAM_WEBHOOK_SECRET'],
      message: 'expected a random secret (16+ letters, digits, _ or -) for TELEGRAM_MODE=webhook',
    });
  }
}

/** Staff notifications need their other half: a bot token for the Telegram chat, a secret to sign the webhook. */
function checkStaffNotifications(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (env.STAFF_TELEGRAM_CHAT_ID && !env.TELEGRAM_BOT_TOKEN) {
    ctx.addIssue({
      code: 'custom',
      path: ['TELEGRAM_BOT_TOKEN'],
      message: 'expected a bot token: STAFF_TELEGRAM_CHAT_ID is set and notifications are sent through the bot',
    });
  }
  if (env.STAFF_WEBHOOK_URL && !env.STAFF_WEBHOOK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['STAFF_WEBHOOK_SECRET'],
      message: 'expected a secret (16+ characters) to sign the requests to STAFF_WEBHOOK_URL',
    });
  }
}

/** In production resident content is never written in the clear: no keys, no start. */
function checkEncryption(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['ENCRYPTION_KEYS'],
      message:
        'required when NODE_ENV=production: resident content is encrypted at rest; make a key with `npm run cli -- crypto new-key` and keep it outside the database',
    });
  }
}

/** Walk-in hours and address are told together: one without the other would send a resident nowhere. */
function checkWalkIn(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (env.WALK_IN_HOURS && !env.WALK_IN_ADDRESS) {
    ctx.addIssue({ code: 'custom', path: ['WALK_IN_ADDRESS'], message: 'expected the walk-in address: WALK_IN_HOURS is set' });
  }
  if (env.WALK_IN_ADDRESS && !env.WALK_IN_HOURS) {
    ctx.addIssue({ code: 'custom', path: ['WALK_IN_HOURS'], message: 'expected the walk-in hours: WALK_IN_ADDRESS is set' });
  }
}

const UPLOAD_QUOTAS = [
  'WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR',
  'WEBCHAT_VOICE_BYTES_PER_VISITOR_DAY',
  'WEBCHAT_VOICE_BYTES_PER_ADDRESS_HOUR',
  'WEBCHAT_VOICE_BYTES_PER_ADDRESS_DAY',
] as const;

/** The web chat upload quota (voice notes and files) that allows the fewest bytes. */
function smallestUploadQuota(env: Pick<Config, (typeof UPLOAD_QUOTAS)[number]>) {
  const variable = UPLOAD_QUOTAS.reduce((a, b) => (env[b] < env[a] ? b : a));
  return { variable, bytes: env[variable] };
}

/**
 * Files count against the web chat's upload quotas: one larger than the smallest of them could never be
 * sent (every try would be told to wait a whole hour or day), so a WEBCHAT_MAX_FILE_BYTES set that large
 * is refused at start.
 */
function checkWebchatFiles(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx, setByHand: boolean): void {
  const smallest = smallestUploadQuota(env);
  if (setByHand && env.WEBCHAT_MAX_FILE_BYTES > smallest.bytes) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBCHAT_MAX_FILE_BYTES'],
      message: `expected at most ${smallest.variable} (${smallest.bytes} bytes): files count against that quota, so a larger one could never be sent`,
    });
  }
}

/** Which WhatsApp runs: WHATSAPP_MODE when set, else WHATSAPP_ENABLED=true means WhatsApp Web. */
export function whatsappMode(env: Pick<Config, 'WHATSAPP_MODE' | 'WHATSAPP_ENABLED'>): 'off' | 'web' | 'cloud' {
  return env.WHATSAPP_MODE ?? (env.WHATSAPP_ENABLED ? 'web' : 'off');
}

/** The Cloud API needs its four credentials; WHATSAPP_ENABLED=false and a mode contradict each other. */
function checkWhatsApp(env: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (env.WHATSAPP_MODE && env.WHATSAPP_ENABLED === false) {
    ctx.addIssue({
      code: 'custom',
      path: ['WHATSAPP_ENABLED'],
      message: `expected true or unset: WHATSAPP_MODE=${env.WHATSAPP_MODE} turns WhatsApp on`,
    });
  }
  if (env.WHATSAPP_MODE !== 'cloud') return;
  const needed: [keyof typeof env, string][] = [
    ['WHATSAPP_CLOUD_TOKEN', 'the access token'],
    ['WHATSAPP_CLOUD_PHONE_NUMBER_ID', 'the phone number id'],
    ['WHATSAPP_CLOUD_APP_SECRET', 'the app secret (to check the webhook signatures)'],
    ['WHATSAPP_CLOUD_VERIFY_TOKEN', 'a verify token (to answer Meta’s webhook check)'],
  ];
  for (const [variable, what] of needed) {
    if (!env[variable]) ctx.addIssue({ code: 'custom', path: [variable], message: `expected ${what}: WHATSAPP_MODE=cloud` });
  }
}

/** `nl=tussenin_nazorg,en=tussenin_aftercare:en_US` → per locale the template name and its language code. */
function parseTemplateNames(value: string): Record<string, { name: string; language: string }> {
  const out: Record<string, { name: string; language: string }> = {};
  for (const pair of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z]{2,3})=([a-z0-9_]{1,512})(?::([A-Za-z_]{2,10}))?$/.exec(pair);
    if (!match) throw new Error(`"${pair}" is not locale=template_name or locale=template_name:language`);
    out[match[1]!] = { name: match[2]!, language: match[3] ?? match[1]! };
  }
  return out;
}

/** Webhook when asked, or by default when there is a public URL; else long polling. */
export function telegramMode(env: Pick<Config, 'TELEGRAM_MODE' | 'PUBLIC_URL'>): 'webhook' | 'polling' {
  return env.TELEGRAM_MODE ?? (env.PUBLIC_URL ? 'webhook' : 'polling');
}

import { callLanguageServer, unreadableAnswer } from './language-service-error.js';

/**
 * Speech to text on a self-hosted server with OpenAI's transcription API: speaches
 * (faster-whisper-server), or whisper.cpp's server started with `--inference-path
 * /v1/audio/transcriptions`. One request per call; retrying is the caller's choice.
 */

export interface TranscriptionClient {
  /** language: ISO 639-1 code to pass as `language` (omit when unknown: the server detects). */
  transcribe(input: {
    bytes: Uint8Array;
    contentType: string;
    language?: string | undefined;
  }): Promise<{ text: string; locale: string | null }>;
}

export interface TranscriptionClientOptions {
  /** The server's root, with or without a trailing /v1. */
  url: string;
  model: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const SERVICE = 'transcription server';

export function createTranscriptionClient(options: TranscriptionClientOptions): TranscriptionClient {
  const root = options.url.replace(/\/+$/, '');
  const endpoint = `${/\/v1$/.test(root) ? root : `${root}/v1`}/audio/transcriptions`;
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};

  return {
    async transcribe({ bytes, contentType, language }) {
      const form = new FormData();
      // A copy: Blob takes only ArrayBuffer-backed views, and the caller keeps its bytes.
      form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), fileNameFor(contentType));
      form.append('model', options.model);
      if (language) form.append('language', language);
      form.append('response_format', 'verbose_json');
      const answer = await callLanguageServer({
        service: SERVICE,
        url: endpoint,
        headers,
        body: form,
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
      });
      const requested = language || null;
      if (/^text\/plain\b/i.test(answer.contentType)) return { text: answer.body.trim(), locale: requested };
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        throw unreadableAnswer(SERVICE, answer, 'an answer that is not JSON');
      }
      const result = (typeof json === 'object' && json !== null ? json : {}) as { text?: unknown; language?: unknown };
      if (typeof result.text !== 'string') throw unreadableAnswer(SERVICE, answer, 'an answer without text');
      return { text: result.text.trim(), locale: localeOf(result.language) ?? requested };
    },
  };
}

/** Servers read the format from the file name as well as the content, so give it the right extension. */
const FILE_NAMES = new Map([
  ['audio/ogg', 'voice.ogg'],
  ['audio/opus', 'voice.ogg'],
  ['application/ogg', 'voice.ogg'],
  ['audio/webm', 'voice.webm'],
  ['video/webm', 'voice.webm'],
  ['audio/mp4', 'voice.m4a'],
  ['audio/m4a', 'voice.m4a'],
  ['audio/x-m4a', 'voice.m4a'],
  ['audio/mpeg', 'voice.mp3'],
  ['audio/mp3', 'voice.mp3'],
  ['audio/wav', 'voice.wav'],
  ['audio/wave', 'voice.wav'],
  ['audio/x-wav', 'voice.wav'],
  ['audio/vnd.wave', 'voice.wav'],
]);

function fileNameFor(contentType: string): string {
  return FILE_NAMES.get(contentType.split(';')[0]!.trim().toLowerCase()) ?? 'audio.bin';
}

/** Whisper's verbose_json names the language in English ('arabic'); some servers give the code. */
const LANGUAGE_CODES = new Map([
  ['afrikaans', 'af'],
  ['albanian', 'sq'],
  ['amharic', 'am'],
  ['arabic', 'ar'],
  ['armenian', 'hy'],
  ['azerbaijani', 'az'],
  ['bengali', 'bn'],
  ['bosnian', 'bs'],
  ['bulgarian', 'bg'],
  ['castilian', 'es'],
  ['chinese', 'zh'],
  ['croatian', 'hr'],
  ['czech', 'cs'],
  ['danish', 'da'],
  ['dutch', 'nl'],
  ['english', 'en'],
  ['farsi', 'fa'],
  ['finnish', 'fi'],
  ['flemish', 'nl'],
  ['french', 'fr'],
  ['georgian', 'ka'],
  ['german', 'de'],
  ['greek', 'el'],
  ['hausa', 'ha'],
  ['hebrew', 'he'],
  ['hindi', 'hi'],
  ['hungarian', 'hu'],
  ['indonesian', 'id'],
  ['italian', 'it'],
  ['japanese', 'ja'],
  ['korean', 'ko'],
  ['kurdish', 'ku'],
  ['lingala', 'ln'],
  ['lithuanian', 'lt'],
  ['latvian', 'lv'],
  ['moldavian', 'ro'],
  ['moldovan', 'ro'],
  ['norwegian', 'no'],
  ['pashto', 'ps'],
  ['persian', 'fa'],
  ['polish', 'pl'],
  ['portuguese', 'pt'],
  ['punjabi', 'pa'],
  ['romanian', 'ro'],
  ['russian', 'ru'],
  ['serbian', 'sr'],
  ['slovak', 'sk'],
  ['somali', 'so'],
  ['spanish', 'es'],
  ['swahili', 'sw'],
  ['swedish', 'sv'],
  ['tagalog', 'tl'],
  ['tamil', 'ta'],
  ['thai', 'th'],
  ['tigrinya', 'ti'],
  ['turkish', 'tr'],
  ['ukrainian', 'uk'],
  ['urdu', 'ur'],
  ['vietnamese', 'vi'],
  ['yoruba', 'yo'],
]);

function localeOf(language: unknown): string | null {
  if (typeof language !== 'string') return null;
  const name = language.trim().toLowerCase();
  const code = /^([a-z]{2})(?:[-_][a-z0-9]+)*$/.exec(name);
  if (code) return code[1]!;
  return LANGUAGE_CODES.get(name) ?? null;
}

import type { ConversationService } from '../conversation/conversation-service.js';
import type { Database } from '../db/database.js';
import type { DetectLanguage } from '../engine/engine.js';
import type { Logger } from '../logging/logger.js';
import { LanguageServiceError } from './language-service-error.js';
import {
  claimLanguageJobs,
  finishLanguageJob,
  markTranscriptFailed,
  queueLanguageJob,
  readVoiceNote,
  readWordsToTranslate,
  retryLanguageJobLater,
  saveTranscript,
  saveTranslation,
  type LanguageJob,
  type LanguageJobKind,
} from './language-jobs.js';
import type { TranscriptionClient } from './transcription-client.js';
import type { TranslationClient } from './translation-client.js';

export interface LanguageWorker {
  /** Looks for work now (after a step queued some) rather than at the next poll. */
  wake(): void;
  /** Works off every due job once, both kinds side by side (tests call it instead of waiting). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface LanguageWorkerDeps {
  database: Database;
  logger: Logger;
  /** Absent when TRANSCRIBE_URL is unset: no job of that kind is ever queued then. */
  transcriber?: TranscriptionClient | undefined;
  translator?: TranslationClient | undefined;
  /** What the trust persons read (STAFF_LOCALE): words in it are not translated. */
  staffLocale: string;
  /** Each request's own time limit: a job is leased for this and a minute more. */
  timeoutMs: { transcribe: number; translate: number };
  conversations: Pick<ConversationService, 'handleTranscript'>;
  detectLanguage?: DetectLanguage | undefined;
  /** A transcript or translation was stored for this message (the live views read the case again). */
  onStored?: (job: { messageId: number; residentId: string }) => void;
  pollMs?: number;
  maxAttempts?: number;
  /** The wait before the first retry; it doubles each time, up to an hour. */
  retryBaseMs?: number;
}

const MAX_RETRY_DELAY_MS = 3_600_000;
/** Fewer words than this and the detector is not asked which language they are in. */
const MIN_WORDS_TO_DETECT = 4;
/** How long `stop` waits for a request under way; its job's lease brings it back after a restart. */
const STOP_GRACE_MS = 5_000;

/**
 * Transcribes voice notes and translates residents' words in the background (issue 15), one request at
 * a time per kind on each instance, so a slow speech server never holds up translations, and neither
 * ever holds up a conversation: the intake has read the message long before. A server that is down is
 * tried again with growing pauses; after `maxAttempts` the work is given up (a voice note is then marked
 * "could not be transcribed"). Logs never hold what was said.
 */
export function createLanguageWorker(deps: LanguageWorkerDeps): LanguageWorker {
  const { database, logger, staffLocale } = deps;
  const maxAttempts = deps.maxAttempts ?? 6;
  const retryBaseMs = deps.retryBaseMs ?? 30_000;
  let stopped = true;
  /** Set by stop: a lane ends after the job in hand. */
  let closing = false;
  let interval: NodeJS.Timeout | null = null;

  const lanes = {
    transcribe: createLane('transcribe', transcribe),
    translate: createLane('translate', translate),
  } as const;
  const active = (Object.keys(lanes) as LanguageJobKind[]).filter((kind) =>
    kind === 'transcribe' ? deps.transcriber !== undefined : deps.translator !== undefined,
  );

  function createLane(kind: LanguageJobKind, handle: (job: LanguageJob) => Promise<void>) {
    let running: Promise<void> | null = null;
    let again = false;
    const drain = async () => {
      const leaseMs = deps.timeoutMs[kind] + 60_000;
      for (;;) {
        const [job] = await claimLanguageJobs(database, kind, { limit: 1, leaseMs });
        if (!job) return;
        await handle(job).catch((error: unknown) => failed(job, error));
        if (closing) return;
      }
    };
    return {
      run(): Promise<void> {
        if (running) {
          again = true;
          return running;
        }
        running = (async () => {
          do {
            again = false;
            await drain().catch((error: unknown) => logger.error({ err: error, job: `language.${kind}` }, 'language job failed'));
          } while (again && !closing);
        })().finally(() => {
          running = null;
        });
        return running;
      },
      idle: () => running ?? Promise.resolve(),
    };
  }

  async function failed(job: LanguageJob, error: unknown) {
    const retryable = !(error instanceof LanguageServiceError) || error.retryable;
    const status = error instanceof LanguageServiceError ? error.status : undefined;
    if (retryable && job.attempts < maxAttempts) {
      const delayMs = Math.min(retryBaseMs * 2 ** (job.attempts - 1), MAX_RETRY_DELAY_MS);
      logger.warn(
        { job: job.kind, status, attempts: job.attempts, retryInMs: delayMs, err: safeError(error) },
        'language server: will try again',
      );
      await retryLanguageJobLater(database, job.id, delayMs);
      return;
    }
    logger.warn({ job: job.kind, status, attempts: job.attempts, err: safeError(error) }, 'language server: given up');
    if (job.kind === 'transcribe') await markTranscriptFailed(database, job.messageId);
    await finishLanguageJob(database, job.id);
  }

  async function transcribe(job: LanguageJob) {
    const note = await readVoiceNote(database, job.messageId);
    if (!note || !deps.transcriber) return finishLanguageJob(database, job.id); // erased meanwhile, or switched off
    const hint = note.residentLocale ?? undefined;
    const result = await deps.transcriber.transcribe({ bytes: note.bytes, contentType: note.contentType, language: hint });
    const locale = result.locale ?? hint ?? null;
    await saveTranscript(database, note.mediaId, { text: result.text, locale });
    deps.onStored?.(job);
    if (result.text.trim() !== '') {
      // Before the job ends: if this fails, the job is tried again, so danger in a voice note is never missed.
      await deps.conversations.handleTranscript(job.messageId, result.text);
      if (deps.translator && locale !== staffLocale) {
        await queueLanguageJob(database, 'translate', job.messageId, job.residentId);
        void lanes.translate.run();
      }
    }
    await finishLanguageJob(database, job.id);
  }

  async function translate(job: LanguageJob) {
    const words = await readWordsToTranslate(database, job.messageId);
    if (!words || !deps.translator) return finishLanguageJob(database, job.id);
    const source = words.locale ?? sourceLanguage(words.text, words.residentLocale, deps.detectLanguage);
    if (source !== staffLocale) {
      const result = await deps.translator.translate({ text: words.text, source, target: staffLocale });
      const from = source === 'auto' ? result.detectedSource : source;
      if (from !== staffLocale && result.text.trim() !== '') {
        await saveTranslation(database, job.messageId, { text: result.text, locale: staffLocale, source: from });
        deps.onStored?.(job);
      }
    }
    await finishLanguageJob(database, job.id);
  }

  const tick = async () => {
    await Promise.all(active.map((kind) => lanes[kind].run()));
    // A transcript may have started a translation while the other lane was finishing.
    await Promise.all(active.map((kind) => lanes[kind].idle()));
  };

  return {
    wake() {
      if (stopped) return;
      for (const kind of active) void lanes[kind].run();
    },
    tick,
    start() {
      if (!stopped || active.length === 0) return;
      stopped = false;
      interval = setInterval(() => void tick(), deps.pollMs ?? 5_000);
      interval.unref();
      void tick();
    },
    async stop() {
      stopped = true;
      closing = true;
      if (interval) clearInterval(interval);
      interval = null;
      const idle = Promise.all(active.map((kind) => lanes[kind].idle()));
      await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    },
  };
}

/**
 * The language a resident's words are in: the detector's when it is sure of four words or more; else the language they chose
 * if the script fits (Arabic script for Arabic); else the server's own guess. Darija in Latin letters
 * with Arabic chosen goes as "auto": read as Arabic it would come back as nonsense.
 */
export function sourceLanguage(text: string, chosen: string | null, detect?: DetectLanguage): string {
  // A detector's "sure" on two or three words is often wrong ("salam 3likom" reads as Tagalog).
  const words = text.split(/\s+/).filter((w) => /\p{L}{2}/u.test(w)).length;
  const detected = words >= MIN_WORDS_TO_DETECT ? detect?.(text) : null;
  if (detected?.reliable) return detected.language;
  if (!chosen) return 'auto';
  const arabicScript = /\p{Script=Arabic}/u.test(text);
  return (chosen === 'ar') === arabicScript ? chosen : 'auto';
}

/** An error for the log: its message and status, never a request body (LanguageServiceError holds none). */
function safeError(error: unknown): { message: string } {
  return { message: error instanceof LanguageServiceError ? error.message : error instanceof Error ? error.name : 'unknown' };
}

/** Shapes shared by the engine and everything around it. Nothing here knows a channel or a database. */

export type ConversationMode = 'bot' | 'waiting' | 'with_person' | 'closed';

export type Notice = 'unsupported' | 'edited' | 'tooLarge' | 'mediaFailed';

export type MediaKind = 'voice' | 'audio' | 'image' | 'document' | 'video' | 'location' | 'contact' | 'sticker' | 'other';

/** What the engine needs to know of one inbound message, after the channel adapter has normalised it. */
export interface InboundContent {
  /** Our own id of the stored message, so notes can point at it. */
  messageId: number;
  text?: string | undefined;
  /** A button payload as the engine gave it out: `<step>:<option>` or `cmd:<command>`. */
  choice?: string | undefined;
  media?: { kind: MediaKind } | undefined;
  /**
   * Something the channel received but cannot pass on as text or media: a sticker, an edited message,
   * a file over the size limit, a download that failed. The resident gets a kind word and the question again.
   */
  notice?: Notice | undefined;
  /** A language the channel suggests (Telegram language_code, phone country code, browser language). */
  localeHint?: string | undefined;
  /** The channel it came in on (`web`, `telegram`, `whatsapp`): some answers say how to do something there. */
  channel?: string | undefined;
  /** The resident's phone number when the channel knows it (WhatsApp): offered for confirmation, never assumed. */
  knownPhone?: string | undefined;
  /** For a new conversation: discreet mode and neutral wording the resident had set before (they carry over). */
  privacy?: { discreet: boolean; neutral: boolean } | undefined;
}

export interface Choice {
  /** Payload that comes back when pressed. */
  id: string;
  label: string;
  /** The number a resident can type instead of pressing; absent for command buttons such as "skip". */
  number?: number | undefined;
}

/** One message to the resident, rendered in their language; a channel shows the choices as it can. */
export interface OutboundMessage {
  text: string;
  choices?: Choice[] | undefined;
  locale: string;
  dir: 'ltr' | 'rtl';
  /**
   * A message the bot starts (the aftercare question): on a channel that delivers free text only within a
   * service window (WhatsApp's Cloud API, 24 hours) it goes out as this approved template once the window closed.
   */
  template?: OutboundTemplate | undefined;
  /**
   * A file a trust person sends (issue 15, "Documents"): `text` is then its caption ('' for none). The
   * engine never makes one; the dispatcher attaches the stored file when it sends the message.
   */
  file?: OutboundFile | undefined;
}

/** A photo or PDF as a channel sends it: its bytes, its type as read from its content, and the name the resident sees. */
export interface OutboundFile {
  kind: 'image' | 'document';
  /** `image/jpeg`, `image/png`, `image/webp` or `application/pdf`. */
  contentType: string;
  /** What the resident's phone names it (`document.pdf`, `photo.jpg`). */
  name: string;
  bytes: Uint8Array;
}

/**
 * `aftercare_question`: the template asks the question itself. `reply_waiting`: a trust person's reply;
 * the template only says a message is waiting, and the reply itself goes once the resident wrote back.
 */
export const OUTBOUND_TEMPLATES = ['aftercare_question', 'reply_waiting'] as const;
export type OutboundTemplate = (typeof OUTBOUND_TEMPLATES)[number];

/**
 * `returning`: a resident who writes again soon after their case closed; `aftercare`: a resident who
 * answered the aftercare question "not so good" or "I want to talk" (issue 13). Neither asks the intake.
 */
export type HandoffReason = 'intake-complete' | 'asked-for-person' | 'danger' | 'consent-declined' | 'returning' | 'aftercare';

/** The answers to the aftercare question "how are things now?". */
export const AFTERCARE_ANSWERS = ['good', 'notGood', 'talk'] as const;
export type AftercareAnswer = (typeof AFTERCARE_ANSWERS)[number];

/**
 * Discreet mode: take the bot's sent messages off the resident's screen (the stored transcript stays).
 * `all`: every message sent to them (the bot's and the trust person's); `bot`: the bot's own only.
 * `again`: also retry the ones an earlier cleaning could not delete (the resident asked again).
 */
export interface CleanChatEffect {
  type: 'cleanChat';
  scope: 'all' | 'bot';
  again?: boolean | undefined;
}

/** Things the engine wants done besides sending messages, written in the same transaction. */
export type Effect =
  /** Opens the conversation's handoff; a returning resident's names the closed case it follows. */
  | { type: 'handoff'; reason: HandoffReason; previousHandoffId?: string | undefined }
  | { type: 'urgent'; reason: 'danger-words' | 'danger-now' }
  | { type: 'erase' }
  | CleanChatEffect
  /** The resident turned discreet mode or neutral wording on or off: the open handoff's preferences follow. */
  | { type: 'privacy' }
  /** The answer to the aftercare question, recorded on the closed case it follows (for the reports). */
  | { type: 'aftercareAnswer'; answer: AftercareAnswer };

export interface Note {
  step: string;
  messageId: number;
  kind: 'text' | MediaKind;
}

/** The part of the machine's context that is the intake itself. */
export interface IntakeRecord {
  answers: Record<string, string | string[]>;
  notes: Note[];
  consent: boolean | null;
}

export interface TimerRequest {
  /** Unique per conversation; a later request with the same id replaces the earlier one. */
  sendId: string;
  event: { type: string };
  delayMs: number;
}

export interface PersistedConversation {
  value: string;
  context: IntakeContext;
}

export interface IntakeContext extends IntakeRecord {
  locale: string;
  /** True once the resident chose a language (or the hint was taken); before that the greeting is multilingual. */
  localeChosen: boolean;
  localeHint: string | null;
  /**
   * The language of the first message when it is not one we have texts for ("pl", "fr") or needs a word
   * for the trust person ("darija-latin"). Optional: older snapshots lack it.
   */
  writtenLanguage?: string | null;
  /** The resident's phone number as the channel knows it (WhatsApp), offered when a call is chosen. */
  knownPhone?: string | null;
  /** The reminder was said since the current question was asked. */
  reminded?: boolean;
  /** The safety question was asked after the handoff and waits for its answer. */
  safetyPending?: boolean;
  /** Unclear answers in a row at the current question; from the second on a person is offered. */
  unclearCount?: number;
  /** The greeting is said once per conversation (and again after start over), not at every repeat. */
  greeted: boolean;
  lastQuestion: string | null;
  editing: boolean;
  urgent: boolean;
  ackedWhileWaiting: boolean;
  /**
   * Discreet mode (issue 6): the bot deletes its messages from the resident's chat, now and after each
   * answer or quiet spell. Optional: conversations saved before it existed have neither flag (off).
   */
  discreet?: boolean;
  /** Neutral wording: every bot message starts with a neutral first line and never names the organisation. */
  neutral?: boolean;
  /**
   * A conversation that follows a closed case (issue 13): a returning resident's, or the bot's aftercare
   * question. The handoff it opens is linked to that case and offered to its trust person.
   */
  followUp?: { handoffId: string; kind: 'returning' | 'aftercare' } | undefined;
}

/**
 * When a trust person can be expected to answer, worked out from the organisation's office hours at the
 * moment of a step (src/hours). Language-free: the engine words it in the resident's language.
 */
export type Availability =
  | {
      open: true;
      /** Local closing time of the current opening, "17:00". */
      until: string;
      /** Set when the current opening ends soon (within the hour): when it opens after that. */
      next?: NextOpening | undefined;
    }
  | { open: false; next: NextOpening | null };

/** The next moment the organisation opens, relative to the local day of the step. */
export interface NextOpening {
  /** `today`/`tomorrow` on the local calendar; `weekday` within the coming six days; else `date`. */
  when: 'today' | 'tomorrow' | 'weekday' | 'date';
  /** Local opening time, "09:00". */
  time: string;
  /** The local calendar date of the opening, "2026-12-07". */
  date: string;
  /** ISO weekday of that date: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

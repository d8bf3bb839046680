import type { MediaKind, Notice } from './types.js';
import type { DangerCategory } from './understanding/message-reader.js';

/** What a resident's message means at the current step; the machine only ever sees these. */
export type MachineEvent =
  | { type: 'ANSWER'; option: string }
  /** Options of a step with several answers; `story`: named in a story that is kept (the ack says so). */
  | { type: 'ANSWERS'; options: string[]; story?: boolean }
  | { type: 'TEXT'; messageId: number; guessedLocale: string | null }
  | { type: 'MEDIA'; messageId: number; kind: MediaKind }
  | { type: 'UNCLEAR' }
  | { type: 'DANGER'; messageId: number; locale: string; category: DangerCategory }
  /**
   * Keep the message as the resident's own words without moving on (it comes before the event that
   * answers or asks again); `ack` thanks them for it.
   */
  | { type: 'NOTE'; messageId: number; ack?: boolean; step?: string }
  /** The answer to a details step: the phone number read from the text, or the address as typed. */
  | { type: 'VALUE'; value: string }
  /** A phone number seen in a message at another question: kept for when a call is chosen. */
  | { type: 'DETAIL'; detail: 'phone'; value: string }
  /** "I want to add something" where the step asks whether there is more to tell: go on, the bot listens. */
  | { type: 'MORE' }
  | { type: 'SKIP' }
  | { type: 'CONTINUE' }
  | { type: 'PERSON' }
  | { type: 'LANGUAGE' }
  | { type: 'RESTART' }
  | { type: 'STOP' }
  | { type: 'HELP' }
  | { type: 'REPROMPT' }
  | { type: 'NOTICE'; notice: Notice }
  /** Discreet mode on (and delete the bot's messages now); `channel` picks the how-to-delete-your-own text. */
  | { type: 'DISCREET'; channel: string | null }
  | { type: 'NEUTRAL'; channel: string | null }
  /** Discreet mode and neutral wording off. */
  | { type: 'NORMAL' }
  /** Internal (a timer): the bot's messages of a quiet discreet conversation are deleted. */
  | { type: 'DISCREET_SWEEP' }
  /** Internal: the bot asks how things are now, some time after the case `handoffId` closed (issue 13). */
  | { type: 'AFTERCARE'; handoffId: string };

export type CommandEventType =
  'SKIP' | 'CONTINUE' | 'PERSON' | 'LANGUAGE' | 'RESTART' | 'STOP' | 'HELP' | 'DISCREET' | 'NEUTRAL' | 'NORMAL';

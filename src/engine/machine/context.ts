import type { ChoiceStep, DetailsStep, FlowOption, MultiStep } from '../flow-definition.js';
import type { IntakeContext } from '../types.js';

/** What a new conversation's machine starts from. */
export interface MachineInput {
  locale: string;
  /** The resident's phone number as the channel knows it (WhatsApp), offered when a call is chosen. */
  knownPhone?: string | null;
  localeHint: string | null;
  /** The language the first message was written in, when it is not one we have texts for (or is Darija in Latin letters). */
  writtenLanguage?: string | null;
  /** The resident's discreet mode and neutral wording from an earlier conversation. */
  discreet?: boolean;
  neutral?: boolean;
}

/**
 * After danger is named the bot asks whether it is safe to chat now (issue 6): someone may read along.
 * The answer goes into the handoff's preferences, so the trust person knows how (not) to reach them.
 */
export const SAFETY_OPTIONS = ['safe', 'later', 'chatOnly', 'callAfter'] as const;
export type SafetyAnswer = (typeof SAFETY_OPTIONS)[number];

/** The timer of discreet mode's quiet-spell deletion (one per conversation, pushed on by every bot message). */
export const DISCREET_SWEEP_ID = 'discreetSweep';

/** From this many unclear answers in a row at one question, a person is offered. */
export const UNCLEAR_BEFORE_PERSON = 2;

export function initialContext(input: MachineInput): IntakeContext {
  return {
    locale: input.locale,
    localeChosen: false,
    localeHint: input.localeHint,
    writtenLanguage: input.writtenLanguage ?? null,
    knownPhone: input.knownPhone ?? null,
    greeted: false,
    answers: {},
    notes: [],
    consent: null,
    lastQuestion: null,
    editing: false,
    urgent: false,
    ackedWhileWaiting: false,
    discreet: input.discreet === true,
    neutral: input.neutral === true,
  };
}

/** A first message in a language we have no texts for (not Darija in Latin letters, which we answer in Arabic). */
const foreignLanguage = (context: IntakeContext) =>
  Boolean(context.writtenLanguage) && context.writtenLanguage !== 'darija-latin';

/**
 * A question carries a "talk to a person" button after two unclear answers, after one before a language
 * is chosen, and at once for someone who wrote in a language we have no texts for: never a loop.
 */
export function offersPerson(context: IntakeContext): boolean {
  const unclear = context.unclearCount ?? 0;
  if (!context.localeChosen) return unclear >= 1 || foreignLanguage(context);
  return unclear >= UNCLEAR_BEFORE_PERSON;
}

/** The value a details step offers to confirm: the one given before, or the channel's own phone number. */
export function knownDetail(step: DetailsStep, context: IntakeContext): string | null {
  const given = context.answers[step.save];
  if (typeof given === 'string' && given) return given;
  return step.detail === 'phone' ? (context.knownPhone ?? null) : null;
}

/** Options in the order shown (and numbered): on the language question a suggested language comes first. */
export function orderedOptions(step: ChoiceStep | MultiStep, context: IntakeContext): FlowOption[] {
  if (step.kind !== 'choice' || step.save !== 'locale' || !context.localeHint) return step.options;
  const hinted = step.options.find((o) => o.id === context.localeHint);
  return hinted ? [hinted, ...step.options.filter((o) => o !== hinted)] : step.options;
}

import { z } from 'zod';

/**
 * The schema of a flow file in flows/. A flow names steps, options and branches and refers to
 * locale keys (`namespace:key`); it never holds a sentence.
 */
const stepId = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'a step id is a camelCase word');
const optionId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'an option id is a camelCase word');
const textKey = z.string().regex(/^[a-z]+:[a-zA-Z0-9_.]+$/, 'a text is a locale key such as bot:consent.prompt');

const option = z.strictObject({
  id: optionId,
  label: textKey,
  next: stepId.optional(),
  /** Choosing it means danger now: the emergency numbers and an urgent handoff. */
  emergency: z.boolean().optional(),
  /** Choosing it (a topic such as safety at home) asks whether it is safe to chat now. */
  askSafety: z.boolean().optional(),
  /** Said when it is chosen, before the next question (the walk-in hours and address). */
  say: textKey.optional(),
  /**
   * A catch-all such as "something else": chosen by a short answer that names it, not by a story or a
   * "no" that uses its words in passing ("nee, niets anders", "the other day").
   */
  catchAll: z.boolean().optional(),
});

const base = {
  id: stepId,
  /** Counts toward maxQuestions (false for steps that are not part of the intake proper). */
  question: z.boolean().default(true),
};

const choiceStep = z.strictObject({
  ...base,
  kind: z.literal('choice'),
  intro: textKey.optional(),
  prompt: textKey,
  /** Shown instead of prompt when the channel suggested a language. */
  hintedPrompt: textKey.optional(),
  save: z.string().min(1).optional(),
  /** What text that is not an option means: a note kept for the trust person, or ask again. */
  onText: z.enum(['note', 'reprompt', 'detectLanguage']).default('note'),
  unclear: textKey.optional(),
  /** Returning here mid-intake (the language command) goes back to the question the resident was at. */
  resumable: z.boolean().default(false),
  /** Answers here return to the summary (the "what do you want to change" step). */
  editing: z.boolean().default(false),
  /**
   * The question is who the resident wants to talk to: "ik wil een vrouw spreken" answers it (and is kept
   * as their words) instead of asking for a person right away.
   */
  aboutThePerson: z.boolean().default(false),
  next: stepId,
  skipTo: stepId.optional(),
  options: z.array(option).min(1),
});

const multiStep = z.strictObject({
  ...base,
  kind: z.literal('multi'),
  prompt: textKey,
  ack: textKey,
  ackNote: textKey,
  /** The ack when a story named the options: it was kept, and what was noted. Absent: `ack`. */
  ackStory: textKey.optional(),
  /**
   * What "I want to add something" (`words:more`) gets at "anything else?": go on, I'm listening, and no
   * note is kept. A bare "yes" is "that's all" (goes on). Absent: such a message is read as words.
   */
  goOn: textKey.optional(),
  save: z.string().min(1),
  next: stepId,
  options: z.array(option).min(1),
});

const summaryStep = z.strictObject({
  ...base,
  kind: z.literal('summary'),
  prompt: textKey,
  confirm: z.strictObject({ label: textKey, next: stepId }),
  change: z.strictObject({ label: textKey, next: stepId }),
  lines: z.array(z.strictObject({ answer: z.string().min(1), label: textKey, onlyIfAnswered: z.boolean().default(false) })),
  ownWords: textKey,
  skipped: textKey,
});

/** A detail the trust person needs to reach the resident, asked only when the chosen contact needs it. */
const detailsStep = z.strictObject({
  ...base,
  kind: z.literal('details'),
  /** A phone number (read out of the text) or an address or neighbourhood (the text itself). */
  detail: z.enum(['phone', 'address']),
  prompt: textKey,
  /** Asked instead when the value is known (said earlier, or the channel's own number): confirm it or type another. */
  confirmPrompt: textKey,
  confirmLabel: textKey,
  unclear: textKey,
  save: z.string().min(1),
  next: stepId,
});

const handoffStep = z.strictObject({
  id: stepId,
  question: z.literal(false).default(false),
  kind: z.literal('handoff'),
  reason: z.enum(['intake-complete', 'asked-for-person']),
  say: textKey,
});

export const flowDefinitionSchema = z.strictObject({
  id: stepId,
  version: z.number().int().positive(),
  start: stepId,
  /** Where a conversation from an older version goes when its step no longer exists. */
  resumeStep: stepId,
  reminderAfterMinutes: z.number().positive(),
  /** Discreet mode: the bot's messages are deleted this long after its last one, if the resident does not answer first. */
  discreetDeleteAfterMinutes: z.number().positive().default(10),
  maxQuestions: z.number().int().positive(),
  commands: z.strictObject({ person: stepId, language: stepId, restart: stepId, stop: z.literal('stop') }),
  /** Old step id -> new step id, for conversations saved under an older version. */
  renamedSteps: z.record(z.string(), stepId).default({}),
  steps: z.array(z.discriminatedUnion('kind', [choiceStep, multiStep, detailsStep, summaryStep, handoffStep])).min(1),
});

export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;
export type FlowStep = FlowDefinition['steps'][number];
export type ChoiceStep = z.infer<typeof choiceStep>;
export type MultiStep = z.infer<typeof multiStep>;
export type SummaryStep = z.infer<typeof summaryStep>;
export type DetailsStep = z.infer<typeof detailsStep>;
export type HandoffStep = z.infer<typeof handoffStep>;
export type FlowOption = z.infer<typeof option>;

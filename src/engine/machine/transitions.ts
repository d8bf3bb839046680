import type { FlowDefinition, SummaryStep } from '../flow-definition.js';
import type { ChoiceRef } from '../say.js';
import type { SafetyAnswer } from './context.js';
import type { Conditions } from './machine-setup.js';

/** One transition of the compiled config: plain data naming actions and the guard of machine-setup.ts. */
export interface Transition {
  target?: string;
  guard?: unknown;
  actions?: unknown[];
  reenter?: boolean;
}

/** The one guard with its conditions. */
export const when = (conditions: Conditions) => ({ type: 'when', params: conditions });

/** Say a text (a locale key), with buttons if given. */
export const say = (key: string, choices?: ChoiceRef[]) => ({
  type: 'say',
  params: { type: 'say', key, ...(choices ? { choices } : {}) },
});

/** A note of the resident's own words at `step`, thanked for. */
export const keepNote = (step: string) => [{ type: 'addNote', params: { step } }, 'ackNote'];

/** Danger named: kept as their words, the conversation marked urgent, the handoff raised. */
export const dangerActions = (step: string) => [
  { type: 'addNote', params: { step } },
  'markUrgent',
  { type: 'effect', params: { effect: { type: 'urgent', reason: 'danger-words' } } },
];

/** Setting the safety answer raises the urgency again, which rewrites the open handoff's preferences. */
export function safety(value: SafetyAnswer) {
  return [
    { type: 'setSafety', params: { value } },
    { type: 'effect', params: { effect: { type: 'urgent', reason: 'danger-words' } } },
  ];
}

/** The transitions that depend on the flow: leaving a question, asking again, the reminder. */
export interface FlowTransitions {
  /** Leaving a question: to the summary when changing an answer from it, else onward. */
  onward(next: string, actions: unknown[], explicitNext?: boolean): Transition[];
  /** The same question again, after "sorry, I didn't understand" if a key is given. */
  reprompt(stepId: string, unclearKey?: string): Transition;
  /** The reminder after the flow's quiet spell at a question. */
  reminder(): Record<number, Transition>;
  /**
   * After the reminder, "sorry, I was away" is not an answer to the question: welcome back and ask it
   * again (once; the next text is the resident's own words as usual).
   */
  backFromReminder(stepId: string): Transition;
}

export function createFlowTransitions(flow: FlowDefinition, reminderMs: number): FlowTransitions {
  const summaryStep = flow.steps.find((s): s is SummaryStep => s.kind === 'summary');
  return {
    onward: (next, actions, explicitNext = false) =>
      summaryStep && !explicitNext
        ? [
            { guard: when({ editing: true }), target: summaryStep.id, actions },
            { target: next, actions },
          ]
        : [{ target: next, actions }],
    reprompt: (stepId, unclearKey) => ({
      target: stepId,
      reenter: true,
      actions: unclearKey ? [{ type: 'sayUnclear', params: { key: unclearKey } }] : [],
    }),
    reminder: () => ({
      [reminderMs]: { actions: [say('bot:reminder.text'), { type: 'setReminded', params: { on: true } }] },
    }),
    backFromReminder: (stepId) => ({
      guard: when({ reminded: true }),
      target: stepId,
      reenter: true,
      actions: [{ type: 'setReminded', params: { on: false } }, say('bot:reminder.back')],
    }),
  };
}

import type { AftercareAnswer } from '../types.js';
import { AFTERCARE_CHOICES, EMERGENCY_CHOICES, SAFETY_CHOICES, SKIP_CHOICE, STOP_CHOICES } from './choices.js';
import { dangerActions, keepNote, safety, say, when } from './transitions.js';

/*
 * The states every flow has, built in (not flow data): the emergency path and "stop". The engine
 * restores them like steps. `resume` (compile-flow.ts) is not one: it never rests, it only forwards.
 *
 * The emergency path: the numbers at once, then "is it safe to chat now?" (once per conversation), then
 * the choice between a person and going on. No reminders here: a ping could give the resident away.
 */

const emergencyChoiceHandlers = {
  CONTINUE: { target: 'resume' },
  SKIP: { target: 'resume' },
  ANSWER: { target: 'resume' },
  ANSWERS: { target: 'resume' },
  UNCLEAR: { target: 'resume' },
  TEXT: { target: 'resume', actions: keepNote('emergency') },
  MEDIA: { target: 'resume', actions: keepNote('emergency') },
  DANGER: { actions: [{ type: 'addNote', params: { step: 'emergency' } }, say('bot:note.saved', EMERGENCY_CHOICES)] },
};

const toChoices = { target: 'emergencyChoices' };
const welcomeBack = { target: 'emergencyChoices', actions: [say('bot:safety.welcomeBack')] };
const welcomeBackWithNote = {
  target: 'emergencyChoices',
  actions: [{ type: 'addNote', params: { step: 'safetyLater' } }, say('bot:safety.welcomeBack')],
};
const callTimeNoted = {
  target: 'emergencyChoices',
  actions: [{ type: 'addNote', params: { step: 'safetyCallTime' } }, say('bot:safety.callTimeSaved')],
};

/** What a flow gives the built-in states: where it starts, and the step where a person takes over. */
export interface FlowEnds {
  /** Where a conversation begins again after "stop" → yes. */
  start: string;
  /** The handoff step the person command leads to (the aftercare question's "talk" goes there). */
  person: string;
}

/**
 * Aftercare (issue 13): "how are things now?" some time after a case closed. "Good" ends the
 * conversation with a kind word; "not so good", "I want to talk" or anything they write opens a case
 * for the trust person (reason `aftercare`, linked through `followUp`). The answer is recorded for reports.
 */
const aftercareAnswer = (answer: AftercareAnswer) => ({ type: 'effect', params: { effect: { type: 'aftercareAnswer', answer } } });
const aftercareHandoff = { type: 'effect', params: { effect: { type: 'handoff', reason: 'aftercare' } } };
const toPerson = (person: string, answer: AftercareAnswer, note = false) => ({
  target: person,
  actions: [...(note ? [{ type: 'addNote', params: { step: 'aftercare' } }] : []), aftercareAnswer(answer), aftercareHandoff],
});

/** Each built-in state by its id. */
const BUILDERS = {
  emergency: () => ({
    entry: [say('bot:emergency.text')],
    always: [{ guard: when({ safetyKnown: true }), target: 'emergencyChoices' }, { target: 'safety' }],
    // A conversation stored in this state by an earlier version still gets its answers handled.
    on: emergencyChoiceHandlers,
  }),
  safety: () => ({
    entry: [say('bot:safety.ask', SAFETY_CHOICES)],
    on: {
      ANSWER: [
        { guard: when({ option: 'safe' }), target: 'emergencyChoices', actions: safety('safe') },
        {
          guard: when({ option: 'chatOnly' }),
          target: 'emergencyChoices',
          actions: [...safety('chatOnly'), say('bot:safety.chatOnlyAck')],
        },
        { guard: when({ option: 'callAfter' }), target: 'safetyCallTime', actions: safety('callAfter') },
        { guard: when({ option: 'later' }), target: 'safetyLater', actions: safety('later') },
      ],
      SKIP: { target: 'emergencyChoices' },
      CONTINUE: { target: 'resume' },
      TEXT: { target: 'safety', reenter: true, actions: keepNote('safety') },
      MEDIA: { target: 'safety', reenter: true, actions: keepNote('safety') },
      UNCLEAR: { target: 'safety', reenter: true, actions: [say('bot:unclear')] },
    },
  }),
  safetyCallTime: () => ({
    entry: [say('bot:safety.callTimeAsk', [SKIP_CHOICE])],
    on: {
      // The time is in the resident's own words: a note the trust person reads beside the preference.
      TEXT: callTimeNoted,
      MEDIA: callTimeNoted,
      ANSWER: toChoices,
      ANSWERS: toChoices,
      UNCLEAR: toChoices,
      SKIP: toChoices,
      CONTINUE: toChoices,
    },
  }),
  safetyLater: () => ({
    entry: [say('bot:safety.laterText')],
    on: {
      ANSWER: welcomeBack,
      ANSWERS: welcomeBack,
      UNCLEAR: welcomeBack,
      SKIP: welcomeBack,
      CONTINUE: welcomeBack,
      TEXT: welcomeBackWithNote,
      MEDIA: welcomeBackWithNote,
    },
  }),
  emergencyChoices: () => ({
    entry: [say('bot:emergency.next', EMERGENCY_CHOICES)],
    on: emergencyChoiceHandlers,
  }),
  stop: () => ({
    entry: [say('bot:stop.prompt', STOP_CHOICES)],
    on: {
      ANSWER: [
        {
          guard: when({ option: 'yes' }),
          target: 'stopped',
          actions: [{ type: 'effect', params: { effect: { type: 'erase' } } }, 'reset'],
        },
        { target: 'resume' },
      ],
      STOP: { target: 'stop', reenter: true },
      CONTINUE: { target: 'resume' },
      SKIP: { target: 'resume' },
      TEXT: { target: 'stop', reenter: true, actions: [say('bot:unclear')] },
      MEDIA: { target: 'stop', reenter: true, actions: [say('bot:unclear')] },
      UNCLEAR: { target: 'stop', reenter: true, actions: [say('bot:unclear')] },
    },
  }),
  aftercare: ({ person }: FlowEnds) => ({
    // Months after the last message: on WhatsApp's Cloud API this goes out as an approved template.
    entry: [{ type: 'say', params: { type: 'say', key: 'bot:aftercare.ask', choices: AFTERCARE_CHOICES, template: 'aftercare_question' } }],
    on: {
      ANSWER: [
        { guard: when({ option: 'good' }), target: 'aftercareDone', actions: [aftercareAnswer('good'), say('bot:aftercare.goodReply')] },
        { guard: when({ option: 'notGood' }), ...toPerson(person, 'notGood') },
        { guard: when({ option: 'talk' }), ...toPerson(person, 'talk') },
        { target: 'aftercare', reenter: true, actions: [say('bot:unclear')] },
      ],
      // Whatever they write is for the trust person: they answered by telling.
      TEXT: toPerson(person, 'talk', true),
      // Danger: the numbers first (the emergency path), and it counts as "not so good".
      DANGER: { target: 'emergency', actions: [aftercareAnswer('notGood'), ...dangerActions('aftercare')] },
      MEDIA: toPerson(person, 'talk', true),
      ANSWERS: { target: 'aftercare', reenter: true, actions: [say('bot:unclear')] },
      UNCLEAR: { target: 'aftercare', reenter: true, actions: [say('bot:unclear')] },
      SKIP: { target: 'aftercareDone' },
      CONTINUE: { target: 'aftercareDone' },
    },
  }),
  // Rests here with the conversation closed (engine.ts): a later message starts a new one.
  aftercareDone: () => ({}),
  stopped: ({ start: flowStart }: FlowEnds) => {
    const restart = { target: flowStart };
    return {
      entry: [say('bot:stop.done')],
      on: {
        ANSWER: restart,
        ANSWERS: restart,
        TEXT: restart,
        MEDIA: restart,
        UNCLEAR: restart,
        SKIP: restart,
        CONTINUE: restart,
        STOP: { actions: [say('bot:stop.done')] },
      },
    };
  },
} satisfies Record<string, (ends: FlowEnds) => unknown>;

/** The ids of the built-in states, where a conversation may rest (the engine restores them like steps). */
export const BUILTIN_STATES = Object.keys(BUILDERS) as (keyof typeof BUILDERS)[];
/** Ids a flow step may not take, and may name as a target: the built-in states and `resume`. */
export const RESERVED_STATE_IDS: readonly string[] = [...BUILTIN_STATES, 'resume'];

/** The built-in states' configs for a flow. */
export function builtinStates(ends: FlowEnds): Record<string, unknown> {
  return Object.fromEntries(BUILTIN_STATES.map((id) => [id, BUILDERS[id](ends)]));
}

import type { FlowStep } from '../flow-definition.js';
import { CONTINUE_CHOICE, SAFETY_CHOICES } from './choices.js';
import { SAFETY_OPTIONS, type SafetyAnswer } from './context.js';
import type { Conditions } from './machine-setup.js';
import { dangerActions, safety, say, when, type FlowTransitions, type Transition } from './transitions.js';

/** What the bot says to the safety answer given after the handoff (a person is already on the way). */
const SAFETY_ACK_AFTER_HANDOFF: Record<SafetyAnswer, string> = {
  safe: 'bot:safety.noted',
  later: 'bot:safety.laterText',
  chatOnly: 'bot:safety.chatOnlyAck',
  callAfter: 'bot:safety.callTimeAsk',
};

/**
 * The state of one flow step, by its kind: choice, multi (topics), summary, details (phone, address)
 * and handoff. Each answers every event a resident's message can become (events.ts); what a step
 * does not answer itself goes to the machine's root handlers (compile-flow.ts).
 */
export function compileStep(step: FlowStep, transitions: FlowTransitions): unknown {
  const { onward, reprompt, reminder, backFromReminder } = transitions;
  const entry: unknown[] = [];
  if (step.kind !== 'handoff' && !(step.kind === 'choice' && step.resumable)) {
    entry.push({ type: 'rememberQuestion', params: { step: step.id } });
  }
  switch (step.kind) {
    case 'choice': {
      const save = step.save ? [{ type: 'saveAnswer', params: { field: step.save } }] : [];
      const answer: Transition[] = step.options.flatMap((o) => {
        const chosen = { option: o.id };
        if (o.emergency) {
          const actions = [
            ...save,
            'markUrgent',
            { type: 'effect', params: { effect: { type: 'urgent', reason: 'danger-now' } } },
            { type: 'rememberQuestion', params: { step: o.next ?? step.next } },
          ];
          return [{ guard: when(chosen), target: 'emergency', actions }];
        }
        const chosenActions = o.say ? [...save, say(o.say)] : save;
        const resume = step.resumable
          ? [{ guard: when({ ...chosen, canResume: true }), target: 'resume', actions: chosenActions }]
          : [];
        const onwards = onward(o.next ?? step.next, chosenActions, o.next !== undefined || step.editing).map((t) => ({
          ...t,
          guard: when({ ...chosen, ...((t.guard as { params?: Conditions } | undefined)?.params ?? {}) }),
        }));
        return [...resume, ...onwards];
      });
      const skipActions = step.save === 'locale' ? ['keepLocale'] : [];
      const skip: Transition[] = step.resumable
        ? [
            { guard: when({ canResume: true }), target: 'resume', actions: skipActions },
            { target: step.next, actions: skipActions },
          ]
        : onward(step.skipTo ?? step.next, skipActions, step.skipTo !== undefined || step.editing);
      let text: Transition[];
      let media: Transition[];
      if (step.onText === 'note') {
        const noteActions = [{ type: 'addNote', params: { step: step.id } }, 'ackNote'];
        text = [backFromReminder(step.id), ...onward(step.next, noteActions, step.editing)];
        media = onward(step.next, noteActions, step.editing);
      } else if (step.onText === 'detectLanguage') {
        const guessed = [{ type: 'saveAnswer', params: { field: step.save ?? 'locale' } }];
        text = [
          ...(step.resumable
            ? [{ guard: when({ guessedLocale: true, canResume: true }), target: 'resume', actions: guessed }]
            : []),
          { guard: when({ guessedLocale: true }), target: step.next, actions: guessed },
          reprompt(step.id, step.unclear ?? 'bot:unclear'),
        ];
        media = [reprompt(step.id, step.unclear ?? 'bot:unclear')];
      } else {
        text = [reprompt(step.id, step.unclear ?? 'bot:unclear')];
        media = text;
      }
      return {
        entry: [...entry, { type: 'prompt', params: { step: step.id } }, ...(step.intro ? ['markGreeted'] : [])],
        after: reminder(),
        on: {
          ANSWER: answer,
          SKIP: skip,
          TEXT: text,
          MEDIA: media,
          UNCLEAR: reprompt(step.id, step.unclear ?? 'bot:unclear'),
          CONTINUE: reprompt(step.id),
        },
      };
    }
    case 'multi': {
      const note = [{ type: 'addNote', params: { step: step.id } }, say(step.ackNote, [CONTINUE_CHOICE])];
      const add = { type: 'addAnswers', params: { field: step.save } };
      const askSafety = step.options.filter((o) => o.askSafety).map((o) => o.id);
      return {
        entry: [...entry, { type: 'prompt', params: { step: step.id } }],
        after: reminder(),
        on: {
          ANSWERS: [
            // A topic such as "safety at home" asks whether it is safe to chat now (once per conversation).
            ...(askSafety.length > 0
              ? [{ guard: when({ chose: askSafety, safetyKnown: false }), target: 'safety', actions: [add] }]
              : []),
            { actions: [add, { type: 'ackAnswers', params: { step: step.id } }] },
          ],
          TEXT: { actions: note },
          MEDIA: { actions: note },
          ...(step.goOn ? { MORE: { actions: [say(step.goOn, [CONTINUE_CHOICE])] } } : {}),
          UNCLEAR: reprompt(step.id, 'bot:unclear'),
          SKIP: onward(step.next, []),
          CONTINUE: onward(step.next, []),
        },
      };
    }
    case 'summary': {
      const note = [{ type: 'addNote', params: { step: step.id } }, 'ackNote'];
      return {
        entry: [...entry, { type: 'setEditing', params: { on: false } }, { type: 'prompt', params: { step: step.id } }],
        after: reminder(),
        on: {
          ANSWER: [
            { guard: when({ option: 'confirm' }), target: step.confirm.next },
            {
              guard: when({ option: 'change' }),
              target: step.change.next,
              actions: [{ type: 'setEditing', params: { on: true } }],
            },
          ],
          SKIP: { target: step.confirm.next },
          TEXT: { target: step.id, reenter: true, actions: note },
          MEDIA: { target: step.id, reenter: true, actions: note },
          UNCLEAR: reprompt(step.id, 'bot:unclear'),
          CONTINUE: reprompt(step.id),
        },
      };
    }
    case 'details': {
      const saved = [{ type: 'saveDetail', params: { step: step.id } }];
      const note = [{ type: 'addNote', params: { step: step.id } }, 'ackNote'];
      return {
        entry: [...entry, { type: 'prompt', params: { step: step.id } }],
        after: reminder(),
        on: {
          VALUE: onward(step.next, saved),
          ANSWER: onward(step.next, saved).map((t) => ({
            ...t,
            guard: when({ option: 'known', ...((t.guard as { params?: Conditions } | undefined)?.params ?? {}) }),
          })),
          SKIP: onward(step.next, []),
          // A voice note may well say the number: kept for the trust person, and on.
          MEDIA: onward(step.next, note),
          TEXT: [backFromReminder(step.id), reprompt(step.id, step.unclear)],
          UNCLEAR: reprompt(step.id, step.unclear),
          CONTINUE: reprompt(step.id),
        },
      };
    }
    case 'handoff': {
      // The first message after the handoff is acknowledged; later ones are for the trust person to read.
      const acknowledgeOnce = [say('bot:handoff.waitingAck'), { type: 'setAcked', params: { on: true } }];
      const addNote = { type: 'addNote', params: { step: step.id } };
      const ack = [{ guard: when({ notAcked: true }), actions: acknowledgeOnce }];
      const noted = [{ guard: when({ notAcked: true }), actions: [addNote, ...acknowledgeOnce] }, { actions: [addNote] }];
      // Danger named after the handoff: the numbers, and "is it safe to chat now?" if not asked before.
      // The answer is read here (the step view turns to the safety options while it is pending).
      const safetyAnswers = SAFETY_OPTIONS.map((id) => ({
        guard: when({ option: id, safetyPending: true }),
        actions: [...safety(id), { type: 'setSafetyPending', params: { on: false } }, say(SAFETY_ACK_AFTER_HANDOFF[id])],
      }));
      return {
        entry: [
          { type: 'rememberQuestion', params: { step: step.id } },
          { type: 'setAcked', params: { on: false } },
          { type: 'effect', params: { effect: { type: 'handoff', reason: step.reason } } },
          { type: 'prompt', params: { step: step.id } },
        ],
        on: {
          ANSWER: [...safetyAnswers, ...ack],
          ANSWERS: ack,
          UNCLEAR: ack,
          SKIP: ack,
          CONTINUE: ack,
          TEXT: noted,
          MEDIA: noted,
          PERSON: { actions: [say('bot:handoff.already')] },
          HELP: { actions: [say('bot:help.text')] },
          NOTICE: { actions: ['sayNotice'] },
          DANGER: [
            {
              guard: when({ safetyKnown: false }),
              actions: [
                ...dangerActions(step.id),
                say('bot:emergency.text'),
                say('bot:safety.ask', SAFETY_CHOICES),
                { type: 'setSafetyPending', params: { on: true } },
              ],
            },
            { actions: [...dangerActions(step.id), say('bot:emergency.text')] },
          ],
        },
      };
    }
  }
}

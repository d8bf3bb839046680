import type { AnyStateMachine } from 'xstate';
import type { FlowDefinition } from './flow-definition.js';
import { builtinStates } from './machine/builtin-states.js';
import { compileStep } from './machine/compile-step.js';
import { initialContext, type MachineInput } from './machine/context.js';
import { createMachineSetup } from './machine/machine-setup.js';
import { createPrompts } from './machine/prompts.js';
import { createFlowTransitions, dangerActions, keepNote, say, when } from './machine/transitions.js';

/**
 * Builds the XState machine for a flow. Text stays as locale keys; behaviour comes from named actions.
 * The parts, in src/engine/machine/: the vocabulary of actions and the guard (machine-setup.ts), prompt
 * building (prompts.ts), one state per flow step by its kind (compile-step.ts), and the built-in states
 * of the emergency path and "stop" (builtin-states.ts). Here: the root handlers every state shares.
 */
export function compileFlow(
  flow: FlowDefinition,
  options: { reminderAfterMs?: number; discreetDeleteAfterMs?: number; channelsWithoutDeletion?: readonly string[] } = {},
): AnyStateMachine {
  const reminderMs = options.reminderAfterMs ?? Math.round(flow.reminderAfterMinutes * 60_000);
  // What the resident is told; a test's shorter delay still says at least one minute.
  const discreetMinutes = Math.max(
    1,
    Math.round((options.discreetDeleteAfterMs ?? flow.discreetDeleteAfterMinutes * 60_000) / 60_000),
  );
  const machineSetup = createMachineSetup(flow, createPrompts(flow), {
    discreetMinutes,
    channelsWithoutDeletion: new Set(options.channelsWithoutDeletion ?? []),
  });
  const transitions = createFlowTransitions(flow, reminderMs);

  const states: Record<string, unknown> = {};
  for (const step of flow.steps) states[step.id] = compileStep(step, transitions);
  Object.assign(states, builtinStates({ start: flow.start, person: flow.commands.person }));
  states.resume = {
    always: [...flow.steps.map((s) => ({ guard: when({ lastQuestion: s.id }), target: s.id })), { target: flow.start }],
  };

  // The config is assembled from flow data, so it is checked by validateFlow and the tests, not by XState's types.
  const config: Record<string, unknown> = {
    id: flow.id,
    initial: flow.start,
    context: ({ input }: { input: MachineInput }) => initialContext(input),
    on: {
      PERSON: { target: `.${flow.commands.person}` },
      LANGUAGE: { target: `.${flow.commands.language}` },
      RESTART: { target: `.${flow.commands.restart}`, actions: ['reset'] },
      STOP: { target: '.stop' },
      HELP: { target: '.resume', actions: [say('bot:help.text')] },
      CONTINUE: { target: '.resume' },
      SKIP: { target: '.resume' },
      UNCLEAR: { target: '.resume' },
      ANSWER: { target: '.resume' },
      ANSWERS: { target: '.resume' },
      TEXT: { target: '.resume', actions: keepNote('other') },
      MEDIA: { target: '.resume', actions: keepNote('other') },
      DANGER: { target: '.emergency', actions: dangerActions('danger') },
      NOTE: { actions: ['keepNote'] },
      DETAIL: { actions: ['keepDetail'] },
      /** Internal: ask the current question again (after a flow change). */
      REPROMPT: { target: '.resume' },
      NOTICE: { target: '.resume', actions: ['sayNotice'] },
      // Privacy commands work at every step and do not ask the question again: a resident who wants the
      // chat cleaned does not want it filled again at once ("continue" brings the question back).
      DISCREET: {
        actions: [
          { type: 'setPrivacy', params: { discreet: true } },
          { type: 'effect', params: { effect: { type: 'privacy' } } },
          { type: 'effect', params: { effect: { type: 'cleanChat', scope: 'all', again: true } } },
          'sayDiscreetOn',
        ],
      },
      NEUTRAL: {
        actions: [
          { type: 'setPrivacy', params: { neutral: true } },
          { type: 'effect', params: { effect: { type: 'privacy' } } },
          'sayNeutralOn',
        ],
      },
      NORMAL: {
        actions: [
          { type: 'setPrivacy', params: { discreet: false, neutral: false } },
          { type: 'effect', params: { effect: { type: 'privacy' } } },
          say('bot:normal.done'),
        ],
      },
      // A quiet spell in discreet mode: the bot's own messages go (a trust person's wait until the resident writes).
      AFTERCARE: { target: '.aftercare', actions: ['setFollowUp'] },
      DISCREET_SWEEP: {
        guard: when({ discreet: true }),
        actions: [{ type: 'effect', params: { effect: { type: 'cleanChat', scope: 'bot' } } }],
      },
    },
    states,
  };
  return machineSetup.createMachine(config as never) as unknown as AnyStateMachine;
}

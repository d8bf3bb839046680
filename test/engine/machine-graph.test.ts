import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { compileFlow } from '../../src/engine/compile-flow.js';
import type { MachineEvent } from '../../src/engine/events.js';
import type { FlowDefinition, FlowStep } from '../../src/engine/flow-definition.js';
import { SAFETY_OPTIONS } from '../../src/engine/machine/context.js';
import { AFTERCARE_ANSWERS } from '../../src/engine/types.js';
import { intakeFlow } from '../helpers/engine-driver.js';

/**
 * Walks the compiled intake machine with xstate/graph, sending at every state every kind of event a
 * resident's message can become (each option of the question there, text, a voice note, danger, the
 * commands). Proves what a resident relies on: every state can be reached, and from every state a
 * person can still be reached (no dead end, no loop without a way out).
 */

function eventsAt(flow: FlowDefinition, snapshot: AnyMachineSnapshot): MachineEvent[] {
  const stateId = String(snapshot.value);
  const step: FlowStep | undefined = flow.steps.find((s) => s.id === stateId);
  const options = step && (step.kind === 'choice' || step.kind === 'multi') ? step.options.map((o) => o.id) : [];
  const extra =
    step?.kind === 'summary'
      ? ['confirm', 'change']
      : step?.kind === 'details'
        ? ['known']
        : stateId === 'stop'
          ? ['yes', 'no']
          : stateId === 'aftercare'
            ? [...AFTERCARE_ANSWERS]
            : [...SAFETY_OPTIONS];
  return [
    ...[...options, ...extra].map((option) => ({ type: 'ANSWER' as const, option })),
    ...(step?.kind === 'multi' ? step.options.map((o) => ({ type: 'ANSWERS' as const, options: [o.id] })) : []),
    { type: 'TEXT', messageId: 1, guessedLocale: null },
    { type: 'TEXT', messageId: 1, guessedLocale: 'ar' },
    { type: 'MEDIA', messageId: 1, kind: 'voice' },
    { type: 'DANGER', messageId: 1, locale: 'nl', category: 'violence' },
    { type: 'VALUE', value: '0612345678' },
    { type: 'UNCLEAR' },
    { type: 'SKIP' },
    { type: 'CONTINUE' },
    { type: 'PERSON' },
    { type: 'LANGUAGE' },
    { type: 'RESTART' },
    { type: 'STOP' },
    { type: 'HELP' },
    { type: 'NOTICE', notice: 'unsupported' },
    { type: 'DISCREET', channel: 'web' },
    { type: 'NEUTRAL', channel: 'web' },
    { type: 'NORMAL' },
    // The bot's own aftercare question, months after a case closed (issue 13).
    { type: 'AFTERCARE', handoffId: '00000000-0000-4000-8000-000000000001' },
  ];
}

/** A state as far as where it can go is concerned: its value and the context the guards read. */
function serialize(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.lastQuestion,
    c.editing,
    c.answers.safety !== undefined,
    c.safetyPending === true,
    c.ackedWhileWaiting,
    c.localeChosen,
  ]);
}

describe('the compiled intake machine, walked', () => {
  const flow = intakeFlow;
  const machine = compileFlow(flow);
  const adjacency = getAdjacencyMap(machine, {
    input: { locale: 'nl', localeHint: null },
    events: (snapshot) => eventsAt(flow, snapshot) as unknown as EventObject[],
    serializeState: (snapshot) => serialize(snapshot as AnyMachineSnapshot),
  });
  type Node = { state: AnyMachineSnapshot; transitions: Record<string, { state: AnyMachineSnapshot }> };
  const graph = adjacency as unknown as Record<string, Node>;
  const nodes = Object.entries(graph);
  const stateOf = (key: string) => String(graph[key]!.state.value);

  it('reaches every state of the machine from a first message', () => {
    const reached = new Set(nodes.map(([key]) => stateOf(key)));
    // States that forward at once (`always`: resume, emergency) are passed through, never rested in.
    const states = Object.entries(machine.config.states ?? {}) as [string, { always?: unknown }][];
    const all = states.filter(([, config]) => !config.always).map(([id]) => id);
    expect(states.filter(([, config]) => config.always).map(([id]) => id)).toEqual(
      expect.arrayContaining(['resume', 'emergency']),
    );
    expect(all.length).toBeGreaterThan(flow.steps.length); // the flow's steps and the built-in ones
    expect(all.filter((id) => !reached.has(id))).toEqual([]);
  });

  it('has no dead end: from every state a resident can still reach a person', () => {
    const handoffSteps = new Set(flow.steps.filter((s) => s.kind === 'handoff').map((s) => s.id));
    const canReachPerson = new Set(nodes.filter(([key]) => handoffSteps.has(stateOf(key))).map(([key]) => key));
    // Walk backwards: a state reaches a person if one of its next states does.
    for (let changed = true; changed;) {
      changed = false;
      for (const [key, value] of nodes) {
        if (canReachPerson.has(key)) continue;
        if (Object.values(value.transitions).some((t) => canReachPerson.has(serialize(t.state)))) {
          canReachPerson.add(key);
          changed = true;
        }
      }
    }
    const stuck = nodes.filter(([key]) => !canReachPerson.has(key)).map(([key]) => key);
    expect(handoffSteps.size).toBeGreaterThan(0);
    expect(stuck).toEqual([]);
  });

  it('leaves every question some way other than asking it again', () => {
    const loops = flow.steps
      .filter((s) => s.kind !== 'handoff')
      .filter((s) =>
        nodes
          .filter(([key]) => stateOf(key) === s.id)
          .every(([, value]) => Object.values(value.transitions).every((t) => String(t.state.value) === s.id)),
      )
      .map((s) => s.id);
    expect(loops).toEqual([]);
  });
});

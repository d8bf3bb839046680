import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';

/** An action a transition chose, for the engine to read (emits, delayed raises, cancels): never executed. */
export interface ChosenAction {
  type: string;
  params?: unknown;
}

export interface PureTransitions {
  transition(snapshot: AnyMachineSnapshot, event: { type: string }): [AnyMachineSnapshot, ChosenAction[]];
  initialTransition(input: unknown): [AnyMachineSnapshot, ChosenAction[]];
}

/**
 * XState's pure `transition()` and `initialTransition()`, without a new actor for every call.
 *
 * Those helpers make a throwaway actor per call (xstate's `createInertActorScope`), and an actor works
 * out the machine's initial snapshot as it is made: every step of every resident paid for the intake
 * machine's start state, its context and its entry actions, once or twice. The intake machine spawns
 * and invokes nothing, so one inert actor scope serves every call; as in the helpers, the actions a
 * transition chooses are collected, not executed.
 */
export function pureTransitions(machine: AnyStateMachine): PureTransitions {
  const self = createActor(machine);
  let chosen: ChosenAction[] = [];
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    defer: () => {},
    logger: () => {},
    stopChild: () => {},
    emit: () => {},
    actionExecutor: (action: ChosenAction) => void chosen.push(action),
  } as unknown as AnyActorScope;
  return {
    transition(snapshot, event) {
      chosen = [];
      const next = machine.transition(snapshot as never, event as never, scope) as AnyMachineSnapshot;
      return [next, chosen];
    },
    initialTransition(input) {
      chosen = [];
      const first = machine.getInitialSnapshot(scope, input as never) as AnyMachineSnapshot;
      return [first, chosen];
    },
  };
}

import { flowDefinitionSchema, type FlowDefinition, type FlowStep } from './flow-definition.js';
import { RESERVED_STATE_IDS } from './machine/builtin-states.js';

/** A flow that cannot run. The message names the file, the step and the fault, so start-up can just print it. */
export class FlowError extends Error {
  constructor(
    readonly source: string,
    readonly stepId: string | null,
    readonly fault: string,
  ) {
    super(`${source}: ${stepId ? `step "${stepId}": ` : ''}${fault}`);
    this.name = 'FlowError';
  }
}

export interface ValidateFlowOptions {
  /** Where the flow came from, for messages (a file path). */
  source: string;
  /** True when the key exists in the source locale. */
  hasText: (key: string) => boolean;
}

/** Parses and checks a flow; throws FlowError on the first fault found. */
export function validateFlow(raw: unknown, options: ValidateFlowOptions): FlowDefinition {
  const { source } = options;
  const parsed = flowDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const stepIndex = issue.path[0] === 'steps' && typeof issue.path[1] === 'number' ? issue.path[1] : null;
    const rawSteps = (raw as { steps?: { id?: unknown }[] } | null)?.steps;
    const stepName = stepIndex !== null ? String(rawSteps?.[stepIndex]?.id ?? `#${stepIndex + 1}`) : null;
    const where = issue.path.slice(stepIndex !== null ? 2 : 0).join('.');
    throw new FlowError(source, stepName, `${where ? `${where}: ` : ''}${issue.message}`);
  }
  const flow = parsed.data;
  const ids = new Set<string>();
  for (const step of flow.steps) {
    if (ids.has(step.id)) throw new FlowError(source, step.id, 'the id is used by more than one step');
    if (RESERVED_STATE_IDS.includes(step.id)) {
      throw new FlowError(source, step.id, `"${step.id}" is reserved for a step the engine adds`);
    }
    ids.add(step.id);
  }
  const exists = (id: string) => ids.has(id) || RESERVED_STATE_IDS.includes(id);
  const requireStep = (from: string | null, target: string, what: string) => {
    if (!exists(target)) throw new FlowError(source, from, `${what} goes to "${target}", which is not a step`);
  };
  requireStep(null, flow.start, 'start');
  requireStep(null, flow.resumeStep, 'resumeStep');
  for (const [command, target] of Object.entries(flow.commands)) requireStep(null, target, `command "${command}"`);
  for (const [old, target] of Object.entries(flow.renamedSteps)) requireStep(null, target, `renamed step "${old}"`);

  for (const step of flow.steps) {
    for (const key of textKeysOf(step)) {
      if (!options.hasText(key)) throw new FlowError(source, step.id, `text "${key}" is missing from the source locale`);
    }
    for (const [what, target] of edgesOf(step)) requireStep(step.id, target, what);
    if (step.kind === 'choice' || step.kind === 'multi') {
      const optionIds = new Set<string>();
      for (const option of step.options) {
        if (optionIds.has(option.id)) throw new FlowError(source, step.id, `option "${option.id}" appears twice`);
        optionIds.add(option.id);
      }
    }
  }

  const reachable = reachableSteps(flow);
  for (const step of flow.steps) {
    if (!reachable.has(step.id)) throw new FlowError(source, step.id, 'no path leads to this step');
  }

  const longest = longestQuestionPath(flow);
  if (longest.count > flow.maxQuestions) {
    throw new FlowError(
      source,
      null,
      `a resident can be asked ${longest.count} questions before the handoff (${longest.path.join(' -> ')}); maxQuestions is ${flow.maxQuestions}`,
    );
  }
  return flow;
}

function textKeysOf(step: FlowStep): string[] {
  switch (step.kind) {
    case 'choice':
      return [step.prompt, step.intro, step.hintedPrompt, step.unclear, ...step.options.flatMap((o) => [o.label, o.say])].filter(
        (k): k is string => k !== undefined,
      );
    case 'multi':
      return [step.prompt, step.ack, step.ackNote, step.ackStory, step.goOn, ...step.options.map((o) => o.label)].filter(
        (k): k is string => k !== undefined,
      );
    case 'summary':
      return [step.prompt, step.confirm.label, step.change.label, step.ownWords, step.skipped, ...step.lines.map((l) => l.label)];
    case 'details':
      return [step.prompt, step.confirmPrompt, step.confirmLabel, step.unclear];
    case 'handoff':
      return [step.say];
  }
}

/** Every (description, target) pair leaving a step. */
export function edgesOf(step: FlowStep): [string, string][] {
  switch (step.kind) {
    case 'choice':
      return [
        ['next', step.next],
        ...(step.skipTo ? ([['skipTo', step.skipTo]] as [string, string][]) : []),
        ...step.options.filter((o) => o.next).map((o): [string, string] => [`option "${o.id}"`, o.next!]),
      ];
    case 'multi':
      return [
        ['next', step.next],
        ...step.options.filter((o) => o.next).map((o): [string, string] => [`option "${o.id}"`, o.next!]),
      ];
    case 'summary':
      return [
        ['confirm', step.confirm.next],
        ['change', step.change.next],
      ];
    case 'details':
      return [['next', step.next]];
    case 'handoff':
      return [];
  }
}

function reachableSteps(flow: FlowDefinition): Set<string> {
  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const queue = [flow.start, flow.resumeStep, ...Object.values(flow.commands)];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const step = byId.get(id);
    if (step) queue.push(...edgesOf(step).map(([, target]) => target));
  }
  return seen;
}

/**
 * The most questions a resident can meet on one path from the start, not counting loops back
 * (changing an answer from the summary) and not counting steps marked question: false.
 */
function longestQuestionPath(flow: FlowDefinition): { count: number; path: string[] } {
  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  let best = { count: 0, path: [] as string[] };
  const walk = (id: string, onPath: string[], count: number) => {
    const step = byId.get(id);
    if (!step || onPath.includes(id)) return;
    const here = count + (step.question ? 1 : 0);
    const path = [...onPath, id];
    if (here > best.count) best = { count: here, path };
    const edges =
      step.kind === 'summary' ? [['confirm', step.confirm.next]] : step.kind === 'choice' && step.editing ? [] : edgesOf(step);
    for (const [, target] of edges) walk(target!, path, here);
  };
  walk(flow.start, [], 0);
  return best;
}

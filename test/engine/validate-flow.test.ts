import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../src/engine/flow-definition.js';
import { FlowError, validateFlow } from '../../src/engine/validate-flow.js';
import { intakeFlow, texts } from '../helpers/engine-driver.js';

function broken(change: (flow: any) => void): () => FlowDefinition {
  const flow = structuredClone(intakeFlow) as any;
  change(flow);
  return () => validateFlow(flow, { source: 'flows/test.json', hasText: texts.has });
}

describe('validating a flow', () => {
  it('accepts the shipped intake flow', () => {
    expect(validateFlow(structuredClone(intakeFlow), { source: 'x', hasText: texts.has }).id).toBe('intake');
  });

  it.each([
    [
      'a next step that does not exist',
      (f: any) => (f.steps[4].next = 'nowhere'),
      'flows/test.json: step "urgency": next goes to "nowhere", which is not a step',
    ],
    [
      'an option pointing nowhere',
      (f: any) => (f.steps[5].options[1].next = 'phoneCall'),
      'step "contact": option "phone" goes to "phoneCall"',
    ],
    [
      'a text key missing from the locales',
      (f: any) => (f.steps[4].prompt = 'bot:urgency.promptt'),
      'step "urgency": text "bot:urgency.promptt" is missing',
    ],
    [
      'a step no path leads to',
      (f: any) => f.steps.push({ id: 'orphan', kind: 'handoff', reason: 'asked-for-person', say: 'bot:handoff.person' }),
      'step "orphan": no path leads to this step',
    ],
    ['an unknown kind', (f: any) => (f.steps[4].kind = 'slider'), 'step "urgency"'],
    [
      'a duplicated option',
      (f: any) => f.steps[4].options.push({ id: 'week', label: 'bot:urgency.week' }),
      'step "urgency": option "week" appears twice',
    ],
    [
      'a sentence instead of a key',
      (f: any) => (f.steps[4].prompt = 'Hoe snel?'),
      'step "urgency": prompt: a text is a locale key',
    ],
    ['too many questions', (f: any) => (f.maxQuestions = 6), 'a resident can be asked 9 questions before the handoff'],
    ['a reserved id', (f: any) => (f.steps[4].id = 'stop'), 'step "stop": "stop" is reserved'],
  ])('names the step and the fault for %s', (_what, change, message) => {
    const run = broken(change);
    expect(run).toThrow(FlowError);
    expect(run).toThrow(message);
  });
});

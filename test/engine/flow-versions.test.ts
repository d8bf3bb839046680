import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../src/engine/flow-definition.js';
import { validateFlow } from '../../src/engine/validate-flow.js';
import { buildEngine, EngineResident, intakeFlow, texts } from '../helpers/engine-driver.js';

/** A changed flow, as if an editor shipped version 2 while residents were mid-intake. */
function version2(change: (flow: FlowDefinition) => void): FlowDefinition {
  const flow = structuredClone(intakeFlow) as FlowDefinition;
  flow.version = intakeFlow.version + 1;
  change(flow);
  return validateFlow(flow, { source: 'v2', hasText: texts.has });
}

describe('a flow change with conversations in flight', () => {
  it('continues at the same step when it still exists, and records the new version', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', '1', 'verder']) r.say(m);
    expect(r.step).toBe('urgency');
    r.engine = buildEngine(version2((f) => void (f.reminderAfterMinutes = 45)));
    r.say('2');
    expect(r.step).toBe('contact');
    expect(r.last.flowVersion).toBe(intakeFlow.version + 1);
    expect(r.answers.urgency).toBe('week');
  });

  it('follows a renamed step', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', '1', 'verder']) r.say(m);
    r.engine = buildEngine(
      version2((f) => {
        const step = f.steps.find((s) => s.id === 'urgency')!;
        step.id = 'howUrgent';
        for (const s of f.steps) {
          if ('next' in s && s.next === 'urgency') s.next = 'howUrgent';
          if (s.kind === 'choice') for (const o of s.options) if (o.next === 'urgency') o.next = 'howUrgent';
        }
        f.renamedSteps = { urgency: 'howUrgent' };
      }),
    );
    r.say('2');
    expect(r.step).toBe('contact');
  });

  it('picks up at the resume step, with a word of explanation, when the step is gone', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', '1', 'verder', '2', '2', '0612345678']) r.say(m);
    expect(r.step).toBe('reachable');
    r.engine = buildEngine(
      version2((f) => {
        f.steps = f.steps.filter((s) => s.id !== 'reachable');
        for (const s of f.steps) if (s.kind === 'choice') for (const o of s.options) if (o.next === 'reachable') delete o.next;
        for (const s of f.steps) if (s.kind === 'details') s.next = 'helper';
        const summary = f.steps.find((s) => s.kind === 'summary')!;
        if (summary.kind === 'summary') summary.lines = summary.lines.filter((l) => l.answer !== 'reachable');
      }),
    );
    r.say('1');
    expect(r.replyText).toContain(texts.t('nl', 'bot:flowChanged'));
    expect(r.step).toBe('domains');
    expect(r.answers.domains).toEqual(['parenting']); // what was answered is kept
    expect(r.last.flowVersion).toBe(intakeFlow.version + 1);
  });
});

describe('delayed events (reminders)', () => {
  it('asks for a timer on each question and cancels it when the question is answered', () => {
    const r = new EngineResident();
    r.say('hoi');
    expect(r.last.timers.schedule).toEqual([
      expect.objectContaining({ delayMs: 30 * 60_000, event: { type: expect.stringContaining('language') } }),
    ]);
    const first = r.last.timers.schedule[0]!.sendId;
    r.say('1');
    expect(r.last.timers.cancel).toContain(first);
  });

  it('sends the reminder when the timer comes due, and ignores a timer for a step already left', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    const consentTimer = r.last.timers.schedule[0]!;
    const engine = r.engine;
    const due = engine.step(r.state, { type: 'timer', event: consentTimer.event });
    expect(due.outbound.map((m) => m.text)).toEqual([texts.t('nl', 'bot:reminder.text')]);
    expect(due.snapshot.value).toBe('consent');
    r.say('ja');
    const stale = engine.step(r.state, { type: 'timer', event: consentTimer.event });
    expect(stale.changed).toBe(false);
    expect(stale.outbound).toEqual([]);
  });

  it('sends no reminder while a trust person has the chat', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja']) r.say(m);
    const domainsTimer = r.last.timers.schedule[0]!;
    const claimed = { ...r.state!, mode: 'with_person' as const };
    const due = r.engine.step(claimed, { type: 'timer', event: domainsTimer.event });
    expect(due.outbound).toEqual([]);
    expect(due.changed).toBe(false);
  });
});

describe('what a step reports as changed', () => {
  it('marks the intake changed only when an answer, a note or consent changed', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    expect(r.last.intakeChanged).toBe(true); // the language answer
    r.say('help');
    expect(r.last.intakeChanged).toBe(false);
    r.say('ja');
    expect(r.last.intakeChanged).toBe(true);
    r.say('geld');
    expect(r.last.intakeChanged).toBe(true);
    r.say('12'); // no such topic: asked again, nothing changed
    expect(r.last.intakeChanged).toBe(false);
  });
});

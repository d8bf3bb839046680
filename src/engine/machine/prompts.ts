import type { ChoiceStep, FlowDefinition, FlowStep, MultiStep, SummaryStep } from '../flow-definition.js';
import type { ChoiceRef, SayRequest, TextValue } from '../say.js';
import type { IntakeContext } from '../types.js';
import { LIST_SEPARATOR, PERSON_CHOICE, SKIP_CHOICE } from './choices.js';
import { knownDetail, offersPerson, orderedOptions } from './context.js';

export interface Prompts {
  /** What the bot says on entering a step: its question with numbered choices (and an intro the first time). */
  promptRequests(step: FlowStep, context: IntakeContext): SayRequest[];
  /** The numbered choices of a step's options, in the order shown. */
  choicesFor(step: ChoiceStep | MultiStep, context: IntakeContext): ChoiceRef[];
  /** The label of an answer as the resident saw it (the option id when no step owns the field). */
  optionLabel(field: string, optionId: string): TextValue;
}

/** Prompt building for one flow. Text stays as locale keys; the step renders it in the resident's language. */
export function createPrompts(flow: FlowDefinition): Prompts {
  const fieldOwner = new Map<string, ChoiceStep | MultiStep>();
  for (const s of flow.steps) if ((s.kind === 'choice' || s.kind === 'multi') && s.save) fieldOwner.set(s.save, s);

  const optionLabel = (field: string, optionId: string): TextValue => {
    const label = fieldOwner.get(field)?.options.find((o) => o.id === optionId)?.label;
    return label ? { t: label } : optionId;
  };

  const choicesFor = (step: ChoiceStep | MultiStep, context: IntakeContext): ChoiceRef[] =>
    orderedOptions(step, context).map((o, i) => ({ id: `${step.id}:${o.id}`, label: o.label, number: i + 1 }));

  const summaryText = (step: SummaryStep, context: IntakeContext): TextValue => {
    const lines: TextValue[] = [];
    for (const line of step.lines) {
      const answer = context.answers[line.answer];
      if (answer === undefined || (Array.isArray(answer) && answer.length === 0)) {
        if (!line.onlyIfAnswered) lines.push({ t: line.label, vars: { value: { t: step.skipped } } });
        continue;
      }
      const values = Array.isArray(answer) ? answer : [answer];
      lines.push({
        t: line.label,
        vars: { value: { join: values.map((v) => optionLabel(line.answer, v)), sep: LIST_SEPARATOR } },
      });
    }
    if (context.notes.length > 0) lines.push({ t: step.ownWords, vars: { count: context.notes.length } });
    return { join: lines.map((l) => ({ join: ['• ', l], sep: '' })), sep: '\n' };
  };

  const promptRequests = (step: FlowStep, context: IntakeContext): SayRequest[] => {
    switch (step.kind) {
      case 'choice': {
        const out: SayRequest[] = [];
        const firstContact = step.save === 'locale' && !context.localeChosen;
        if (step.intro && !context.greeted) out.push({ type: 'say', key: step.intro });
        const hinted = firstContact && context.localeHint && step.hintedPrompt;
        const skippable = step.question && step.save !== 'locale' && !step.skipTo;
        out.push({
          type: 'say',
          key: hinted ? step.hintedPrompt! : step.prompt,
          allLocales: firstContact && !hinted ? true : undefined,
          choices: [
            ...choicesFor(step, context),
            ...(skippable ? [SKIP_CHOICE] : []),
            ...(offersPerson(context) ? [PERSON_CHOICE] : []),
          ],
        });
        return out;
      }
      case 'multi':
        return [{ type: 'say', key: step.prompt, choices: [...choicesFor(step, context), SKIP_CHOICE] }];
      case 'summary':
        return [
          {
            type: 'say',
            key: step.prompt,
            vars: { summary: summaryText(step, context) },
            choices: [
              { id: `${step.id}:confirm`, label: step.confirm.label, number: 1 },
              { id: `${step.id}:change`, label: step.change.label, number: 2 },
            ],
          },
        ];
      case 'details': {
        const known = knownDetail(step, context);
        const person = offersPerson(context) ? [PERSON_CHOICE] : [];
        if (known === null) return [{ type: 'say', key: step.prompt, choices: [SKIP_CHOICE, ...person] }];
        return [
          {
            type: 'say',
            key: step.confirmPrompt,
            vars: { value: known },
            choices: [{ id: `${step.id}:known`, label: step.confirmLabel, number: 1 }, SKIP_CHOICE, ...person],
          },
        ];
      }
      case 'handoff':
        return [{ type: 'say', key: step.say }];
    }
  };

  return { promptRequests, choicesFor, optionLabel };
}

import { assign, emit, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import type { MachineEvent } from './events.js';
import type { ChoiceStep, DetailsStep, FlowDefinition, FlowOption, FlowStep, MultiStep, SummaryStep } from './flow-definition.js';
import type { ChoiceRef, SayRequest, TextValue } from './say.js';
import type { Effect, IntakeContext, MediaKind } from './types.js';

/** What the machine emits; the step turns these into outbound messages and effects. */
export type Emitted = SayRequest | { type: 'effect'; effect: Effect };

interface Conditions {
  option?: string;
  editing?: boolean;
  canResume?: boolean;
  guessedLocale?: boolean;
  notAcked?: boolean;
  lastQuestion?: string;
  safetyKnown?: boolean;
  /** The event answers one of these options (ANSWERS of a multi step). */
  chose?: string[];
  /** The reminder was said since the question was asked. */
  reminded?: boolean;
  /** The safety question was asked after the handoff and is not answered yet. */
  safetyPending?: boolean;
  discreet?: boolean;
}

export interface MachineInput {
  locale: string;
  /** The resident's phone number as the channel knows it (WhatsApp), offered when a call is chosen. */
  knownPhone?: string | null;
  localeHint: string | null;
  /** The language the first message was written in, when it is not one we have texts for (or is Darija in Latin letters). */
  writtenLanguage?: string | null;
  /** The resident's discreet mode and neutral wording from an earlier conversation. */
  discreet?: boolean;
  neutral?: boolean;
}

const EMERGENCY_CHOICES: ChoiceRef[] = [
  { id: 'cmd:person', label: 'bot:emergency.person' },
  { id: 'cmd:continue', label: 'bot:emergency.continue' },
];
/**
 * After danger is named the bot asks whether it is safe to chat now (issue 6): someone may read along.
 * The answer goes into the handoff's preferences, so the trust person knows how (not) to reach them.
 */
export const SAFETY_OPTIONS = ['safe', 'later', 'chatOnly', 'callAfter'] as const;
export type SafetyAnswer = (typeof SAFETY_OPTIONS)[number];
const SAFETY_CHOICES: ChoiceRef[] = SAFETY_OPTIONS.map((id, i) => ({
  id: `safety:${id}`,
  label: `bot:safety.options.${id}`,
  number: i + 1,
}));
/** The states of the emergency path, built in (not flow data): the engine restores them like steps. */
export const BUILTIN_STATES = ['stop', 'stopped', 'emergency', 'safety', 'safetyCallTime', 'safetyLater', 'emergencyChoices'];
const SKIP_CHOICE: ChoiceRef = { id: 'cmd:skip', label: 'bot:common.skip' };
/** What the bot says to the safety answer given after the handoff (a person is already on the way). */
const SAFETY_ACK_AFTER_HANDOFF: Record<SafetyAnswer, string> = {
  safe: 'bot:safety.noted',
  later: 'bot:safety.laterText',
  chatOnly: 'bot:safety.chatOnlyAck',
  callAfter: 'bot:safety.callTimeAsk',
};
const PERSON_CHOICE: ChoiceRef = { id: 'cmd:person', label: 'bot:common.person' };
/** From this many unclear answers in a row at one question, a person is offered. */
const UNCLEAR_BEFORE_PERSON = 2;
/** A first message in a language we have no texts for (not Darija in Latin letters, which we answer in Arabic). */
const foreignLanguage = (context: IntakeContext) =>
  Boolean(context.writtenLanguage) && context.writtenLanguage !== 'darija-latin';
/**
 * A question carries a "talk to a person" button after two unclear answers, after one before a language
 * is chosen, and at once for someone who wrote in a language we have no texts for: never a loop.
 */
function offersPerson(context: IntakeContext): boolean {
  const unclear = context.unclearCount ?? 0;
  if (!context.localeChosen) return unclear >= 1 || foreignLanguage(context);
  return unclear >= UNCLEAR_BEFORE_PERSON;
}
const CONTINUE_CHOICE: ChoiceRef = { id: 'cmd:continue', label: 'bot:common.continue' };

export function initialContext(input: MachineInput): IntakeContext {
  return {
    locale: input.locale,
    localeChosen: false,
    localeHint: input.localeHint,
    writtenLanguage: input.writtenLanguage ?? null,
    knownPhone: input.knownPhone ?? null,
    greeted: false,
    answers: {},
    notes: [],
    consent: null,
    lastQuestion: null,
    editing: false,
    urgent: false,
    ackedWhileWaiting: false,
    discreet: input.discreet === true,
    neutral: input.neutral === true,
  };
}

/** Channels with their own how-to texts (`bot:discreet.own.<channel>`, `bot:neutral.previews.<channel>`). */
const CHANNELS_WITH_TEXTS = new Set(['web', 'telegram', 'whatsapp']);
const channelText = (prefix: string, channel: string | null): TextValue => ({
  t: `${prefix}.${channel && CHANNELS_WITH_TEXTS.has(channel) ? channel : 'other'}`,
});
/** The timer of discreet mode's quiet-spell deletion (one per conversation, pushed on by every bot message). */
export const DISCREET_SWEEP_ID = 'discreetSweep';

/** The value a details step offers to confirm: the one given before, or the channel's own phone number. */
export function knownDetail(step: DetailsStep, context: IntakeContext): string | null {
  const given = context.answers[step.save];
  if (typeof given === 'string' && given) return given;
  return step.detail === 'phone' ? (context.knownPhone ?? null) : null;
}

/** Options in the order shown (and numbered): on the language question a suggested language comes first. */
export function orderedOptions(step: ChoiceStep | MultiStep, context: IntakeContext): FlowOption[] {
  if (step.kind !== 'choice' || step.save !== 'locale' || !context.localeHint) return step.options;
  const hinted = step.options.find((o) => o.id === context.localeHint);
  return hinted ? [hinted, ...step.options.filter((o) => o !== hinted)] : step.options;
}

/** Builds the XState machine for a flow. Text stays as locale keys; behaviour comes from named actions. */
export function compileFlow(
  flow: FlowDefinition,
  options: { reminderAfterMs?: number; discreetDeleteAfterMs?: number } = {},
): AnyStateMachine {
  const stepsById = new Map<string, FlowStep>(flow.steps.map((s) => [s.id, s]));
  const summaryStep = flow.steps.find((s): s is SummaryStep => s.kind === 'summary');
  const reminderMs = options.reminderAfterMs ?? Math.round(flow.reminderAfterMinutes * 60_000);
  // What the resident is told; a test's shorter delay still says at least one minute.
  const discreetMinutes = Math.max(
    1,
    Math.round((options.discreetDeleteAfterMs ?? flow.discreetDeleteAfterMinutes * 60_000) / 60_000),
  );
  const fieldOwner = new Map<string, ChoiceStep | MultiStep>();
  for (const s of flow.steps) if ((s.kind === 'choice' || s.kind === 'multi') && s.save) fieldOwner.set(s.save, s);

  const optionLabel = (field: string, optionId: string): TextValue => {
    const label = fieldOwner.get(field)?.options.find((o) => o.id === optionId)?.label;
    return label ? { t: label } : optionId;
  };
  /** The flow's field for each kind of detail (where a phone number typed at any question is kept). */
  const detailFields = new Map(flow.steps.filter((s): s is DetailsStep => s.kind === 'details').map((s) => [s.detail, s.save]));

  const choicesFor = (step: ChoiceStep | MultiStep, context: IntakeContext): ChoiceRef[] =>
    orderedOptions(step, context).map((o, i) => ({ id: `${step.id}:${o.id}`, label: o.label, number: i + 1 }));

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

  const summaryText = (step: SummaryStep, context: IntakeContext): TextValue => {
    const lines: TextValue[] = [];
    for (const line of step.lines) {
      const answer = context.answers[line.answer];
      if (answer === undefined || (Array.isArray(answer) && answer.length === 0)) {
        if (!line.onlyIfAnswered) lines.push({ t: line.label, vars: { value: { t: step.skipped } } });
        continue;
      }
      const values = Array.isArray(answer) ? answer : [answer];
      lines.push({ t: line.label, vars: { value: { join: values.map((v) => optionLabel(line.answer, v)), sep: ', ' } } });
    }
    if (context.notes.length > 0) lines.push({ t: step.ownWords, vars: { count: context.notes.length } });
    return { join: lines.map((l) => ({ join: ['• ', l], sep: '' })), sep: '\n' };
  };

  const machineSetup = setup({
    types: {
      context: {} as IntakeContext,
      events: {} as MachineEvent,
      input: {} as MachineInput,
      emitted: {} as Emitted,
    },
    actions: {
      prompt: enqueueActions(({ context, enqueue }, params: { step: string }) => {
        for (const request of promptRequests(stepsById.get(params.step)!, context)) enqueue.emit(request);
      }),
      say: emit((_, params: SayRequest) => params),
      effect: emit((_, params: { effect: Effect }) => ({ type: 'effect' as const, effect: params.effect })),
      ackAnswers: emit(({ context }, params: { step: string }) => {
        const step = stepsById.get(params.step) as MultiStep;
        const chosen = (context.answers[step.save] as string[] | undefined) ?? [];
        return {
          type: 'say' as const,
          key: step.ack,
          vars: { list: { join: chosen.map((id) => optionLabel(step.save, id)), sep: ', ' } },
          choices: [CONTINUE_CHOICE, ...choicesFor(step, context).filter((c) => !chosen.includes(c.id.split(':')[1]!))],
        };
      }),
      rememberQuestion: assign(({ context }, params: { step: string }) => ({
        lastQuestion: params.step,
        ...(context.lastQuestion === params.step ? {} : { unclearCount: 0, reminded: false }),
      })),
      saveDetail: assign(({ context, event }, params: { step: string }) => {
        const step = stepsById.get(params.step) as DetailsStep;
        const value = event.type === 'VALUE' ? event.value : event.type === 'ANSWER' ? knownDetail(step, context) : null;
        return value === null ? {} : { answers: { ...context.answers, [step.save]: value }, unclearCount: 0 };
      }),
      /** A phone number typed at any question ("bel me op 06 1234 5678") is kept where the phone question keeps it. */
      keepDetail: assign(({ context, event }) => {
        if (event.type !== 'DETAIL') return {};
        const field = detailFields.get(event.detail);
        return field ? { answers: { ...context.answers, [field]: event.value } } : {};
      }),
      setReminded: assign((_, params: { on: boolean }) => ({ reminded: params.on })),
      setSafetyPending: assign((_, params: { on: boolean }) => ({ safetyPending: params.on })),
      /**
       * "Sorry, I didn't understand", in every language while none is chosen yet. From the second time
       * at one question (or at once before a language is chosen) a person is offered: never a loop.
       */
      sayUnclear: enqueueActions(({ context, enqueue }, params: { key: string }) => {
        const count = (context.unclearCount ?? 0) + 1;
        const allLocales = context.localeChosen ? undefined : true;
        enqueue.assign({ unclearCount: count });
        enqueue.emit({ type: 'say', key: params.key, allLocales });
        // The question that follows carries the button (see offersPerson).
        if (count >= UNCLEAR_BEFORE_PERSON || !context.localeChosen)
          enqueue.emit({ type: 'say', key: 'bot:unclearPerson', allLocales });
      }),
      /** A message kept as the resident's own words at the question they are at (or where the event says). */
      keepNote: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'NOTE') return;
        const step = event.step ?? context.lastQuestion ?? 'other';
        enqueue.assign({ notes: [...context.notes, { step, messageId: event.messageId, kind: 'text' as const }] });
        if (event.ack) enqueue.emit({ type: 'say', key: 'bot:note.saved' });
      }),
      saveAnswer: assign(({ context, event }, params: { field: string }) => {
        const option = event.type === 'ANSWER' ? event.option : event.type === 'TEXT' ? event.guessedLocale : null;
        if (!option) return {};
        const answers = { ...context.answers, [params.field]: option };
        if (params.field === 'locale') return { answers, locale: option, localeChosen: true, unclearCount: 0 };
        if (params.field === 'consent') return { answers, consent: option === 'yes', unclearCount: 0 };
        return { answers, unclearCount: 0 };
      }),
      /** Without a choice the language question keeps the language the conversation already has. */
      keepLocale: assign({ localeChosen: true }),
      addAnswers: assign(({ context, event }, params: { field: string }) => {
        if (event.type !== 'ANSWERS') return {};
        const before = (context.answers[params.field] as string[] | undefined) ?? [];
        return { answers: { ...context.answers, [params.field]: [...new Set([...before, ...event.options])] } };
      }),
      addNote: assign(({ context, event }, params: { step: string }) => {
        if (event.type !== 'TEXT' && event.type !== 'MEDIA' && event.type !== 'DANGER') return {};
        const kind: 'text' | MediaKind = event.type === 'MEDIA' ? event.kind : 'text';
        return { notes: [...context.notes, { step: params.step, messageId: event.messageId, kind }] };
      }),
      ackNote: emit(({ event }) => ({
        type: 'say' as const,
        key:
          event.type === 'MEDIA' && (event.kind === 'voice' || event.kind === 'audio') ? 'bot:note.voiceSaved' : 'bot:note.saved',
      })),
      setEditing: assign((_, params: { on: boolean }) => ({ editing: params.on })),
      markGreeted: assign({ greeted: true }),
      sayNotice: emit(({ event }) => ({
        type: 'say' as const,
        key: `bot:notice.${event.type === 'NOTICE' ? event.notice : 'unsupported'}`,
      })),
      markUrgent: assign(({ context, event }) => ({
        urgent: true,
        // The first thing someone writes may be a cry for help: answer in the language it was written in.
        ...(event.type === 'DANGER' && !context.localeChosen ? { locale: event.locale, localeHint: event.locale } : {}),
      })),
      // Starting over (or after erasure) keeps discreet mode and neutral wording: they protect the resident.
      reset: assign(({ context }) => ({
        ...initialContext({ locale: context.locale, localeHint: context.locale }),
        discreet: context.discreet === true,
        neutral: context.neutral === true,
      })),
      setPrivacy: assign((_, params: { discreet?: boolean; neutral?: boolean }) => params),
      sayDiscreetOn: emit(({ event }) => ({
        type: 'say' as const,
        key: 'bot:discreet.on',
        vars: {
          after: { t: 'bot:discreet.after', vars: { count: discreetMinutes } },
          own: channelText('bot:discreet.own', event.type === 'DISCREET' ? event.channel : null),
        },
      })),
      sayNeutralOn: emit(({ event }) => ({
        type: 'say' as const,
        key: 'bot:neutral.on',
        vars: { previews: channelText('bot:neutral.previews', event.type === 'NEUTRAL' ? event.channel : null) },
      })),
      setAcked: assign((_, params: { on: boolean }) => ({ ackedWhileWaiting: params.on })),
      setSafety: assign(({ context }, params: { value: SafetyAnswer }) => ({
        answers: { ...context.answers, safety: params.value },
      })),
    },
    guards: {
      /** Every condition given must hold; one guard keeps the compiled config plain data. */
      when: ({ context, event }, p: Conditions) =>
        (p.option === undefined || (event.type === 'ANSWER' && event.option === p.option)) &&
        (p.editing === undefined || context.editing === p.editing) &&
        (p.canResume === undefined || (context.lastQuestion !== null) === p.canResume) &&
        (p.guessedLocale === undefined || (event.type === 'TEXT' && event.guessedLocale !== null) === p.guessedLocale) &&
        (p.notAcked === undefined || !context.ackedWhileWaiting === p.notAcked) &&
        (p.lastQuestion === undefined || context.lastQuestion === p.lastQuestion) &&
        (p.safetyKnown === undefined || (context.answers.safety !== undefined) === p.safetyKnown) &&
        (p.chose === undefined || (event.type === 'ANSWERS' && event.options.some((o) => p.chose!.includes(o)))) &&
        (p.reminded === undefined || (context.reminded === true) === p.reminded) &&
        (p.safetyPending === undefined || (context.safetyPending === true) === p.safetyPending) &&
        (p.discreet === undefined || (context.discreet === true) === p.discreet),
    },
  });

  type Transition = { target?: string; guard?: unknown; actions?: unknown[]; reenter?: boolean };
  const when = (conditions: Conditions) => ({ type: 'when', params: conditions });
  const say = (key: string, choices?: ChoiceRef[]) => ({
    type: 'say',
    params: { type: 'say', key, ...(choices ? { choices } : {}) },
  });

  /** Leaving a question: to the summary when changing an answer from it, else onward. */
  const onward = (next: string, actions: unknown[], explicitNext = false): Transition[] =>
    summaryStep && !explicitNext
      ? [
          { guard: when({ editing: true }), target: summaryStep.id, actions },
          { target: next, actions },
        ]
      : [{ target: next, actions }];

  const reprompt = (stepId: string, unclearKey?: string): Transition => ({
    target: stepId,
    reenter: true,
    actions: unclearKey ? [{ type: 'sayUnclear', params: { key: unclearKey } }] : [],
  });

  const reminder = (): Record<number, Transition> => ({
    [reminderMs]: { actions: [say('bot:reminder.text'), { type: 'setReminded', params: { on: true } }] },
  });
  /**
   * After the reminder, "sorry, I was away" is not an answer to the question: welcome back and ask it
   * again (once; the next text is the resident's own words as usual).
   */
  const backFromReminder = (stepId: string): Transition => ({
    guard: when({ reminded: true }),
    target: stepId,
    reenter: true,
    actions: [{ type: 'setReminded', params: { on: false } }, say('bot:reminder.back')],
  });

  const dangerActions = (step: string) => [
    { type: 'addNote', params: { step } },
    'markUrgent',
    { type: 'effect', params: { effect: { type: 'urgent', reason: 'danger-words' } } },
  ];

  // Setting the answer raises the urgency again, which rewrites the open handoff's preferences.
  function safety(value: SafetyAnswer) {
    return [
      { type: 'setSafety', params: { value } },
      { type: 'effect', params: { effect: { type: 'urgent', reason: 'danger-words' } } },
    ];
  }

  const states: Record<string, unknown> = {};
  for (const step of flow.steps) states[step.id] = compileStep(step);

  function compileStep(step: FlowStep): unknown {
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
          const resume = step.resumable ? [{ guard: when({ ...chosen, canResume: true }), target: 'resume', actions: save }] : [];
          const onwards = onward(o.next ?? step.next, save, o.next !== undefined || step.editing).map((t) => ({
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

  // The emergency path: the numbers at once, then "is it safe to chat now?" (once per conversation), then
  // the choice between a person and going on. No reminders here: a ping could give the resident away.
  const emergencyChoiceHandlers = {
    CONTINUE: { target: 'resume' },
    SKIP: { target: 'resume' },
    ANSWER: { target: 'resume' },
    ANSWERS: { target: 'resume' },
    UNCLEAR: { target: 'resume' },
    TEXT: { target: 'resume', actions: [{ type: 'addNote', params: { step: 'emergency' } }, 'ackNote'] },
    MEDIA: { target: 'resume', actions: [{ type: 'addNote', params: { step: 'emergency' } }, 'ackNote'] },
    DANGER: { actions: [{ type: 'addNote', params: { step: 'emergency' } }, say('bot:note.saved', EMERGENCY_CHOICES)] },
  };
  states.emergency = {
    entry: [say('bot:emergency.text')],
    always: [{ guard: when({ safetyKnown: true }), target: 'emergencyChoices' }, { target: 'safety' }],
    // A conversation stored in this state by an earlier version still gets its answers handled.
    on: emergencyChoiceHandlers,
  };
  const safetyNote = (step: string) => [{ type: 'addNote', params: { step } }, 'ackNote'];
  states.safety = {
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
      TEXT: { target: 'safety', reenter: true, actions: safetyNote('safety') },
      MEDIA: { target: 'safety', reenter: true, actions: safetyNote('safety') },
      UNCLEAR: { target: 'safety', reenter: true, actions: [say('bot:unclear')] },
    },
  };
  const toChoices = { target: 'emergencyChoices' };
  states.safetyCallTime = {
    entry: [say('bot:safety.callTimeAsk', [SKIP_CHOICE])],
    on: {
      // The time is in the resident's own words: a note the trust person reads beside the preference.
      TEXT: {
        target: 'emergencyChoices',
        actions: [{ type: 'addNote', params: { step: 'safetyCallTime' } }, say('bot:safety.callTimeSaved')],
      },
      MEDIA: {
        target: 'emergencyChoices',
        actions: [{ type: 'addNote', params: { step: 'safetyCallTime' } }, say('bot:safety.callTimeSaved')],
      },
      ANSWER: toChoices,
      ANSWERS: toChoices,
      UNCLEAR: toChoices,
      SKIP: toChoices,
      CONTINUE: toChoices,
    },
  };
  const welcomeBack = { target: 'emergencyChoices', actions: [say('bot:safety.welcomeBack')] };
  const welcomeBackWithNote = {
    target: 'emergencyChoices',
    actions: [{ type: 'addNote', params: { step: 'safetyLater' } }, say('bot:safety.welcomeBack')],
  };
  states.safetyLater = {
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
  };
  states.emergencyChoices = {
    entry: [say('bot:emergency.next', EMERGENCY_CHOICES)],
    on: emergencyChoiceHandlers,
  };
  const stopChoices: ChoiceRef[] = [
    { id: 'stop:yes', label: 'bot:stop.yes', number: 1 },
    { id: 'stop:no', label: 'bot:stop.no', number: 2 },
  ];
  states.stop = {
    entry: [say('bot:stop.prompt', stopChoices)],
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
  };
  const restartFromStopped = { target: flow.start };
  states.stopped = {
    entry: [say('bot:stop.done')],
    on: {
      ANSWER: restartFromStopped,
      ANSWERS: restartFromStopped,
      TEXT: restartFromStopped,
      MEDIA: restartFromStopped,
      UNCLEAR: restartFromStopped,
      SKIP: restartFromStopped,
      CONTINUE: restartFromStopped,
      STOP: { actions: [say('bot:stop.done')] },
    },
  };
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
      TEXT: { target: '.resume', actions: [{ type: 'addNote', params: { step: 'other' } }, 'ackNote'] },
      MEDIA: { target: '.resume', actions: [{ type: 'addNote', params: { step: 'other' } }, 'ackNote'] },
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
      DISCREET_SWEEP: {
        guard: when({ discreet: true }),
        actions: [{ type: 'effect', params: { effect: { type: 'cleanChat', scope: 'bot' } } }],
      },
    },
    states,
  };
  return machineSetup.createMachine(config as never) as unknown as AnyStateMachine;
}

import { assign, emit, enqueueActions, setup } from 'xstate';
import type { MachineEvent } from '../events.js';
import type { DetailsStep, FlowDefinition, FlowStep, MultiStep } from '../flow-definition.js';
import type { SayRequest, TextValue } from '../say.js';
import type { Effect, IntakeContext, MediaKind } from '../types.js';
import { CONTINUE_CHOICE, LIST_SEPARATOR } from './choices.js';
import { initialContext, knownDetail, UNCLEAR_BEFORE_PERSON, type MachineInput, type SafetyAnswer } from './context.js';
import type { Prompts } from './prompts.js';

/** What the machine emits; the step turns these into outbound messages and effects. */
export type Emitted = SayRequest | { type: 'effect'; effect: Effect };

/** The conditions of the one guard, `when`: every condition given must hold. */
export interface Conditions {
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

/** Channels with their own how-to texts (`bot:discreet.own.<channel>`, `bot:neutral.previews.<channel>`). */
const CHANNELS_WITH_TEXTS = new Set(['web', 'telegram', 'whatsapp']);
const channelText = (prefix: string, channel: string | null): TextValue => ({
  t: `${prefix}.${channel && CHANNELS_WITH_TEXTS.has(channel) ? channel : 'other'}`,
});

/**
 * The machine's vocabulary: XState's `setup` with every named action and the one guard. The compiled
 * states (compile-step.ts, builtin-states.ts) only name these, so the config stays plain data.
 */
export function createMachineSetup(
  flow: FlowDefinition,
  prompts: Prompts,
  options: { discreetMinutes: number; channelsWithoutDeletion?: ReadonlySet<string> },
) {
  const stepsById = new Map<string, FlowStep>(flow.steps.map((s) => [s.id, s]));
  /** The flow's field for each kind of detail (where a phone number typed at any question is kept). */
  const detailFields = new Map(flow.steps.filter((s): s is DetailsStep => s.kind === 'details').map((s) => [s.detail, s.save]));
  const { promptRequests, choicesFor, optionLabel } = prompts;
  const { discreetMinutes } = options;

  return setup({
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
      ackAnswers: emit(({ context, event }, params: { step: string }) => {
        const step = stepsById.get(params.step) as MultiStep;
        const chosen = (context.answers[step.save] as string[] | undefined) ?? [];
        const inStory = event.type === 'ANSWERS' && event.story === true;
        return {
          type: 'say' as const,
          key: (inStory && step.ackStory) || step.ack,
          vars: { list: { join: chosen.map((id) => optionLabel(step.save, id)), sep: LIST_SEPARATOR } },
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
        // assign merges: a key initialContext lacks must be cleared by name (the case a follow-up pointed at may be erased).
        followUp: undefined,
      })),
      setPrivacy: assign((_, params: { discreet?: boolean; neutral?: boolean }) => params),
      setFollowUp: assign(({ event }) =>
        event.type === 'AFTERCARE' ? { followUp: { handoffId: event.handoffId, kind: 'aftercare' as const } } : {},
      ),
      sayDiscreetOn: emit(({ event }): SayRequest => {
        const channel = event.type === 'DISCREET' ? event.channel : null;
        const own = channelText('bot:discreet.own', channel);
        // WhatsApp's Cloud API cannot take a sent message off the resident's phone: say so, honestly.
        if (channel && options.channelsWithoutDeletion?.has(channel)) {
          return { type: 'say', key: 'bot:discreet.cannotDelete', vars: { own } };
        }
        return {
          type: 'say',
          key: 'bot:discreet.on',
          vars: { after: { t: 'bot:discreet.after', vars: { count: discreetMinutes } }, own },
        };
      }),
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
}

export type MachineSetup = ReturnType<typeof createMachineSetup>;

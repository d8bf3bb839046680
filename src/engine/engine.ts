import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { pureTransitions } from './machine/pure-transitions.js';
import { compileFlow } from './compile-flow.js';
import { BUILTIN_STATES } from './machine/builtin-states.js';
import { DISCREET_SWEEP_ID, knownDetail, orderedOptions, SAFETY_OPTIONS } from './machine/context.js';
import type { Emitted } from './machine/machine-setup.js';
import type { MachineEvent } from './events.js';
import type { ChoiceStep, FlowDefinition, FlowStep, HandoffStep } from './flow-definition.js';
import { renderSay, type RenderDefaults } from './render.js';
import type { SayRequest, TextValue } from './say.js';
import { guessLocaleFromScript } from './text-match.js';
import type { Texts } from './texts.js';
import { AFTERCARE_ANSWERS } from './types.js';
import type {
  Availability,
  CleanChatEffect,
  NextOpening,
  ConversationMode,
  Effect,
  InboundContent,
  IntakeContext,
  IntakeRecord,
  OutboundMessage,
  PersistedConversation,
  TimerRequest,
} from './types.js';
import { guessLocale, understand, type StepView } from './understand.js';
import { createMessageReader, type Reading } from './understanding/message-reader.js';
import type { DangerModel } from './understanding/danger-model.js';
import { buildVocabulary, type Vocabulary } from './vocabulary.js';

export type StepInput = (
  | {
      type: 'inbound';
      content: InboundContent;
      /**
       * For a first message: the resident's case closed recently (issue 13). They get a short welcome
       * back and a new case linked to it, not a new intake; `locale` is the language they chose before.
       */
      returning?: { previousHandoffId: string; locale: string | null } | undefined;
    }
  /** A delayed event that came due (XState `after`), fed back exactly as the machine raised it. */
  | { type: 'timer'; event: { type: string } }
  /**
   * What a voice note said, once the speech server transcribed it (issue 15), some time after the note
   * itself was read as a note. Only danger is acted on (the numbers and an urgent mark, as when typed):
   * the intake has moved on, so an answer in it would land on the wrong question.
   */
  | { type: 'transcript'; messageId: number; text: string }
  /**
   * A new conversation the bot starts: the aftercare question, some time after the case `handoffId`
   * closed, in the resident's language (`locale`), with their discreet mode and neutral wording.
   */
  | {
      type: 'aftercare';
      handoffId: string;
      locale: string | null;
      privacy: { discreet: boolean; neutral: boolean };
    }
) & {
  /**
   * When a trust person can be expected to answer (office hours); the handoff messages say it. A function,
   * because working it out costs more than a whole step and only a handoff message needs it.
   */
  availability?: (() => Availability) | undefined;
};

export interface ConversationState {
  snapshot: PersistedConversation;
  flowVersion: number;
  mode: ConversationMode;
}

export interface StepResult {
  snapshot: PersistedConversation;
  flowVersion: number;
  mode: ConversationMode;
  locale: string;
  outbound: OutboundMessage[];
  effects: Effect[];
  timers: { schedule: TimerRequest[]; cancel: string[] };
  intake: IntakeRecord;
  /** False when the input did nothing (a timer for a step already left). */
  changed: boolean;
  /** True when answers, notes or consent differ from before the step (so the intake row needs writing). */
  intakeChanged: boolean;
}

export interface Engine {
  readonly flow: FlowDefinition;
  /** One inbound message or due timer against one conversation (null for a new one). Pure: no I/O. */
  step(conversation: ConversationState | null, input: StepInput): StepResult;
  /** True when a text names danger in any locale's word list (what makes `step` give the emergency numbers). */
  mentionsDanger(text: string | undefined): boolean;
  /**
   * One sentence of the bot outside the flow (the rate-limit notice) for a conversation: in its
   * language, or in every language while none has been chosen yet; in neutral wording when chosen.
   */
  say(conversation: ConversationState, key: string, vars?: Record<string, TextValue>): OutboundMessage;
  /**
   * The timers a sentence said outside the flow asks for: in discreet mode, the quiet-spell deletion
   * that every bot message pushes on (what `step` schedules for its own replies).
   */
  noticeTimers(conversation: ConversationState): TimerRequest[];
}

/** A language identifier for free text (ISO 639-1 code, and whether the guess is reliable). */
export type DetectLanguage = (text: string) => { language: string; reliable: boolean } | null;

export interface EngineOptions {
  render: RenderDefaults;
  /**
   * Identifies the language of a first message in any language (src/i18n/detect-language.ts wraps a
   * package for it). Without it only the script and the locales' marker words tell.
   */
  detectLanguage?: DetectLanguage;
  /** The danger model (locales/danger-model.json) for danger no phrase names; without it, phrases only. */
  dangerModel?: DangerModel | null;
  /** For tests: a shorter reminder than the flow's. */
  reminderAfterMs?: number;
  /** For tests: a shorter discreet-mode deletion delay than the flow's `discreetDeleteAfterMinutes`. */
  discreetDeleteAfterMs?: number;
  /** Channels whose sent messages cannot be deleted (WhatsApp's Cloud API): discreet mode says so. */
  channelsWithoutDeletion?: readonly string[];
}

/**
 * While a trust person has the chat the bot only answers these; everything else is theirs to read.
 * The privacy commands too: someone may be reading along at any moment.
 */
const EVENTS_WHILE_WITH_PERSON = new Set(['STOP', 'LANGUAGE', 'DISCREET', 'NEUTRAL', 'NORMAL']);
/** What a first message is acted on for straight away (anything else is a greeting). */
const EVENTS_ON_FIRST_MESSAGE = new Set(['DANGER', 'PERSON', 'STOP', 'HELP', 'DISCREET', 'NEUTRAL', 'NORMAL', 'DETAIL']);
/** A first message of this many words (not only a greeting) is kept as the resident's own words. */
const MIN_WORDS_FIRST_STORY = 3;
/** Below this many words a language detector guesses ("hallo" is German, Dutch and Spanish alike). */
const MIN_WORDS_TO_DETECT = 3;
/** Sub-dialogs the bot finishes even while a person has the chat (the resident started them). */
const STEPS_WHILE_WITH_PERSON = new Set(['stop', 'language']);

/** What a returning resident is told (issue 13): welcome back, your message goes to your trust person. */
const RETURNING_WELCOME = 'bot:returning.welcome';

/**
 * The paragraphs that say when a trust person can be expected to answer: open now (until when), open
 * but closing soon (and when after that), or closed (when it opens, and the numbers that are always open).
 */
export function whenAnswered(availability: Availability): { key: string; vars?: Record<string, TextValue> }[] {
  const next = (opening: NextOpening): TextValue => ({
    t: `bot:hours.next.${opening.when}`,
    vars: {
      time: opening.time,
      day: { date: opening.date, show: 'weekday' },
      date: { date: opening.date, show: 'dayMonth' },
    },
  });
  if (availability.open) {
    return availability.next
      ? [{ key: 'bot:hours.closingSoon', vars: { until: availability.until, next: next(availability.next) } }]
      : [{ key: 'bot:hours.open', vars: { until: availability.until } }];
  }
  const closed = availability.next
    ? { key: 'bot:hours.closed', vars: { next: next(availability.next) } }
    : { key: 'bot:hours.closedNoNext' };
  return [closed, { key: 'bot:hours.alwaysOpen' }];
}

export function createEngine(flow: FlowDefinition, texts: Texts, options: EngineOptions): Engine {
  const machine: AnyStateMachine = compileFlow(flow, {
    ...(options.reminderAfterMs !== undefined ? { reminderAfterMs: options.reminderAfterMs } : {}),
    ...(options.discreetDeleteAfterMs !== undefined ? { discreetDeleteAfterMs: options.discreetDeleteAfterMs } : {}),
    ...(options.channelsWithoutDeletion ? { channelsWithoutDeletion: options.channelsWithoutDeletion } : {}),
  });
  const transitions = pureTransitions(machine);
  const discreetDeleteAfterMs = options.discreetDeleteAfterMs ?? Math.round(flow.discreetDeleteAfterMinutes * 60_000);
  const sweepTimer = (): TimerRequest => ({
    sendId: DISCREET_SWEEP_ID,
    event: { type: 'DISCREET_SWEEP' },
    delayMs: discreetDeleteAfterMs,
  });
  const vocabulary: Vocabulary = buildVocabulary(flow, texts);
  const reader = createMessageReader(texts, options.dangerModel ?? null);
  const stepsById = new Map<string, FlowStep>(flow.steps.map((s) => [s.id, s]));
  const stateIds = new Set([...stepsById.keys(), ...BUILTIN_STATES]);
  const handoffSteps = flow.steps.filter((s): s is HandoffStep => s.kind === 'handoff');
  /** Where a returning resident waits: the step the person command leads to, or else the first handoff step. */
  const returningStep = handoffSteps.find((s) => s.id === flow.commands.person) ?? handoffSteps[0] ?? null;
  /** The messages that say a person will answer: they also say when (office hours). */
  const saysWhenAnswered = new Set([...handoffSteps.map((s) => s.say), RETURNING_WELCOME]);

  const supportedLocale = (hint: string | undefined | null): string | null => {
    if (!hint) return null;
    const base = hint.toLowerCase().split(/[-_]/)[0]!;
    return texts.locales.includes(base) ? base : null;
  };

  /**
   * What "ok / that's all" means at a choice: it skips a question, but never says yes to consent (its
   * skip means no); at the language question it takes the suggested language, and without one it is
   * no answer (someone who cannot read the question should not be moved on in Dutch).
   */
  const doneAt = (step: ChoiceStep, context: IntakeContext): StepView['done'] => {
    if (step.skipTo) return 'unclear';
    if (step.save === 'locale' && !context.localeChosen) return context.localeHint ? 'confirm' : 'unclear';
    return 'skip';
  };

  const stepView = (value: string, context: IntakeContext): StepView => ({
    ...stepViewOf(value, context),
    urgent: context.urgent,
    foreignLanguage: Boolean(context.writtenLanguage) && context.writtenLanguage !== 'darija-latin',
  });
  const stepViewOf = (value: string, context: IntakeContext): StepView => {
    const plain = { done: 'skip', keepsStories: false } as const;
    if (value === 'stop') return { id: 'stop', answers: 'one', optionIds: ['yes', 'no'], ...plain };
    if (value === 'aftercare') return { id: 'aftercare', answers: 'one', optionIds: [...AFTERCARE_ANSWERS], ...plain };
    if (value === 'safety' || context.safetyPending === true) {
      return { id: 'safety', answers: 'one', optionIds: [...SAFETY_OPTIONS], ...plain };
    }
    const step = stepsById.get(value);
    if (!step) return { id: value, answers: 'none', optionIds: [], done: 'continue', keepsStories: false };
    switch (step.kind) {
      case 'choice':
        return {
          id: step.id,
          answers: 'one',
          optionIds: orderedOptions(step, context).map((o) => o.id),
          done: doneAt(step, context),
          keepsStories: step.question && (step.onText ?? 'reprompt') === 'reprompt',
          aboutThePerson: step.aboutThePerson,
        };
      case 'multi':
        return {
          id: step.id,
          answers: 'many',
          optionIds: step.options.map((o) => o.id),
          done: 'continue',
          keepsStories: false,
          hearsMore: step.goOn !== undefined,
          catchAll: step.options.filter((o) => o.catchAll).map((o) => o.id),
        };
      case 'summary':
        return { id: step.id, answers: 'one', optionIds: ['confirm', 'change'], done: 'confirm', keepsStories: false };
      case 'details': {
        const known = knownDetail(step, context) !== null;
        return {
          id: step.id,
          answers: 'one',
          optionIds: known ? ['known'] : [],
          done: known ? 'confirm' : 'skip',
          keepsStories: false,
          detail: step.detail,
        };
      }
      case 'handoff':
        return { id: step.id, answers: 'none', optionIds: [], done: 'continue', keepsStories: false };
    }
  };

  /** More than a greeting: worth keeping as the resident's own words. */
  const isStory = (reading: Reading): boolean => reading.words >= MIN_WORDS_FIRST_STORY && !reading.greetingOnly;

  /**
   * The language a text is written in: a locale we have texts for (by script, by typical words, or by
   * the detector), and the language itself when it is not one of ours or needs a word for the trust
   * person ("darija-latin": Moroccan Arabic in Latin letters, answered in Arabic).
   */
  const languageOfText = (text: string, reading: Reading): { locale: string | null; language: string | null } | null => {
    const byScript = guessLocaleFromScript(text);
    if (byScript) return { locale: byScript, language: null };
    const byWords = guessLocale(text, reading);
    if (byWords === 'ar') return { locale: 'ar', language: 'darija-latin' };
    if (byWords) return { locale: byWords, language: null };
    const detected = reading.words >= MIN_WORDS_TO_DETECT ? options.detectLanguage?.(text) : null;
    if (detected?.reliable) {
      const locale = supportedLocale(detected.language);
      return { locale, language: locale ? null : detected.language };
    }
    return null;
  };

  const restore = (state: ConversationState): { snapshot: AnyMachineSnapshot; migrated: boolean } => {
    let { value, context } = state.snapshot;
    if (state.flowVersion === flow.version && stateIds.has(value)) {
      return { snapshot: machine.resolveState({ value, context }), migrated: false };
    }
    // An older flow: keep the step if it still exists (or was renamed); otherwise pick up at resumeStep.
    value = flow.renamedSteps[value] ?? value;
    if (stateIds.has(value)) return { snapshot: machine.resolveState({ value, context }), migrated: false };
    return {
      snapshot: machine.resolveState({ value: flow.resumeStep, context: { ...context, lastQuestion: flow.resumeStep } }),
      migrated: true,
    };
  };

  /**
   * A resident whose case closed recently (issue 13): the new conversation starts at the flow's person
   * step, where their message is read (kept for the trust person; danger still brings the numbers), with
   * a welcome back and a new handoff linked to the closed one instead of a greeting and the intake.
   */
  const startReturning = (
    step: HandoffStep,
    content: InboundContent,
    returning: { previousHandoffId: string; locale: string | null },
    collected: Emitted[],
  ): { snapshot: AnyMachineSnapshot; events: MachineEvent[] } => {
    const chosen = supportedLocale(returning.locale);
    const locale = chosen ?? supportedLocale(content.localeHint) ?? texts.sourceLocale;
    const [first] = transitions.initialTransition({
      locale,
      localeHint: locale,
      knownPhone: content.knownPhone ?? null,
      discreet: content.privacy?.discreet,
      neutral: content.privacy?.neutral,
    });
    const snapshot = machine.resolveState({
      value: step.id,
      // The welcome stands for the first acknowledgement; later messages are the trust person's to read.
      context: {
        ...first.context,
        localeChosen: chosen !== null,
        greeted: true,
        lastQuestion: step.id,
        ackedWhileWaiting: true,
        followUp: { handoffId: returning.previousHandoffId, kind: 'returning' },
      },
    });
    const events = understand(content, stepView(step.id, snapshot.context), locale, vocabulary, reader).filter(
      (e) => e.type !== 'PERSON',
    );
    collected.push({
      type: 'effect',
      effect: { type: 'handoff', reason: 'returning', previousHandoffId: returning.previousHandoffId },
    });
    // Someone in danger gets the emergency numbers first (the person step gives them), not a welcome.
    if (!events.some((e) => e.type === 'DANGER')) {
      collected.push({
        type: 'say',
        key: RETURNING_WELCOME,
        choices: [{ id: 'cmd:restart', label: 'bot:returning.startOver' }],
        allLocales: chosen ? undefined : true,
      });
    }
    return { snapshot, events };
  };

  return {
    flow,
    mentionsDanger(text) {
      if (!text) return false;
      return reader.read(text).danger !== null;
    },
    say(conversation, key, vars) {
      const context = conversation.snapshot.context;
      return renderSay({ type: 'say', key, vars, allLocales: !context.localeChosen }, context.locale, texts, options.render, {
        neutral: context.neutral === true,
      });
    },
    noticeTimers(conversation) {
      return conversation.snapshot.context.discreet === true ? [sweepTimer()] : [];
    },
    step(conversation, input) {
      if (input.type === 'transcript' && conversation === null) throw new Error('a transcript is read in its own conversation');
      const collected: Emitted[] = [];
      const timerActions: { kind: 'schedule' | 'cancel'; sendId: string; event?: { type: string }; delayMs?: number }[] = [];
      let snapshot: AnyMachineSnapshot;
      let events: MachineEvent[] = [];
      let before: IntakeContext | null = null;
      const modeBefore: ConversationMode = conversation?.mode ?? 'bot';

      const collect = (actions: readonly { type: string; params?: unknown }[]) => {
        for (const action of actions) {
          const params = action.params as Record<string, unknown> | undefined;
          if (action.type === 'xstate.emit') collected.push(params!.event as Emitted);
          else if (action.type === 'xstate.raise' && typeof params?.delay === 'number') {
            timerActions.push({
              kind: 'schedule',
              sendId: String(params.id),
              event: params.event as { type: string },
              delayMs: params.delay,
            });
          } else if (action.type === 'xstate.cancel') timerActions.push({ kind: 'cancel', sendId: String(params!.sendId) });
        }
      };
      const send = (event: { type: string }) => {
        const [next, actions] = transitions.transition(snapshot, event);
        if (next.status === 'error')
          throw new Error(`flow ${flow.id}@${flow.version} failed on ${event.type}: ${String(next.error)}`);
        snapshot = next;
        collect(actions as never);
      };

      const returning = conversation === null && input.type === 'inbound' ? input.returning : undefined;
      if (returning && returningStep && input.type === 'inbound') {
        ({ snapshot, events } = startReturning(returningStep, input.content, returning, collected));
      } else if (conversation === null && input.type === 'aftercare') {
        const locale = supportedLocale(input.locale) ?? texts.sourceLocale;
        [snapshot] = transitions.initialTransition({
          locale,
          localeHint: locale,
          discreet: input.privacy.discreet,
          neutral: input.privacy.neutral,
        });
        snapshot = machine.resolveState({
          value: snapshot.value,
          context: { ...snapshot.context, localeChosen: input.locale !== null, greeted: true },
        });
        send({ type: 'AFTERCARE', handoffId: input.handoffId } as MachineEvent);
      } else if (conversation === null) {
        const content = input.type === 'inbound' ? input.content : undefined;
        // Read once for its language and whether it is more than a greeting (understand reads it in the
        // resident's locale order once that is known).
        const firstReading = content?.text ? reader.read(content.text) : null;
        const written = content?.text && firstReading ? languageOfText(content.text, firstReading) : null;
        const hint = written?.locale ?? supportedLocale(content?.localeHint);
        const [first, actions] = transitions.initialTransition({
          locale: hint ?? texts.sourceLocale,
          localeHint: hint,
          writtenLanguage: written?.language ?? null,
          knownPhone: content?.knownPhone ?? null,
          discreet: content?.privacy?.discreet,
          neutral: content?.privacy?.neutral,
        });
        snapshot = first;
        collect(actions as never);
        if (content) {
          // A first message is a greeting; only danger and explicit commands are acted on straight away.
          const acted = understand(
            content,
            stepView(String(snapshot.value), snapshot.context),
            snapshot.context.locale,
            vocabulary,
            reader,
          ).filter((e) => EVENTS_ON_FIRST_MESSAGE.has(e.type));
          // It often holds the whole problem: kept as the resident's own words (danger keeps it itself).
          const story = firstReading !== null && isStory(firstReading) && !acted.some((e) => e.type === 'DANGER');
          events = [...(story ? [{ type: 'NOTE', messageId: content.messageId, step: 'first' } as const] : []), ...acted];
          // Someone whose first words name danger gets the emergency numbers first, not a welcome and a
          // language menu; the language question comes when they go on.
          if (acted.some((e) => e.type === 'DANGER')) collected.length = 0;
        }
      } else {
        const restored = restore(conversation);
        snapshot = restored.snapshot;
        before = snapshot.context as IntakeContext;
        if (restored.migrated) {
          collected.push({ type: 'say', key: 'bot:flowChanged' });
          send({ type: 'REPROMPT' });
        } else if (input.type === 'timer') {
          // A reminder is the bot's voice: not while a trust person has the chat, and not for a step already left.
          // Discreet mode's deletion is not: it runs whoever has the chat.
          const quietWithPerson = conversation.mode === 'with_person' && input.event.type !== 'DISCREET_SWEEP';
          if (quietWithPerson || !snapshot.can(input.event as never)) return unchanged(conversation, snapshot.context);
          send(input.event);
        } else if (input.type === 'transcript') {
          events = understand(
            { messageId: input.messageId, text: input.text },
            stepView(String(snapshot.value), snapshot.context),
            snapshot.context.locale,
            vocabulary,
            reader,
          ).filter((e) => e.type === 'DANGER');
          if (events.length === 0) return unchanged(conversation, snapshot.context as IntakeContext);
        } else if (input.type === 'inbound') {
          events = understand(
            input.content,
            stepView(String(snapshot.value), snapshot.context),
            snapshot.context.locale,
            vocabulary,
            reader,
          );
        }
      }

      for (const event of events) {
        if (modeBefore === 'with_person' && !STEPS_WHILE_WITH_PERSON.has(String(snapshot.value))) {
          // In the handoff step the machine itself answers danger (the numbers and the safety question) and reads the safety answer.
          const inHandoff = stepsById.get(String(snapshot.value))?.kind === 'handoff';
          const pendingSafety = (snapshot.context as IntakeContext).safetyPending === true;
          if (inHandoff && (event.type === 'DANGER' || (event.type === 'ANSWER' && pendingSafety))) {
            send(event);
            continue;
          }
          if (event.type === 'DANGER') {
            collected.push({ type: 'say', key: 'bot:emergency.text' });
            collected.push({ type: 'effect', effect: { type: 'urgent', reason: 'danger-words' } });
            continue;
          }
          if (!EVENTS_WHILE_WITH_PERSON.has(event.type)) continue;
        }
        send(event);
      }

      const context = snapshot.context as IntakeContext;
      const value = String(snapshot.value);
      const locale = context.locale;
      const outbound: OutboundMessage[] = [];
      const effects: Effect[] = [];
      const style = { neutral: context.neutral === true };
      for (const item of collected) {
        if (item.type !== 'say') {
          effects.push(item.effect);
          continue;
        }
        const request = item as SayRequest;
        const when = input.availability && saysWhenAnswered.has(request.key) ? whenAnswered(input.availability()) : [];
        outbound.push(
          renderSay(
            when.length > 0 ? { ...request, more: [...(request.more ?? []), ...when] } : request,
            locale,
            texts,
            options.render,
            style,
          ),
        );
      }
      // Discreet mode: a resident who writes has seen what came before, so it goes (theirs to read, a trust
      // person's too); one cleaning per step, the command's own (which also retries earlier failures) first.
      if (before?.discreet === true && input.type === 'inbound') effects.push({ type: 'cleanChat', scope: 'all' });
      const cleanings = effects.filter((e): e is CleanChatEffect => e.type === 'cleanChat');
      if (cleanings.length > 1) {
        const kept = cleanings.find((e) => e.again) ?? cleanings.find((e) => e.scope === 'all') ?? cleanings[0]!;
        effects.splice(0, effects.length, ...effects.filter((e) => e.type !== 'cleanChat' || e === kept));
      }
      const schedule = new Map<string, TimerRequest>();
      const cancel = new Set<string>();
      for (const t of timerActions) {
        if (t.kind === 'schedule') {
          schedule.set(t.sendId, { sendId: t.sendId, event: t.event!, delayMs: t.delayMs! });
          cancel.delete(t.sendId);
        } else {
          schedule.delete(t.sendId);
          cancel.add(t.sendId);
        }
      }
      // Discreet mode: every bot message pushes the quiet-spell deletion on; turning it off cancels it.
      if (context.discreet === true && outbound.length > 0) {
        schedule.set(DISCREET_SWEEP_ID, sweepTimer());
        cancel.delete(DISCREET_SWEEP_ID);
      } else if (before?.discreet === true && context.discreet !== true) {
        schedule.delete(DISCREET_SWEEP_ID);
        cancel.add(DISCREET_SWEEP_ID);
      }
      const stepKind = stepsById.get(value)?.kind;
      // After "good" to the aftercare question there is nothing left to do: the conversation closes.
      const derivedMode: ConversationMode = stepKind === 'handoff' ? 'waiting' : value === 'aftercareDone' ? 'closed' : 'bot';
      const mode: ConversationMode = modeBefore === 'with_person' && value !== 'stopped' ? 'with_person' : derivedMode;
      return {
        snapshot: { value, context },
        flowVersion: flow.version,
        mode,
        locale,
        outbound,
        effects,
        timers: { schedule: [...schedule.values()], cancel: [...cancel] },
        intake: { answers: context.answers, notes: context.notes, consent: context.consent },
        changed: true,
        // assign() replaces answers and notes only when they change, so identity tells.
        intakeChanged:
          before === null ||
          before.answers !== context.answers ||
          before.notes !== context.notes ||
          before.consent !== context.consent,
      };
    },
  };

  function unchanged(conversation: ConversationState, context: IntakeContext): StepResult {
    return {
      snapshot: conversation.snapshot,
      flowVersion: conversation.flowVersion,
      mode: conversation.mode,
      locale: context.locale,
      outbound: [],
      effects: [],
      timers: { schedule: [], cancel: [] },
      intake: { answers: context.answers, notes: context.notes, consent: context.consent },
      changed: false,
      intakeChanged: false,
    };
  }
}

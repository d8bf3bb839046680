import { createEngine, type ConversationState, type Engine, type StepResult } from '../../src/engine/engine.js';
import type { FlowDefinition } from '../../src/engine/flow-definition.js';
import { loadFlowFile } from '../../src/engine/load-flow.js';
import type { InboundContent } from '../../src/engine/types.js';
import { detectLanguage } from '../../src/i18n/detect-language.js';
import { loadTexts, type LoadedTexts } from '../../src/i18n/load-texts.js';
import { projectPath } from '../../src/project-path.js';
import { loadDangerModel } from '../../src/engine/understanding/load-danger-model.js';

export const texts: LoadedTexts = await loadTexts(projectPath('locales'));
export const intakeFlow: FlowDefinition = loadFlowFile(projectPath('flows/intake.json'), texts.has);

/** The danger model the app loads (locales/danger-model.json), so tests read danger as residents meet it. */
export const dangerModel = loadDangerModel(projectPath('locales'));

let defaultEngine: Engine | undefined;

/**
 * The engine on the app's intake flow, or on `flow`. Building one takes about a second (the phrase
 * indexes and machines), and the engine keeps no state between steps, so the default is built once per
 * test file and shared by every resident in it.
 */
export function buildEngine(flow?: FlowDefinition): Engine {
  if (flow) return createEngine(flow, texts, { render: { org: 'Al Amal' }, detectLanguage, dangerModel });
  defaultEngine ??= createEngine(intakeFlow, texts, { render: { org: 'Al Amal' }, detectLanguage, dangerModel });
  return defaultEngine;
}

/** One resident talking to the pure engine: no database, state kept in memory between steps. */
export class EngineResident {
  state: ConversationState | null = null;
  last!: StepResult;
  #messageId = 0;

  constructor(public engine: Engine = buildEngine()) {}

  send(content: Omit<InboundContent, 'messageId'>): StepResult {
    this.last = this.engine.step(this.state, { type: 'inbound', content: { messageId: ++this.#messageId, ...content } });
    this.state = { snapshot: this.last.snapshot, flowVersion: this.last.flowVersion, mode: this.last.mode };
    return this.last;
  }

  say(text: string, localeHint?: string): StepResult {
    return this.send({ text, localeHint });
  }

  press(choice: string): StepResult {
    return this.send({ choice });
  }

  get step(): string {
    return this.last.snapshot.value;
  }

  get answers() {
    return this.last.snapshot.context.answers;
  }

  /** All reply texts of the last step, joined. */
  get replyText(): string {
    return this.last.outbound.map((m) => m.text).join('\n');
  }

  /** The choices offered in the last step's last question. */
  get choices() {
    return [...this.last.outbound].reverse().find((m) => m.choices)?.choices ?? [];
  }
}

/**
 * The handoff message without what follows it: the app adds a paragraph saying when someone will answer
 * (the office hours at the moment of the test), which test/conversation/office-hours.db.test.ts checks.
 */
export const firstParagraph = (text: string | null): string => (text ?? '').split('\n\n')[0]!;

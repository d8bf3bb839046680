/**
 * Runs a corpus of resident phrases (test/understanding/corpus/<lng>.json, or another folder of the
 * same shape beside it) through the engine, as a first message and in the middle of the intake, and counts what a
 * resident would notice: the emergency numbers and an urgent mark for danger, a person for a request,
 * the next question for "that's all", and no alarm for harmless words.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConversationState, Engine } from '../../src/engine/engine.js';
import { DANGER_CATEGORIES } from '../../src/engine/understanding/message-reader.js';
import { projectPath } from '../../src/project-path.js';
import { buildEngine, EngineResident, texts } from '../helpers/engine-driver.js';

export interface Corpus {
  locale: string;
  danger: { text: string; category: string }[];
  harmless: string[];
  person: string[];
  done: string[];
}

/** `corpus`, or a folder of new phrases beside it (test/understanding/<set>/) to try before adding them. */
export type CorpusSet = string;

export function loadCorpora(set: CorpusSet): Corpus[] {
  const dir = projectPath(`test/understanding/${set}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Corpus);
}

export interface Score {
  hits: number;
  total: number;
  misses: string[];
}

export interface LocaleReport {
  locale: string;
  /** Danger recall per category, first message and mid-intake counted separately (each must hit). */
  danger: Record<string, Score>;
  dangerAll: Score;
  /** Harmless phrases that raised the alarm (in either position). */
  falseAlarms: Score;
  person: Score;
  done: Score;
}

const score = (): Score => ({ hits: 0, total: 0, misses: [] });
const count = (s: Score, ok: boolean, text: string) => {
  s.total += 1;
  if (ok) s.hits += 1;
  else s.misses.push(text);
};

/** A conversation at the topics question in `locale` (consent given), from which every phrase is tried. */
function atTopics(engine: Engine, locale: string): ConversationState {
  const r = new EngineResident(engine);
  r.say('hallo');
  r.press(`language:${locale}`);
  r.press('consent:yes');
  if (r.step !== 'domains') throw new Error(`could not reach the topics question in ${locale}`);
  return r.state!;
}

function tryPhrase(engine: Engine, state: ConversationState | null, text: string) {
  const result = engine.step(state, { type: 'inbound', content: { messageId: 1000, text } });
  return {
    result,
    alarm: result.effects.some((e) => e.type === 'urgent'),
    person: result.effects.some((e) => e.type === 'handoff' && e.reason === 'asked-for-person'),
  };
}

export function evaluate(corpus: Corpus, engine: Engine = buildEngine()): LocaleReport {
  const topics = atTopics(engine, corpus.locale);
  // "That's all" after a topic was chosen: the next question comes.
  const afterTopic = (() => {
    const r = new EngineResident(engine);
    r.state = topics;
    r.press('domains:money');
    return r.state!;
  })();
  const report: LocaleReport = {
    locale: corpus.locale,
    danger: Object.fromEntries(DANGER_CATEGORIES.map((c) => [c, score()])),
    dangerAll: score(),
    falseAlarms: score(),
    person: score(),
    done: score(),
  };
  for (const { text, category } of corpus.danger) {
    const ok = tryPhrase(engine, null, text).alarm && tryPhrase(engine, topics, text).alarm;
    count(report.danger[category] ?? (report.danger[category] = score()), ok, text);
    count(report.dangerAll, ok, text);
  }
  for (const text of [...corpus.harmless, ...corpus.person, ...corpus.done]) {
    const alarm = tryPhrase(engine, null, text).alarm || tryPhrase(engine, topics, text).alarm;
    count(report.falseAlarms, !alarm, text);
  }
  for (const text of corpus.person) count(report.person, tryPhrase(engine, topics, text).person, text);
  for (const text of corpus.done) {
    const next = tryPhrase(engine, afterTopic, text).result.snapshot.value;
    count(report.done, next === 'urgency', text);
  }
  return report;
}

export const percent = (s: Score) => (s.total === 0 ? 100 : (100 * s.hits) / s.total);

export { texts };

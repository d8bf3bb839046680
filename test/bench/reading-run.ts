import { createMessageReader } from '../../src/engine/understanding/message-reader.js';
import { dangerModel, texts } from '../helpers/engine-driver.js';
import { loadCorpora } from '../understanding/evaluate.js';
import { LatencyRecorder, type Throughput } from './stats.js';

/**
 * Reading one message (issue 9): every phrase of the understanding corpora (danger, harmless, person
 * requests, "that's all", in four languages and both scripts) through the reader with all four
 * locales' patterns and the danger model, `rounds` times over. The part of engine.step that grows with the phrase lists.
 */
export function runReading(rounds: number): Throughput & { phrases: number } {
  const reader = createMessageReader(texts, dangerModel);
  const phrases = loadCorpora('corpus').flatMap((c) => [...c.danger.map((d) => d.text), ...c.harmless, ...c.person, ...c.done]);
  for (const text of phrases) reader.read(text); // warm-up
  const latencies = new LatencyRecorder(phrases.length * rounds);
  for (let round = 0; round < rounds; round++) {
    for (const text of phrases) {
      const started = performance.now();
      reader.read(text);
      latencies.add(performance.now() - started);
    }
  }
  return { ...latencies.summarise(latencies.totalMs), phrases: phrases.length };
}

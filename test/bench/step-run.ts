import type { ConversationState } from '../../src/engine/engine.js';
import { buildEngine } from '../helpers/engine-driver.js';
import { LatencyRecorder, type Throughput } from './stats.js';
import { SCRIPT } from './workload.js';

/**
 * engine.step alone on the same script: the pure CPU part of an inbound message, no database and no
 * driver. The state goes through JSON between steps, as it does through the jsonb column, but that
 * round trip is not timed. Residents run one after the other: the step is synchronous anyway.
 */
export function runStepOnly(residents: number, warmupResidents: number): Throughput {
  const engine = buildEngine();
  const drive = (count: number, latencies: LatencyRecorder) => {
    let messageId = 0;
    for (let resident = 0; resident < count; resident++) {
      let state: ConversationState | null = null;
      // As in handleInbound: the resident's stored locale (the previous step's) is the hint.
      let localeHint: string | undefined;
      for (const text of SCRIPT) {
        const started = performance.now();
        const result = engine.step(state, { type: 'inbound', content: { messageId: ++messageId, text, localeHint } });
        latencies.add(performance.now() - started);
        localeHint = result.locale;
        state = JSON.parse(
          JSON.stringify({ snapshot: result.snapshot, flowVersion: result.flowVersion, mode: result.mode }),
        ) as ConversationState;
      }
      if (state?.mode !== 'waiting')
        throw new Error(`engine.step alone: resident ${resident} did not reach the handoff (mode ${state?.mode})`);
    }
  };
  drive(warmupResidents, new LatencyRecorder(0));
  const latencies = new LatencyRecorder(residents * SCRIPT.length);
  drive(residents, latencies);
  // Throughput of the steps themselves (one core), leaving out the untimed JSON round trips.
  return latencies.summarise(latencies.totalMs);
}

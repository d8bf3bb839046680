import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a send came to, as counted: sent, or which kind of failure (src/retry/outcome.ts). */
export type SendOutcome = 'sent' | 'retry' | 'retry_after' | 'unreachable' | 'failed';

/** The counts the conversation service and the dispatcher report; prom-client stays behind this. */
export interface Metrics {
  /** One inbound message, timer or voice-note transcript handled, in seconds (the whole transaction, with its wait for a turn). */
  step(kind: 'inbound' | 'timer' | 'transcript', seconds: number): void;
  /** One send's outcome; `replySeconds` from the resident's message to the first reply the channel took. */
  send(channel: string, outcome: SendOutcome, replySeconds?: number): void;
}

export interface OutboxStats {
  pending: number;
  /** Age of the oldest pending row in seconds (0 when none). */
  oldestSeconds: number;
}

/**
 * The Prometheus metrics (prom-client): step duration, inbound-to-reply latency, sends by channel and
 * outcome (a `retry_after` is the channel's 429), the outbox's depth and oldest age (read from the
 * database at each scrape), and Node's own (event loop lag, heap, GC).
 */
export function createMetrics(options: {
  outboxStats: () => Promise<OutboxStats>;
  /** Also Node's own metrics; they start timers and observers, so only when /metrics is on. */
  processMetrics: boolean;
}): Metrics & { registry: Registry } {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'tussenin_' });
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const step = new Histogram({
    name: 'tussenin_step_duration_seconds',
    help: 'Time to handle one inbound message or timer, from its arrival to its commit',
    labelNames: ['kind'],
    buckets: seconds,
    registers: [registry],
  });
  const reply = new Histogram({
    name: 'tussenin_reply_latency_seconds',
    help: "Time from a resident's message to the first reply the channel accepted (replies sent straight after their step)",
    labelNames: ['channel'],
    buckets: seconds,
    registers: [registry],
  });
  const sends = new Counter({
    name: 'tussenin_sends_total',
    help: 'Sends to residents by channel and outcome (retry_after: the channel asked to wait, e.g. a 429)',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  let stats: Promise<OutboxStats> | null = null;
  // One database read per scrape for both gauges.
  const read = () => (stats ??= options.outboxStats().finally(() => setTimeout(() => (stats = null), 0)));
  new Gauge({
    name: 'tussenin_outbox_pending',
    help: 'Outbox rows waiting to be sent (replies, staff messages, deletions)',
    registers: [registry],
    async collect() {
      this.set((await read()).pending);
    },
  });
  new Gauge({
    name: 'tussenin_outbox_oldest_pending_seconds',
    help: 'Age of the oldest outbox row still waiting',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestSeconds);
    },
  });
  return {
    registry,
    step: (kind, s) => step.observe({ kind }, s),
    send: (channel, outcome, replySeconds) => {
      sends.inc({ channel, outcome });
      if (replySeconds !== undefined) reply.observe({ channel }, replySeconds);
    },
  };
}

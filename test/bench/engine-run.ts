import { sql } from 'drizzle-orm';
import type { App } from '../../src/app.js';
import type { InboundMessage } from '../../src/conversation/inbound-message.js';
import { newEncryptionKey } from '../../src/crypto/field-cipher.js';
import { createTestApp } from '../helpers/test-app.js';
import type { BenchDatabase } from './databases.js';
import { BenchFailure } from './failure.js';
import { LatencyRecorder, type Throughput } from './stats.js';
import { MESSAGES_PER_RESIDENT, SCRIPT, runPool, timed } from './workload.js';

export interface RunSize {
  residents: number;
  concurrency: number;
  warmupResidents: number;
  /** Resident content encrypted at rest (ENCRYPTION_KEYS set). */
  encrypt?: boolean;
}

/**
 * The whole intake through app.conversations.handleInbound on one database: a warm-up on its own
 * residents, a truncate, then the measured run. Neither the dispatcher nor the timers are started,
 * so only the inbound path (one transaction per message) is measured.
 */
export async function runEngine(bench: BenchDatabase, size: RunSize): Promise<Throughput> {
  const app = await createTestApp(bench.database, size.encrypt ? { ENCRYPTION_KEYS: newEncryptionKey('bench') } : {});
  try {
    if (size.warmupResidents > 0) {
      await driveResidents(app, 'warm', size.warmupResidents, size.concurrency, new LatencyRecorder(0));
      await bench.truncate();
    }
    const latencies = new LatencyRecorder(size.residents * MESSAGES_PER_RESIDENT);
    const elapsedMs = await timed(() => driveResidents(app, 'resident', size.residents, size.concurrency, latencies));
    await expectHandoffs(bench, size.residents);
    return latencies.summarise(elapsedMs);
  } finally {
    await app.close();
  }
}

/** `count` residents, `concurrency` of them at a time, each sending the script one awaited message after the other. */
function driveResidents(app: App, prefix: string, count: number, concurrency: number, latencies: LatencyRecorder): Promise<void> {
  return runPool(count, concurrency, async (index) => {
    const externalUserId = `${prefix}-${index}`;
    for (const [position, text] of SCRIPT.entries()) {
      const message: InboundMessage = {
        channel: 'web',
        externalUserId,
        externalMessageId: `${externalUserId}-${position}`,
        text,
      };
      const outcome = await latencies.time(() => app.conversations.handleInbound(message));
      if (outcome.status !== 'processed')
        throw new BenchFailure(`${externalUserId} message ${position} (${text}) was not processed: ${outcome.status}`);
    }
  });
}

/** Every resident must have reached the handoff; a bench that measured something else is worthless. */
async function expectHandoffs(bench: BenchDatabase, expected: number): Promise<void> {
  const [row] = await bench.database.rows<{ n: number }>(sql`select count(*)::int as n from handoffs`);
  const found = Number(row?.n ?? 0);
  if (found !== expected) {
    throw new BenchFailure(
      `expected ${expected} handoffs after the intake (one per resident), found ${found}: the script no longer ends in a handoff`,
    );
  }
}

import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { preparedQueryOf } from '../../src/db/pglite-prepared.js';
import type { RunSize } from './engine-run.js';
import { LatencyRecorder, type Throughput } from './stats.js';
import { MESSAGES_PER_RESIDENT, SCRIPT, runPool, timed } from './workload.js';

/**
 * The bare floor: the least a transaction per inbound message must do, written by hand. Each one
 * deduplicates the message, locks and reads the conversation, writes its new snapshot and queues a
 * reply: four statements, no ORM, no engine.
 */
export interface FloorStatements {
  /** Runs `body` in one transaction; `query` runs one statement in it and resolves to its rows. */
  transaction(body: (query: FloorQuery) => Promise<void>): Promise<void>;
  /** Runs one statement outside a transaction (setup and reset). */
  execute(text: string): Promise<void>;
  close(): Promise<void>;
}

export type FloorQuery = (text: string, params: FloorParam[]) => Promise<unknown[]>;
type FloorParam = string | number | Record<string, unknown>;

const SCHEMA = [
  'drop schema if exists floor cascade',
  'create schema floor',
  'create table floor.messages (channel text not null, external_id text not null, primary key (channel, external_id))',
  'create table floor.conversations (id serial primary key, snapshot jsonb not null)',
  'create table floor.outbox (id bigserial primary key, conversation_id int not null, payload jsonb not null)',
];
const INITIAL_SNAPSHOT = `'{"value": "new", "context": {}}'::jsonb`;

const DEDUP = `insert into floor.messages (channel, external_id) values ('web', $1) on conflict do nothing returning external_id`;
const LOCK = 'select snapshot from floor.conversations where id = $1 for update';
const SAVE = 'update floor.conversations set snapshot = $2 where id = $1';
const QUEUE = 'insert into floor.outbox (conversation_id, payload) values ($1, $2)';

/** A snapshot and a reply about the size of the engine's, one per script position, built once. */
const SNAPSHOTS = SCRIPT.map((text, position) => ({
  value: `step-${position}`,
  context: {
    locale: 'nl',
    lastQuestion: `step-${position}`,
    answers: { domains: ['money', 'housing'], urgency: 'week', note: text },
    asked: position,
  },
}));
const REPLIES = SCRIPT.map((_, position) => ({
  text: `Antwoord ${position}: dank je, we gaan verder met de volgende vraag.`,
  locale: 'nl',
}));

/**
 * The floor with the same shape as the engine run: `residents` conversations, `concurrency` of them in
 * flight, each doing one transaction per script message in order. Warm-up first, then a reset.
 */
export async function runFloor(floor: FloorStatements, size: RunSize): Promise<Throughput> {
  for (const statement of SCHEMA) await floor.execute(statement);
  await floor.execute(
    `insert into floor.conversations (snapshot) select ${INITIAL_SNAPSHOT} from generate_series(1, ${size.residents})`,
  );

  const warmup = Math.min(size.warmupResidents, size.residents);
  if (warmup > 0) {
    await driveConversations(floor, 'warm', warmup, size.concurrency, new LatencyRecorder(0));
    await floor.execute('truncate floor.messages, floor.outbox restart identity');
    await floor.execute(`update floor.conversations set snapshot = ${INITIAL_SNAPSHOT}`);
  }
  const latencies = new LatencyRecorder(size.residents * MESSAGES_PER_RESIDENT);
  const elapsedMs = await timed(() => driveConversations(floor, 'resident', size.residents, size.concurrency, latencies));
  await floor.execute('drop schema floor cascade');
  return latencies.summarise(elapsedMs);
}

function driveConversations(
  floor: FloorStatements,
  prefix: string,
  count: number,
  concurrency: number,
  latencies: LatencyRecorder,
) {
  return runPool(count, concurrency, async (index) => {
    const conversationId = index + 1;
    for (let position = 0; position < SCRIPT.length; position++) {
      const externalId = `${prefix}-${index}-${position}`;
      await latencies.time(() => floorTransaction(floor, conversationId, externalId, position));
    }
  });
}

async function floorTransaction(
  floor: FloorStatements,
  conversationId: number,
  externalId: string,
  position: number,
): Promise<void> {
  await floor.transaction(async (query) => {
    const stored = await query(DEDUP, [externalId]);
    if (stored.length === 0) throw new Error(`floor: message ${externalId} seen twice`);
    const locked = await query(LOCK, [conversationId]);
    if (locked.length !== 1) throw new Error(`floor: conversation ${conversationId} is missing`);
    await query(SAVE, [conversationId, SNAPSHOTS[position]!]);
    await query(QUEUE, [conversationId, REPLIES[position]!]);
  });
}

/** The floor through postgres.js with a pool of `poolSize` connections (prepared statements, as drizzle uses). */
export function postgresFloor(url: string, poolSize: number): FloorStatements {
  const sql = postgres(url, { max: poolSize, onnotice: () => {}, connection: { application_name: 'tussenin-bench-floor' } });
  const run = (executor: postgres.Sql | postgres.TransactionSql, text: string, params: FloorParam[]) =>
    executor.unsafe(
      text,
      params.map((p) => (typeof p === 'object' ? sql.json(p as postgres.JSONValue) : p)),
      { prepare: true },
    );
  return {
    transaction: async (body) => {
      await sql.begin((tx) => body((text, params) => run(tx, text, params)));
    },
    execute: async (text) => {
      await sql.unsafe(text);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * The floor through an in-memory PGlite of its own: inside client.transaction, prepared statements run
 * as the app runs its own (src/db/pglite-prepared.ts), the fastest raw path PGlite has.
 */
export async function pgliteFloor(): Promise<FloorStatements> {
  const client = new PGlite();
  await client.waitReady;
  const prepared = preparedQueryOf(client);
  const asText = (p: FloorParam) => (typeof p === 'object' ? JSON.stringify(p) : p);
  return {
    transaction: async (body) => {
      await client.transaction(() => body((text, params) => prepared(text, params.map(asText))));
    },
    execute: async (text) => {
      await client.exec(text);
    },
    close: () => client.close(),
  };
}

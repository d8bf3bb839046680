/**
 * `npm run bench [-- --db pglite|postgres|both --residents N --concurrency C --warmup W --no-telegram --encrypt --json]`
 *
 * Drives N simulated residents through the whole intake in-process (C at a time) on PGlite and on a
 * fresh Postgres database, times the bare floor (four hand-written statements per transaction) on
 * both at the same concurrency, runs the same intake as Telegram updates through the webhook with
 * replies caught by a fake Bot API, and prints throughput, latency percentiles and peak memory.
 * Progress goes to stderr; with --json the last line of stdout is one JSON object.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_BENCH_DATABASE_URL,
  createPostgresBench,
  openPgliteBench,
  postgresUnavailable,
  redactUrl,
  type BenchDatabase,
} from './databases.js';
import { runEngine, type RunSize } from './engine-run.js';
import { BenchFailure } from './failure.js';
import { pgliteFloor, postgresFloor, runFloor } from './floor-run.js';
import { MemorySampler, round, type MemoryPeaks, type Throughput } from './stats.js';
import { runReading } from './reading-run.js';
import { runStepOnly } from './step-run.js';
import { runTelegram, TELEGRAM_BENCH_MESSAGES_PER_SECOND, TYPING_JITTER } from './telegram-run.js';
import { MESSAGES_PER_RESIDENT } from './workload.js';

/** Times over the corpus phrases when timing how long reading one message takes. */
const READING_ROUNDS = 20;

interface Options extends RunSize {
  db: 'pglite' | 'postgres' | 'both';
  json: boolean;
  databaseUrl: string;
  telegram: boolean;
  telegramResidents: number;
  telegramConcurrency: number;
  telegramTypingMs: number;
}

interface DatabaseResult {
  engine: Throughput;
  floor: Throughput;
  /** Engine messages per second ÷ floor transactions per second. */
  ratio: number;
  /** Telegram updates through the webhook, latency to the first reply at the fake Bot API (unless --no-telegram). */
  telegram?: Throughput;
}

interface BenchResult {
  options: Options;
  pglite?: DatabaseResult;
  postgres?: DatabaseResult;
  stepOnly: Throughput;
  /** Reading one message with every locale's phrases (understanding layer), CPU only. */
  reading: Throughput & { phrases: number };
  memory: MemoryPeaks;
  notes: string[];
}

const USAGE = `usage: npm run bench -- [--db pglite|postgres|both] [--residents N] [--concurrency C] [--warmup W]
                      [--telegram|--no-telegram] [--telegram-residents N] [--telegram-concurrency C]
                      [--telegram-typing-ms T] [--encrypt] [--json]
  --db                    which database to run on (default both; Postgres is skipped with a note when it cannot connect)
  --residents             simulated residents in the measured run (default 400), each sending ${MESSAGES_PER_RESIDENT} messages
  --concurrency           residents in flight at once, and the Postgres pool size (default 16)
  --warmup                residents in the warm-up before each measured run (default 20)
  --telegram              also run the intake as Telegram updates through the webhook (default on; --no-telegram skips it)
  --telegram-residents    Telegram chats in the measured run (default 200)
  --telegram-concurrency  Telegram chats in flight at once (default 64)
  --telegram-typing-ms    a chat's pause after the last reply before its next message, plus up to half again at
                          random (default 1000; 0 sends at once, and the per-chat pace then holds each reply ≈1 s)
  --encrypt               run the engine with ENCRYPTION_KEYS set (resident content encrypted at rest)
  --json                  end stdout with one line of JSON
Postgres: a fresh database tussenin_bench_<random> is created on BENCH_DATABASE_URL
(default ${DEFAULT_BENCH_DATABASE_URL}) and dropped at the end.`;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: 'both' },
      residents: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '20' },
      telegram: { type: 'boolean', default: false },
      'no-telegram': { type: 'boolean', default: false },
      'telegram-residents': { type: 'string', default: '200' },
      'telegram-concurrency': { type: 'string', default: '64' },
      'telegram-typing-ms': { type: 'string', default: '1000' },
      json: { type: 'boolean', default: false },
      encrypt: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.db !== 'pglite' && values.db !== 'postgres' && values.db !== 'both') {
    throw new UsageError(`--db must be pglite, postgres or both (got ${values.db})`);
  }
  if (values.telegram && values['no-telegram']) throw new UsageError('--telegram and --no-telegram contradict each other');
  return {
    db: values.db,
    residents: wholeNumber('--residents', values.residents, 1),
    concurrency: wholeNumber('--concurrency', values.concurrency, 1),
    warmupResidents: wholeNumber('--warmup', values.warmup, 0),
    json: values.json,
    encrypt: values.encrypt,
    databaseUrl: process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL,
    telegram: !values['no-telegram'],
    telegramResidents: wholeNumber('--telegram-residents', values['telegram-residents'], 1),
    telegramConcurrency: wholeNumber('--telegram-concurrency', values['telegram-concurrency'], 1),
    telegramTypingMs: wholeNumber('--telegram-typing-ms', values['telegram-typing-ms'], 0),
  };
}

class UsageError extends Error {}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`${flag} must be a whole number of at least ${min} (got ${text})`);
  return value;
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Cleanups that must run even when the run is interrupted (dropping the Postgres database). */
const pendingCleanups = new Set<() => Promise<void>>();

async function withCleanup<T>(cleanup: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  pendingCleanups.add(cleanup);
  try {
    return await body();
  } finally {
    pendingCleanups.delete(cleanup);
    await cleanup();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    void Promise.allSettled([...pendingCleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
}

/** The Telegram run on a database the engine run has used: emptied first, its own warm-up inside. */
async function benchTelegram(label: string, bench: BenchDatabase, options: Options): Promise<Throughput | undefined> {
  if (!options.telegram) return undefined;
  progress(`${label}: Telegram webhook (${options.telegramResidents} chats, ${options.telegramConcurrency} at a time)`);
  await bench.truncate();
  return runTelegram(bench, {
    residents: options.telegramResidents,
    concurrency: options.telegramConcurrency,
    warmupResidents: options.warmupResidents,
    typingMs: options.telegramTypingMs,
  });
}

async function benchPglite(options: Options): Promise<DatabaseResult> {
  const label = 'PGlite (memory://)';
  progress(`${label}: engine`);
  const bench = await openPgliteBench();
  const { engine, telegram } = await withCleanup(bench.destroy, async () => {
    const engine = await runEngine(bench, options);
    return { engine, telegram: await benchTelegram(label, bench, options) };
  });
  progress(`${label}: floor`);
  const floorClient = await pgliteFloor();
  const floor = await withCleanup(floorClient.close, () => runFloor(floorClient, options));
  return { engine, floor, ratio: engine.perSecond / floor.perSecond, telegram };
}

async function benchPostgres(adminUrl: string, options: Options): Promise<DatabaseResult> {
  const bench = await createPostgresBench(adminUrl, options.concurrency);
  return withCleanup(bench.destroy, async () => {
    const label = `Postgres (${bench.name})`;
    progress(`${label}: engine`);
    const engine = await runEngine(bench, options);
    progress(`${label}: floor`);
    const floorClient = postgresFloor(bench.url, options.concurrency);
    const floor = await withCleanup(floorClient.close, () => runFloor(floorClient, options));
    const telegram = await benchTelegram(label, bench, options);
    return { engine, floor, ratio: engine.perSecond / floor.perSecond, telegram };
  });
}

async function runBench(options: Options): Promise<BenchResult> {
  const sampler = new MemorySampler(50).start();
  const result: Omit<BenchResult, 'stepOnly' | 'reading' | 'memory'> = { options, notes: [] };
  if (options.encrypt) result.notes.push('engine: with ENCRYPTION_KEYS set (AES-256-GCM on text, snapshots, answers)');
  if (options.db !== 'postgres') result.pglite = await benchPglite(options);
  if (options.db !== 'pglite') {
    const problem = await postgresUnavailable(options.databaseUrl);
    if (problem === null) {
      result.postgres = await benchPostgres(options.databaseUrl, options);
    } else {
      const reason = `cannot connect to ${redactUrl(options.databaseUrl)} (${problem}); set BENCH_DATABASE_URL`;
      if (options.db === 'postgres') throw new BenchFailure(`Postgres: ${reason}`);
      const note = `Postgres skipped: ${reason}`;
      progress(note);
      result.notes.push(note);
    }
  }
  progress('engine.step alone (CPU, no database)');
  const stepOnly = runStepOnly(options.residents, options.warmupResidents);
  progress('reading messages (understanding layer, CPU, no database)');
  const reading = runReading(READING_ROUNDS);
  return { ...result, stepOnly, reading, memory: sampler.stop() };
}

// ---- printing ----

const perSecond = (t: Throughput) => round(t.perSecond);
const ms = (value: number) => round(value, 2);
const ratioOf = (r: DatabaseResult) => round(r.ratio, 3);

function formatMs(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What the Telegram rows measure and what bounds them. */
function telegramNotes(options: Options): string[] {
  const chats = options.telegramConcurrency;
  const typing = options.telegramTypingMs;
  const meanTypingS = (typing * (1 + TYPING_JITTER / 2)) / 1000;
  // With no typing time the per-chat pace makes each step take about a second anyway.
  const ceiling = chats / Math.max(meanTypingS, 1);
  const typingText =
    typing > 0
      ? `then types for ${typing}–${typing * (1 + TYPING_JITTER)} ms (random)`
      : 'then sends at once (so the per-chat pace holds every reply after the first ≈1 s: the latency is mostly that hold)';
  return [
    `telegram: ${options.telegramResidents} private chats, ${chats} at a time, warm-up ${options.warmupResidents}; each POSTs the same ` +
      `${MESSAGES_PER_RESIDENT} messages in-process to /telegram/webhook (secret header), waits until all of a step's replies ` +
      `reached the fake Bot API on 127.0.0.1 (no added delay), ${typingText}`,
    `telegram: latency = start of the POST → first reply of that update received by the fake (real dispatcher, outbox ` +
      `poll 20 ms, real TelegramAdapter through grammY); updates/s = updates ÷ wall-clock time of the run`,
    `telegram: TELEGRAM_MESSAGES_PER_SECOND=${TELEGRAM_BENCH_MESSAGES_PER_SECOND.toLocaleString('en-US')} so the global rate ` +
      `(default 25/s) is never the limit; the per-chat pace of 1 message a second stays, a real cost: the greeting's ` +
      `second message is held 1 s; the dispatcher claims a free place at once, so that hold stays in its own chat ` +
      `(on PGlite the one database connection, shared by every chat, is what the tail waits for)`,
    `telegram: updates/s is bounded by the chats, not the server: ${chats} chats typing ${meanTypingS.toFixed(2)} s on ` +
      `average between steps give at most ≈${Math.round(ceiling)} updates/s even with zero latency ` +
      `(raise --telegram-concurrency to load the server more)`,
  ];
}

function report(result: BenchResult): string {
  const { options } = result;
  const messages = options.residents * MESSAGES_PER_RESIDENT;
  const rows: string[][] = [['database', 'run', 'count', 'per second', 'p50 ms', 'p95 ms', 'p99 ms']];
  const line = (database: string, run: string, t: Throughput) => [
    database,
    run,
    String(t.count),
    perSecond(t).toLocaleString('en-US'),
    formatMs(t.p50Ms),
    formatMs(t.p95Ms),
    formatMs(t.p99Ms),
  ];
  const databases: [string, DatabaseResult | undefined, string][] = [
    ['PGlite', result.pglite, 'floor (raw query, 4 stmts/tx)'],
    ['Postgres', result.postgres, `floor (postgres.js, pool ${options.concurrency})`],
  ];
  for (const [name, r, floorLabel] of databases) {
    if (!r) continue;
    rows.push(line(name, 'engine (handleInbound, msgs)', r.engine));
    rows.push(line(name, floorLabel, r.floor));
    rows.push([name, 'engine msgs/s ÷ floor tx/s', '', ratioOf(r).toFixed(3), '', '', '']);
    if (r.telegram) rows.push(line(name, 'telegram (webhook → reply at fake, updates)', r.telegram));
  }
  rows.push(line('no db', 'engine.step alone (CPU only)', result.stepOnly));
  rows.push(line('no db', 'reading one message (all locales)', result.reading));
  const stepUs = (result.stepOnly.elapsedMs / result.stepOnly.count) * 1000;
  const readUs = (result.reading.elapsedMs / result.reading.count) * 1000;
  return [
    `tussenin bench — Node ${process.version}, ${options.residents} residents × ${MESSAGES_PER_RESIDENT} messages = ${messages} inbound messages, ` +
      `concurrency ${options.concurrency}, warm-up ${options.warmupResidents} residents`,
    '',
    table(rows, [false, false, true, true, true, true, true]),
    '',
    `engine.step alone: mean ${stepUs.toFixed(1)} µs per message on one core (state through JSON between steps, untimed)`,
    `reading one message: mean ${readUs.toFixed(1)} µs (goal ≤ 200 µs) over ${result.reading.phrases} corpus phrases × ${READING_ROUNDS} rounds, ` +
      `every locale's danger, harmless, person and "that's all" phrases`,
    ...(options.telegram ? telegramNotes(options) : []),
    `peak memory (sampled every 50 ms over the whole run): RSS ${result.memory.peakRssMb.toFixed(1)} MB, heap used ${result.memory.peakHeapMb.toFixed(1)} MB`,
    ...result.notes.map((note) => `note: ${note}`),
  ].join('\n');
}

function jsonLine(result: BenchResult): string {
  const engine = (t: Throughput) => ({
    messagesPerSecond: perSecond(t),
    p50Ms: ms(t.p50Ms),
    p95Ms: ms(t.p95Ms),
    p99Ms: ms(t.p99Ms),
  });
  const floor = (t: Throughput) => ({
    transactionsPerSecond: perSecond(t),
    p50Ms: ms(t.p50Ms),
    p95Ms: ms(t.p95Ms),
    p99Ms: ms(t.p99Ms),
  });
  const telegram = (t: Throughput) => ({
    updatesPerSecond: round(t.perSecond, 1),
    p50Ms: ms(t.p50Ms),
    p95Ms: ms(t.p95Ms),
    p99Ms: ms(t.p99Ms),
  });
  const database = (r: DatabaseResult | undefined) =>
    r
      ? {
          engine: engine(r.engine),
          floor: floor(r.floor),
          ratio: ratioOf(r),
          ...(r.telegram ? { telegram: telegram(r.telegram) } : {}),
        }
      : undefined;
  const { options } = result;
  const us = (value: number) => round(value * 1000, 1);
  return JSON.stringify({
    node: process.version,
    residents: result.options.residents,
    concurrency: result.options.concurrency,
    messagesPerResident: MESSAGES_PER_RESIDENT,
    ...(options.telegram
      ? {
          telegramResidents: options.telegramResidents,
          telegramConcurrency: options.telegramConcurrency,
          telegramTypingMs: options.telegramTypingMs,
        }
      : {}),
    pglite: database(result.pglite),
    postgres: database(result.postgres),
    engineStepOnly: {
      stepsPerSecond: perSecond(result.stepOnly),
      meanUs: us(result.stepOnly.elapsedMs / result.stepOnly.count),
      p50Us: us(result.stepOnly.p50Ms),
      p95Us: us(result.stepOnly.p95Ms),
      p99Us: us(result.stepOnly.p99Ms),
    },
    readingOneMessage: {
      meanUs: us(result.reading.elapsedMs / result.reading.count),
      p99Us: us(result.reading.p99Ms),
      phrases: result.reading.phrases,
    },
    peakRssMb: round(result.memory.peakRssMb, 1),
    peakHeapMb: round(result.memory.peakHeapMb, 1),
  });
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const result = await runBench(options);
  console.log(report(result));
  if (options.json) console.log(jsonLine(result));
}

try {
  await main();
} catch (error) {
  if (error instanceof BenchFailure) console.error(`bench failed: ${error.message}`);
  else console.error('bench failed:', error);
  process.exitCode = 1;
}

import { sql } from 'drizzle-orm';
import type { App } from '../../src/app.js';
import { renderForTelegram } from '../../src/channels/telegram/render-telegram.js';
import type { ConversationState, Engine } from '../../src/engine/engine.js';
import { FakeTelegram, TEST_BOT_TOKEN, testBotInfo, type SentMessage } from '../helpers/fake-telegram.js';
import { postUpdate, TelegramUser } from '../helpers/telegram-user.js';
import { createTestApp } from '../helpers/test-app.js';
import type { BenchDatabase } from './databases.js';
import { BenchFailure } from './failure.js';
import { LatencyRecorder, type Throughput } from './stats.js';
import { SCRIPT, runPool, timed } from './workload.js';

export interface TelegramRunSize {
  residents: number;
  concurrency: number;
  warmupResidents: number;
  /**
   * A resident's typing time: after the last reply of a step it waits this long plus a random part of
   * up to half of it again before sending the next message. From 1000 ms up the per-chat pace (one
   * message a second) never holds the first reply of a step, so the latency is the server's; at 0 that
   * reply is held ≈1 s behind the previous one by construction. The random part keeps the residents
   * from moving in lockstep (64 messages landing in the same millisecond, every second).
   */
  typingMs: number;
}

const SECRET = 'bench-webhook-secret-0123456789';
/** The global send rate given to the adapter: far above anything reached, so its own gap never waits. */
export const TELEGRAM_BENCH_MESSAGES_PER_SECOND = 1_000_000;
/** The typing time is typingMs × (1 + up to this, uniformly at random). */
export const TYPING_JITTER = 0.5;
/** A step whose replies have not all reached the fake by then fails the run. */
const REPLY_TIMEOUT_MS = 60_000;

/**
 * Telegram end to end on one database: the real app (webhook mode, dispatcher and TelegramAdapter
 * started) with grammY sending to the fake Bot API on 127.0.0.1. Each resident is a private chat that
 * POSTs the script to /telegram/webhook (in-process, with the secret header), one message at a time,
 * and waits until all of that step's replies reached the fake before the next. The latency of an
 * update runs from the start of its POST to the first reply reaching the fake; the throughput is
 * updates per second of wall-clock time over the measured run.
 */
export async function runTelegram(bench: BenchDatabase, size: TelegramRunSize): Promise<Throughput> {
  const chats = new ChatReplies();
  const fake = await FakeTelegram.start(TEST_BOT_TOKEN, { onSent: (message) => chats.arrived(message) });
  let app: App | null = null;
  try {
    app = await createTestApp(
      bench.database,
      {
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: 'https://bench.example.org',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_MESSAGES_PER_SECOND: String(TELEGRAM_BENCH_MESSAGES_PER_SECOND),
        OUTBOX_POLL_MS: '20',
        // The production default: no timer is due during the intake, so the runner only adds polling.
        TIMER_POLL_MS: '5000',
      },
      { telegramBotInfo: testBotInfo },
    );
    await app.start();
    const expected = expectedReplies(app.engine);
    const driver = new Residents(app, fake, bench, chats, expected, size);

    if (size.warmupResidents > 0) {
      await driver.drive(1_000_000, size.warmupResidents, new LatencyRecorder(0));
      await outboxDrained(bench);
      await bench.truncate();
    }
    const latencies = new LatencyRecorder(size.residents * SCRIPT.length);
    const elapsedMs = await timed(() => driver.drive(2_000_000, size.residents, latencies));
    await outboxDrained(bench);
    const outboundPerResident = expected.reduce((sum, step) => sum + step.messages, 0);
    await expectOutcome(bench, size.residents, size.residents * outboundPerResident);
    return latencies.summarise(elapsedMs);
  } finally {
    await app?.close();
    await fake.close();
  }
}

interface ExpectedStep {
  /** The texts of the sendMessage calls the step causes, in order. */
  texts: string[];
  /** Its outbound messages (outbox rows); a long one would be several sendMessage calls. */
  messages: number;
}

/** What each step of the script must send, from the app's own engine and the channel's renderer. */
function expectedReplies(engine: Engine): ExpectedStep[] {
  let state: ConversationState | null = null;
  let localeHint: string | undefined;
  return SCRIPT.map((text, position) => {
    const result = engine.step(state, { type: 'inbound', content: { messageId: position + 1, text, localeHint } });
    localeHint = result.locale;
    state = { snapshot: result.snapshot, flowVersion: result.flowVersion, mode: result.mode };
    const texts = result.outbound.flatMap((message) => renderForTelegram(message).map((chunk) => chunk.text));
    if (texts.length === 0) throw new BenchFailure(`step ${position} (${text}) of the script has no reply to wait for`);
    return { texts, messages: result.outbound.length };
  });
}

interface Arrival {
  text: string;
  /** performance.now() when the fake recorded the sendMessage. */
  at: number;
}

interface Chat {
  arrivals: Arrival[];
  /** Wakes the resident waiting for its replies (set only while it waits). */
  wake: (() => void) | null;
}

/** The replies each watched chat received, fed by the fake's onSent hook. */
class ChatReplies {
  readonly #chats = new Map<number, Chat>();

  open(chatId: number): Chat {
    const chat: Chat = { arrivals: [], wake: null };
    this.#chats.set(chatId, chat);
    return chat;
  }

  close(chatId: number): void {
    this.#chats.delete(chatId);
  }

  arrived(message: SentMessage): void {
    const chat = this.#chats.get(message.chat_id);
    if (!chat) return;
    chat.arrivals.push({ text: message.text, at: performance.now() });
    chat.wake?.();
  }
}

class Residents {
  constructor(
    private readonly app: App,
    private readonly fake: FakeTelegram,
    private readonly bench: BenchDatabase,
    private readonly chats: ChatReplies,
    private readonly expected: ExpectedStep[],
    private readonly size: TelegramRunSize,
  ) {}

  /** `count` private chats with ids from firstChatId, `concurrency` at a time, each through the whole script. */
  drive(firstChatId: number, count: number, latencies: LatencyRecorder): Promise<void> {
    return runPool(count, this.size.concurrency, (index) => this.#resident(firstChatId + index, latencies));
  }

  async #resident(chatId: number, latencies: LatencyRecorder): Promise<void> {
    const chat = this.chats.open(chatId);
    // Only messageUpdate is used: it shapes the update as Telegram does (no language_code, as step-run).
    const user = new TelegramUser(this.fake, this.bench.database, async () => undefined, { chatId });
    try {
      let lastReplyAt = 0;
      for (const [position, text] of SCRIPT.entries()) {
        if (position > 0 && this.size.typingMs > 0) {
          await sleep(lastReplyAt + this.size.typingMs * (1 + TYPING_JITTER * Math.random()) - performance.now());
        }
        const before = chat.arrivals.length;
        const wanted = this.expected[position]!.texts;
        const update = user.messageUpdate({ text });
        const started = performance.now();
        const response = await postUpdate(this.app.server, update, SECRET);
        if (response.status !== 200) {
          throw new BenchFailure(`chat ${chatId} message ${position} (${text}): the webhook answered ${response.status}`);
        }
        await waitForReplies(chat, before + wanted.length, () => `chat ${chatId} message ${position} (${text})`);
        const replies = chat.arrivals.slice(before);
        for (const [i, reply] of replies.entries()) {
          if (reply.text !== wanted[i]) {
            throw new BenchFailure(
              `chat ${chatId} message ${position} (${text}): reply ${i} was ${JSON.stringify(reply.text.slice(0, 80))}, ` +
                `expected ${JSON.stringify(wanted[i]!.slice(0, 80))}`,
            );
          }
        }
        latencies.add(replies[0]!.at - started);
        lastReplyAt = replies[replies.length - 1]!.at;
      }
      const total = this.expected.reduce((sum, step) => sum + step.texts.length, 0);
      if (chat.arrivals.length !== total) {
        throw new BenchFailure(`chat ${chatId} received ${chat.arrivals.length} messages over the script, expected ${total}`);
      }
    } finally {
      this.chats.close(chatId);
    }
  }
}

/** Resolves once the chat has `count` replies; a BenchFailure after REPLY_TIMEOUT_MS. */
function waitForReplies(chat: Chat, count: number, what: () => string): Promise<void> {
  if (chat.arrivals.length >= count) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      chat.wake = null;
      const got = chat.arrivals.length;
      reject(new BenchFailure(`${what()}: ${got} of ${count} replies reached the fake Bot API within ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    chat.wake = () => {
      if (chat.arrivals.length < count) return;
      chat.wake = null;
      clearTimeout(timer);
      resolve();
    };
  });
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** Waits until the dispatcher has recorded every send (the fake sees a reply just before its row is marked sent). */
async function outboxDrained(bench: BenchDatabase): Promise<void> {
  const deadline = Date.now() + REPLY_TIMEOUT_MS;
  for (;;) {
    const [row] = await bench.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox where status <> 'sent'`);
    const left = Number(row?.n ?? 0);
    if (left === 0) return;
    if (Date.now() > deadline)
      throw new BenchFailure(`${left} outbox rows were still not sent ${REPLY_TIMEOUT_MS} ms after the run`);
    await sleep(20);
  }
}

/** Every resident reached the handoff and every reply was sent exactly once. */
async function expectOutcome(bench: BenchDatabase, residents: number, outboundRows: number): Promise<void> {
  const [row] = await bench.database.rows<{ handoffs: number; sent: number }>(
    sql`select (select count(*)::int from handoffs) as handoffs, (select count(*)::int from outbox where status = 'sent') as sent`,
  );
  const handoffs = Number(row?.handoffs ?? 0);
  if (handoffs !== residents) {
    throw new BenchFailure(`Telegram: expected ${residents} handoffs (one per resident), found ${handoffs}`);
  }
  const sent = Number(row?.sent ?? 0);
  if (sent !== outboundRows) throw new BenchFailure(`Telegram: expected ${outboundRows} sent outbox rows, found ${sent}`);
}

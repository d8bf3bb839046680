import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { ChannelName, InboundMessage } from './inbound-message.js';
import type { Database, Tx } from '../db/database.js';
import { runAsOneStatement, type Query, type WritePart } from '../db/query.js';
import { conversations, residents, timers } from '../db/schema.js';
import type { ConversationState, Engine, StepInput, StepResult } from '../engine/engine.js';
import type { AuditLog } from '../audit/audit-log.js';
import { UNVERSIONED, type ConsentVersion } from '../privacy/consent-version.js';
import { hasUnsent, queueDeletions, takeFailedDeletions } from './effects/clean-chat.js';
import { eraseResidentData, RESIDENT_ACTOR, wantsErasure } from './effects/erase.js';
import { stepEffectParts } from './effects/step-effects.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { recordSent, type SentRecord } from '../outbox/record-sent.js';
import {
  insertConversationPart,
  linkInboundPart,
  lockConversationAndStoreInbound,
  lockResident,
  leasedRepliesPart,
  replyParts,
  type LeasedReply,
  residentLocalePart,
  selectOpenConversation,
  timerParts,
  updateConversationPart,
  upsertResident,
  type OpenConversation,
} from './conversation-statements.js';
import type { InboundLimits, LimitExceeded } from './inbound-limits.js';
import { KeyedQueue } from './keyed-queue.js';
import { queueLanguageJobPart } from '../language/language-jobs.js';
import { cleanOptionalText, withoutControlCharacters } from '../text/control-characters.js';
import type { Availability, CleanChatEffect, OutboundMessage, PersistedConversation } from '../engine/types.js';

export type InboundOutcome =
  | {
      status: 'processed';
      residentId: string;
      conversationId: string;
      replies: number;
      /** Set when the message went over a rate limit: stored, not read by the bot (see InboundLimits). */
      limited?: LimitExceeded | undefined;
    }
  | { status: 'duplicate'; residentId: string };

/** A reply leased to this process in its step: what the sender needs to send it without reading the database. */
export interface DirectReply extends LeasedReply {
  residentId: string;
  channel: ChannelName;
  externalUserId: string;
  message: OutboundMessage;
  /** When the resident's message arrived (ms since the epoch): the reply latency is measured from it. */
  arrivedAt: number;
}

export interface ConversationService {
  /** Stores one inbound message (deduplicated) and runs the conversation step, all in one transaction. */
  handleInbound(message: InboundMessage): Promise<InboundOutcome>;
  /** Feeds one due timer back through the step; false when it was already gone (cancelled or handled). */
  handleTimer(timerId: number): Promise<boolean>;
  /**
   * Discreet mode: after a deletion ended (the dispatcher calls it), tells the resident how many of our
   * messages could not be deleted, once none of theirs is left to try. True when it told them.
   */
  reportFailedDeletions(residentId: string): Promise<boolean>;
  /**
   * Aftercare (issue 13): asks the resident of a closed case how things are now, in a new conversation,
   * if the case is due and nobody asked yet (claimed in the same transaction, so once across instances).
   * Not when the resident is talking to us already, chose discreet mode, said "later" to the safety
   * question, declined consent, or cannot be reached: then it records why (`aftercare_skipped`).
   */
  startAftercare(handoffId: string): Promise<AftercareOutcome>;
  /**
   * Reads a voice note's transcript (issue 15) for danger, in the conversation the note belongs to if it
   * is still open: danger gets the numbers and an urgent mark, as typed. True when the step acted.
   */
  handleTranscript(messageId: number, text: string): Promise<boolean>;
}

/** What became of a due aftercare question. */
export type AftercareOutcome = 'asked' | 'taken' | 'gone' | AftercareSkipped;
export type AftercareSkipped = 'active' | 'discreet' | 'later' | 'consent' | 'unreachable';

export interface ConversationServiceDeps {
  database: Database;
  engine: Engine;
  logger: Logger;
  /**
   * Called after a commit that wrote replies, so the dispatcher can send them now rather than at its
   * next poll; `direct` are the rows this step leased to this process (see `directSend`), to send as they are.
   */
  onReplies?: (direct?: readonly DirectReply[]) => void;
  /**
   * Replies of an inbound step go straight to this process's sender after commit, leased to it for
   * `leaseMs` (a crash lets go of them), while `accepting()` says the sender runs. Absent: the
   * dispatcher claims every row.
   */
  directSend?: { leaseMs: number; accepting: () => boolean };
  /** Where the time of each step is counted (/metrics). */
  metrics?: Pick<Metrics, 'step'>;
  /**
   * The sends to this channel address that went out but are not recorded in the outbox yet (the sender
   * records them in batches): a step leases its replies past them, and records them itself before
   * discreet mode reads what was sent.
   */
  sentNotRecorded?: (address: string) => readonly SentRecord[];
  /** Called after every committed step (the inbox's live views and the handoff alerts listen); must not throw. */
  onCommitted?: (step: { residentId: string; conversationId: string; effects: readonly string[] }) => void;
  /** Inbound rate limits (per resident and global); none when absent. */
  limits?: InboundLimits;
  /** The version of the consent text per language, for the consent records (src/privacy/consent-version.ts). */
  consentVersion?: ConsentVersion;
  /** Where a resident's own erasure ("stop" → yes) is recorded; not recorded when absent. */
  audit?: Pick<AuditLog, 'record'>;
  /**
   * A resident who writes within this many days of their case closing is a returning resident: a short
   * welcome back and a new case offered to the same trust person, no new intake (issue 13). 0: off.
   */
  returnToSamePersonDays?: number;
  /** When a trust person can be expected to answer at a moment (the office hours, src/hours). */
  availability?: (at: Date) => Availability;
  /**
   * The language servers that are configured (issue 15): an inbound voice note is queued for
   * transcription, a typed message for translation, in the step's own statement; `onQueued` wakes the worker.
   */
  language?: { transcribe: boolean; translate: boolean; onQueued?: () => void };
  now?: () => Date;
}

/** Thrown inside a transaction to roll it back when the inbound message was seen before. */
class DuplicateInbound extends Error {}

export function createConversationService(deps: ConversationServiceDeps): ConversationService {
  const { database, engine, logger } = deps;
  const { db } = database;
  const now = deps.now ?? (() => new Date());
  const queue = new KeyedQueue();
  const returnDays = deps.returnToSamePersonDays ?? 0;
  const returnSince = () => (returnDays > 0 ? new Date(now().getTime() - returnDays * 86_400_000) : null);

  /**
   * Everything a step changes, in one statement, the last of its transaction (erasure, which is rare,
   * goes first on its own).
   */
  async function writeStep(
    tx: Tx,
    query: Query,
    ids: {
      residentId: string;
      conversationId: string;
      channel: string;
      residentLocale: string | null;
      /** A first message: the conversation row is created here, with the step's snapshot. */
      isNew?: boolean;
      inboundId?: number;
      /** The conversation's consent before this step (null for a new one). */
      consentBefore: boolean | null;
      /** Lease the replies for a direct send after commit (an inbound step, see `directSend`). */
      direct?: boolean;
      /** Outbox rows of this resident that were sent though they look pending (see `sentNotRecorded`). */
      alreadySent?: readonly SentRecord[];
      /** More writes of this step (the language jobs of its inbound message). */
      more?: readonly WritePart[];
    },
    result: StepResult,
  ): Promise<LeasedReply[]> {
    const at = now();
    // Erasure before the replies: the confirmation written below must survive it.
    const erase = wantsErasure(result);
    if (erase) await eraseOwnData(tx, query, ids, at);
    const conversation = {
      id: ids.conversationId,
      snapshot: result.snapshot,
      flowVersion: result.flowVersion,
      mode: result.mode,
      at,
    };
    const parts: WritePart[] = ids.isNew
      ? [
          insertConversationPart(database.cipher, ids.residentId, engine.flow.id, conversation),
          ...(ids.inboundId ? [linkInboundPart(ids.inboundId, ids.conversationId)] : []),
        ]
      : [updateConversationPart(database.cipher, conversation)];
    if (!erase) {
      const target = { residentId: ids.residentId, conversationId: ids.conversationId, now: at };
      const consent = { before: ids.consentBefore, version: deps.consentVersion ?? (() => UNVERSIONED) };
      parts.push(...stepEffectParts(database.cipher, target, result, consent));
    }
    if (result.locale !== ids.residentLocale) parts.push(residentLocalePart(ids.residentId, result.locale));
    const directLeaseMs = ids.direct && deps.directSend?.accepting() ? deps.directSend.leaseMs : undefined;
    const alreadySent = ids.alreadySent?.map((r) => r.id);
    if (result.outbound.length > 0) {
      parts.push(...replyParts(database.cipher, { ...ids, at, directLeaseMs, alreadySent }, result.outbound));
    }
    parts.push(...timerParts(ids.conversationId, result.timers, at));
    if (ids.more) parts.push(...ids.more);
    // The step's last statement: its commit goes with it (see StatementOptions.thenCommit).
    if (directLeaseMs === undefined || result.outbound.length === 0) {
      await runAsOneStatement(query, parts, { thenCommit: true });
      return [];
    }
    const leased = await runAsOneStatement<LeasedReply>(query, [...parts, leasedRepliesPart()], { thenCommit: true });
    return leased.map((r) => ({ outboxId: Number(r.outboxId), messageId: Number(r.messageId) }));
  }

  /**
   * The resident's own "stop" → yes: everything they told us goes, like a staff erasure, but the row
   * (channel address, locale) and the conversation stay, so the confirmation reaches them and the chat
   * can go on. Audited with the resident as actor (ids only).
   */
  async function eraseOwnData(
    tx: Tx,
    query: Query,
    ids: { residentId: string; conversationId: string; isNew?: boolean },
    at: Date,
  ) {
    const erased = await eraseResidentData(query, ids.residentId, {
      reason: 'resident',
      keep: 'address',
      keepConversationId: ids.isNew ? undefined : ids.conversationId,
      at,
    });
    await deps.audit?.record(
      {
        actor: RESIDENT_ACTOR,
        action: 'resident.erase',
        outcome: 'allowed',
        residentId: ids.residentId,
        detail: { erasure: 'resident', handoffs: erased?.handoffs.map((h) => h.id) ?? [] },
      },
      tx,
    );
  }

  /**
   * A message over a rate limit: it is stored and linked to the conversation already (the trust person
   * sees it), but the bot does not read it. Once per window the resident is told, in their language,
   * to slow down and send their answer again; not while a trust person has the chat (the bot is quiet then).
   */
  async function storedOnly(args: {
    query: Query;
    over: LimitExceeded;
    open: OpenConversation;
    residentId: string;
    channel: string;
    languageParts: readonly WritePart[];
    /** The first message over the limit in this window (InboundLimits.firstInWindow): the one that tells them. */
    firstInWindow: boolean;
  }): Promise<{ status: 'processed'; residentId: string; conversationId: string; replies: number; limited: LimitExceeded }> {
    const { query, over, open, residentId } = args;
    if (args.languageParts.length > 0) await runAsOneStatement(query, args.languageParts);
    let replies = 0;
    if (args.firstInWindow) {
      logger.warn({ channel: args.channel, limit: over }, 'inbound rate limit reached: messages are stored, not read by the bot');
      if (open.mode !== 'with_person') {
        const notice = engine.say(stateOf(open), `bot:slowDown.${over}`);
        const target = { residentId, conversationId: open.id, channel: args.channel, at: now() };
        await runAsOneStatement(query, replyParts(database.cipher, target, [notice]));
        replies = 1;
      }
    }
    return { status: 'processed', residentId, conversationId: open.id, replies, limited: over };
  }

  function stateOf(open: OpenConversation): ConversationState {
    return { snapshot: open.snapshot, flowVersion: open.flowVersion, mode: open.mode };
  }

  /**
   * Discreet mode: queues the step's cleaning (effects/clean-chat.ts) in its transaction, before the step is
   * written; adds a word to its replies when some of our messages are too old to delete; and when a
   * quiet-spell sweep finds messages not sent yet (paced, or the channel was down), it comes again.
   */
  async function withCleaning(query: Query, residentId: string, address: string, result: StepResult): Promise<StepResult> {
    const cleaning = result.effects.find((e): e is CleanChatEffect => e.type === 'cleanChat');
    if (!cleaning || wantsErasure(result)) return result;
    // Sends that went out and are not recorded yet would look unsent, and stay on the resident's screen.
    await recordSent(query, deps.sentNotRecorded?.(address) ?? []);
    const { tooOld } = await queueDeletions(query, residentId, cleaning);
    const sweepAgain = cleaning.scope === 'bot' && (await hasUnsent(query, residentId));
    if (tooOld === 0 && !sweepAgain) return result;
    const state = { snapshot: result.snapshot, flowVersion: result.flowVersion, mode: result.mode };
    const schedule = new Map(result.timers.schedule.map((t) => [t.sendId, t]));
    for (const t of engine.noticeTimers(state)) schedule.set(t.sendId, t);
    const told = tooOld > 0 ? [engine.say(state, 'bot:discreet.tooOld', { count: tooOld })] : [];
    return {
      ...result,
      outbound: [...result.outbound, ...told],
      timers: { schedule: [...schedule.values()], cancel: result.timers.cancel.filter((id) => !schedule.has(id)) },
    };
  }

  return {
    async handleInbound(received) {
      // When it arrived: how long it then waits for its turn (its resident's earlier messages, a free
      // database connection) is the lag the inbound limits shed load by.
      const arrivedAt = now().getTime();
      const message = cleanInbound(received);
      const key = `${message.channel}:${message.externalUserId}`;
      let residentIdForDuplicate = '';
      let effects: string[] = [];
      let direct: DirectReply[] = [];
      let queuedLanguageWork = false;
      // Asked once per message, though the body may run twice (a shared transaction that rolled back).
      let limit: LimitExceeded | null | undefined;
      let firstInWindow: boolean | undefined;
      try {
        const outcome = await queue.run(key, async () => {
          // Grouped: other residents' steps may share this transaction (group commit); the body may run
          // twice, so what it reports is set afresh on each run.
          return database.transaction(
            async (tx, query) => {
              effects = [];
              direct = [];
              queuedLanguageWork = false;
              // Sent together, executed in order on one connection: the upsert takes the resident's row
              // lock first, and the statement after it starts (and takes its snapshot) only then.
              // Never read the conversation in the upsert's own statement: its snapshot predates the lock.
              const [resident, { open, inboundId, previousHandoffId }] = await Promise.all([
                upsertResident(query, message, now()),
                lockConversationAndStoreInbound(query, database.cipher, message, returnSince()),
              ]);
              residentIdForDuplicate = resident.id;
              if (inboundId === undefined) throw new DuplicateInbound();
              // Counted only once we know it is new. A message that starts a conversation is always read
              // (so the conversation exists), and so is one that names danger: it gets the numbers.
              if (limit === undefined) limit = deps.limits?.take(key, now().getTime() - arrivedAt) ?? null;
              const over = limit;
              const languageParts = languageJobParts(deps.language, message, inboundId, resident.id);
              queuedLanguageWork = languageParts.length > 0;
              if (open && over && !engine.mentionsDanger(message.text)) {
                firstInWindow ??= deps.limits!.firstInWindow(key);
                return storedOnly({
                  query,
                  over,
                  open,
                  residentId: resident.id,
                  channel: message.channel,
                  languageParts,
                  firstInWindow,
                });
              }
              const conversationId = open?.id ?? randomUUID();
              const input: StepInput = {
                type: 'inbound',
                availability: deps.availability ? () => deps.availability!(now()) : undefined,
                returning: previousHandoffId ? { previousHandoffId, locale: resident.locale } : undefined,
                content: {
                  messageId: inboundId,
                  text: message.text,
                  choice: message.choice,
                  media: message.media ? { kind: message.media.kind } : undefined,
                  notice: message.notice,
                  localeHint: message.localeHint ?? resident.locale ?? undefined,
                  channel: message.channel,
                  knownPhone: message.knownPhone,
                  privacy: open ? undefined : { discreet: resident.discreet, neutral: resident.neutral },
                },
              };
              const result = await withCleaning(query, resident.id, key, engine.step(open ? stateOf(open) : null, input));
              const leased = await writeStep(
                tx,
                query,
                {
                  residentId: resident.id,
                  conversationId,
                  channel: message.channel,
                  residentLocale: resident.locale,
                  isNew: !open,
                  inboundId,
                  consentBefore: open?.snapshot.context.consent ?? null,
                  direct: true,
                  alreadySent: deps.sentNotRecorded?.(key),
                  more: languageParts,
                },
                result,
              );
              effects = result.effects.map((e) => e.type);
              // The i-th leased row is the i-th reply (both in the replies' order); all or none are leased.
              direct = leased.map((row, i) => ({
                ...row,
                residentId: resident.id,
                channel: message.channel,
                externalUserId: message.externalUserId,
                message: result.outbound[i]!,
                arrivedAt,
              }));
              return { status: 'processed' as const, residentId: resident.id, conversationId, replies: result.outbound.length };
            },
            { groupKey: key },
          );
        });
        deps.metrics?.step('inbound', (now().getTime() - arrivedAt) / 1000);
        if (outcome.replies > 0) deps.onReplies?.(direct);
        if (queuedLanguageWork) deps.language?.onQueued?.();
        deps.onCommitted?.({ residentId: outcome.residentId, conversationId: outcome.conversationId, effects });
        return outcome;
      } catch (error) {
        if (error instanceof DuplicateInbound) {
          logger.debug({ channel: message.channel }, 'duplicate inbound message ignored');
          return { status: 'duplicate', residentId: residentIdForDuplicate };
        }
        throw error;
      }
    },

    async handleTimer(timerId) {
      const started = now().getTime();
      const [timer] = await db
        .select({ conversationId: timers.conversationId, channel: residents.channel, externalId: residents.externalId })
        .from(timers)
        .innerJoin(conversations, eq(conversations.id, timers.conversationId))
        .innerJoin(residents, eq(residents.id, conversations.residentId))
        .where(eq(timers.id, timerId));
      if (!timer) return false;
      let committed: { residentId: string; conversationId: string; effects: string[] } | undefined;
      const address = `${timer.channel}:${timer.externalId}`;
      const handled = await queue.run(address, () =>
        database.transaction(async (tx, query) => {
          // Same lock order as an inbound message (resident, conversation, timer), so the two never deadlock.
          const resident = await lockResident(query, timer);
          if (!resident) return false;
          const open = await selectOpenConversation(query, database.cipher, timer);
          if (!open || open.id !== timer.conversationId) {
            await tx.delete(timers).where(eq(timers.id, timerId)); // its conversation has ended
            return false;
          }
          const [due] = await tx.delete(timers).where(eq(timers.id, timerId)).returning({ event: timers.event });
          if (!due) return false;
          const result = await withCleaning(
            query,
            resident.id,
            address,
            engine.step(stateOf(open), {
              type: 'timer',
              event: due.event,
              availability: deps.availability ? () => deps.availability!(now()) : undefined,
            }),
          );
          if (!result.changed) return true;
          await writeStep(
            tx,
            query,
            {
              residentId: resident.id,
              conversationId: open.id,
              channel: timer.channel,
              residentLocale: resident.locale,
              consentBefore: open.snapshot.context.consent,
            },
            result,
          );
          committed = { residentId: resident.id, conversationId: open.id, effects: result.effects.map((e) => e.type) };
          return true;
        }),
      );
      if (handled) {
        deps.metrics?.step('timer', (now().getTime() - started) / 1000);
        deps.onReplies?.();
      }
      if (committed) deps.onCommitted?.(committed);
      return handled;
    },

    async startAftercare(handoffId) {
      const [address] = await database.rows<{ channel: string; externalId: string }>(
        sql`select r.channel, r.external_id as "externalId" from handoffs h join residents r on r.id = h.resident_id
            where h.id = ${handoffId}::uuid`,
      );
      if (!address) return 'gone';
      let committed: { residentId: string; conversationId: string; effects: string[] } | undefined;
      const outcome = await queue.run(`${address.channel}:${address.externalId}`, () =>
        database.transaction(async (tx, query): Promise<AftercareOutcome> => {
          const resident = await lockResident(query, address);
          if (!resident) return 'gone';
          const at = now();
          const [due] = await query<{ conversationId: string; safety: string | null; snapshot: unknown; unreachable: boolean }>(
            `update handoffs h set aftercare_sent_at = $2::timestamptz
             from conversations c, residents r
             where h.id = $1::uuid and c.id = h.conversation_id and r.id = h.resident_id
               and h.status = 'closed' and h.aftercare_at <= $2::timestamptz and h.aftercare_sent_at is null
             returning h.conversation_id as "conversationId", h.preferences->>'safety' as safety, c.snapshot, r.unreachable`,
            [handoffId, at.toISOString()],
          );
          if (!due) return 'taken';
          const consent = database.cipher.decryptJson<PersistedConversation>(due.snapshot).context.consent;
          const open = await selectOpenConversation(query, database.cipher, address);
          const skipped = aftercareSkipped({
            active: Boolean(open),
            discreet: resident.discreet,
            safety: due.safety,
            consent,
            unreachable: due.unreachable,
          });
          if (skipped) {
            await query('update handoffs set aftercare_skipped = $2 where id = $1::uuid', [handoffId, skipped]);
            return skipped;
          }
          const result = engine.step(null, {
            type: 'aftercare',
            handoffId,
            locale: resident.locale,
            privacy: { discreet: resident.discreet, neutral: resident.neutral },
          });
          const conversationId = randomUUID();
          await writeStep(
            tx,
            query,
            {
              residentId: resident.id,
              conversationId,
              channel: address.channel,
              residentLocale: resident.locale,
              isNew: true,
              consentBefore: null,
            },
            result,
          );
          committed = { residentId: resident.id, conversationId, effects: result.effects.map((e) => e.type) };
          return 'asked';
        }),
      );
      if (committed) {
        deps.onReplies?.();
        deps.onCommitted?.(committed);
      }
      return outcome;
    },

    async handleTranscript(messageId, text) {
      const started = now().getTime();
      const [address] = await database.rows<{ channel: string; externalId: string; conversationId: string | null }>(
        sql`select r.channel, r.external_id as "externalId", m.conversation_id as "conversationId"
            from messages m join residents r on r.id = m.resident_id where m.id = ${messageId}`,
      );
      if (!address?.conversationId) return false;
      let committed: { residentId: string; conversationId: string; effects: string[] } | undefined;
      await queue.run(`${address.channel}:${address.externalId}`, () =>
        database.transaction(async (tx, query) => {
          const resident = await lockResident(query, address);
          if (!resident) return;
          const open = await selectOpenConversation(query, database.cipher, address);
          // The note's conversation has ended: what it said is on the case, for the trust person.
          if (!open || open.id !== address.conversationId) return;
          const result = engine.step(stateOf(open), {
            type: 'transcript',
            messageId,
            text,
            availability: deps.availability ? () => deps.availability!(now()) : undefined,
          });
          if (!result.changed) return;
          await writeStep(
            tx,
            query,
            {
              residentId: resident.id,
              conversationId: open.id,
              channel: address.channel,
              residentLocale: resident.locale,
              consentBefore: open.snapshot.context.consent,
            },
            result,
          );
          committed = { residentId: resident.id, conversationId: open.id, effects: result.effects.map((e) => e.type) };
        }),
      );
      if (!committed) return false;
      deps.metrics?.step('transcript', (now().getTime() - started) / 1000);
      deps.onReplies?.();
      deps.onCommitted?.(committed);
      return true;
    },

    async reportFailedDeletions(residentId) {
      const [address] = await db
        .select({ channel: residents.channel, externalId: residents.externalId })
        .from(residents)
        .where(eq(residents.id, residentId));
      if (!address) return false;
      const told = await queue.run(`${address.channel}:${address.externalId}`, () =>
        database.transaction(async (_tx, query) => {
          const resident = await lockResident(query, address);
          if (!resident) return false;
          const count = await takeFailedDeletions(query, residentId);
          if (count === 0) return false;
          // The open conversation, else the last one: its language and wording (a closed one is read rarely).
          const [last] = await query<{ id: string; snapshot: unknown; flowVersion: number; mode: OpenConversation['mode'] }>(
            `select id, snapshot, flow_version as "flowVersion", mode from conversations
             where resident_id = $1::uuid order by (mode <> 'closed') desc, updated_at desc limit 1`,
            [residentId],
          );
          if (!last) return false;
          const state: ConversationState = {
            snapshot: database.cipher.decryptJson<PersistedConversation>(last.snapshot),
            flowVersion: last.flowVersion,
            mode: last.mode,
          };
          const at = now();
          const target = { residentId, conversationId: last.id, channel: address.channel, at };
          const notice = engine.say(state, 'bot:discreet.failed', { count });
          await runAsOneStatement(query, [
            ...replyParts(database.cipher, target, [notice]),
            ...timerParts(last.id, { schedule: engine.noticeTimers(state), cancel: [] }, at),
          ]);
          logger.warn({ channel: address.channel, count }, 'some sent messages could not be deleted; the resident was told');
          return true;
        }),
      );
      if (told) deps.onReplies?.();
      return told;
    },
  };
}

/**
 * The background work an inbound message asks for, when that server is configured: a voice or audio
 * note to transcribe, words the resident typed to translate (not a button, a number or a one-letter answer).
 */
function languageJobParts(
  language: ConversationServiceDeps['language'],
  message: InboundMessage,
  messageId: number,
  residentId: string,
): WritePart[] {
  if (!language) return [];
  const kinds: ('transcribe' | 'translate')[] = [];
  const kind = message.media?.kind;
  if (language.transcribe && (kind === 'voice' || kind === 'audio')) kinds.push('transcribe');
  else if (language.translate && !message.choice && hasWords(message.text)) kinds.push('translate');
  return kinds.map((k) => queueLanguageJobPart(k, messageId, residentId));
}

/** Two letters or more in a row, in any script: "2", "👍" and "k" are not worth a translation. */
function hasWords(text: string | undefined): boolean {
  return text !== undefined && /\p{L}{2}/u.test(text);
}

/** Every text field of an inbound message without control characters (see withoutControlCharacters). */
function cleanInbound(message: InboundMessage): InboundMessage {
  return {
    ...message,
    externalUserId: withoutControlCharacters(message.externalUserId),
    externalMessageId: withoutControlCharacters(message.externalMessageId),
    text: cleanOptionalText(message.text),
    choice: cleanOptionalText(message.choice),
    summary: cleanOptionalText(message.summary),
    localeHint: cleanOptionalText(message.localeHint),
    displayName: cleanOptionalText(message.displayName),
    knownPhone: cleanOptionalText(message.knownPhone),
  };
}

/**
 * Why the aftercare question is not asked, first reason first: a conversation is going on, the resident
 * chose discretion, said it is not safe to write later, withdrew consent, or cannot be reached.
 */
function aftercareSkipped(why: {
  active: boolean;
  discreet: boolean;
  safety: string | null;
  consent: boolean | null;
  unreachable: boolean;
}): AftercareSkipped | null {
  if (why.active) return 'active';
  if (why.discreet) return 'discreet';
  if (why.safety === 'later') return 'later';
  if (why.consent === false) return 'consent';
  if (why.unreachable) return 'unreachable';
  return null;
}

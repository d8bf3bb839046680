import type { SSEStreamingApi } from 'hono/streaming';
import type { CaseEvent } from '../handoff/case-events.js';
import type { CaseRecord, HandoffQueries, QueueItem, TranscriptMessage } from '../handoff/handoff-queries.js';
import type { Labels } from '../i18n/labels.js';
import type { StaffStore } from '../staff/staff-store.js';
import { messageItem } from './views/message-item.js';

/**
 * What the inbox's two live streams send (live-events.ts runs them): each keeps what it sent last and,
 * on every tick, writes only what changed since.
 */
export interface LiveUpdates {
  /** The bus events that wake this stream at once (it also ticks on a timer, to catch up). */
  relevant(event: CaseEvent): boolean;
  tick(stream: SSEStreamingApi, woken: CaseEvent[]): Promise<void>;
}

/** The queue: `queue` events say a handoff opened, turned urgent or changed; ids only, never resident text. */
export function queueUpdates(queries: HandoffQueries): LiveUpdates {
  let lastSignature = '';
  let waiting = new Map<string, boolean>();
  let first = true;
  return {
    relevant: (e) => e.type === 'handoff',
    async tick(stream, woken) {
      const [signature, current] = await Promise.all([queries.lastChange(), queries.queue({ status: 'waiting', limit: 500 })]);
      const now = new Map(current.map((h) => [h.id, h.urgent]));
      if (!first && signature !== lastSignature) {
        const opened = current.filter((h) => !waiting.has(h.id));
        const urgent = current.filter((h) => h.urgent && waiting.get(h.id) === false);
        for (const h of opened) await sendQueue(stream, h.urgent ? 'urgent' : 'opened', h);
        for (const h of urgent) await sendQueue(stream, 'urgent', h);
        if (opened.length === 0 && urgent.length === 0) await sendQueue(stream, 'updated', null);
      } else if (!first && woken.length > 0) {
        await sendQueue(stream, 'updated', null);
      }
      first = false;
      lastSignature = signature;
      waiting = now;
    },
  };
}

async function sendQueue(stream: SSEStreamingApi, change: string, h: QueueItem | null) {
  await stream.writeSSE({
    event: 'queue',
    data: JSON.stringify({
      change,
      handoffId: h?.id ?? null,
      urgent: h?.urgent ?? false,
      language: h?.language ?? null,
      writtenLanguage: h?.writtenLanguage ?? null,
    }),
  });
}

/** How long after sending a staff reply's mark is still followed when a page opens its stream. */
const CHANGING_REPLY_WINDOW_MS = 60 * 60 * 1000;
/** A tracked reply's state before this stream sent it: unlike any real one, so it is sent. */
const AS_DRAWN = 'as drawn by the page';

/**
 * One case: each new message as its rendered item (`message`, with the message id as the event id, so a
 * reconnect resumes after it), a staff reply again whenever its delivery state changes until it is read
 * or failed, and `case` when the case's status or holder changes. The stream was audited when opened.
 */
export function caseUpdates(deps: {
  queries: HandoffQueries;
  staff: Pick<StaffStore, 'names'>;
  record: CaseRecord;
  labels: Labels;
  dirOf: (locale: string) => 'ltr' | 'rtl';
  names: Map<string, string>;
  /** The last message id the page has (Last-Event-ID on a reconnect). */
  lastId: number;
}): LiveUpdates {
  const { queries, record, labels } = deps;
  let { names, lastId } = deps;
  /** Staff replies whose delivery state may still change, with the state last sent. */
  const tracked = new Map<number, string>();
  let seeded = false;
  let caseState = `${record.status}/${record.claimedBy}/${record.assignedTo}`;
  const stateOf = (m: TranscriptMessage) => JSON.stringify(m.delivery);
  return {
    relevant: (e) => e.residentId === record.residentId || (e.type === 'handoff' && e.handoffId === record.id),
    async tick(stream) {
      if (!seeded) {
        // Replies the page drew still changing (a file sent by a form reloads the page with it "pending"):
        // their state as drawn is not known here, so each is sent once more now, then as it changes.
        seeded = true;
        const recent = new Date(Date.now() - CHANGING_REPLY_WINDOW_MS);
        for (const id of await queries.changingStaffReplies(record.conversationId, lastId, recent)) tracked.set(id, AS_DRAWN);
      }
      const since = Math.min(lastId, ...[...tracked.keys()].map((id) => id - 1));
      const messages = await queries.transcript(record.conversationId, since);
      for (const m of messages) {
        const isNew = m.id > lastId;
        const isStaff = m.direction === 'out' && m.author !== null && m.author !== 'bot';
        if (!isNew && !(tracked.has(m.id) && tracked.get(m.id) !== stateOf(m))) continue;
        if (isNew && isStaff && !names.has(m.author!)) names = await deps.staff.names();
        const item = messageItem({ labels, handoffId: record.id, names, dirOf: deps.dirOf }, m);
        await stream.writeSSE({
          event: 'message',
          id: String(Math.max(lastId, m.id)),
          data: JSON.stringify({ id: m.id, html: item.value }),
        });
        lastId = Math.max(lastId, m.id);
        const settled =
          m.delivery?.status === 'failed' || m.delivery?.channelStatus === 'read' || m.delivery?.channelStatus === 'played';
        if (isStaff && !settled) tracked.set(m.id, stateOf(m));
        else tracked.delete(m.id);
      }
      const now = await queries.case(record.id);
      const state = now ? `${now.status}/${now.claimedBy}/${now.assignedTo}` : 'gone';
      if (state !== caseState) {
        caseState = state;
        await stream.writeSSE({ event: 'case', data: JSON.stringify({ status: now?.status ?? 'gone' }) });
      }
    },
  };
}

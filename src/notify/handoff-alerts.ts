import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { staff } from '../db/schema.js';
import type { CaseEvents } from '../handoff/case-events.js';
import type { HandoffQueries } from '../handoff/handoff-queries.js';
import type { Logger } from '../logging/logger.js';
import type { HandoffAlert, Notifier } from './alert.js';
import { BackgroundWork } from '../lifecycle/background-work.js';
import { createAlertCombiner, type AlertCombinerOptions } from './alert-combiner.js';

/** What one committed conversation step did, as the conversation service reports it. */
export interface CommittedStep {
  residentId: string;
  conversationId: string;
  /** Effect types of the step (`handoff`, `urgent`, `erase`). */
  effects: readonly string[];
}

/**
 * Turns committed steps into inbox events and, once per handoff (and once more when it turns urgent),
 * into alerts for the notifiers. "Once" is kept in the database (handoffs.notified_at and
 * notified_urgent, set by a conditional update), so several instances never alert twice.
 */
export function createHandoffAlerts(deps: {
  database: Database;
  events: CaseEvents;
  queries: HandoffQueries;
  notifiers: Notifier[];
  logger: Logger;
  /** PUBLIC_URL without a trailing slash, for links in alerts. */
  publicUrl: string | undefined;
  /** How alerts are combined in a flood (tests shorten the window). */
  combine?: Pick<AlertCombinerOptions, 'burst' | 'windowMs'>;
}) {
  const { database, events } = deps;
  const combiner = createAlertCombiner(deps.notifiers, { queueUrl: `${deps.publicUrl ?? ''}/inbox`, ...deps.combine });

  async function markAndAlert(step: CommittedStep): Promise<void> {
    const [row] = await database.transaction((_tx, query) =>
      query<{ id: string; kind: 'new' | 'urgent' | null; urgent: boolean }>(
        `with before as (
           select id, notified_at, notified_urgent, urgent from handoffs
           where conversation_id = $1::uuid and status <> 'closed'
           for update
         ), marked as (
           update handoffs h set notified_at = coalesce(h.notified_at, now()), notified_urgent = h.urgent
           from before b
           where h.id = b.id and (b.notified_at is null or (b.urgent and not b.notified_urgent))
           returning h.id
         )
         select b.id, b.urgent,
                case when b.notified_at is null then 'new'
                     when b.urgent and not b.notified_urgent then 'urgent' end as kind
         from before b`,
        [step.conversationId],
      ),
    );
    if (!row) return;
    events.emit({
      type: 'handoff',
      change: row.kind === 'new' ? 'opened' : row.kind === 'urgent' ? 'urgent' : 'updated',
      handoffId: row.id,
      residentId: step.residentId,
      conversationId: step.conversationId,
    });
    if (!row.kind || deps.notifiers.length === 0) return;
    const item = await deps.queries.case(row.id);
    if (!item) return;
    const alert: HandoffAlert = {
      event: row.kind === 'new' ? 'handoff.new' : 'handoff.urgent',
      handoffId: item.id,
      urgent: item.urgent,
      reason: item.reason,
      previousHandoffId: item.previousHandoffId,
      offeredTo: item.assignedTo ? await staffName(item.assignedTo) : null,
      language: item.language,
      channel: item.channel,
      domains: item.domains,
      createdAt: item.createdAt.toISOString(),
      url: `${deps.publicUrl ?? ''}/inbox/handoffs/${item.id}`,
    };
    combiner.notify(alert);
  }

  async function staffName(id: string): Promise<string | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [row] = await database.db.select({ name: staff.name }).from(staff).where(eq(staff.id, id));
    return row?.name ?? null;
  }

  const pending = new BackgroundWork();
  return {
    /** Called after each committed step; never throws (the resident's message is already stored). */
    onStep(step: CommittedStep): void {
      events.emit({ type: 'message', residentId: step.residentId, conversationId: step.conversationId });
      if (!step.effects.some((e) => e === 'handoff' || e === 'urgent')) return;
      pending.run(markAndAlert(step), (error) => deps.logger.error({ err: error }, 'could not mark or announce a handoff'));
    },
    async idle(): Promise<void> {
      await pending.idle();
      combiner.flush();
      await Promise.all(deps.notifiers.map((n) => n.idle()));
    },
    stop(): void {
      combiner.stop();
      for (const n of deps.notifiers) n.stop();
    },
  };
}

export type HandoffAlerts = ReturnType<typeof createHandoffAlerts>;

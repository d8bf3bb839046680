import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { HandoffQueries } from '../handoff/handoff-queries.js';
import type { HandoffAlert } from '../notify/alert.js';

export interface EscalationDeps {
  database: Database;
  queries: HandoffQueries;
  /** An urgent case nobody claimed this long after it turned urgent is raised again, and again at each interval. */
  afterMinutes: number;
  now: () => Date;
  /** Tells staff through every notifier (not combined with other alerts: each escalation stands out). */
  alert: (alert: HandoffAlert) => void;
  /** PUBLIC_URL without a trailing slash, for the link in the alert. */
  publicUrl: string | undefined;
}

/**
 * Urgent cases nobody claims are raised again (issue 13): `ESCALATE_URGENT_AFTER_MINUTES` after a case
 * turned urgent, and at each such interval after that, until someone claims it. Each escalation is
 * claimed with one conditional update (its `escalated_at` moves on), so however many instances run
 * this, one of them raises a case once per interval.
 */
export function createEscalation(deps: EscalationDeps) {
  const { database, afterMinutes } = deps;

  return {
    /** Raises every case that is due; resolves with their ids. */
    async runOnce(): Promise<string[]> {
      if (afterMinutes <= 0) return [];
      const at = deps.now();
      const due = await database.rows<{ id: string; since: Date | string }>(sql`
        update handoffs set escalated_at = ${at.toISOString()}::timestamptz, escalations = escalations + 1
        where status = 'waiting' and urgent
          and coalesce(urgent_at, created_at) <= ${at.toISOString()}::timestamptz - make_interval(mins => ${afterMinutes})
          and (escalated_at is null or escalated_at <= ${at.toISOString()}::timestamptz - make_interval(mins => ${afterMinutes}))
        returning id, coalesce(urgent_at, created_at) as since`);
      for (const { id, since } of due) {
        const item = await deps.queries.case(id);
        if (!item) continue;
        deps.alert({
          event: 'handoff.escalated',
          handoffId: item.id,
          urgent: true,
          reason: item.reason,
          previousHandoffId: item.previousHandoffId,
          language: item.language,
          channel: item.channel,
          domains: item.domains,
          createdAt: item.createdAt.toISOString(),
          waitingMinutes: Math.floor((at.getTime() - new Date(since).getTime()) / 60_000),
          url: `${deps.publicUrl ?? ''}/inbox/handoffs/${item.id}`,
        });
      }
      return due.map((d) => d.id);
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;

import type { AuditLog } from '../audit/audit-log.js';
import type { CardMessage } from '../handoff/handoff-queries.js';
import type { Actor } from '../staff/staff-types.js';

/** Previews already recorded by this process: a list refreshes often, a new message is a new preview. */
const MAX_REMEMBERED = 20_000;

/**
 * A case card in "Mijn zaken" shows the newest message (issue 16): a read of what the resident wrote, so
 * it is audited (`transcript.preview`), once per staff member, case and message in this process, not at
 * every refresh of the list.
 */
export function createPreviewAudit(audit: Pick<AuditLog, 'record'>) {
  const seen = new Set<string>();
  return {
    async record(
      actor: Actor,
      cases: readonly { id: string }[],
      details: ReadonlyMap<string, { last: CardMessage | null }>,
    ): Promise<void> {
      for (const item of cases) {
        const last = details.get(item.id)?.last;
        if (!last) continue;
        const key = `${actor.id}:${item.id}:${last.id}`;
        if (seen.has(key)) continue;
        if (seen.size >= MAX_REMEMBERED) seen.clear();
        seen.add(key);
        await audit.record({
          actor,
          action: 'transcript.preview',
          outcome: 'allowed',
          handoffId: item.id,
          detail: { messageId: last.id },
        });
      }
    },
  };
}

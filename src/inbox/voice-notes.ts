import type { CaseEvents } from '../handoff/case-events.js';

/** A file a reader of the case was just served (what CaseReader.media returns, less its content). */
export interface ServedFile {
  kind: string;
  case: { handoffId: string; residentId: string; conversationId: string };
}

export type VoiceNotePlayed = (file: ServedFile, mediaId: string) => void;

/** Voice notes already announced by this process: a player asks for one file many times (range requests). */
const MAX_REMEMBERED = 10_000;

/**
 * Tells the live queue views that a voice or audio note was played by a staff member, once per file per
 * process, so the card's "voice note not yet listened to" mark goes without a reload. The mark itself is
 * read from the audit log (HandoffQueries.unheardVoiceNotes); this only wakes the views to read it again.
 * Another instance's views see it at their next refresh.
 */
export function createVoiceNoteAnnouncer(events: CaseEvents): VoiceNotePlayed {
  const announced = new Set<string>();
  return (file, mediaId) => {
    if (file.kind !== 'voice' && file.kind !== 'audio') return;
    const key = mediaId.toLowerCase();
    if (announced.has(key)) return;
    if (announced.size >= MAX_REMEMBERED) announced.clear();
    announced.add(key);
    events.emit({ type: 'handoff', change: 'updated', ...file.case });
  };
}

import type { Actor } from '../staff/staff-types.js';

/** The parts of a handoff the rules look at. */
export interface CaseHolders {
  status: 'waiting' | 'claimed' | 'closed';
  claimedBy: string | null;
  assignedTo: string | null;
}

/*
 * Who sees what. Everyone on staff sees the queue (summaries without the resident's words). Full
 * transcripts, media and notes: coordinators always; a trust person only for cases they hold or a
 * coordinator assigned to them.
 */

export const isCoordinator = (actor: Actor) => actor.role === 'coordinator';

export function canReadCase(actor: Actor, h: CaseHolders): boolean {
  return isCoordinator(actor) || h.claimedBy === actor.id || h.assignedTo === actor.id;
}

/**
 * Replying, phase, trajectory and referrals: on a claimed case, by its holder or a coordinator.
 * (A waiting case is claimed first, so the resident is never answered by someone nobody sees holding it.)
 */
export function canWorkOnCase(actor: Actor, h: CaseHolders): boolean {
  return h.status === 'claimed' && (isCoordinator(actor) || h.claimedBy === actor.id);
}

/** Closing: what canWorkOnCase allows, and a coordinator may also close a waiting case (spam, a duplicate). */
export function canCloseCase(actor: Actor, h: CaseHolders): boolean {
  return h.status !== 'closed' && (canWorkOnCase(actor, h) || (h.status === 'waiting' && isCoordinator(actor)));
}

/** Exporting all of a resident's data (a subject access request): coordinators only. */
export function canExportResident(actor: Actor): boolean {
  return isCoordinator(actor);
}

/** Erasing all of a resident's data (a request to be forgotten): coordinators only. */
export function canEraseResident(actor: Actor): boolean {
  return isCoordinator(actor);
}

export function canAssign(actor: Actor): boolean {
  return isCoordinator(actor);
}

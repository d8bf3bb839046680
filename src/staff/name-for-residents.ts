import type { Actor } from './staff-types.js';

/**
 * What the resident is told a staff member is called: the role label they chose (`role: true`), else
 * their first name; nothing for the shared API token.
 */
export function nameForResidents(
  actor: Pick<Actor, 'name' | 'residentLabel'> & { via?: Actor['via'] },
): { name: string; role: boolean } | undefined {
  if (actor.via === 'api-token') return undefined;
  const label = actor.residentLabel?.trim();
  if (label) return { name: label, role: true };
  const first = actor.name.trim().split(/\s+/)[0];
  return first ? { name: first, role: false } : undefined;
}

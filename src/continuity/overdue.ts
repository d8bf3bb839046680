import { workingDayMinutes, workingMinutesBetween, type OfficeHours } from '../hours/office-hours.js';

/**
 * A case that waits for a first trust person longer than one working day (issue 13): counted in office
 * hours, so a message sent on Friday night is overdue on Tuesday morning, not on Saturday. Urgent cases
 * are raised sooner, by the escalation.
 */
export function isOverdue(hours: OfficeHours, item: { status: string; urgent: boolean; createdAt: Date }, now: Date): boolean {
  if (item.status !== 'waiting' || item.urgent) return false;
  const day = workingDayMinutes(hours);
  // Less wall-clock time than a working day has passed: it cannot hold a working day (and this is cheap).
  if (day === 0 || now.getTime() - item.createdAt.getTime() < day * 60_000) return false;
  return workingMinutesBetween(hours, item.createdAt, now) >= day;
}

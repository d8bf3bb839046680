import type { AuditLog } from '../audit/audit-log.js';
import { BackgroundWork } from '../lifecycle/background-work.js';
import type { Logger } from '../logging/logger.js';
import type { RepeatedLoginFailures } from '../staff/login.js';
import type { LoginAlert, Notifier } from './alert.js';

/** The audit actor of a repeated-failures entry: the log-in check itself, no person. */
export const LOGIN_GUARD_ACTOR = { id: 'login-guard', name: 'login-guard', via: 'system' as const };

/**
 * Tells coordinators that an account had many wrong passwords in a row: an audit entry (shown in the
 * inbox's audit log) and an alert through every configured notifier. Runs in the background, so the
 * failed log-in that triggered it answers as fast as any other (its timing tells nothing).
 */
export function createLoginAlerts(deps: {
  audit: AuditLog;
  notifiers: Notifier[];
  logger: Logger;
  /** PUBLIC_URL without a trailing slash, for the link in alerts. */
  publicUrl: string | undefined;
}) {
  const pending = new BackgroundWork();

  async function announce(event: RepeatedLoginFailures): Promise<void> {
    deps.logger.warn({ staffId: event.staffId, failures: event.failures }, 'repeated failed log-ins on a staff account');
    await deps.audit.record({
      actor: LOGIN_GUARD_ACTOR,
      action: 'staff.login_failures',
      outcome: 'denied',
      detail: { staffId: event.staffId, failures: event.failures },
    });
    const alert: LoginAlert = {
      event: 'staff.login_failures',
      staffId: event.staffId,
      name: event.name,
      email: event.email,
      failures: event.failures,
      at: event.at.toISOString(),
      url: `${deps.publicUrl ?? ''}/inbox/audit`,
    };
    for (const notifier of deps.notifiers) notifier.notify(alert);
  }

  return {
    onRepeatedFailures(event: RepeatedLoginFailures): void {
      pending.run(announce(event), (error) => deps.logger.error({ err: error }, 'could not record or announce failed log-ins'));
    },
    /** Waits for announcements under way (shutdown, tests). */
    idle: () => pending.idle(),
  };
}

export type LoginAlerts = ReturnType<typeof createLoginAlerts>;

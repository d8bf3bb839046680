import type { Texts } from '../engine/texts.js';
import { createLabels } from '../i18n/labels.js';
import type { StaffAlert } from './alert.js';

/** The staff chat's text of an alert, in the organisation's language (the source locale). No resident words. */
export function formatAlert(texts: Texts, alert: StaffAlert): string {
  const l = createLabels(texts, texts.sourceLocale);
  if (alert.event === 'channel.token_invalid') {
    return l.t('notify.tokenInvalid', { channel: l.channel(alert.channel) });
  }
  if (alert.event === 'channel.logged_out') {
    return `${l.t('notify.loggedOut', { channel: l.channel(alert.channel) })}\n${l.t('notify.pairAgain', { url: alert.url })}`;
  }
  if (alert.event === 'staff.login_failures') {
    // The name only: the chat may hold more than coordinators (the webhook carries the email too).
    return `${l.t('notify.loginFailures', { name: alert.name, failures: alert.failures })}\n${l.t('notify.seeAudit', { url: alert.url })}`;
  }
  if (alert.event === 'case.reminder') {
    return `${l.t('notify.reminder', { name: alert.name })}\n${l.t('notify.open', { url: alert.url })}`;
  }
  if (alert.event === 'handoffs.combined') {
    const head = l.t(alert.urgentCount > 0 ? 'notify.combinedUrgent' : 'notify.combined', {
      count: alert.count,
      urgent: alert.urgentCount,
    });
    return `${head}\n${l.t('notify.openQueue', { url: alert.url })}`;
  }
  const where = { language: l.language(alert.language), channel: l.channel(alert.channel) };
  const head =
    alert.event === 'handoff.escalated'
      ? l.t('notify.escalated', { ...where, minutes: alert.waitingMinutes ?? 0 })
      : l.t(alert.urgent ? 'notify.urgent' : 'notify.new', where);
  const lines = [head];
  if (alert.reason === 'returning') {
    lines.push(alert.offeredTo ? l.t('notify.returningOffered', { name: alert.offeredTo }) : l.t('notify.returning'));
  }
  const domains = alert.domains.length > 0 ? alert.domains.map((d) => l.domain(d)).join(', ') : l.reason(alert.reason);
  lines.push(l.t('notify.about', { domains }), l.t('notify.open', { url: alert.url }));
  return lines.join('\n');
}

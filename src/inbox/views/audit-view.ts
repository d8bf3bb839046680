import { ON_BEHALF_OF_INTEGRATION, type AuditRecord } from '../../audit/audit-log.js';
import { LOGIN_GUARD_ACTOR } from '../../notify/login-alerts.js';
import { ON_BEHALF_OF_ORGANISATION, RESIDENT_ACTOR, RETENTION_ACTOR } from '../../conversation/effects/erase.js';
import { markup, type Html } from '../../server/html.js';
import { layout, type PageContext } from './layout.js';

export function auditPage(
  p: PageContext,
  m: { records: AuditRecord[]; handoffId?: string | undefined; next?: number | undefined; names?: Map<string, string> },
): Html {
  const l = p.labels;
  const onBehalfOf = (r: AuditRecord) =>
    r.onBehalfOf === r.actorId
      ? l.t('audit.self')
      : r.onBehalfOf === ON_BEHALF_OF_INTEGRATION
        ? l.t('audit.integration')
        : r.onBehalfOf === ON_BEHALF_OF_ORGANISATION
          ? l.t('audit.organisation')
          : (m.names?.get(r.onBehalfOf) ?? r.onBehalfOf);
  // Not staff: the resident's own "stop", the retention purge, and the log-in check.
  const actor = (r: AuditRecord) =>
    r.actorId === RESIDENT_ACTOR.id && r.via === RESIDENT_ACTOR.via
      ? l.t('audit.actors.resident')
      : r.actorId === RETENTION_ACTOR.id && r.via === RETENTION_ACTOR.via
        ? l.t('audit.actors.system')
        : r.actorId === LOGIN_GUARD_ACTOR.id && r.via === LOGIN_GUARD_ACTOR.via
          ? l.t('audit.actors.loginGuard')
          : r.actorName;
  const action = (r: AuditRecord) =>
    r.action === 'transcript.export' && r.detail?.export === 'resident' ? 'resident_export' : r.action.replace('.', '_');
  /** Repeated failed log-ins name the account (its staff id in the entry, shown by name). */
  const actionVars = (r: AuditRecord) => {
    if (r.action === 'case.search') {
      const fields = Array.isArray(r.detail?.fields) ? (r.detail.fields as unknown[]).map(String) : [];
      return { fields: fields.join(', '), results: Number(r.detail?.results ?? 0) };
    }
    if (r.action !== 'staff.login_failures') return undefined;
    const staffId = String(r.detail?.staffId ?? '');
    return { name: m.names?.get(staffId) ?? staffId, failures: Number(r.detail?.failures ?? 0) };
  };
  const body = markup`<section class="card">
    <h1>${l.t('audit.title')}</h1>
    <p class="muted">${l.t('audit.intro')}</p>
    ${m.handoffId ? markup`<p><a href="/inbox/audit">${l.t('audit.all')}</a></p>` : ''}
    <div class="table-wrap">
      <table class="audit">
        <thead>
          <tr>
            <th>${l.t('audit.when')}</th>
            <th>${l.t('audit.who')}</th>
            <th>${l.t('audit.onBehalfOf')}</th>
            <th>${l.t('audit.what')}</th>
            <th>${l.t('audit.outcome')}</th>
            <th>${l.t('audit.resident')}</th>
            <th>${l.t('audit.case')}</th>
          </tr>
        </thead>
        <tbody>
          ${m.records.map(
            (r) =>
              markup`<tr class="${r.outcome === 'denied' ? 'denied' : ''}">
                <td><time datetime="${r.at.toISOString()}">${l.dateTime(r.at)}</time></td>
                <td>${actor(r)}</td>
                <td>${onBehalfOf(r)}</td>
                <td>${l.t(`audit.actions.${action(r)}`, actionVars(r))}</td>
                <td>${l.t(`audit.outcomes.${r.outcome}`)}</td>
                <td>${r.residentId ? markup`<code title="${r.residentId}">${r.residentId.slice(0, 8)}</code>` : '—'}</td>
                <td>${r.handoffId ? markup`<a href="/inbox/audit?handoff=${r.handoffId}">${r.handoffId.slice(0, 8)}</a>` : '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${m.next ? markup`<p><a href="/inbox/audit?before=${m.next}${m.handoffId ? `&handoff=${m.handoffId}` : ''}">${l.t('audit.older')}</a></p>` : ''}
  </section>`;
  return layout(p, l.t('audit.title'), body, { page: 'audit' });
}

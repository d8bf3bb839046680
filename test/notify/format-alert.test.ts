import { describe, expect, it } from 'vitest';
import type { HandoffAlert } from '../../src/notify/alert.js';
import { formatAlert } from '../../src/notify/format-alert.js';
import { texts } from '../helpers/engine-driver.js';

/** What the staff Telegram chat reads for the continuity alerts (issue 13), in the organisation's language. */

const base: HandoffAlert = {
  event: 'handoff.new',
  handoffId: '00000000-0000-4000-8000-000000000001',
  urgent: false,
  reason: 'returning',
  language: 'ar',
  channel: 'web',
  domains: [],
  createdAt: '2026-12-06T10:00:00.000Z',
  url: 'https://chat.example.org/inbox/handoffs/00000000-0000-4000-8000-000000000001',
};

describe('staff chat text', () => {
  it('says a returning resident’s case is offered first to their trust person, by name', () => {
    const text = formatAlert(texts, { ...base, offeredTo: 'Karim', previousHandoffId: 'x' });
    expect(text.split('\n')).toEqual([
      texts.t('nl', 'staff:notify.new', { language: 'Arabisch', channel: 'webchat' }),
      texts.t('nl', 'staff:notify.returningOffered', { name: 'Karim' }),
      texts.t('nl', 'staff:notify.about', { domains: texts.t('nl', 'staff:reasons.returning') }),
      texts.t('nl', 'staff:notify.open', { url: base.url }),
    ]);
    expect(formatAlert(texts, { ...base, offeredTo: null })).toContain(texts.t('nl', 'staff:notify.returning'));
  });

  it('says how long an urgent case has waited unclaimed when it is raised again', () => {
    const text = formatAlert(texts, { ...base, event: 'handoff.escalated', urgent: true, reason: 'danger', waitingMinutes: 16 });
    expect(text).toContain('16 minuten');
    expect(text.split('\n')[0]).toBe(
      texts.t('nl', 'staff:notify.escalated', { minutes: 16, language: 'Arabisch', channel: 'webchat' }),
    );
  });

  it('names whose reminder came due and links the case, nothing more', () => {
    const text = formatAlert(texts, {
      event: 'case.reminder',
      handoffId: base.handoffId,
      staffId: 's',
      name: 'Samira',
      dueAt: '2026-12-09T09:30:00.000Z',
      url: base.url,
    });
    expect(text).toBe(
      `${texts.t('nl', 'staff:notify.reminder', { name: 'Samira' })}\n${texts.t('nl', 'staff:notify.open', { url: base.url })}`,
    );
  });
});

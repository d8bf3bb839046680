import { describe, expect, it } from 'vitest';
import type { Availability } from '../../src/engine/types.js';
import { buildEngine, texts } from '../helpers/engine-driver.js';

/**
 * The engine words "when will someone answer" (issue 13) from the availability the conversation
 * service computes, in the resident's language, and in every language while none is chosen yet.
 */

const engine = buildEngine();
const closedUntilMonday: Availability = {
  open: false,
  next: { when: 'weekday', time: '09:00', date: '2026-12-07', weekday: 1 },
};
const weekday = (locale: string) =>
  new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date('2026-12-07T12:00:00Z'));

describe('when someone will answer', () => {
  it('a person asked for on a first message: the handoff message says when, and gives the numbers open now', () => {
    const result = engine.step(null, {
      type: 'inbound',
      content: { messageId: 1, text: 'persoon' },
      availability: () => closedUntilMonday,
    });
    const handoff = result.outbound.find((m) => m.text.startsWith(texts.t('nl', 'bot:handoff.person')))!;
    const next = texts.t('nl', 'bot:hours.next.weekday', { day: 'maandag', time: '09:00' });
    expect(handoff.text.split('\n\n').slice(1)).toEqual([
      texts.t('nl', 'bot:hours.closed', { next }),
      texts.t('nl', 'bot:hours.alwaysOpen'),
    ]);
  });

  it('a returning resident who never chose a language: in every language, each naming Monday its own way', () => {
    const result = engine.step(null, {
      type: 'inbound',
      content: { messageId: 1, text: 'hallo' },
      returning: { previousHandoffId: '00000000-0000-4000-8000-000000000009', locale: null },
      availability: () => closedUntilMonday,
    });
    const text = result.outbound.map((m) => m.text).join('\n');
    for (const locale of texts.locales) {
      const next = texts.t(locale, 'bot:hours.next.weekday', { day: weekday(locale), time: '09:00' });
      expect(text).toContain(texts.t(locale, 'bot:hours.closed', { next }));
      expect(text).toContain(texts.t(locale, 'bot:hours.alwaysOpen'));
    }
  });

  it('says nothing about hours on messages that do not promise an answer', () => {
    const result = engine.step(null, {
      type: 'inbound',
      content: { messageId: 1, text: 'hallo' },
      availability: () => closedUntilMonday,
    });
    expect(result.outbound.map((m) => m.text).join('\n')).not.toContain(texts.t('nl', 'bot:hours.alwaysOpen'));
  });

  it('a returning resident is welcomed in their language with the hours, and not asked the intake', () => {
    const result = engine.step(null, {
      type: 'inbound',
      content: { messageId: 1, text: 'Merhaba, bir sorum daha var' },
      returning: { previousHandoffId: '00000000-0000-4000-8000-000000000009', locale: 'tr' },
      availability: () => ({ open: true, until: '17:00' }),
    });
    expect(result.outbound).toHaveLength(1);
    expect(result.outbound[0]!.text).toBe(
      [texts.t('tr', 'bot:returning.welcome'), texts.t('tr', 'bot:hours.open', { until: '17:00' })].join('\n\n'),
    );
    expect(result.mode).toBe('waiting');
    expect(result.effects).toContainEqual({
      type: 'handoff',
      reason: 'returning',
      previousHandoffId: '00000000-0000-4000-8000-000000000009',
    });
    // The message is kept for the trust person as the resident's words.
    expect(result.snapshot.context.notes.map((n) => n.messageId)).toContain(1);
  });
});

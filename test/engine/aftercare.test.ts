import { describe, expect, it } from 'vitest';
import type { ConversationState, StepResult } from '../../src/engine/engine.js';
import { buildEngine, firstParagraph, texts } from '../helpers/engine-driver.js';

/**
 * The aftercare question (issue 13): months after a case closed the bot asks how things are now, in
 * the resident's language. "Good" ends with a kind word; "not so good", "I want to talk" or a story
 * opens a case for the trust person; the answer is recorded for the reports.
 */

const engine = buildEngine();
const CLOSED_CASE = '00000000-0000-4000-8000-00000000000c';

function asked(locale: string | null = 'nl', privacy = { discreet: false, neutral: false }) {
  const result = engine.step(null, { type: 'aftercare', handoffId: CLOSED_CASE, locale, privacy });
  return { result, state: { snapshot: result.snapshot, flowVersion: result.flowVersion, mode: result.mode } as ConversationState };
}
const reply = (state: ConversationState, content: { text?: string; choice?: string }): StepResult =>
  engine.step(state, { type: 'inbound', content: { messageId: 7, ...content } });

describe('the aftercare question', () => {
  it('is asked in the resident’s language, with three answers, right to left in Arabic', () => {
    const { result } = asked('ar');
    expect(result.outbound).toHaveLength(1);
    const [question] = result.outbound;
    expect(question!.text).toBe(texts.t('ar', 'bot:aftercare.ask'));
    expect(question!.dir).toBe('rtl');
    expect(question!.choices?.map((c) => c.id)).toEqual(['aftercare:good', 'aftercare:notGood', 'aftercare:talk']);
    expect(result.mode).toBe('bot');
  });

  it('"good": a kind word, the answer recorded, the conversation closed', () => {
    const next = reply(asked().state, { choice: 'aftercare:good' });
    expect(next.outbound.map((m) => m.text)).toEqual([texts.t('nl', 'bot:aftercare.goodReply')]);
    expect(next.effects).toContainEqual({ type: 'aftercareAnswer', answer: 'good' });
    expect(next.effects.some((e) => e.type === 'handoff')).toBe(false);
    expect(next.mode).toBe('closed');
  });

  it.each([
    ['nl', 'niet zo goed', 'notGood'],
    ['nl', '2', 'notGood'],
    ['ar', 'machi mzyan', 'notGood'],
    ['tr', 'konuşmak istiyorum', 'talk'],
  ])('%s "%s" opens a case for the trust person (%s)', (locale, text, answer) => {
    const next = reply(asked(locale).state, { text });
    expect(next.effects).toContainEqual({ type: 'aftercareAnswer', answer });
    expect(next.effects.find((e) => e.type === 'handoff')).toEqual({ type: 'handoff', reason: 'aftercare' });
    expect(next.snapshot.context.followUp).toEqual({ handoffId: CLOSED_CASE, kind: 'aftercare' });
    expect(next.mode).toBe('waiting');
    expect(firstParagraph(next.outbound.at(-1)!.text)).toBe(texts.t(locale, 'bot:handoff.person'));
  });

  it('a story instead of an answer is kept for the trust person, as "wants to talk"', () => {
    const next = reply(asked().state, { text: 'mijn zoon heeft weer ruzie met zijn leraar op school' });
    expect(next.effects).toContainEqual({ type: 'aftercareAnswer', answer: 'talk' });
    expect(next.snapshot.context.notes).toContainEqual(expect.objectContaining({ step: 'aftercare', messageId: 7 }));
    expect(next.mode).toBe('waiting');
  });

  it('danger in the answer brings the emergency numbers first', () => {
    const next = reply(asked().state, { text: 'hij slaat me weer' });
    expect(next.outbound[0]!.text).toBe(texts.t('nl', 'bot:emergency.text'));
    expect(next.effects.some((e) => e.type === 'urgent')).toBe(true);
    expect(next.effects).toContainEqual({ type: 'aftercareAnswer', answer: 'notGood' });
  });

  it('keeps neutral wording: the neutral first line on top', () => {
    const { result } = asked('nl', { discreet: false, neutral: true });
    expect(result.outbound[0]!.text.startsWith(texts.t('nl', 'bot:neutral.firstLine'))).toBe(true);
  });
});

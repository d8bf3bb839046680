import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/engine/engine.js';
import { buildEngine, EngineResident, texts } from '../helpers/engine-driver.js';

/**
 * Discreet mode and neutral wording (issue 6) in the pure engine: what the commands set in the
 * conversation's context, which cleanings (effects) and timers a step asks for, and how every later
 * message is worded. The deleting itself (outbox, dispatcher, channels) is tested in test/channels.
 */

const ORG = 'Al Amal';
const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: ORG, ...vars });
const cleanings = (result: StepResult) => result.effects.filter((e) => e.type === 'cleanChat');
const firstLine = (text: string) => text.split('\n')[0]!;

/** A resident at the domains question in `locale` (language chosen, consent given). */
function atDomains(locale: string): EngineResident {
  const r = new EngineResident();
  r.say('hallo');
  r.press(`language:${locale}`);
  r.press('consent:yes');
  expect(r.step).toBe('domains');
  return r;
}

describe('discreet mode in the engine', () => {
  it.each([
    { locale: 'nl', word: 'wis berichten' },
    { locale: 'nl', word: 'discreet' },
    { locale: 'ar', word: 'امسح الرسائل' },
    { locale: 'ar', word: 'سري' },
    { locale: 'ar', word: 'msa7 lmesajat' },
    { locale: 'tr', word: 'mesajları sil' },
    { locale: 'en', word: 'delete messages' },
    { locale: 'en', word: '/discreet' },
  ])('"$word" in $locale turns it on, cleans the chat and stays at the question', ({ locale, word }) => {
    const r = atDomains(locale);
    r.send({ text: word, channel: 'telegram' });
    expect(r.last.snapshot.context.discreet).toBe(true);
    expect(cleanings(r.last)).toEqual([{ type: 'cleanChat', scope: 'all', again: true }]);
    expect(r.step).toBe('domains');
    // One answer, in their language, with Telegram's way of deleting their own messages; the question is not asked again.
    expect(r.last.outbound).toHaveLength(1);
    const reply = r.replyText;
    expect(reply).toContain(t(locale, 'bot:discreet.own.telegram'));
    expect(reply).toContain(t(locale, 'bot:discreet.after', { count: 10 }));
    expect(reply.startsWith(t(locale, 'bot:discreet.on', { after: '', own: '' }).slice(0, 20))).toBe(true);
    // The quiet-spell deletion is scheduled by the reply.
    expect(r.last.timers.schedule).toEqual([{ sendId: 'discreetSweep', event: { type: 'DISCREET_SWEEP' }, delayMs: 600_000 }]);
  });

  it("tells each channel how to delete the resident's own messages there", () => {
    for (const channel of ['web', 'telegram', 'whatsapp']) {
      const r = atDomains('nl');
      r.send({ text: 'discreet', channel });
      expect(r.replyText).toContain(t('nl', `bot:discreet.own.${channel}`));
    }
    const r = atDomains('nl');
    r.say('discreet'); // no channel given
    expect(r.replyText).toContain(t('nl', 'bot:discreet.own.other'));
  });

  it('while on: every message of the resident cleans what came before, every reply pushes the sweep on', () => {
    const r = atDomains('nl');
    r.say('discreet');
    r.say('verder'); // the question comes back
    expect(r.step).toBe('urgency');
    expect(cleanings(r.last)).toEqual([{ type: 'cleanChat', scope: 'all' }]);
    expect(r.last.timers.schedule.map((x) => x.sendId)).toContain('discreetSweep');
    r.say('2');
    expect(r.step).toBe('contact');
    expect(cleanings(r.last)).toEqual([{ type: 'cleanChat', scope: 'all' }]);
  });

  it("a quiet spell deletes only the bot's own messages, and does so while a trust person has the chat", () => {
    const engine = buildEngine();
    const r = new EngineResident(engine);
    r.say('hallo');
    r.press('language:nl');
    r.say('discreet');
    const sweep = engine.step(r.state!, { type: 'timer', event: { type: 'DISCREET_SWEEP' } });
    expect(sweep.changed).toBe(true);
    expect(sweep.effects).toEqual([{ type: 'cleanChat', scope: 'bot' }]);
    expect(sweep.outbound).toEqual([]);
    expect(sweep.timers.schedule).toEqual([]); // nothing said: nothing to push on

    const withPerson = engine.step({ ...r.state!, mode: 'with_person' }, { type: 'timer', event: { type: 'DISCREET_SWEEP' } });
    expect(withPerson.effects).toEqual([{ type: 'cleanChat', scope: 'bot' }]);

    // A sweep that fires after discreet mode was turned off does nothing.
    r.say('normaal');
    const late = engine.step(r.state!, { type: 'timer', event: { type: 'DISCREET_SWEEP' } });
    expect(late.changed).toBe(false);
  });

  it('"normaal" turns discreet mode and neutral wording off and cancels the sweep', () => {
    const r = atDomains('nl');
    r.say('discreet');
    r.say('neutraal');
    expect(r.last.snapshot.context).toMatchObject({ discreet: true, neutral: true });
    r.say('normaal');
    expect(r.last.snapshot.context).toMatchObject({ discreet: false, neutral: false });
    expect(r.last.timers.cancel).toEqual(['discreetSweep']);
    expect(r.replyText).toBe(t('nl', 'bot:normal.done'));
    r.say('verder');
    expect(cleanings(r.last)).toEqual([]);
    expect(r.last.timers.schedule.map((x) => x.sendId)).not.toContain('discreetSweep');
  });

  it("is answered while a trust person has the chat, and cleans on each of the resident's messages there", () => {
    const r = atDomains('nl');
    r.say('persoon');
    r.state = { ...r.state!, mode: 'with_person' };
    r.say('wis berichten');
    expect(r.last.mode).toBe('with_person');
    expect(r.last.snapshot.context.discreet).toBe(true);
    expect(r.replyText).toContain(t('nl', 'bot:discreet.own.other'));
    r.say('dank je, ik lees het later'); // for the trust person: the bot stays quiet but the chat is cleaned
    expect(r.last.outbound).toEqual([]);
    expect(cleanings(r.last)).toEqual([{ type: 'cleanChat', scope: 'all' }]);
  });

  it('acts on the command as a first message, and survives "start over" and erasure', () => {
    const r = new EngineResident();
    r.send({ text: '/discreet', channel: 'whatsapp' });
    expect(r.last.snapshot.context.discreet).toBe(true);
    expect(cleanings(r.last)).toHaveLength(1);
    expect(r.replyText).toContain(t('nl', 'bot:discreet.own.whatsapp'));
    r.press('language:nl');
    r.say('opnieuw');
    expect(r.last.snapshot.context.discreet).toBe(true);
    r.say('stop');
    r.press('stop:yes');
    expect(r.step).toBe('stopped');
    expect(r.last.snapshot.context.discreet).toBe(true);
  });

  it('reads a conversation saved before discreet mode existed as off', () => {
    const r = atDomains('nl');
    const { discreet: _d, neutral: _n, ...old } = r.state!.snapshot.context;
    r.state = { ...r.state!, snapshot: { ...r.state!.snapshot, context: old } };
    r.say('2');
    expect(cleanings(r.last)).toEqual([]);
    expect(r.last.outbound.every((m) => !m.text.startsWith(t('nl', 'bot:neutral.firstLine')))).toBe(true);
  });
});

describe('neutral wording in the engine', () => {
  const topicWords = (locale: string) =>
    ['parenting', 'school', 'money', 'health', 'addiction', 'housing', 'safety', 'letters'].map((d) =>
      t(locale, `bot:domains.${d}`).toLowerCase(),
    );

  it.each(['nl', 'ar'])('in %s: every later message starts with the neutral line and never names the organisation', (locale) => {
    const r = new EngineResident();
    r.say('hallo');
    r.press(`language:${locale}`);
    r.say(locale === 'ar' ? 'محايد' : 'neutraal');
    expect(r.last.snapshot.context.neutral).toBe(true);
    expect(r.step).toBe('consent');
    const said: string[] = [...r.last.outbound.map((m) => m.text)];
    const record = () => said.push(...r.last.outbound.map((m) => m.text));
    // The rest of the intake, a "start over" (the greeting again) and the handoff.
    r.say('opnieuw');
    record();
    r.press(`language:${locale}`);
    record();
    r.press('consent:yes');
    record();
    r.say('3 7');
    record();
    r.press('cmd:continue');
    record();
    r.say('1'); // danger now: the emergency numbers and the safety question
    record();
    r.press('safety:safe');
    record();
    r.press('cmd:continue');
    record();
    while (r.step !== 'handoff') {
      r.press('cmd:skip');
      record();
      if (r.step === 'summary') {
        r.press('summary:confirm');
        record();
      }
    }
    r.say('help');
    record();
    expect(said.length).toBeGreaterThan(12);
    expect(said.some((s) => s.includes(t(locale, 'bot:handoff.done_neutral')))).toBe(true);
    expect(said.some((s) => s.includes(t(locale, 'bot:greeting_neutral')))).toBe(true);
    for (const text of said) {
      expect(firstLine(text), text).toBe(t(locale, 'bot:neutral.firstLine'));
      expect(text).not.toContain(ORG);
      for (const word of topicWords(locale)) expect(firstLine(text).toLowerCase()).not.toContain(word);
    }
  });

  it("also words the bot's sentences outside the flow neutrally (the slow-down notice)", () => {
    const engine = buildEngine();
    const r = new EngineResident(engine);
    r.say('hallo');
    r.press('language:nl');
    r.say('neutraal');
    const notice = engine.say(r.state!, 'bot:slowDown.resident');
    expect(firstLine(notice.text)).toBe('Hallo 👋');
    expect(notice.text).toContain(t('nl', 'bot:slowDown.resident'));
    expect(engine.noticeTimers(r.state!)).toEqual([]);
    r.say('discreet');
    expect(engine.noticeTimers(r.state!).map((x) => x.sendId)).toEqual(['discreetSweep']);
  });

  it('gives every bot text that names the organisation a neutral variant without it, in every locale', () => {
    const withOrg: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node === 'string') {
        if (node.includes('{{org}}')) withOrg.push(path);
      } else if (node && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
      }
    };
    walk(texts.i18n.getResourceBundle('nl', 'bot'), '');
    expect(withOrg.sort()).toEqual(['consent.prompt', 'greeting', 'handoff.closed', 'handoff.done', 'handoff.joined']);
    for (const locale of texts.locales) {
      for (const key of withOrg) {
        expect(
          texts.i18n.exists(`bot:${key}_neutral`, { lng: locale, fallbackLng: false } as never),
          `${locale} ${key}_neutral`,
        ).toBe(true);
        expect(texts.t(locale, `bot:${key}`, { org: ORG })).toContain(ORG);
        expect(texts.t(locale, `bot:${key}`, { org: ORG, context: 'neutral' }), `${locale} ${key}`).not.toContain(ORG);
      }
    }
  });
});

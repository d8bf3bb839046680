import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { useTestApp } from '../helpers/test-app.js';
import { WebchatClient, type ChatMessage } from '../helpers/webchat-client.js';

/**
 * Issue 13, office hours and walk-in: the handoff message says honestly when someone will answer, from
 * ORG_HOURS / ORG_TIMEZONE / ORG_CLOSED_DATES at the moment of the step; outside hours it also gives the
 * numbers that are open day and night. Choosing walk-in tells the walk-in hours and address.
 */

let app: App;
/** The app's clock (the conversation steps read it). */
let now = new Date('2026-12-04T20:30:00Z');

useTestApp(
  (made) => ({ app } = made),
  {
    ORG_NAME: 'Al Amal',
    ORG_HOURS: 'ma-vr 09:00-17:00; za 10:00-12:00',
    ORG_TIMEZONE: 'Europe/Amsterdam',
    ORG_CLOSED_DATES: '2026-12-24..2026-12-28',
    WALK_IN_HOURS: 'di,do 13:00-16:00',
    WALK_IN_ADDRESS: 'Kanaalstraat 10, Utrecht',
  },
  { clock: () => now },
);

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

/** A resident who asks for a person at `at`; the bot's answer to that request. */
async function askForPersonAt(at: string, locale: 'nl' | 'ar' = 'nl'): Promise<ChatMessage> {
  now = new Date(at);
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say(locale === 'ar' ? 'السلام عليكم' : 'hallo');
  const replies = await chat.say(locale === 'ar' ? 'أريد أن أتكلم مع شخص' : 'ik wil met iemand praten');
  const answer = replies.find((r) => r.text?.startsWith(t(locale, 'bot:handoff.person')));
  if (!answer) throw new Error(`no handoff message among ${replies.map((r) => r.text).join(' | ')}`);
  return answer;
}

const paragraphs = (m: ChatMessage) => m.text!.split('\n\n');

describe('when someone will answer', () => {
  it('on a Saturday afternoon: on Monday from 09:00, and the numbers that are open now', async () => {
    const answer = await askForPersonAt('2026-12-05T12:30:00Z'); // Saturday 13:30 in Amsterdam
    const next = t('nl', 'bot:hours.next.weekday', { day: 'maandag', time: '09:00' });
    expect(paragraphs(answer).slice(1)).toEqual([t('nl', 'bot:hours.closed', { next }), t('nl', 'bot:hours.alwaysOpen')]);
    expect(answer.text).toContain('op maandag vanaf 09:00');
    expect(answer.text).not.toMatch(/werkdag/);
  });

  it('on a Friday night: tomorrow (Saturday) from 10:00', async () => {
    const answer = await askForPersonAt('2026-12-04T20:30:00Z'); // Friday 21:30
    expect(answer.text).toContain(t('nl', 'bot:hours.next.tomorrow', { time: '10:00' }));
  });

  it('on a Thursday night: tomorrow morning', async () => {
    const answer = await askForPersonAt('2026-12-03T22:00:00Z'); // Thursday 23:00
    expect(answer.text).toContain(t('nl', 'bot:hours.next.tomorrow', { time: '09:00' }));
  });

  it('early on Saturday: today from 10:00', async () => {
    const answer = await askForPersonAt('2026-12-05T07:00:00Z'); // Saturday 08:00
    expect(answer.text).toContain(t('nl', 'bot:hours.next.today', { time: '10:00' }));
  });

  it('during office hours: open until 17:00, and no emergency list', async () => {
    const answer = await askForPersonAt('2026-12-07T09:00:00Z'); // Monday 10:00
    expect(paragraphs(answer).slice(1)).toEqual([t('nl', 'bot:hours.open', { until: '17:00' })]);
  });

  it('just before closing: open until 17:00, else tomorrow from 09:00', async () => {
    const answer = await askForPersonAt('2026-12-07T15:30:00Z'); // Monday 16:30
    const next = t('nl', 'bot:hours.next.tomorrow', { time: '09:00' });
    expect(paragraphs(answer).slice(1)).toEqual([t('nl', 'bot:hours.closingSoon', { until: '17:00', next })]);
  });

  it('over the Christmas closure: the day after it, with its date', async () => {
    const answer = await askForPersonAt('2026-12-23T17:00:00Z'); // Wednesday 18:00, closed 24–28 December
    expect(answer.text).toContain(t('nl', 'bot:hours.next.weekday', { day: 'dinsdag', time: '09:00' }));
  });

  it('in Arabic, with the weekday in Arabic and the text right to left', async () => {
    const answer = await askForPersonAt('2026-12-05T12:30:00Z', 'ar');
    const monday = new Intl.DateTimeFormat('ar', { weekday: 'long', timeZone: 'UTC' }).format(new Date('2026-12-07T12:00:00Z'));
    expect(answer.text).toContain(t('ar', 'bot:hours.next.weekday', { day: monday, time: '09:00' }));
    expect(answer.text).toContain(t('ar', 'bot:hours.alwaysOpen'));
    expect(answer.dir).toBe('rtl');
  });
});

describe('walk-in hours', () => {
  it('are told, with the address, when a resident chooses to drop in', async () => {
    now = new Date('2026-12-07T09:00:00Z');
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.press('language:nl');
    await chat.press('consent:yes');
    await chat.press('domains:letters');
    await chat.press('cmd:continue');
    await chat.press('urgency:week');
    const replies = await chat.press('contact:walkin');
    const info = replies.find((r) => r.text?.includes('Kanaalstraat 10, Utrecht'));
    expect(info?.text).toBe(
      t('nl', 'bot:walkIn.info', {
        walkInHours: 'dinsdag 13:00–16:00\ndonderdag 13:00–16:00',
        walkInAddress: 'Kanaalstraat 10, Utrecht',
      }),
    );
    // And the intake goes on to the next question.
    expect(replies.at(-1)!.text).toBe(t('nl', 'bot:helper.prompt', { language: t('nl', 'bot:language.name.nl') }));
  });
});

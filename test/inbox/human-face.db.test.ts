import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { texts } from '../helpers/engine-driver.js';
import { FakeChannel } from '../helpers/fake-channel.js';
import { eventually } from '../helpers/sse.js';
import { addStaff, openHandoffOf, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Issue 15, a human face: when a trust person takes the chat the resident is told, in their language,
 * who joined (their first name); their replies carry that name on every channel, and in the web chat
 * they look different from the bot's.
 */

const API_TOKEN = 'api-token-for-human-face-tests-0123456789';
let app: App;
let telegram: FakeChannel;

useTestApp((made) => ({ app } = made), { STAFF_API_TOKEN: API_TOKEN, ORG_NAME: 'Al Amal' }, { start: true });
beforeEach(() => {
  telegram = new FakeChannel('telegram');
  app.adapters.set('telegram', telegram);
});

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

async function claimedBy(name: string, handoffId: string) {
  const person = await addStaff(app, { name });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
  return browser;
}

describe('a human face', () => {
  it('in the web chat: who joined, in Arabic; their replies show their name and are marked as a person’s', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('السلام عليكم');
    await chat.say('أريد أن أتكلم مع شخص');
    const handoffId = await openHandoffOf(app, chat);
    await chat.read();
    const browser = await claimedBy('Karim Ouali', handoffId);

    const joined = t('ar', 'bot:handoff.joined', { name: 'Karim' });
    await eventually(async () => (await chat.read()).messages.some((m) => m.text === joined), 5000, 'who joined, in Arabic');

    expect((await browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'مرحبا، أنا كريم' })).status).toBe(303);
    let reply: { text: string | null; from?: string; name?: string } | undefined;
    await eventually(
      async () => {
        reply = (await chat.read()).messages.find((m) => m.text === 'مرحبا، أنا كريم') as typeof reply;
        return reply !== undefined;
      },
      5000,
      'the reply in the web chat',
    );
    expect(reply).toMatchObject({ from: 'person', name: 'Karim' });
    // The bot's own messages are the bot's.
    const res = await app.server.request('/chat/api/messages?after=0', { headers: { authorization: `Bearer ${chat.token}` } });
    const all = ((await res.json()) as { messages: { from: string; name?: string }[] }).messages;
    expect(all.filter((m) => m.from === 'bot').every((m) => m.name === undefined)).toBe(true);
  });

  it('on Telegram: the reply starts with the trust person’s name', async () => {
    await app.conversations.handleInbound({
      channel: 'telegram',
      externalUserId: '4242',
      externalMessageId: '4242:1',
      text: 'hallo',
    });
    await app.conversations.handleInbound({
      channel: 'telegram',
      externalUserId: '4242',
      externalMessageId: '4242:2',
      text: 'persoon',
    });
    const list = await app.server.request('/api/handoffs', { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const [handoff] = ((await list.json()) as { handoffs: { id: string; channel: string }[] }).handoffs.filter(
      (h) => h.channel === 'telegram',
    );
    const browser = await claimedBy('Samira El Idrissi', handoff!.id);
    await eventually(
      () => telegram.delivered.some((d) => d.text === t('nl', 'bot:handoff.joined', { name: 'Samira' })),
      5000,
      'who joined',
    );
    expect((await browser.post(`/inbox/handoffs/${handoff!.id}/messages`, { text: 'Ik bel je morgen om 10 uur.' })).status).toBe(
      303,
    );
    await eventually(
      () =>
        telegram.delivered.some(
          (d) => d.text === `${t('nl', 'bot:handoff.signature', { name: 'Samira' })}\nIk bel je morgen om 10 uur.`,
        ),
      5000,
      'the signed reply',
    );
  });

  it('with a role label the trust person chose: residents read the role, not the name, on every channel', async () => {
    // Chosen on "How residents see you" (the name at the top of every page links there).
    const person = await addStaff(app, { name: 'Fatima Zahra Bennani' });
    const browser = new StaffBrowser(app.server);
    expect((await browser.login(person.email)).status).toBe(303);
    const before = await browser.page('/inbox/me');
    expect(before.html).toContain('href="/inbox/me"');
    expect(before.html).toContain(t('nl', 'bot:handoff.joined', { name: 'Fatima' }));
    expect((await browser.post('/inbox/me', { show: 'role', residentLabel: '  Vertrouwenspersoon  ' })).status).toBe(303);
    const after = await browser.page('/inbox/me?done=saved');
    expect(after.html).toContain(t('nl', 'bot:handoff.joinedAs', { name: 'Vertrouwenspersoon' }));
    expect(after.html).toContain('value="Vertrouwenspersoon"');

    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.say('persoon');
    const handoffId = await openHandoffOf(app, chat);
    await chat.read();
    expect((await browser.post(`/inbox/handoffs/${handoffId}/claim`)).status).toBe(303);
    await eventually(
      async () => (await chat.read()).messages.some((m) => m.text === t('nl', 'bot:handoff.joinedAs', { name: 'Vertrouwenspersoon' })),
      5000,
      'who joined, by role',
    );
    expect((await browser.post(`/inbox/handoffs/${handoffId}/messages`, { text: 'Hoe gaat het nu?' })).status).toBe(303);
    let reply: { name?: string } | undefined;
    await eventually(
      async () => {
        reply = (await chat.read()).messages.find((m) => m.text === 'Hoe gaat het nu?') as typeof reply;
        return reply !== undefined;
      },
      5000,
      'the reply',
    );
    expect(reply!.name).toBe('Vertrouwenspersoon');

    // Back to the first name.
    expect((await browser.post('/inbox/me', { show: 'firstName', residentLabel: 'Vertrouwenspersoon' })).status).toBe(303);
    expect((await browser.page('/inbox/me')).html).toContain(t('nl', 'bot:handoff.joined', { name: 'Fatima' }));
  });

  it('sets the role label through the API too, and refuses one too long or for the shared token', async () => {
    const person = await addStaff(app, { name: 'Youssef Amrani' });
    const { token } = await app.services.tokens.create(person.id, null);
    const patch = (bearer: string, body: unknown) =>
      app.server.request('/api/me', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    let res = await patch(token, { residentLabel: 'Hulpverlener' });
    expect(await res.json()).toEqual({ ok: true, residentLabel: 'Hulpverlener', nameForResidents: 'Hulpverlener' });
    const me = await app.server.request('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ name: 'Youssef Amrani', residentLabel: 'Hulpverlener' });
    res = await patch(token, { residentLabel: 'x'.repeat(41) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('residentLabel');
    res = await patch(token, { residentLabel: null });
    expect(await res.json()).toMatchObject({ residentLabel: null, nameForResidents: 'Youssef' });
    expect((await patch(API_TOKEN, { residentLabel: 'Team' })).status).toBe(400);
  });

  it('in neutral wording: the neutral first line on top, so a notification preview gives nothing away', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.say('neutraal');
    await chat.say('persoon');
    const handoffId = await openHandoffOf(app, chat);
    await chat.read();
    await claimedBy('Karim Ouali', handoffId);
    const expected = `${t('nl', 'bot:neutral.firstLine')}\n\n${t('nl', 'bot:handoff.joined_neutral', { name: 'Karim' })}`;
    await eventually(
      async () => (await chat.read()).messages.some((m) => m.text === expected),
      5000,
      'the neutral joined message',
    );
    expect(expected).not.toContain('Al Amal');
  });

  it('says nothing first to a resident who asked us not to write first ("later"), and nothing for the shared API token', async () => {
    const later = await new WebchatClient(app.server).startSession();
    await later.say('hallo');
    await later.say('hij slaat me');
    await later.press('safety:later');
    const laterId = await openHandoffOf(app, later);
    await later.read();
    await claimedBy('Nadia Amrani', laterId);

    const { chat, handoffId } = await residentAsksForPerson(app, 'hoi');
    await chat.read();
    const claim = await app.server.request(`/api/handoffs/${handoffId}/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(claim.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await later.read()).messages.filter((m) => m.direction === 'out')).toEqual([]);
    expect((await chat.read()).messages.filter((m) => m.direction === 'out')).toEqual([]);
  });
});

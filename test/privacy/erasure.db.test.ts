import { and, asc, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  auditLog,
  conversations,
  erasureCounts,
  handoffNotes,
  handoffs,
  media,
  messages,
  outbox,
  residents,
  whatsappAuth,
} from '../../src/db/schema.js';
import { monthOf } from '../../src/conversation/effects/erase.js';
import { texts } from '../helpers/engine-driver.js';
import { allTables, findLeftovers } from '../helpers/leftovers.js';
import { addStaff, openHandoffOf, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const API_TOKEN = 'api-token-for-tests-api-token-for-tests-1';
let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made), { STAFF_API_TOKEN: API_TOKEN }, { inbox: { loginAttemptsPerMinute: 1000 } });

const db = () => testDb.database.db;
const t = (locale: string, key: string) => texts.t(locale, key, { org: 'Al Amal' });
/** After the web chat page had time to fetch the confirmation. */
const later = () => new Date(Date.now() + 10 * 60_000);

async function loggedIn(role: 'trust_person' | 'coordinator', name?: string) {
  const person = await addStaff(app, { role, ...(name ? { name } : {}) });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  return { person, browser };
}

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  app.server.request(path, {
    ...init,
    headers: { authorization: `Bearer ${init.token ?? API_TOKEN}`, ...(init.headers as Record<string, string>) },
  });

async function voiceNote(chat: WebchatClient, bytes: Uint8Array): Promise<void> {
  const res = await app.server.request(`/chat/api/voice?id=${chat.nextId()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  expect(res.status).toBe(202);
}

/**
 * A resident with something of everything: a finished intake (consent, their own words with a
 * distinctive text, a voice note), a case a coordinator claimed, answered, noted and referred, then
 * closed; and a second conversation left halfway with a reminder pending.
 */
async function residentWithHistory(tag: string, coordinator: StaffBrowser) {
  const words = `Mijn zoon ${tag} spijbelt al weken`;
  const voice = new Uint8Array([0x4f, 0x67, 0x67, 0x53, ...Buffer.from(`VOICE-${tag}`)]);
  const chat = await new WebchatClient(app.server).startSession();
  for (const line of ['hallo', '1', 'ja', '2', words]) await chat.say(line);
  await voiceNote(chat, voice);
  for (const line of ['verder', '2', '1', '3', '1']) await chat.say(line);
  const residentId = await residentIdOf(app, chat);
  const first = await openHandoffOf(app, chat);
  expect((await coordinator.post(`/inbox/handoffs/${first}/claim`)).status).toBe(303);
  await coordinator.post(`/inbox/handoffs/${first}/messages`, { text: `Ik bel je morgen over ${tag}-reply` });
  await coordinator.post(`/inbox/handoffs/${first}/notes`, { text: `Notitie ${tag}-note` });
  await coordinator.post(`/inbox/handoffs/${first}/progress`, { phase: 'refer', referrals: ['school'] });
  expect((await coordinator.post(`/inbox/handoffs/${first}/close`)).status).toBe(303);
  // writes again: a new conversation, stopped halfway (a reminder waits), and a new case asked for
  for (const line of ['hallo weer', '1', 'ja', `${tag}-second`, 'persoon']) await chat.say(line);
  const second = await openHandoffOf(app, chat);
  const convs = await db().select({ id: conversations.id }).from(conversations).where(eq(conversations.residentId, residentId));
  const files = await db().select({ id: media.id }).from(media).where(eq(media.residentId, residentId));
  expect(convs).toHaveLength(2);
  expect(files).toHaveLength(1);
  return {
    chat,
    residentId,
    visitorId: chat.token.split('.')[0]!,
    handoffIds: [first, second],
    conversationIds: convs.map((c) => c.id),
    mediaIds: files.map((f) => f.id),
    texts: [words, `VOICE-${tag}`, `${tag}-reply`, `${tag}-note`, `${tag}-second`],
  };
}

type History = Awaited<ReturnType<typeof residentWithHistory>>;
const idsOf = (r: History) => [r.residentId, ...r.conversationIds, ...r.handoffIds, ...r.mediaIds];

/** The audit log may name the resident and their cases by id (that is its job); nothing else may. */
const AUDIT_ID_COLUMNS = ['audit_log.resident_id', 'audit_log.handoff_id', 'audit_log.detail'];

async function expectNothingLeftOf(r: History, extra: { ids?: string[]; strings?: string[] } = {}) {
  expect(await findLeftovers(testDb.database, [...idsOf(r), ...(extra.ids ?? [])], { allowed: AUDIT_ID_COLUMNS })).toEqual([]);
  expect(await findLeftovers(testDb.database, [r.visitorId, ...r.texts, ...(extra.strings ?? [])])).toEqual([]);
}

describe(`erasing a resident's data on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('by a coordinator: confirms in their language, then nothing of theirs is left in any table; another resident is untouched', async () => {
    const { person: coordinator, browser } = await loggedIn('coordinator', 'Fatima');
    const a = await residentWithHistory('ZQXA', browser);
    const b = await residentWithHistory('ZQXB', browser);
    expect(await findLeftovers(testDb.database, a.texts.slice(0, 1))).not.toEqual([]); // the search finds what is there
    const countB = async () => (await db().select().from(messages).where(eq(messages.residentId, b.residentId))).length;
    const messagesOfB = await countB();

    // the case page has the button, behind a confirm step
    const page = await browser.page(`/inbox/handoffs/${a.handoffIds[1]}`);
    expect(page.html).toContain(`action="/inbox/residents/${a.residentId}/erase"`);
    expect(page.html).toContain(t('nl', 'staff:case.eraseSure'));
    const unconfirmed = await browser.post(`/inbox/residents/${a.residentId}/erase`, { confirm: '1' });
    expect(unconfirmed.status).toBe(400);
    const noCsrf = await browser.post(`/inbox/residents/${a.residentId}/erase`, { confirm: '1', sure: '1' }, { csrf: 'wrong' });
    expect(noCsrf.status).toBe(403);
    expect(await db().select().from(residents).where(eq(residents.id, a.residentId))).toHaveLength(1);

    const erased = await browser.post(`/inbox/residents/${a.residentId}/erase`, { confirm: '1', sure: '1' });
    expect(erased.status).toBe(303);
    expect(erased.headers.get('location')).toBe('/inbox?done=erased');
    expect((await browser.page('/inbox?done=erased')).html).toContain(t('nl', 'staff:done.erased'));

    // Until the confirmation has left, the row holds the channel address and that one message only.
    const [pending] = await db().select().from(residents).where(eq(residents.id, a.residentId));
    expect(pending).toMatchObject({ displayName: null, erasurePendingSince: expect.any(Date) });
    const left = await db().select().from(messages).where(eq(messages.residentId, a.residentId));
    expect(left).toMatchObject([{ direction: 'out', conversationId: null, text: t('nl', 'bot:stop.erasedByStaff') }]);
    expect((await a.chat.read()).messages.map((m) => m.text)).toContain(t('nl', 'bot:stop.erasedByStaff'));
    await app.dispatcher.runOnce();
    expect(await db().select({ status: outbox.status }).from(outbox).where(eq(outbox.residentId, a.residentId))).toEqual([
      { status: 'sent' },
    ]);
    expect(await app.services.erasure.finishPending()).toBe(0); // an open web chat page still gets it
    expect(await app.services.erasure.finishPending(later())).toBe(1);

    // every table the catalogue lists was searched
    expect(await allTables(testDb.database)).toEqual(
      expect.arrayContaining(['public.consents', 'public.handoff_notes', 'public.scheduled_jobs', 'public.whatsapp_auth']),
    );
    await expectNothingLeftOf(a);

    // resident B is as they were
    expect(await countB()).toBe(messagesOfB);
    expect(await db().select().from(handoffs).where(eq(handoffs.residentId, b.residentId))).toHaveLength(2);
    expect(await db().select().from(handoffNotes).where(eq(handoffNotes.handoffId, b.handoffIds[0]!))).toHaveLength(1);
    expect(await findLeftovers(testDb.database, b.texts.slice(0, 1))).not.toEqual([]);

    // anonymous counts only
    expect(await db().select().from(erasureCounts)).toEqual([
      {
        month: monthOf(new Date()),
        channel: 'web',
        reason: 'staff',
        residents: 1,
        conversations: 2,
        handoffs: 2,
        urgentHandoffs: 0,
        messages: expect.any(Number),
      },
    ]);

    // audited: who, on whose behalf, which resident; ids only
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'resident.erase'), eq(auditLog.residentId, a.residentId)));
    expect(entry).toMatchObject({
      actorId: coordinator.id,
      actorName: 'Fatima',
      onBehalfOf: coordinator.id,
      via: 'session',
      outcome: 'allowed',
      detail: { erasure: 'staff', confirmation: true, handoffs: expect.arrayContaining(a.handoffIds) },
    });
    expect((await browser.page('/inbox/audit')).html).toContain(t('nl', 'staff:audit.actions.resident_erase'));
    expect(await app.services.audit.verify()).toMatchObject({ ok: true });

    // their case page is gone; the export knows no such resident
    expect((await browser.request(`/inbox/handoffs/${a.handoffIds[0]}`)).status).toBe(404);
    expect((await browser.request(`/inbox/residents/${a.residentId}/export`)).status).toBe(404);
  });

  it('through the API, without a confirmation: a WhatsApp resident goes at once, their number from the signal keys too', async () => {
    const jid = '31612345678@s.whatsapp.net';
    const lid = '98765432101234';
    await app.conversations.handleInbound({
      channel: 'whatsapp',
      externalUserId: jid,
      externalMessageId: `${jid}:ABC1`,
      displayName: 'Fatma ZQXW',
      text: 'hallo ZQXW-words',
    });
    const [resident] = await db().select().from(residents).where(eq(residents.externalId, jid));
    const keys = [
      { type: 'session', id: '31612345678.0' },
      { type: 'session', id: `${lid}_1.0` },
      { type: 'device-list', id: '31612345678' },
      { type: 'lid-mapping', id: '31612345678', value: JSON.stringify(lid) },
      { type: 'lid-mapping', id: `${lid}_reverse`, value: JSON.stringify('31612345678') },
      // another number, one digit longer, and our own credentials stay
      { type: 'session', id: '316123456789.0' },
      { type: 'creds', id: 'creds' },
    ];
    await db()
      .insert(whatsappAuth)
      .values(keys.map((k) => ({ type: k.type, id: k.id, value: k.value ?? '{}' })));

    const res = await api(`/api/residents/${resident!.id}/erase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: false }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, confirmation: 'not-sent', conversations: 1, handoffs: 0 });
    expect(await findLeftovers(testDb.database, [resident!.id], { allowed: AUDIT_ID_COLUMNS })).toEqual([]);
    expect(await findLeftovers(testDb.database, [lid, 'ZQXW', 'Fatma'])).toEqual([]);
    // (the other number's key holds these digits too, so its ids are looked at below instead)
    expect(await findLeftovers(testDb.database, ['31612345678'], { allowed: ['whatsapp_auth.id'] })).toEqual([]);
    expect(
      (await db().select({ id: whatsappAuth.id }).from(whatsappAuth).orderBy(asc(whatsappAuth.id))).map((k) => k.id),
    ).toEqual(['316123456789.0', 'creds']);
    const [entry] = await app.services.audit.list({ residentId: resident!.id });
    expect(entry).toMatchObject({
      action: 'resident.erase',
      actorId: 'api',
      onBehalfOf: 'integration',
      via: 'api-token',
      detail: { erasure: 'staff', confirmation: false, handoffs: [] },
    });
    expect((await api(`/api/residents/${resident!.id}/erase`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses a trust person, on the page and through the API, audits each attempt, and erases nothing', async () => {
    const { browser: coordinator } = await loggedIn('coordinator');
    const a = await residentWithHistory('ZQXT', coordinator);
    const { person, browser } = await loggedIn('trust_person');
    const page = await browser.page(`/inbox/handoffs/${a.handoffIds[1]}`);
    expect(page.html).not.toContain(`/inbox/residents/${a.residentId}/erase`);

    expect((await browser.post(`/inbox/residents/${a.residentId}/erase`, { confirm: '1', sure: '1' })).status).toBe(403);
    const { token } = await app.services.tokens.create(person.id, 'their integration');
    const viaToken = await api(`/api/residents/${a.residentId}/erase`, { method: 'POST', token });
    expect(viaToken.status).toBe(403);
    expect(await viaToken.json()).toMatchObject({ error: 'forbidden' });

    const attempts = (await app.services.audit.list({ residentId: a.residentId })).filter((e) => e.action === 'resident.erase');
    expect(attempts).toHaveLength(2);
    expect(attempts.every((e) => e.outcome === 'denied' && e.actorId === person.id)).toBe(true);
    expect(attempts.map((e) => e.via).sort()).toEqual(['session', 'token']);
    expect(await findLeftovers(testDb.database, a.texts.slice(0, 1))).not.toEqual([]);
    expect(await db().select().from(erasureCounts)).toEqual([]);
  });

  it('by the resident ("stop", then yes): everything they told goes, the chat goes on, and it is counted and audited', async () => {
    const { browser } = await loggedIn('coordinator');
    const a = await residentWithHistory('ZQXS', browser);
    await a.chat.say('stop');
    const replies = await a.chat.say('ja');
    expect(replies.map((m) => m.text)).toEqual([t('nl', 'bot:stop.done')]);

    // The row stays (channel address, language) so the confirmation reaches them, with the conversation it is in.
    const [row] = await db().select().from(residents).where(eq(residents.id, a.residentId));
    expect(row).toMatchObject({ locale: 'nl', displayName: null, erasurePendingSince: null });
    const convs = await db().select().from(conversations).where(eq(conversations.residentId, a.residentId));
    expect(convs).toHaveLength(1);
    const kept = convs[0]!.id;
    const left = await db().select().from(messages).where(eq(messages.residentId, a.residentId));
    expect(left.map((m) => [m.direction, m.text])).toEqual([['out', t('nl', 'bot:stop.done')]]);
    await expectNothingLeftOf({
      ...a,
      residentId: '00000000-0000-4000-8000-000000000000',
      conversationIds: a.conversationIds.filter((c) => c !== kept),
      visitorId: '(kept)',
    });

    expect(await db().select().from(erasureCounts)).toMatchObject([
      { channel: 'web', reason: 'resident', residents: 1, conversations: 2, handoffs: 2 },
    ]);
    expect((await app.services.audit.list({ residentId: a.residentId }))[0]).toMatchObject({
      action: 'resident.erase',
      actorId: 'resident',
      onBehalfOf: 'resident',
      via: 'chat',
      outcome: 'allowed',
    });
    expect(await app.services.audit.verify()).toMatchObject({ ok: true });

    // and they can start again
    await a.chat.say('hallo');
    expect((await db().select().from(messages).where(eq(messages.residentId, a.residentId))).length).toBeGreaterThan(1);
  });

  it('keeps a resident who writes again before the confirmation has left, as a new start', async () => {
    const { browser } = await loggedIn('coordinator');
    const a = await residentWithHistory('ZQXP', browser);
    expect((await browser.post(`/inbox/residents/${a.residentId}/erase`, { confirm: '1', sure: '1' })).status).toBe(303);
    await a.chat.say('hallo, ik ben er weer');
    await app.dispatcher.runOnce();
    expect(await app.services.erasure.finishPending(later())).toBe(0);
    const [row] = await db().select().from(residents).where(eq(residents.id, a.residentId));
    expect(row!.erasurePendingSince).toBeNull();
    // what they told before is gone all the same
    expect(
      await findLeftovers(testDb.database, [...a.handoffIds, ...a.conversationIds, ...a.mediaIds], { allowed: AUDIT_ID_COLUMNS }),
    ).toEqual([]);
    expect(await findLeftovers(testDb.database, a.texts)).toEqual([]);
  });

  it('sends no confirmation to a resident the channel cannot reach, and removes them at once', async () => {
    const { browser } = await loggedIn('coordinator');
    const a = await residentWithHistory('ZQXU', browser);
    await db().update(residents).set({ unreachable: true }).where(eq(residents.id, a.residentId));
    const res = await api(`/api/residents/${a.residentId}/erase`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ confirmation: 'not-sent' });
    await expectNothingLeftOf(a);
    expect(await db().select().from(residents).where(isNull(residents.erasurePendingSince))).toEqual([]);
  });
});

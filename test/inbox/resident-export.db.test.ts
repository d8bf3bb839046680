import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { auditLog } from '../../src/db/schema.js';
import type { ResidentExport } from '../../src/handoff/resident-export.js';
import { addStaff, openHandoffOf, residentAsksForPerson, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const API_TOKEN = 'api-token-for-tests-api-token-for-tests-1';
let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made), { STAFF_API_TOKEN: API_TOKEN }, { inbox: { loginAttemptsPerMinute: 1000 } });

const OGG_A = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd]);
const OGG_B = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44]);

async function voiceNote(chat: WebchatClient, id: string, bytes: Uint8Array): Promise<void> {
  const res = await app.server.request(`/chat/api/voice?id=${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg' },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  expect(res.status).toBe(202);
}

async function loggedIn(role: 'trust_person' | 'coordinator', name?: string) {
  const person = await addStaff(app, { role, ...(name ? { name } : {}) });
  const browser = new StaffBrowser(app.server);
  expect((await browser.login(person.email)).status).toBe(303);
  return { person, browser };
}

const api = (path: string, token = API_TOKEN) => app.server.request(path, { headers: { authorization: `Bearer ${token}` } });

/** Resident A goes through the whole intake (with consent and words of their own), then sends a voice note. */
async function residentA() {
  const chat = await new WebchatClient(app.server).startSession();
  for (const text of ['hallo', '1', 'ja', '3', 'Mijn huur is te hoog, bewoner A', 'verder', '2', '1', '3', '1'])
    await chat.say(text);
  await voiceNote(chat, 'voice-note-aaaa', OGG_A);
  return { chat, residentId: await residentIdOf(app, chat), handoffId: await openHandoffOf(app, chat) };
}

describe(`exporting a resident's data (subject access request) on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('gives a coordinator everything of that resident, and nothing of another, as an audited JSON download', async () => {
    const a = await residentA();
    const b = await residentAsksForPerson(app, 'Geheim van bewoner B');
    await voiceNote(b.chat, 'voice-note-bbbb', OGG_B);
    const residentB = await residentIdOf(app, b.chat);

    const { person: coordinator, browser } = await loggedIn('coordinator', 'Fatima');
    expect((await browser.post(`/inbox/handoffs/${a.handoffId}/claim`)).status).toBe(303);
    await browser.post(`/inbox/handoffs/${a.handoffId}/messages`, { text: 'Ik bel je morgen, groet Fatima' });
    await browser.post(`/inbox/handoffs/${a.handoffId}/notes`, { text: 'Notitie over bewoner A' });
    await browser.post(`/inbox/handoffs/${a.handoffId}/progress`, { phase: 'refer', referrals: ['debtHelp'] });
    await browser.post(`/inbox/handoffs/${b.handoffId}/claim`);
    await browser.post(`/inbox/handoffs/${b.handoffId}/notes`, { text: 'Notitie over bewoner B' });

    const casePage = await browser.page(`/inbox/handoffs/${a.handoffId}`);
    expect(casePage.html).toContain(`href="/inbox/residents/${a.residentId}/export"`);

    const res = await browser.request(`/inbox/residents/${a.residentId}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="resident-${a.residentId.slice(0, 8)}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
    );
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const raw = await res.text();
    const data = JSON.parse(raw) as ResidentExport;

    expect(data).toMatchObject({
      format: 'tussenin.resident-export',
      version: 2,
      exportedBy: { id: coordinator.id, name: 'Fatima', onBehalfOf: coordinator.id },
      resident: { id: a.residentId, channel: 'web', channelAddress: a.chat.token.split('.')[0], locale: 'nl' },
      consent: [{ decision: 'agreed', locale: 'nl', textVersion: expect.stringMatching(/^[0-9a-f]{12}$/) }],
    });
    expect(data.consent[0]!.conversationId).toBe(data.conversations[0]!.id);
    expect(data.conversations).toHaveLength(1);
    expect(data.conversations[0]!.state).toMatchObject({ value: expect.any(String) });
    const inbound = data.messages.filter((m) => m.direction === 'in');
    const outbound = data.messages.filter((m) => m.direction === 'out');
    expect(inbound.map((m) => m.text)).toContain('Mijn huur is te hoog, bewoner A');
    expect(inbound.every((m) => m.author === 'resident')).toBe(true);
    expect(outbound.some((m) => m.author === 'bot')).toBe(true);
    expect(outbound.find((m) => m.text === 'Ik bel je morgen, groet Fatima')).toMatchObject({
      author: { id: coordinator.id, name: 'Fatima' },
      delivery: { status: 'pending' },
    });
    expect(inbound.find((m) => m.media)?.media).toMatchObject({ kind: 'voice' });
    expect(data.intakes).toHaveLength(1);
    // "money" was pressed; the typed words may add a topic of their own (rent: housing)
    expect(data.intakes[0]!.answers).toMatchObject({ domains: expect.arrayContaining(['money']) });
    expect(data.intakes[0]!.notes.length).toBeGreaterThan(0);
    expect(data.handoffs).toHaveLength(1);
    expect(data.handoffs[0]).toMatchObject({
      id: a.handoffId,
      status: 'claimed',
      phase: 'refer',
      reason: 'intake-complete',
      claimedBy: { id: coordinator.id, name: 'Fatima' },
      notes: [{ text: 'Notitie over bewoner A', author: { id: coordinator.id, name: 'Fatima' } }],
      referrals: [{ agency: 'debtHelp' }],
    });
    expect(data.media).toHaveLength(1);
    expect(data.media[0]).toMatchObject({ kind: 'voice', contentType: 'audio/ogg', byteSize: OGG_A.length, encoding: 'base64' });
    expect(new Uint8Array(Buffer.from(data.media[0]!.content, 'base64'))).toEqual(OGG_A);
    // who saw the resident's data, this export included
    expect(data.accessLog.map((e) => [e.action, e.outcome])).toContainEqual(['transcript.export', 'allowed']);

    // nothing of resident B
    for (const other of [
      residentB,
      b.handoffId,
      b.chat.token.split('.')[0]!,
      'Geheim van bewoner B',
      'Notitie over bewoner B',
      Buffer.from(OGG_B).toString('base64'),
    ]) {
      expect(raw).not.toContain(other);
    }

    const [entry] = await testDb.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'transcript.export'), eq(auditLog.residentId, a.residentId)));
    expect(entry).toMatchObject({
      actorId: coordinator.id,
      onBehalfOf: coordinator.id,
      via: 'session',
      outcome: 'allowed',
      handoffId: null,
      detail: { export: 'resident' },
    });

    // the same through the API with the shared token, on behalf of the integration
    const viaApi = await api(`/api/residents/${a.residentId}/export`);
    expect(viaApi.status).toBe(200);
    expect(viaApi.headers.get('cache-control')).toMatch(/no-store/);
    expect(viaApi.headers.get('content-disposition')).toMatch(/^attachment; filename="resident-/);
    const fromApi = (await viaApi.json()) as ResidentExport;
    expect(fromApi.exportedBy).toEqual({ id: 'api', name: 'API', onBehalfOf: 'integration' });
    expect(fromApi.messages.map((m) => m.id)).toEqual(data.messages.map((m) => m.id));
    const apiEntries = await app.services.audit.list({ residentId: a.residentId, actorId: 'api' });
    expect(apiEntries[0]).toMatchObject({ action: 'transcript.export', onBehalfOf: 'integration', via: 'api-token' });

    // the audit page names it, with on whose behalf
    const audit = await browser.page('/inbox/audit');
    expect(audit.html).toContain('Gegevens bewoner geëxporteerd (inzageverzoek)');
    expect(audit.html).toContain('koppeling (API)');

    expect(await app.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a trust person, on the page and through the API, and audits the attempt', async () => {
    const a = await residentA();
    const { person, browser } = await loggedIn('trust_person');
    expect((await browser.post(`/inbox/handoffs/${a.handoffId}/claim`)).status).toBe(303);
    const page = await browser.page(`/inbox/handoffs/${a.handoffId}`);
    expect(page.html).toContain('Mijn huur is te hoog'); // they hold the case and read it
    expect(page.html).not.toContain(`/inbox/residents/${a.residentId}/export`);
    expect(page.html).not.toContain('id="export-resident"');

    const refused = await browser.request(`/inbox/residents/${a.residentId}/export`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('Mijn huur is te hoog');
    const { token } = await app.services.tokens.create(person.id, 'their integration');
    const viaToken = await api(`/api/residents/${a.residentId}/export`, token);
    expect(viaToken.status).toBe(403);
    expect(await viaToken.json()).toMatchObject({ error: 'forbidden' });

    const denied = (await app.services.audit.list({ residentId: a.residentId })).filter((e) => e.action === 'transcript.export');
    expect(denied).toHaveLength(2);
    expect(denied.every((e) => e.outcome === 'denied' && e.actorId === person.id && e.onBehalfOf === person.id)).toBe(true);
    expect(denied.map((e) => e.via).sort()).toEqual(['session', 'token']);
    expect(await app.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('answers 404 for an unknown resident or a malformed id', async () => {
    const { browser } = await loggedIn('coordinator');
    expect((await browser.request('/inbox/residents/00000000-0000-4000-8000-000000000000/export')).status).toBe(404);
    expect((await api('/api/residents/not-a-uuid/export')).status).toBe(404);
    expect(await app.services.audit.list()).toHaveLength(0);
  });
});

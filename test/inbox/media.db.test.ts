import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { storeMedia } from '../../src/media/store-media.js';
import { addStaff, residentAsksForPerson, StaffBrowser } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import type { WebchatClient } from '../helpers/webchat-client.js';

let app: App;

useTestApp((made) => ({ app } = made), {}, { inbox: { loginAttemptsPerMinute: 1000 } });

const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const HTML = new TextEncoder().encode('<html><script>alert(1)</script></html>');
const PDF = new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n');

/** A file the resident sent, stored as the channel stored it (its content type as given). */
async function residentSends(
  chat: WebchatClient,
  kind: 'voice' | 'image' | 'document',
  contentType: string,
  bytes: Uint8Array,
): Promise<string> {
  const visitorId = chat.token.split('.')[0]!;
  const mediaId = await storeMedia(app.database, { channel: 'web', externalUserId: visitorId, kind, contentType, bytes });
  await app.conversations.handleInbound({
    channel: 'web',
    externalUserId: visitorId,
    externalMessageId: `file-${mediaId}`,
    media: { kind, mediaId },
  });
  return mediaId;
}

async function staffBrowser(role: 'trust_person' | 'coordinator') {
  const person = await addStaff(app, { role });
  const browser = new StaffBrowser(app.server);
  await browser.login(person.email);
  return { person, browser };
}

describe('media for staff', () => {
  it('plays a voice note to an authorised reader: its stored type, as an attachment, nosniff, audited', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app);
    const voice = await chat.post({ id: 'not-used-0001', text: 'hier een spraakbericht' });
    expect(voice.status).toBe(202);
    const upload = await app.server.request('/chat/api/voice?id=voice-note-0001', {
      method: 'POST',
      headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'audio/ogg; codecs=opus' },
      body: OGG,
    });
    expect(upload.status).toBe(202);
    const { browser } = await staffBrowser('coordinator');
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    const src = /<audio class="media-audio" controls preload="none" src="([^"]+)"/.exec(page.html)?.[1];
    expect(src).toMatch(new RegExp(`^/inbox/handoffs/${handoffId}/media/[0-9a-f-]{36}$`));
    const res = await browser.request(src!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/ogg');
    // Played in the page; opened on its own, it is saved, never rendered.
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="voice-[0-9a-f]{8}\.ogg"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(OGG);
    const download = await browser.request(`${src}?download=1`);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="voice-[0-9a-f]{8}\.ogg"$/);
    const audits = await app.services.audit.list({ handoffId });
    expect(audits.some((a) => a.action === 'media.view' && a.outcome === 'allowed')).toBe(true);
  });

  it('serves media only to staff who may read the case', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app);
    const mediaId = await residentSends(chat, 'image', 'image/png', new Uint8Array([137, 80, 78, 71]));
    const path = `/inbox/handoffs/${handoffId}/media/${mediaId}`;
    const holder = await staffBrowser('trust_person');
    const other = await staffBrowser('trust_person');
    expect((await holder.browser.request(path)).status).toBe(403); // waiting: not theirs yet
    await holder.browser.post(`/inbox/handoffs/${handoffId}/claim`);
    const ok = await holder.browser.request(path);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect((await other.browser.request(path)).status).toBe(403);
    const anonymous = await app.server.request(path, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/inbox\/login/);
    // the file of one case cannot be fetched through another case's address
    const second = await residentAsksForPerson(app);
    await holder.browser.post(`/inbox/handoffs/${second.handoffId}/claim`);
    expect((await holder.browser.request(`/inbox/handoffs/${second.handoffId}/media/${mediaId}`)).status).toBe(404);
    const denied = (await app.services.audit.list({ handoffId })).filter(
      (a) => a.action === 'media.view' && a.outcome === 'denied',
    );
    expect(denied.length).toBe(2);
  });

  it('never serves SVG or HTML inline: an unlisted type goes out as an octet-stream attachment', async () => {
    const { chat, handoffId } = await residentAsksForPerson(app);
    const svg = await residentSends(chat, 'image', 'image/svg+xml', SVG);
    const html = await residentSends(chat, 'document', 'text/html; charset=utf-8', HTML);
    const pdf = await residentSends(chat, 'document', 'application/pdf', PDF);
    const { browser } = await staffBrowser('coordinator');
    for (const id of [svg, html]) {
      const res = await browser.request(`/inbox/handoffs/${handoffId}/media/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z]+-[0-9a-f]{8}\.bin"$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const res = await browser.request(`/inbox/handoffs/${handoffId}/media/${pdf}`);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="document-[0-9a-f]{8}\.pdf"$/);
    // the page offers the SVG "image" as an <img> at most, which a browser never runs script in,
    // and the API offers every file as a download
    const page = await browser.page(`/inbox/handoffs/${handoffId}`);
    expect(page.html).not.toContain('<svg');
    const { person } = await staffBrowser('coordinator');
    const { token } = await app.services.tokens.create(person.id, null);
    const api = await app.server.request(`/api/handoffs/${handoffId}/media/${svg}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.headers.get('content-type')).toBe('application/octet-stream');
    expect(api.headers.get('content-disposition')).toMatch(/^attachment/);
  });
});

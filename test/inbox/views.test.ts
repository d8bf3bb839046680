import { describe, expect, it } from 'vitest';
import { rankMatches } from '../../src/handoff/matching.js';
import { markup, trusted } from '../../src/server/html.js';
import { createLabels } from '../../src/i18n/labels.js';
import { mediaResponse } from '../../src/inbox/media-response.js';
import type { QueueItem } from '../../src/handoff/handoff-queries.js';
import { messageItem } from '../../src/inbox/views/message-item.js';
import { queueItems } from '../../src/inbox/views/queue-view.js';
import { texts } from '../helpers/engine-driver.js';

describe('the markup tag', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const evil = `<script>alert("x")</script>' onload='x`;
    expect(markup`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x</p>',
    );
  });
  it('joins arrays, drops null/undefined/false, and keeps nested markup as it is', () => {
    expect(
      markup`<ul>${['a<', 'b'].map((x) => markup`<li>${x}</li>`)}${null}${undefined}${false}${trusted('<hr>')}</ul>`.value,
    ).toBe('<ul><li>a&lt;</li><li>b</li><hr></ul>');
  });
});

describe('a transcript message', () => {
  const ctx = { labels: createLabels(texts, 'nl'), handoffId: 'h1', names: new Map([['s1', 'Samira']]), dirOf: texts.dir };
  const base = {
    id: 7,
    author: null,
    choice: null,
    mediaId: null,
    mediaKind: null,
    locale: null,
    createdAt: new Date('2026-05-01T10:00:00Z'),
    delivery: null,
    transcript: null,
    translation: null,
  };
  it('gives the resident’s text its own direction (Arabic reads right to left)', () => {
    const html = messageItem(ctx, { ...base, direction: 'in', text: 'ابني لا يذهب إلى المدرسة' }).value;
    expect(html).toContain('dir="auto"');
    expect(html).toContain('Bewoner');
  });
  it('shows a staff reply with its author and delivery state, and a bot message in its locale’s direction', () => {
    const staff = messageItem(ctx, {
      ...base,
      direction: 'out',
      author: 's1',
      text: 'Hallo',
      delivery: { status: 'failed', channelStatus: null, lastError: 'blocked' },
    }).value;
    expect(staff).toContain('Samira');
    expect(staff).toContain('data-delivery="failed"');
    const bot = messageItem(ctx, { ...base, direction: 'out', author: 'bot', text: 'مرحبا', locale: 'ar' }).value;
    expect(bot).toContain('dir="rtl"');
  });
  it('says whether discreet mode took a message off the resident’s screen', () => {
    const state = (delivery: { status: 'pending' | 'sent' | 'failed'; channelStatus: string | null; lastError: string | null }) =>
      /data-delivery="(\w+)"/.exec(
        messageItem(ctx, { ...base, direction: 'out', author: 's1', text: 'Hallo', delivery }).value,
      )?.[1];
    expect(state({ status: 'pending', channelStatus: 'deleting', lastError: null })).toBe('deleting');
    expect(state({ status: 'sent', channelStatus: 'deleted', lastError: null })).toBe('deleted');
    expect(state({ status: 'sent', channelStatus: 'not-deleted', lastError: 'too old' })).toBe('notDeleted');
    expect(state({ status: 'sent', channelStatus: 'read', lastError: null })).toBe('read');
    const html = messageItem(ctx, {
      ...base,
      direction: 'out',
      author: 'bot',
      text: 'Hallo',
      delivery: { status: 'sent', channelStatus: 'deleted', lastError: null },
    }).value;
    expect(html).toContain(texts.t('nl', 'staff:delivery.deleted'));
  });
  it('names a pressed button in the staff member’s words', () => {
    const html = messageItem(ctx, { ...base, direction: 'in', text: null, choice: 'domains:money' }).value;
    expect(html).toContain('Geld en schulden');
  });
  it('plays a voice note through the authorised media route', () => {
    const html = messageItem(ctx, { ...base, direction: 'in', text: null, mediaId: 'm-1', mediaKind: 'voice' }).value;
    expect(html).toContain('<audio class="media-audio" controls preload="none" src="/inbox/handoffs/h1/media/m-1">');
  });
});

describe('media responses', () => {
  const file = (contentType: string) => ({ contentType, content: new Uint8Array([1, 2, 3]), kind: 'image' });
  it.each([
    ['image/jpeg', 'image/jpeg', 'attachment'],
    ['audio/ogg; codecs=opus', 'audio/ogg', 'attachment'],
    ['image/svg+xml', 'application/octet-stream', 'attachment'],
    ['text/html', 'application/octet-stream', 'attachment'],
    ['application/xhtml+xml', 'application/octet-stream', 'attachment'],
    ['application/pdf', 'application/pdf', 'attachment'],
    ['', 'application/octet-stream', 'attachment'],
  ])('%s is served as %s, %s', (stored, type, disposition) => {
    const res = mediaResponse(file(stored), { name: 'image-abc' });
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-disposition')!.split(';')[0]).toBe(disposition);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the matching hint', () => {
  const people = [
    { id: '1', name: 'Busy Fatima', role: 'trust_person' as const, languages: ['ar', 'nl'], gender: 'woman', openCases: 4 },
    { id: '2', name: 'Karim', role: 'trust_person' as const, languages: ['ar'], gender: 'man', openCases: 0 },
    { id: '3', name: 'Nadia', role: 'trust_person' as const, languages: ['ar', 'rif'], gender: 'woman', openCases: 1 },
    { id: '4', name: 'Elif', role: 'trust_person' as const, languages: ['tr', 'nl'], gender: 'woman', openCases: 0 },
    { id: '5', name: 'Coordinator', role: 'coordinator' as const, languages: ['ar'], gender: 'woman', openCases: 0 },
  ];
  it('puts language and gender fits first, trust persons before coordinators, fewest open cases first', () => {
    const ranked = rankMatches(people, { language: 'ar', helperGender: 'woman' }).map((p) => p.name);
    expect(ranked).toEqual(['Nadia', 'Busy Fatima', 'Coordinator', 'Karim', 'Elif']);
  });
  it('without a gender wish, everyone speaking the language fits', () => {
    const fits = rankMatches(people, { language: 'ar', helperGender: 'any' }).filter((p) => p.speaksLanguage && p.fitsGender);
    expect(fits.map((p) => p.name)).toEqual(['Karim', 'Nadia', 'Busy Fatima', 'Coordinator']);
  });
});

describe('a queue card', () => {
  const item: QueueItem = {
    id: '00000000-0000-4000-8000-000000000001',
    status: 'waiting',
    urgent: false,
    reason: 'asked-for-person',
    channel: 'web',
    language: 'ar',
    writtenLanguage: null,
    domains: [],
    urgency: null,
    contact: null,
    reachable: null,
    helperGender: null,
    safety: null,
    discreet: false,
    neutral: false,
    claimedBy: null,
    assignedTo: null,
    phase: 'trust',
    trajectory: null,
    createdAt: new Date('2026-05-01T10:00:00Z'),
    updatedAt: new Date('2026-05-01T10:00:00Z'),
    claimedAt: null,
    closedAt: null,
    previousHandoffId: null,
  };
  const card = (locale: string, extra: Partial<QueueItem> & { unheardVoiceNotes?: number }) =>
    queueItems(createLabels(texts, locale), {
      items: [{ ...item, ...extra }],
      staffLoad: [],
      names: new Map(),
      now: new Date('2026-05-01T10:05:00Z'),
    }).value;

  it('names the language a first message was written in, in the staff member’s language', () => {
    expect(card('nl', { writtenLanguage: 'darija-latin' })).toContain('Eerste bericht in: Darija in Latijnse letters');
    expect(card('en', { writtenLanguage: 'darija-latin' })).toContain('First message in: Darija in Latin letters');
    expect(card('nl', { writtenLanguage: 'so' })).toContain('Eerste bericht in: Somalisch');
    expect(card('tr', { writtenLanguage: 'pl' })).toContain('İlk mesajın dili: Lehçe');
    expect(card('ar', { writtenLanguage: 'pl' })).toContain('البولندية');
    expect(card('nl', {})).not.toContain('Eerste bericht in');
  });
  it('shows a code it has no name for as the code, escaped', () => {
    expect(card('nl', { writtenLanguage: '<x>' })).toContain('Eerste bericht in: &lt;x&gt;');
  });
  it('says a voice note was not listened to yet only while one is unheard', () => {
    expect(card('nl', { unheardVoiceNotes: 2 })).toContain('Spraakbericht nog niet beluisterd');
    expect(card('nl', { unheardVoiceNotes: 0 })).not.toContain('Spraakbericht');
    expect(card('en', { unheardVoiceNotes: 1 })).toContain('Voice note not listened to yet');
  });
});

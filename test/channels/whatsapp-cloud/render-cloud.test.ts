import { describe, expect, it } from 'vitest';
import type { CloudMessageBody } from '../../../src/channels/whatsapp-cloud/graph-api.js';
import { CLOUD_LIMITS, renderForCloud, truncate } from '../../../src/channels/whatsapp-cloud/render-cloud.js';
import { renderForWhatsApp } from '../../../src/channels/whatsapp/render-whatsapp.js';
import type { Choice } from '../../../src/engine/types.js';
import { texts } from '../../helpers/engine-driver.js';

/** Rendering for the Cloud API: text, reply buttons, a list, or the numbered text of WhatsApp Web. */

const render = (text: string, choices?: Choice[]) =>
  renderForCloud({ text, choices, locale: 'nl' }, { texts, listButtonLabel: 'Kies een antwoord' });

const numbered = (labels: string[]): Choice[] => labels.map((label, i) => ({ id: `q:${i + 1}`, label, number: i + 1 }));

function interactiveOf(part: CloudMessageBody | undefined) {
  if (part?.type !== 'interactive') throw new Error(`expected an interactive message, got ${part?.type}`);
  return part.interactive;
}

describe('rendering a message for the WhatsApp Cloud API', () => {
  it('sends a message without choices as one text, without link previews', () => {
    expect(render('Hallo, fijn dat je schrijft.')).toEqual([
      { type: 'text', text: { body: 'Hallo, fijn dat je schrijft.', preview_url: false } },
    ]);
  });

  it('splits a long text at paragraph, line or space boundaries, every part within 4,096 characters', () => {
    const paragraph = 'Dit is een zin die een paar keer terugkomt. '.repeat(40).trim();
    const text = Array.from({ length: 6 }, () => paragraph).join('\n\n');
    const parts = render(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.type).toBe('text');
      if (part.type === 'text') expect(part.text.body.length).toBeLessThanOrEqual(CLOUD_LIMITS.text);
    }
    const bodies = parts.map((p) => (p.type === 'text' ? p.text.body : ''));
    // Cut between paragraphs, nothing lost.
    for (const body of bodies) expect(body.endsWith('.')).toBe(true);
    expect(bodies.join('\n\n')).toBe(text);
  });

  it('sends up to three short choices as reply buttons whose ids are our choice ids, the numbered list in the body', () => {
    const choices: Choice[] = [...numbered(['Ja', 'Nee']), { id: 'cmd:person', label: 'Iemand spreken' }];
    const [part, ...rest] = render('Mogen we je gegevens bewaren?', choices);
    expect(rest).toEqual([]);
    expect(interactiveOf(part)).toEqual({
      type: 'button',
      body: {
        text: renderForWhatsApp({ text: 'Mogen we je gegevens bewaren?', choices: choices.slice(0, 2), locale: 'nl' }, texts),
      },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'q:1', title: 'Ja' } },
          { type: 'reply', reply: { id: 'q:2', title: 'Nee' } },
          { type: 'reply', reply: { id: 'cmd:person', title: 'Iemand spreken' } },
        ],
      },
    });
    expect(interactiveOf(part).body.text).toBe('Mogen we je gegevens bewaren?\n\n1. Ja\n2. Nee');
  });

  it('sends four to ten choices as a list with one section, row ids our choice ids, and the given button label', () => {
    const choices = numbered(['School', 'Geld en schulden', 'Wonen', 'Gezondheid', 'Werk', 'Papieren']);
    const [part, ...rest] = render('Waar gaat het over?', choices);
    expect(rest).toEqual([]);
    const list = interactiveOf(part);
    expect(list.type).toBe('list');
    if (list.type !== 'list') return;
    expect(list.action.button).toBe('Kies een antwoord');
    expect(list.action.sections).toHaveLength(1);
    expect(list.action.sections[0]!.rows).toEqual(choices.map((c) => ({ id: c.id, title: c.label })));
    expect(list.body.text).toBe(`Waar gaat het over?\n\n${choices.map((c) => `${c.number}. ${c.label}`).join('\n')}`);
  });

  it('uses a list when labels are too long for buttons, with titles cut at 24 characters and the whole label underneath', () => {
    const long = 'Ik wil liever iemand bellen';
    const choices = numbered(['Ja', long]);
    const list = interactiveOf(render('Hoe wil je contact?', choices)[0]);
    expect(list.type).toBe('list');
    if (list.type !== 'list') return;
    const row = list.action.sections[0]!.rows[1]!;
    expect(row.title.length).toBeLessThanOrEqual(CLOUD_LIMITS.rowTitle);
    expect(row.title).toBe('Ik wil liever iemand…');
    expect(row.description).toBe(long);
    expect(list.action.sections[0]!.rows[0]).toEqual({ id: 'q:1', title: 'Ja' });
  });

  it('uses a list for two buttons with the same title (WhatsApp refuses those)', () => {
    expect(interactiveOf(render('Welke?', numbered(['Ja', 'Ja']))[0]).type).toBe('list');
  });

  it('cuts a list button label that is too long to 20 characters', () => {
    const [part] = renderForCloud(
      { text: 'Waar gaat het over?', choices: numbered(['a', 'b', 'c', 'd']), locale: 'nl' },
      { texts, listButtonLabel: 'Kies hier een van de antwoorden' },
    );
    const list = interactiveOf(part);
    if (list.type === 'list') expect(list.action.button.length).toBeLessThanOrEqual(CLOUD_LIMITS.listButton);
  });

  it('sends more than ten choices as the numbered text of the WhatsApp Web channel', () => {
    const choices: Choice[] = [
      ...numbered(Array.from({ length: 11 }, (_, i) => `Keuze ${i + 1}`)),
      { id: 'cmd:skip', label: 'overslaan' },
    ];
    const message = { text: 'Welke taal?', choices, locale: 'nl' };
    expect(renderForCloud(message, { texts, listButtonLabel: 'Kies' })).toEqual([
      { type: 'text', text: { body: renderForWhatsApp(message, texts), preview_url: false } },
    ]);
  });

  it('sends choices that need a list as numbered text when there is no label for the list button', () => {
    const message = { text: 'Waar gaat het over?', choices: numbered(['a', 'b', 'c', 'd']), locale: 'nl' };
    expect(renderForCloud(message, { texts, listButtonLabel: undefined })).toEqual([
      { type: 'text', text: { body: renderForWhatsApp(message, texts), preview_url: false } },
    ]);
    // Buttons need no label.
    expect(
      interactiveOf(renderForCloud({ ...message, choices: numbered(['a', 'b']) }, { texts, listButtonLabel: undefined })[0]).type,
    ).toBe('button');
  });

  it('sends a body too long for an interactive message as text first, the question with the buttons after it', () => {
    const explanation = 'Uitleg over wat we met je gegevens doen. '.repeat(30).trim();
    const text = `${explanation}\n\nMogen we je gegevens bewaren?`;
    const parts = render(text, numbered(['Ja', 'Nee']));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ type: 'text', text: { body: explanation, preview_url: false } });
    expect(interactiveOf(parts[1]).body.text).toBe('Mogen we je gegevens bewaren?\n\n1. Ja\n2. Nee');
  });

  it('sends one long paragraph whole as text, and then the buttons with only the numbered list', () => {
    const text = 'Een heel lange vraag zonder alinea’s. '.repeat(40).trim();
    const parts = render(text, numbered(['Ja', 'Nee']));
    expect(parts.map((p) => p.type)).toEqual(['text', 'interactive']);
    expect(parts[0]).toEqual({ type: 'text', text: { body: text, preview_url: false } });
    const buttons = interactiveOf(parts[1]);
    expect(buttons.body.text).toBe('1. Ja\n2. Nee');
    expect(buttons.type).toBe('button');
  });

  it('always gives an interactive message a body, also for command buttons without text', () => {
    const buttons = interactiveOf(render('', [{ id: 'cmd:continue', label: 'Verder' }])[0]);
    expect(buttons.body.text).toBe('Verder');
  });
});

describe('cutting a title to size', () => {
  it('keeps what fits, and cuts at a space with an ellipsis, never inside an emoji', () => {
    expect(truncate('School', 24)).toBe('School');
    expect(truncate('Geld en schulden en nog veel meer', 20)).toBe('Geld en schulden en…');
    expect(truncate('abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcdefghi…');
    const emoji = `${'a'.repeat(8)}😀😀`;
    const cut = truncate(emoji, 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

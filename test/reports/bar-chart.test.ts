import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/inbox/views/bar-chart.js';

const bars = [
  { label: 'Geld & <schulden>', value: 4, shown: '4' },
  { label: 'School', value: 2, shown: '2' },
];

describe('the server-drawn bar chart', () => {
  it('escapes its labels and has no style attribute (the CSP forbids them)', () => {
    const svg = barChart({ id: 'c', title: 'Onderwerp "x"', bars, dir: 'ltr' }).value;
    expect(svg).toContain('Geld &amp; &lt;schulden&gt;');
    expect(svg).toContain('<title id="c-title">Onderwerp &quot;x&quot;</title>');
    expect(svg).not.toMatch(/style=/);
    expect(svg).toContain('role="img"');
  });

  it('grows from the start edge: left to right, or mirrored from the right for Arabic', () => {
    const ltr = barChart({ id: 'c', title: 't', bars, dir: 'ltr' }).value;
    expect(ltr).toContain('<rect class="bar" x="0%" y="20" width="78.00%"');
    expect(ltr).toContain('<rect class="bar" x="0%" y="64" width="39.00%"');
    expect(ltr).toContain('<text class="bar-label" x="0" y="14">');
    const rtl = barChart({ id: 'c', title: 't', bars, dir: 'rtl' }).value;
    expect(rtl).toContain('direction="rtl"');
    expect(rtl).toContain('<rect class="bar" x="22.00%" y="20" width="78.00%"');
    expect(rtl).toContain('<rect class="bar" x="61.00%" y="64" width="39.00%"');
    expect(rtl).toContain('<text class="bar-label" x="100%" y="14">');
    expect(rtl).toContain('<text class="bar-value" x="61.00%" dx="-6" y="76">');
  });
});

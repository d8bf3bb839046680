import { markup, type Html } from '../../server/html.js';

export interface Bar {
  label: string;
  value: number;
  /** The value as the page writes it (formatted for the language). */
  shown: string;
}

/** Height of one bar with its label above it, in CSS pixels; the label takes the first line. */
const ROW = 44;
/** The longest bar, in percent of the chart's width: room is left for the value after it. */
const LONGEST = 78;

/**
 * A horizontal bar chart as inline SVG, drawn on the server (issue 16): no script, no library, no
 * `style` attribute (the CSP forbids them; colours and fonts come from inbox.css by class). Each bar
 * has its label on its own line above it, so a long label in any language is never squeezed beside the
 * bar, and its value after it. The chart is as wide as its container (lengths in percent, text in CSS
 * pixels, so text does not shrink on a phone). Right to left (Arabic) it is mirrored: labels and bars
 * start at the right edge and grow to the left. Every text goes through `markup`, so it is escaped.
 * The caller shows the same numbers as a table beside it, for screen readers and as a fallback.
 */
export function barChart(options: { id: string; title: string; bars: readonly Bar[]; dir: 'ltr' | 'rtl' }): Html {
  const { bars, dir } = options;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const rtl = dir === 'rtl';
  const rows = bars.map((bar, i) => {
    const top = i * ROW;
    const length = max > 0 && bar.value > 0 ? Math.max(0.5, (bar.value / max) * LONGEST) : 0;
    const width = length.toFixed(2);
    const start = rtl ? (100 - length).toFixed(2) : '0';
    const end = rtl ? start : width;
    return markup`<g class="bar-row">
        <text class="bar-label" x="${rtl ? '100%' : '0'}" y="${top + 14}">${bar.label}</text>
        <rect class="bar" x="${start}%" y="${top + 20}" width="${width}%" height="14" rx="3" />
        <text class="bar-value" x="${end}%" dx="${rtl ? -6 : 6}" y="${top + 32}">${bar.shown}</text>
      </g>`;
  });
  return markup`<svg
    class="bar-chart"
    id="${options.id}"
    width="100%"
    height="${Math.max(bars.length * ROW, ROW)}"
    role="img"
    aria-labelledby="${options.id}-title"
    direction="${dir}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="${options.id}-title">${options.title}</title>
    ${rows}
  </svg>`;
}

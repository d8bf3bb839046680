import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from '../../src/reports/csv.js';
import { downloadCount } from '../../src/reports/small-counts.js';

describe('CSV cells', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+31 6 12345678', "'+31 6 12345678"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tcmd', "'\tcmd"],
    ['\r=cmd', '"\'\r=cmd"'],
  ])('neutralises a text starting like a formula: %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('Geld, schulden')).toBe('"Geld, schulden"');
    expect(csvCell('zegt "hallo"')).toBe('"zegt ""hallo"""');
    expect(csvCell('twee\nregels')).toBe('"twee\nregels"');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('العربية')).toBe('العربية');
  });

  it('writes numbers as numbers (a negative amount stays one), and nothing for null', () => {
    expect(csvCell(-20000)).toBe('-20000');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('makes a document with CRLF line ends and a byte order mark', () => {
    expect(
      csvDocument([
        ['a', 1],
        ['b', '<5'],
      ]),
    ).toBe('\uFEFFa,1\r\nb,<5\r\n');
  });

  it('writes counts of 1 to 4 as "<5" in a download; 0 and 5 stay', () => {
    expect([0, 1, 4, 5, 12].map(downloadCount)).toEqual([0, '<5', '<5', 5, 12]);
  });
});

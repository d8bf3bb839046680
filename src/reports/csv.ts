/**
 * CSV for spreadsheets (RFC 4180: comma, CRLF, a field with a comma, quote or line break in double
 * quotes, quotes doubled). A text cell that a spreadsheet could take for a formula (starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so it shows as text and runs nothing
 * (OWASP, "CSV injection"). Numbers are ours and written as they are: a negative amount stays a number.
 */
export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly CsvValue[]): string => cells.map(csvCell).join(',');

/** Rows to a document: CRLF line ends and a byte order mark, so Excel reads the UTF-8 (Arabic, Turkish) right. */
export function csvDocument(rows: readonly (readonly CsvValue[])[]): string {
  return `\uFEFF${rows.map(csvRow).join('\r\n')}\r\n`;
}

/**
 * A query result as CSV (RFC 4180: CRLF lines, fields quoted when they hold a comma, quote or line break), NULL as
 * an empty field and an empty string as "" — as Athena writes its result files, so the two stay apart.
 *
 * One difference, for the spreadsheet the file is opened in: a text value that starts with =, +, -, @, a tab or a
 * carriage return gets a leading ' (OWASP's CSV injection rule), which spreadsheets read as "this is text". Event
 * data comes from producers; `=HYPERLINK("https://…?"&A2, "Open")` in a title would otherwise run as a formula in the
 * analyst's spreadsheet and could send other cells away. Numbers, decimals and dates are written as they are.
 */
import type { Cell, ResultColumn } from './api-types';
import { cellText } from './format';

/** Column types whose values are text a producer wrote. */
const TEXT_TYPE = /^(varchar|char|string|json)\b/i;
const FORMULA_START = /^[=+\-@\t\r]/;

function field(cell: Cell, type = ''): string {
  if (cell === null) return '';
  let text = cellText(cell, type);
  if (typeof cell === 'string' && TEXT_TYPE.test(type) && FORMULA_START.test(text)) text = `'${text}`;
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: ResultColumn[], rows: Cell[][]): string {
  const lines = [columns.map((c) => field(c.name)).join(',')];
  for (const row of rows) lines.push(row.map((cell, i) => field(cell, columns[i]?.type)).join(','));
  return lines.join('\r\n') + '\r\n';
}

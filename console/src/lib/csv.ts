/**
 * A query result as CSV (RFC 4180: CRLF lines, fields quoted when they hold a comma, quote or line break), NULL as
 * an empty field and an empty string as "" — as Athena writes its result files, so the two stay apart.
 */
import type { Cell, ResultColumn } from './api-types';
import { cellText } from './format';

function field(cell: Cell, type = ''): string {
  if (cell === null) return '';
  const text = cellText(cell, type);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: ResultColumn[], rows: Cell[][]): string {
  const lines = [columns.map((c) => field(c.name)).join(',')];
  for (const row of rows) lines.push(row.map((cell, i) => field(cell, columns[i]?.type)).join(','));
  return lines.join('\r\n') + '\r\n';
}

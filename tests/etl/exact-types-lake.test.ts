/**
 * Full 64-bit integers and Athena's exact types through the local lake: a CSV and a JSON-lines upload of a dataset
 * declaring every width and a decimal, with both bigint extremes, pass validateUpload's sample check, run through
 * the local Glue runner (the plan's SQL, as the Glue job runs it) and come back from the local query engine digit
 * for digit, with Athena's type names; values beyond a width, beyond a decimal's precision or with more decimal
 * places than its scale land in the rejected store with their reason, nothing rounded.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { lakeTables, type TableDef } from '../../lib/catalog/tables';
import type { Dataset } from '../../lib/dataset-registry';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import { csvChecker } from '../../lib/uploads/check-csv';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits } from '../../lib/uploads/types';
import { fileJob, newLake, rejectedRows, run, useReloadLakes, writeRaw } from './reload-lake';

useReloadLakes();

const MAX = '9223372036854775807';
const MIN = '-9223372036854775808';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'measurements',
  type: 'object',
  required: ['id', 'day'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    day: { type: 'string', format: 'date' },
    big: { type: 'integer' },
    tiny: { type: 'integer', 'x-lake': { type: 'tinyint' } },
    small: { type: 'integer', 'x-lake': { type: 'smallint' } },
    mid: { type: 'integer', 'x-lake': { type: 'int' } },
    price: { type: 'string', 'x-lake': { type: 'decimal(10,2)' } },
    wide: { type: 'string', 'x-lake': { type: 'decimal(38,0)' } },
  },
  'x-lake': { primaryKey: ['id'], partitionBy: 'day', formats: ['csv', 'jsonl'], maxRejectedRatio: 0.9 },
};
const WIDE = '99999999999999999999999999999999999999';

let schemasDir: string;
let tables: TableDef[];
beforeAll(() => {
  schemasDir = mkdtempSync(path.join(os.tmpdir(), 'exact-types-schemas-'));
  cpSync(path.resolve(__dirname, '../../schemas'), schemasDir, { recursive: true });
  writeFileSync(path.join(schemasDir, 'datasets', 'measurements.json'), JSON.stringify(SCHEMA, null, 2));
  tables = lakeTables(schemasDir);
});
afterAll(() => rmSync(schemasDir, { recursive: true, force: true }));

const CSV = [
  'id,day,big,tiny,small,mid,price,wide',
  `max,2026-01-01,${MAX},127,32767,2147483647,99999999.99,${WIDE}`,
  `min,2026-01-01,${MIN},-128,-32768,-2147483648,-99999999.99,-${WIDE}`,
  'over-big,2026-01-01,9223372036854775808,,,,,',
  'over-tiny,2026-01-01,,300,,,,',
  'over-scale,2026-01-01,,,,,12.345,',
  'over-precision,2026-01-01,,,,,123456789.00,',
  'exponent,2026-01-01,,,,,1e2,',
].join('\n');

const JSONL = [
  `{"id":"j-max","day":"2026-01-02","big":${MAX},"tiny":127,"small":32767,"mid":2147483647,"price":"12.50","wide":"${WIDE}"}`,
  `{"id":"j-min","day":"2026-01-02","big":${MIN},"tiny":-128,"small":-32768,"mid":-2147483648,"price":"-0.01"}`,
  '{"id":"j-over","day":"2026-01-02","big":-9223372036854775809}',
].join('\n');

function dataset(table: TableDef): Dataset {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(['x-lake']);
  return { name: 'measurements', schema: SCHEMA, table, validate: ajv.compile(SCHEMA) } as unknown as Dataset;
}

describe('64-bit integers and exact types through the local lake', () => {
  it('the upload check lets both files through, judging each value exactly', () => {
    const ds = dataset(tables.find((t) => t.name === 'measurements')!);
    const limits = sampleLimits();
    const csv = csvChecker(ds, limits);
    csv.push(CSV + '\n');
    // 5 of 7 rows fail (under this dataset's maxRejectedRatio 0.9); the first names the 19-digit overflow.
    expect(csv.finish(true)).toBeNull();
    const strict = dataset({ ...ds.table, maxRejectedRatio: 0 });
    const refused = csvChecker(strict, limits);
    refused.push(CSV + '\n');
    expect(refused.finish(true)?.message).toMatch(
      /line 4, column 3 \(big\): is out of range for bigint \(-9223372036854775808 to 9223372036854775807\): "9223372036854775808"/,
    );
    const json = jsonChecker(strict, limits, true);
    json.push(JSONL + '\n');
    expect(json.finish(true)?.message).toMatch(/line 3 \(big\): is out of range for bigint/);
  });

  it('lands both extremes of every width exactly, rejects what is out of range with its reason, and queries them', async () => {
    const lake = await newLake();
    const csv = await writeRaw(lake, 'uploads/measurements/m.csv', CSV + '\n');
    const jsonl = await writeRaw(lake, 'uploads/measurements/m.jsonl', JSONL + '\n');
    await run(lake, fileJob('measurements', csv, 'load-csv'), { tables });
    await run(lake, fileJob('measurements', jsonl, 'load-json'), { tables });

    const reasons = Object.fromEntries(
      (await rejectedRows(lake, 'measurements')).map((r) => [(r.raw as { id: string }).id, r.reason]),
    );
    expect(reasons).toEqual({
      'over-big': 'big: out of range for bigint (-9223372036854775808 to 9223372036854775807)',
      'over-tiny': 'tiny: out of range for tinyint (-128 to 127)',
      'over-scale': 'price: more than 2 decimal places for decimal(10,2) (not rounded)',
      'over-precision': 'price: out of range for decimal(10,2) (at most 8 digits before the decimal point)',
      exponent: 'price: not a decimal number (digits, optionally a point and digits; no exponent)',
      'j-over': 'big: out of range for bigint (-9223372036854775808 to 9223372036854775807)',
    });

    const engine = await DuckDbQueryEngine.open({
      lakeDir: lake,
      database: 'data_lake_local',
      tables,
      concurrency: 1,
      maxQueued: 4,
      timeoutMs: 60_000,
      maxResultRows: 1000,
      memoryLimit: '256MB',
      threads: 1,
    });
    try {
      const sql = 'SELECT id, big, tiny, small, mid, price, wide FROM measurements ORDER BY id';
      const started = await engine.start(
        checkQuery(sql, { database: 'data_lake_local', tables: tables.map((t) => t.name), maxBytes: 65536 }),
      );
      const status = await engine.wait(started.id, 60_000);
      expect([status?.state, status?.reason]).toEqual(['SUCCEEDED', undefined]);
      const page = await engine.results(started.id, { maxRows: 100 });
      expect(page.columns.map((c) => c.type)).toEqual([
        'varchar',
        'bigint',
        'tinyint',
        'smallint',
        'integer',
        'decimal(10,2)',
        'decimal(38,0)',
      ]);
      // Integers beyond 2^53 and decimals beyond 15 digits come back as their exact text, never through a double.
      expect(page.rows).toEqual([
        ['j-max', MAX, 127, 32767, 2147483647, 12.5, WIDE],
        ['j-min', MIN, -128, -32768, -2147483648, -0.01, null],
        ['max', MAX, 127, 32767, 2147483647, 99999999.99, WIDE],
        ['min', MIN, -128, -32768, -2147483648, -99999999.99, `-${WIDE}`],
      ]);
    } finally {
      await engine.close();
    }
  });
});

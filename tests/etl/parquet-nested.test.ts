/**
 * A Parquet struct, list or map read into a JSON column: its text as both engines write it. A double inside that is
 * NaN or infinite has no JSON number: Spark's to_json (the Glue job) writes it as a string, "NaN", "Infinity",
 * "-Infinity" (Jackson's QUOTE_NON_NUMERIC_NUMBERS); DuckDB's to_json wrote bare tokens, which are no JSON (a strict
 * reader, Athena's among them, could not read the stored value).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sqlString } from '../../lib/duckdb-sql';
import { editedTables, fileJob, newLake, run, tableRows, useReloadLakes } from './reload-lake';

useReloadLakes();

it("writes a nested value's NaN and infinities as Spark does, as strings; a string holding such text stays as it is", async () => {
  const lake = await newLake();
  const key = 'uploads/customers/nested.parquet';
  await fs.mkdir(path.join(lake, 'raw', 'uploads', 'customers'), { recursive: true });
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(
    `COPY (SELECT 'n1' AS customer_id, 'n1@example.com' AS email, TIMESTAMP '2026-03-03 07:00:00' AS created_at, ` +
      `{'score': 'nan'::DOUBLE, 'max': 'inf'::DOUBLE, 'note': 'a:NaN,b', 'ok': 1.5} AS prefs, ` +
      `[1.5, '-inf'::DOUBLE, 'nan'::DOUBLE] AS scores, MAP {'cap': 'inf'::DOUBLE} AS limits) ` +
      `TO ${sqlString(path.join(lake, 'raw', key))} (FORMAT parquet)`,
  );
  conn.closeSync();
  const tables = editedTables({
    'datasets/customers.json': (s: any) => {
      s.properties.prefs = { type: 'object' };
      s.properties.scores = { type: 'array' };
      s.properties.limits = { type: 'object' };
    },
  });
  expect((await run(lake, fileJob('customers', key, 'nested-1'), { tables })).tables[0]).toMatchObject({
    rowsWritten: 1,
    rowsRejected: 0,
  });
  const [row] = await tableRows(lake, 'customers', 'customer_id');
  expect([row!.prefs, row!.scores, row!.limits]).toEqual([
    '{"score":"NaN","max":"Infinity","note":"a:NaN,b","ok":1.5}',
    '[1.5,"-Infinity","NaN"]',
    '{"cap":"Infinity"}',
  ]);
  for (const text of [row!.prefs, row!.scores, row!.limits])
    expect(() => JSON.parse(String(text))).not.toThrow();
});

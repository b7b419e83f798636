/**
 * The local query engine (lib/query/duckdb/) on stored values at the edges of their types: timestamps far from the
 * epoch (read as Athena's timestamp(3), rounded half up in integers) and JSON objects with a key named __proto__.
 * Real DuckDB over Parquet written into a temporary lake's curated layout, as the ETL would.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { lakeTables } from '../../lib/catalog/tables';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import { openTestQueryEngine, TEST_DATABASE } from '../support/query-engine';
import { tempLake } from '../support/raw-zone';

const DATABASE = TEST_DATABASE;
const tables = lakeTables();
const table = (name: string) => tables.find((t) => t.name === name)!;

let writer: DuckDBConnection;
let lake: string;
let engine: DuckDbQueryEngine;

/** Writes one partition of a table as Parquet, from a SELECT of its columns. */
async function writePartition(name: string, value: string, select: string) {
  const t = table(name);
  const dir = path.join(lake, 'curated', t.prefix, `${t.partitionKeys[0]!.name}=${value}`);
  await fs.mkdir(dir, { recursive: true });
  await writer.run(`COPY (${select}) TO '${path.join(dir, 'part-0.parquet')}' (FORMAT parquet)`);
}

async function rows(sql: string): Promise<unknown[][]> {
  const checked = checkQuery(sql, { database: DATABASE, tables: tables.map((t) => t.name), maxBytes: 65536 });
  const s = (await engine.wait((await engine.start(checked)).id, 30_000))!;
  expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
  return (await engine.results(s.id, { maxRows: 1000 })).rows;
}

/** Stored microseconds and the millisecond Athena reads (Trino's Timestamps.roundDiv: half up, toward the later instant). */
const STORED_TIMESTAMPS: [id: string, stored: string, read: string][] = [
  ['a-2026', '2026-03-05 10:00:00.123456', '2026-03-05 10:00:00.123'],
  ['b-2026', '2026-03-05 09:00:00.9995', '2026-03-05 09:00:01.000'],
  ['c-2026', '2026-03-05 09:00:00.000499', '2026-03-05 09:00:00.000'],
  ['d-2600', '2600-01-01 00:00:00.000499', '2600-01-01 00:00:00.000'],
  ['e-2600', '2600-01-01 00:00:00.0005', '2600-01-01 00:00:00.001'],
  ['f-5000', '5000-06-01 12:00:00.00049', '5000-06-01 12:00:00.000'],
  ['g-7849', '7849-05-02 17:53:02.582498', '7849-05-02 17:53:02.582'],
  ['h-9999', '9999-12-31 23:59:59.999499', '9999-12-31 23:59:59.999'],
  ['i-9999', '9999-12-31 23:59:58.9995', '9999-12-31 23:59:59.000'],
  ['j-1500', '1500-06-01 12:00:00.000499', '1500-06-01 12:00:00.000'],
  ['k-1500', '1500-06-01 12:00:00.0005', '1500-06-01 12:00:00.001'],
  ['l-1500', '1500-06-01 12:00:00.9995', '1500-06-01 12:00:01.000'],
  ['m-1500', '1500-06-01 12:00:00.998501', '1500-06-01 12:00:00.999'],
];

beforeAll(async () => {
  writer = await (await DuckDBInstance.create(':memory:')).connect();
  lake = await tempLake('query-stored-values');
  const values = STORED_TIMESTAMPS.map(([id, stored]) => `('${id}', TIMESTAMP '${stored}')`).join(', ');
  await writePartition(
    'customers',
    '2026-03-05',
    `SELECT customer_id, created_at, created_at AS updated_at FROM (VALUES ${values}) t(customer_id, created_at)`,
  );
  await writePartition(
    'page_view',
    '2026-03-05',
    `SELECT event_id, TIMESTAMP '2026-03-05 08:00:00' AS occurred_at, TIMESTAMP '2026-03-05 08:00:01' AS received_at,
            'sess-1' AS session_id, 'https://shop.example/' AS url, viewport
     FROM (VALUES ('pv-1', '{"w":1,"__proto__":{"x":1}}'), ('pv-2', '{"__proto__":2}')) t(event_id, viewport)`,
  );
  engine = await openTestQueryEngine(lake, tables);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await fs.rm(lake, { recursive: true, force: true });
});

describe('local query engine: a stored timestamp far from the epoch is read to the millisecond Athena reads', () => {
  it('rounds half up in integers, in the years 1500 to 9999: shown, computed and compared as that value', async () => {
    expect(
      await rows(
        `SELECT customer_id, created_at, millisecond(created_at), date_format(created_at, '%f'),
                created_at = CAST(substr(CAST(created_at AS VARCHAR), 1, 23) AS TIMESTAMP)
         FROM customers ORDER BY customer_id`,
      ),
    ).toEqual(
      STORED_TIMESTAMPS.map(([id, , read]) => [
        id,
        read,
        Number(read.slice(-3)),
        `${read.slice(-3)}000`,
        true,
      ]),
    );
    expect(
      await rows(
        `SELECT customer_id FROM customers
         WHERE created_at IN (TIMESTAMP '2600-01-01 00:00:00.000', TIMESTAMP '7849-05-02 17:53:02.582',
                              TIMESTAMP '1500-06-01 12:00:00.001', TIMESTAMP '9999-12-31 23:59:59.999')
         ORDER BY customer_id`,
      ),
    ).toEqual([['d-2600'], ['g-7849'], ['h-9999'], ['k-1500']]);
  });

  it('a text cast to TIMESTAMP rounds its fraction the same way', async () => {
    const casts = STORED_TIMESTAMPS.map(([, stored]) => `CAST('${stored}' AS TIMESTAMP)`);
    expect(await rows(`SELECT ${casts.join(', ')}`)).toEqual([STORED_TIMESTAMPS.map(([, , read]) => read)]);
  });
});

describe('local query engine: a JSON key named __proto__ is a key like any other, as in Trino', () => {
  it('json_parse and json_format keep it, at any depth', async () => {
    expect(
      await rows(
        `SELECT json_format(json_parse('{"__proto__":{"x":1},"b":2}')), json_format(json_parse('{"__proto__":1}')),
                json_format(json_parse('[{"b":{"__proto__":[1],"a":0}}]')),
                json_parse('{"__proto__":1}') = json_parse('{}'),
                json_parse('{"b":2,"__proto__":1}') = json_parse('{"__proto__":1,"b":2}'),
                json_extract_scalar(json_parse('{"__proto__":{"x":1}}'), '$["__proto__"].x')`,
      ),
    ).toEqual([
      ['{"__proto__":{"x":1},"b":2}', '{"__proto__":1}', '[{"b":{"__proto__":[1],"a":0}}]', false, true, '1'],
    ]);
  });

  it('on a stored JSON column: map_keys, json_size and equality see it', async () => {
    expect(
      await rows(
        `SELECT event_id, map_keys(CAST(json_parse(viewport) AS MAP(VARCHAR, JSON))), json_size(viewport, '$'),
                json_format(json_parse(viewport)), json_parse(viewport) = json_parse('{"w":1}')
         FROM page_view ORDER BY event_id`,
      ),
    ).toEqual([
      ['pv-1', ['__proto__', 'w'], 2, '{"__proto__":{"x":1},"w":1}', false],
      ['pv-2', ['__proto__'], 1, '{"__proto__":2}', false],
    ]);
  });

  it('a ROW field named __proto__ reads its key from JSON', async () => {
    expect(
      await rows(
        `SELECT r."__proto__", r.b
         FROM (SELECT CAST(json_parse('{"__proto__":5,"b":"x"}') AS ROW("__proto__" BIGINT, b VARCHAR)) AS r)`,
      ),
    ).toEqual([[5, 'x']]);
  });
});

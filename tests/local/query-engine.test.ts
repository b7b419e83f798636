/**
 * The local query engine (lib/query/duckdb/): real DuckDB over Parquet written into a temporary lake's curated
 * layout, as the ETL would (<LAKE_DIR>/curated/<table prefix><partition key>=<value>/*.parquet).
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api';
import { lakeTables } from '../../lib/catalog/tables';
import { thisProcess } from '../../lib/process-identity';
import { DuckDbQueryEngine, type LocalQueryEngineOptions } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import {
  InvalidPageTokenError,
  QueryNotFoundError,
  QueryNotSucceededError,
  type CheckedQuery,
  type QueryStatus,
} from '../../lib/query/types';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const DATABASE = 'data_lake_local';
const tables = lakeTables();
const table = (name: string) => tables.find((t) => t.name === name)!;

let writer: DuckDBConnection;
let lake: string;
let engine: DuckDbQueryEngine;

const options = (over: Partial<LocalQueryEngineOptions> = {}): LocalQueryEngineOptions => ({
  lakeDir: lake,
  database: DATABASE,
  tables,
  concurrency: 2,
  maxQueued: 10,
  timeoutMs: 60_000,
  maxResultRows: 100_000,
  memoryLimit: '256MB',
  threads: 1,
  ...over,
});

/** Writes one partition of a table as Parquet, from a SELECT of its columns. */
async function writePartition(lakeDir: string, name: string, value: string, select: string, file = 'part-0') {
  const t = table(name);
  const dir = path.join(lakeDir, 'curated', t.prefix, `${t.partitionKeys[0]!.name}=${value}`);
  await fs.mkdir(dir, { recursive: true });
  await writer.run(`COPY (${select}) TO '${path.join(dir, `${file}.parquet`)}' (FORMAT parquet)`);
}

const pageViews = (day: string, n: number) => `
  SELECT 'pv-${day}-' || lpad(CAST(i AS VARCHAR), 5, '0') AS event_id,
         TIMESTAMP '${day} 08:00:00' + to_seconds(i) AS occurred_at,
         TIMESTAMP '${day} 08:00:00' + to_seconds(i + 1) AS received_at,
         'sess-' || (i % 7) AS session_id,
         CASE WHEN i % 2 = 0 THEN 'user-' || i END AS user_id,
         'https://shop.example/p/' || i || '?ref=x' AS url,
         NULL::VARCHAR AS referrer, 'Product ' || i AS title, 'UA' AS user_agent,
         CAST(i * 10 AS BIGINT) AS duration_ms, '{"w":' || (300 + i) || ',"h":600}' AS viewport
  FROM range(${n}) t(i)`;

const check = (sql: string): CheckedQuery =>
  checkQuery(sql, { database: DATABASE, tables: tables.map((t) => t.name), maxBytes: 65536 });

async function run(sql: string, e = engine): Promise<QueryStatus> {
  const started = await e.start(check(sql));
  const s = await e.wait(started.id, 30_000);
  return s!;
}

async function rows(sql: string): Promise<unknown[][]> {
  const s = await run(sql);
  expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
  return (await engine.results(s.id, { maxRows: 1000 })).rows;
}

/** Runs each statement and expects it to FAIL with a reason that holds (or matches) its reason. */
async function failEach(cases: (readonly [string, string | RegExp])[]): Promise<void> {
  for (const [sql, reason] of cases) {
    const s = await run(sql);
    const expected =
      typeof reason === 'string' ? expect.stringContaining(reason) : expect.stringMatching(reason);
    expect([sql, s.state, s.reason]).toEqual([sql, 'FAILED', expected]);
  }
}

async function waitForState(id: string, state: string, e = engine): Promise<void> {
  // Generous: on a loaded 2-core machine a query can take seconds to be picked up.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await e.status(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`query ${id} never reached ${state}`);
}

beforeAll(async () => {
  writer = await (await DuckDBInstance.create(':memory:')).connect();
  lake = await tempLake('query-engine');
  for (const day of ['2024-03-01', '2024-03-02', '2024-03-03']) {
    await writePartition(lake, 'page_view', day, pageViews(day, 2000));
  }
  // orders: an older file without the newer `coupon` column (schema evolution), a newer one with it.
  await writePartition(
    lake,
    'orders',
    '2024-03-01',
    `SELECT 'o-1' AS order_id, 'c-1' AS customer_id, DATE '2024-03-01' AS order_date, 'paid' AS status,
            19.99 :: DOUBLE AS amount, 'EUR' AS currency, 2 :: BIGINT AS item_count,
            TIMESTAMP '2024-03-01 10:00:00' AS updated_at, 'uploads/orders/a.csv' AS lake_source_file,
            TIMESTAMP '2024-03-01 11:00:00' AS lake_ingested_at`,
  );
  await writePartition(
    lake,
    'orders',
    '2024-03-02',
    `SELECT 'o-2' AS order_id, 'c-2' AS customer_id, DATE '2024-03-02' AS order_date, 'refunded' AS status,
            5.5 :: DOUBLE AS amount, 'EUR' AS currency, 1 :: BIGINT AS item_count, 'SPRING' AS coupon,
            TIMESTAMP '2024-03-02 10:00:00' AS updated_at, 'uploads/orders/b.csv' AS lake_source_file,
            TIMESTAMP '2024-03-02 11:00:00' AS lake_ingested_at`,
  );
  engine = await DuckDbQueryEngine.open(options());
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

describe('local query engine: results', () => {
  it('answers with typed rows: numbers as numbers, nulls as null, no header row', async () => {
    const s = await run(
      `SELECT event_id, duration_ms, user_id, occurred_at, event_date, duration_ms > 10 AS long_view
       FROM page_view WHERE event_date = '2024-03-01' ORDER BY event_id LIMIT 2`,
    );
    expect(s).toMatchObject({ state: 'SUCCEEDED', engine: 'duckdb', completedAt: expect.any(String) });
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.columns).toEqual([
      { name: 'event_id', type: 'varchar' },
      { name: 'duration_ms', type: 'bigint' },
      { name: 'user_id', type: 'varchar' },
      { name: 'occurred_at', type: 'timestamp' },
      { name: 'event_date', type: 'varchar' },
      { name: 'long_view', type: 'boolean' },
    ]);
    expect(page.rows).toEqual([
      ['pv-2024-03-01-00000', 0, 'user-0', '2024-03-01 08:00:00.000', '2024-03-01', false],
      ['pv-2024-03-01-00001', 10, null, '2024-03-01 08:00:01.000', '2024-03-01', false],
    ]);
    expect(page.nextToken).toBeNull();
  });

  it('types decimals, dates, arrays, maps, rows and json; names unaliased expressions as Athena does', async () => {
    const s = await run(
      `SELECT CAST(12.5 AS DECIMAL(10,2)) AS price, DATE '2024-03-01' AS day, ARRAY[1, 2] AS ids,
              MAP(ARRAY['a'], ARRAY[1.5]) AS weights, CAST(ROW(1, 'x') AS ROW(n BIGINT, s VARCHAR)) AS pair,
              json_parse('{"k":[1,null]}') AS doc, count(*), 9007199254740993 AS big`,
    );
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.columns.map((c) => c.type)).toEqual([
      'decimal(10,2)',
      'date',
      'array(integer)',
      'map(varchar, decimal(2,1))',
      'row(n bigint, s varchar)',
      'json',
      'bigint',
      'bigint',
    ]);
    expect(page.columns[6]!.name).toBe('_col6');
    expect(page.rows).toEqual([
      [12.5, '2024-03-01', [1, 2], { a: 1.5 }, { n: 1, s: 'x' }, { k: [1, null] }, 1, '9007199254740993'],
    ]);
  });

  it("keeps every digit of a json cell's integer beyond a double's exact range, as the API's JSON answer writes it", async () => {
    const s = await run(
      `SELECT json_parse('{"a":9007199254740993,"b":[-9223372036854775808,1.5]}') AS j,
              CAST(CAST(9223372036854775807 AS BIGINT) AS JSON) AS k`,
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(JSON.stringify(page.rows)).toBe(
      '[[{"a":9007199254740993,"b":[-9223372036854775808,1.5]},9223372036854775807]]',
    );
  });

  it('keeps every digit of such an integer in a json value inside an array, a map or a row too; a double stays a double', async () => {
    const s = await run(
      `SELECT ARRAY[json_parse('{"id":9223372036854775807}')] AS arr,
              CAST(json_parse('{"a":12345678901234567890}') AS MAP(VARCHAR, JSON)) AS m,
              CAST(ROW(json_parse('-9007199254740993')) AS ROW(j JSON)) AS r,
              array_agg(json_parse('9007199254740993')) AS agg,
              ARRAY[CAST(1e17 AS DOUBLE)] AS d`,
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(JSON.stringify(page.rows)).toBe(
      '[[[{"id":9223372036854775807}],{"a":12345678901234567890},{"j":-9007199254740993},[9007199254740993],[100000000000000000]]]',
    );
    expect(page.rows[0]![4]).toEqual([1e17]);
  });

  it('answers a -0 double as 0 in a row holding a long run of digits too (the JSON answer has no -0)', async () => {
    const s = await run('SELECT round(-0.001e0, 2) AS r, 0.30000000000000004e0 AS d, ARRAY[-0.0e0] AS arr');
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(JSON.stringify(page.rows)).toBe('[[0,0.30000000000000004,[0]]]');
  });

  it('renders anonymous rows field by field (field0, field1, …), alone, nested and in arrays', async () => {
    const s = await run(
      `SELECT ROW(1, 'a') AS r, ARRAY[ROW(1, 2), ROW(3, 4), NULL] AS rs, ROW(ROW(5, 'b'), 6) AS nested,
              CAST(ROW(7, ROW(8, 'c')) AS ROW(n BIGINT, pair ROW(k BIGINT, v VARCHAR))) AS partly_named,
              CAST(NULL AS ROW(k BIGINT, v VARCHAR)) AS nothing, ARRAY[ROW(ROW(9, 10))] AS deep`,
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.rows).toEqual([
      [
        { field0: 1, field1: 'a' },
        [{ field0: 1, field1: 2 }, { field0: 3, field1: 4 }, null],
        { field0: { field0: 5, field1: 'b' }, field1: 6 },
        { n: 7, pair: { k: 8, v: 'c' } },
        null,
        [{ field0: { field0: 9, field1: 10 } }],
      ],
    ]);
    const map = await run(`SELECT MAP(ARRAY['k'], ARRAY[ROW(1, 2)]) AS m`);
    expect(map).toMatchObject({
      state: 'FAILED',
      reason: expect.stringMatching(/map whose elements are rows with unnamed fields/),
    });
  });

  it('answers text that begins with a byte order mark as it is stored', async () => {
    expect(await rows("SELECT chr(65279) || 'bom', length(chr(65279) || 'bom')")).toEqual([['\uFEFFbom', 4]]);
  });

  it('names the columns UNNEST leaves unnamed _col<n> as Athena does (an array, a map, the ordinal)', async () => {
    const s = await run(
      `SELECT 5 AS k, * FROM UNNEST(ARRAY[7], MAP(ARRAY['a'], ARRAY[1]), ARRAY[CAST(ROW(8) AS ROW(f INTEGER))]) WITH ORDINALITY`,
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.columns.map((c) => c.name)).toEqual(['k', '_col1', '_col2', '_col3', 'f', '_col5']);
    expect(page.rows).toEqual([[5, 7, 'a', 1, 8, 1]]);
  });

  it('takes aliases written without AS that are keywords of DuckDB (day, value, name, dec), as Athena does', async () => {
    const s = await run(
      "SELECT date_trunc('day', TIMESTAMP '2026-11-24 10:30:00') day, 2 value, 'n' name, CAST('1.10' AS DECIMAL(5,2)) dec",
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.columns.map((c) => c.name)).toEqual(['day', 'value', 'name', 'dec']);
    expect(page.rows[0]!.slice(1, 3)).toEqual([2, 'n']);
  });

  it('names NULL, TRUE and the special functions written without parentheses _col<n>, as Athena names expressions', async () => {
    const s = await run(
      'SELECT NULL, true, current_date, localtimestamp, 1 AS x, count(*), current_timestamp AS at',
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.columns.map((c) => c.name)).toEqual(['_col0', '_col1', '_col2', '_col3', 'x', '_col5', 'at']);
  });

  it('keeps an alias or a column name of any characters, as Athena does, and names other expressions _col<n>', async () => {
    const names = async (sql: string) => {
      const s = await run(sql);
      expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
      return (await engine.results(s.id, { maxRows: 10 })).columns.map((c) => c.name);
    };
    expect(await names('SELECT count(*) AS "総数", 1 AS "has space", 2 AS "x-y", 3 AS "ü", 4 + 1')).toEqual([
      '総数',
      'has space',
      'x-y',
      'ü',
      '_col4',
    ]);
    expect(await names('SELECT "é", abs("é") FROM (SELECT 1 AS "é") t')).toEqual(['é', '_col1']);
    expect(await names('SELECT 1 AS "é" UNION ALL SELECT 2')).toEqual(['é']);
    // A * stands for the columns of what it reads: their names as that query gave them.
    expect(await names('SELECT *, 5 AS "a b", 6 FROM (SELECT 1 AS "é", count(*)) t')).toEqual([
      'é',
      '_col1',
      'a b',
      '_col3',
    ]);
  });

  it('names a column written in another case than its table has it as written, as Athena (Trino) does', async () => {
    const names = async (sql: string) => {
      const s = await run(sql);
      expect([sql, s.state, s.reason]).toEqual([sql, 'SUCCEEDED', undefined]);
      return (await engine.results(s.id, { maxRows: 10 })).columns.map((c) => c.name);
    };
    const day = "event_date = '2024-03-01'";
    expect(
      await names(
        `SELECT EVENT_ID, Duration_Ms, url, Occurred_At, VIEWPORT FROM page_view WHERE ${day} LIMIT 1`,
      ),
    ).toEqual(['EVENT_ID', 'Duration_Ms', 'url', 'Occurred_At', 'VIEWPORT']);
    expect(await names(`SELECT pv.Event_Id, "Session_Id" FROM page_view pv WHERE ${day} LIMIT 1`)).toEqual([
      'Event_Id',
      'Session_Id',
    ]);
    expect(await names('WITH t AS (SELECT 1 AS foo) SELECT FOO FROM t')).toEqual(['FOO']);
    expect(
      await names(
        `SELECT EVENT_ID FROM page_view WHERE ${day} UNION ALL SELECT event_id FROM page_view LIMIT 1`,
      ),
    ).toEqual(['EVENT_ID']);
    // A * names what it stands for as that query named it: a subquery's or a CTE's columns as they were written,
    // a table's as the table has them; a column the WHERE clause writes in capitals does not rename it.
    expect(
      await names(`SELECT * FROM (SELECT EVENT_ID, Url AS U FROM page_view WHERE ${day} LIMIT 1)`),
    ).toEqual(['EVENT_ID', 'U']);
    expect(await names('WITH t AS (SELECT 1 AS foo) SELECT *, FOO AS Bar, Foo FROM t')).toEqual([
      'foo',
      'Bar',
      'Foo',
    ]);
    expect(
      await names(
        `SELECT *, EVENT_ID FROM page_view WHERE EVENT_ID IN (SELECT EVENT_ID FROM page_view) AND ${day} LIMIT 1`,
      ),
    ).toEqual([...table('page_view').columns.map((c) => c.name), 'event_date', 'EVENT_ID']);
    expect(await names(`SELECT * FROM (SELECT EVENT_ID FROM page_view WHERE ${day} LIMIT 1) s(X)`)).toEqual([
      'X',
    ]);
    // A comma join as a JOIN; a quoted name of several words.
    expect(await names('SELECT * FROM (SELECT 1 AS a) x, (SELECT A FROM (SELECT 2 AS a)) y')).toEqual([
      'a',
      'A',
    ]);
    expect(await names('SELECT "HAS SPACE" FROM (SELECT 1 AS "has space")')).toEqual(['HAS SPACE']);
  });

  it('pages with nextToken until it is null, in order, and refuses a forged token', async () => {
    const s = await run(
      `SELECT event_id FROM page_view WHERE event_date = '2024-03-02' ORDER BY event_id LIMIT 25`,
    );
    const seen: unknown[] = [];
    let token: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await engine.results(s.id, { maxRows: 10, ...(token ? { nextToken: token } : {}) });
      sizes.push(page.rows.length);
      seen.push(...page.rows.map((r) => r[0]));
      token = page.nextToken ?? undefined;
    } while (token);
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `pv-2024-03-02-${String(i).padStart(5, '0')}`));
    const first = await engine.results(s.id, { maxRows: 10 });
    const forged = Buffer.from('3:17').toString('base64url');
    await expect(engine.results(s.id, { maxRows: 10, nextToken: forged })).rejects.toBeInstanceOf(
      InvalidPageTokenError,
    );
    await expect(engine.results(s.id, { maxRows: 10, nextToken: 'not-a-token' })).rejects.toBeInstanceOf(
      InvalidPageTokenError,
    );
    expect(first.nextToken).toEqual(expect.any(String));
    // A token is its query's own, and as it was given: another query's, or one whose row or offset is edited
    // (which would skip rows without a word), is refused.
    const other = await run(
      `SELECT event_id FROM page_view WHERE event_date = '2024-03-02' ORDER BY event_id DESC LIMIT 25`,
    );
    await expect(
      engine.results(other.id, { maxRows: 10, nextToken: first.nextToken! }),
    ).rejects.toBeInstanceOf(InvalidPageTokenError);
    const [row, byte, mac] = Buffer.from(first.nextToken!, 'base64url').toString('utf8').split(':');
    for (const edited of [`${Number(row) + 1}:${byte}:${mac}`, `${row}:${Number(byte) + 1}:${mac}`])
      await expect(
        engine.results(s.id, { maxRows: 10, nextToken: Buffer.from(edited).toString('base64url') }),
      ).rejects.toBeInstanceOf(InvalidPageTokenError);
  });

  it("answers text compared with a lake table's text columns, and refuses text compared with its timestamp", async () => {
    expect(
      await rows("SELECT count(*) FROM page_view WHERE event_date >= '2000-01-01' AND url <> 'x'"),
    ).toEqual([[expect.any(Number)]]);
    const refused = await run(
      "SELECT count(*) FROM page_view WHERE occurred_at > '2000-01-01' AND url <> 'x'",
    );
    expect([refused.state, refused.reason]).toEqual([
      'FAILED',
      expect.stringMatching(/^Cannot apply operator: timestamp > varchar\(10\)/),
    ]);
  });

  it('has every lake table as a view; a table without data is empty with its columns', async () => {
    const s = await run('SELECT * FROM customers');
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.rows).toEqual([]);
    expect(page.columns.map((c) => c.name)).toEqual([...table('customers').columns.map((c) => c.name), 'dt']);
    expect(page.columns.find((c) => c.name === 'lifetime_value')?.type).toBe('double');
    expect(s.dataScannedBytes).toBe(0);
  });

  it('reads files written with fewer columns (NULL for the missing ones), qualified names too', async () => {
    expect(
      await rows(`SELECT order_id, coupon, dt FROM awsdatacatalog.data_lake_local.orders ORDER BY order_id`),
    ).toEqual([
      ['o-1', null, '2024-03-01'],
      ['o-2', 'SPRING', '2024-03-02'],
    ]);
  });

  it('sees partitions written after the first query', async () => {
    expect(await rows(`SELECT count(*) FROM signup`)).toEqual([[0]]);
    await writePartition(
      lake,
      'signup',
      '2024-03-05',
      `SELECT 'su-1' AS event_id, TIMESTAMP '2024-03-05 09:00:00' AS occurred_at,
              TIMESTAMP '2024-03-05 09:00:01' AS received_at, 'user-1' AS user_id, 'a@b.co' AS email,
              'pro' AS plan, 'FR' AS country, true AS marketing_opt_in, NULL::VARCHAR AS referral_code`,
    );
    expect(await rows(`SELECT user_id, plan, marketing_opt_in, event_date FROM signup`)).toEqual([
      ['user-1', 'pro', true, '2024-03-05'],
    ]);
  });

  it('skips files whose names start with _ or . (as Athena does)', async () => {
    const before = await rows('SELECT count(*) FROM orders');
    await writePartition(lake, 'orders', '2024-03-01', `SELECT 'o-x' AS order_id`, '_staging');
    await writePartition(lake, 'orders', '2024-03-01', `SELECT 'o-y' AS order_id`, '.hidden');
    expect(await rows('SELECT count(*) FROM orders')).toEqual(before);
  });

  it('reports a failing statement as FAILED with the engine’s reason', async () => {
    const s = await run('SELECT no_such_column FROM page_view');
    expect(s.state).toBe('FAILED');
    expect(s.reason).toMatch(/no_such_column/);
    await expect(engine.results(s.id, { maxRows: 1 })).rejects.toBeInstanceOf(QueryNotSucceededError);
  });

  it('does not know ids it never issued', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect(await engine.status(id)).toBeUndefined();
    await expect(engine.results(id, { maxRows: 1 })).rejects.toBeInstanceOf(QueryNotFoundError);
    expect(await engine.cancel(id)).toBeUndefined();
  });
});

describe('local query engine: data scanned', () => {
  it('reports the bytes read from Parquet; a partition filter prunes files and reads fewer', async () => {
    const all = await run('SELECT sum(duration_ms), count(DISTINCT url) FROM page_view');
    const one = await run(
      `SELECT sum(duration_ms), count(DISTINCT url) FROM page_view WHERE event_date = '2024-03-02'`,
    );
    expect(all.state).toBe('SUCCEEDED');
    expect(one.state).toBe('SUCCEEDED');
    const files = await fs.readdir(path.join(lake, 'curated', table('page_view').prefix), {
      recursive: true,
    });
    const sizes = await Promise.all(
      files
        .filter((f) => String(f).endsWith('.parquet'))
        .map(
          async (f) => (await fs.stat(path.join(lake, 'curated', table('page_view').prefix, String(f)))).size,
        ),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(all.dataScannedBytes).toBeGreaterThan(0);
    expect(all.dataScannedBytes).toBeLessThanOrEqual(total);
    expect(one.dataScannedBytes).toBeGreaterThan(0);
    expect(one.dataScannedBytes).toBeLessThan(all.dataScannedBytes * 0.6);
    // The same query again reads the files again (no cache hides the cost).
    const again = await run('SELECT sum(duration_ms), count(DISTINCT url) FROM page_view');
    expect(again.dataScannedBytes).toBe(all.dataScannedBytes);
    // Fewer columns, fewer bytes.
    const narrow = await run('SELECT sum(duration_ms) FROM page_view');
    expect(narrow.dataScannedBytes).toBeLessThan(all.dataScannedBytes);
  });

  it('a partition filter reads only that partition (no footers of the others when the files share columns)', async () => {
    const own = await tempLake('query-engine-prune');
    const days = Array.from({ length: 12 }, (_, i) => `2024-04-${String(i + 1).padStart(2, '0')}`);
    for (const day of days) await writePartition(own, 'page_view', day, pageViews(day, 50));
    const e = await DuckDbQueryEngine.open(options({ lakeDir: own }));
    try {
      const dir = path.join(own, 'curated', table('page_view').prefix);
      const size = async (day: string) =>
        (await fs.stat(path.join(dir, `event_date=${day}`, 'part-0.parquet'))).size;
      const sizes = await Promise.all(days.map(size));
      const total = sizes.reduce((a, b) => a + b, 0);
      const all = await run('SELECT sum(duration_ms), count(DISTINCT url) FROM page_view', e);
      const one = await run(
        `SELECT sum(duration_ms), count(DISTINCT url) FROM page_view WHERE event_date = '${days[5]}'`,
        e,
      );
      expect([all.state, one.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(all.dataScannedBytes).toBeGreaterThan(0);
      expect(one.dataScannedBytes).toBeGreaterThan(0);
      // Only the matching file is read (allowing for one more footer), not the footers of all twelve files as
      // union_by_name would (there, ~4.4× this file's size).
      expect(one.dataScannedBytes).toBeLessThanOrEqual(2 * sizes[5]!);
      expect(one.dataScannedBytes).toBeLessThan(all.dataScannedBytes / 4);
      expect(all.dataScannedBytes).toBeLessThanOrEqual(total);
      // A file written with fewer columns: the view reads by name again, NULL for the missing column.
      await writePartition(
        own,
        'page_view',
        '2024-04-13',
        `SELECT 'pv-old' AS event_id, TIMESTAMP '2024-04-13 08:00:00' AS occurred_at,
                TIMESTAMP '2024-04-13 08:00:01' AS received_at, 's' AS session_id, 'https://a.b/' AS url`,
      );
      const old = await run(
        `SELECT event_id, url, viewport, event_date FROM page_view WHERE event_id IN ('pv-2024-04-12-00000', 'pv-old') ORDER BY event_id`,
        e,
      );
      expect([old.state, old.reason]).toEqual(['SUCCEEDED', undefined]);
      expect((await e.results(old.id, { maxRows: 10 })).rows).toEqual([
        ['pv-2024-04-12-00000', 'https://shop.example/p/0?ref=x', '{"w":300,"h":600}', '2024-04-12'],
        ['pv-old', 'https://a.b/', null, '2024-04-13'],
      ]);
    } finally {
      await e.close();
    }
  });
});

describe('local query engine: Athena (Trino) compatibility', () => {
  it('integer division truncates as in Trino (7 / 2 = 3)', async () => {
    expect(await rows('SELECT 7 / 2, -7 / 2, 7 % 3, CAST(7 AS DOUBLE) / 2')).toEqual([[3, -3, 1, 3.5]]);
    // The least integer of a width % -1 is 0, as Java's % answers it, where DuckDB's remainder overflowed.
    expect(
      await rows(
        'SELECT CAST(-2147483648 AS INTEGER) % -1, mod(-9223372036854775808, -1), ' +
          'CAST(-128 AS TINYINT) % CAST(-1 AS TINYINT), -7 % -1, 7.5 % -1, -7 % 2',
      ),
    ).toEqual([[0, 0, 0, 0, 0.5, -1]]);
    expect(
      await rows(`SELECT sum(duration_ms) / count(*) FROM page_view WHERE event_date = '2024-03-01'`),
    ).toEqual([[9995]]);
  });

  it("a binder error keeps DuckDB's first sentence, without its candidate list or the statement it was given", async () => {
    // The statement DuckDB binds is the local engine's rewrite of the query: never echoed.
    for (const [sql, first] of [
      ['SELECT abs(url) FROM page_view', "argument types 'abs(VARCHAR)'"],
      ["SELECT abs('a')", 'abs(STRING_LITERAL)'],
    ]) {
      const s = await run(sql!);
      expect([sql, s.state]).toEqual([sql, 'FAILED']);
      expect(s.reason).toContain(first!);
      expect(s.reason).toMatch(/^Binder Error: .*\(the local engine's DuckDB; Athena words it otherwise\)$/s);
      expect(s.reason).not.toMatch(/Candidate functions|LINE 1|INTEGER '1'/);
    }
  });

  it("a statement DuckDB's binder refuses that Athena refuses too fails with Athena's refusal, naming the difference", async () => {
    for (const [sql, refusal] of [
      ['SELECT url + 1 FROM page_view', 'Cannot apply operator: varchar + integer'],
      ["SELECT 'a' + 1", 'Cannot apply operator: varchar + integer'],
      [
        "SELECT contains(ARRAY['1', '2'], 1)",
        'Unexpected parameters (array(varchar), integer) for function contains',
      ],
    ]) {
      const s = await run(sql!);
      expect([sql, s.state, s.reason]).toEqual([sql, 'FAILED', expect.stringContaining(refusal!)]);
      expect(s.reason).not.toMatch(/Binder Error/);
    }
  });

  it('division and remainder by zero: Athena’s error for integers and decimals, never DuckDB’s NULL', async () => {
    for (const sql of [
      'SELECT 1 / 0',
      'SELECT 5 % 0',
      'SELECT 5.5 / 0',
      'SELECT 5.5 % 0',
      'SELECT mod(5, 0)',
    ]) {
      const s = await run(sql);
      expect([sql, s.state, s.reason]).toEqual([sql, 'FAILED', expect.stringContaining('Division by zero')]);
    }
    const someRows = `SELECT duration_ms FROM page_view WHERE event_date = '2024-03-01' ORDER BY event_id LIMIT 3`;
    const divided = await run(`SELECT duration_ms / (duration_ms - duration_ms) FROM (${someRows}) t`);
    expect(divided.state).toBe('FAILED');
    // A double divided by zero is Infinity or NaN on Athena: refused, and the reason says so.
    const double = await run('SELECT 1e0 / 0');
    expect([double.state, double.reason]).toEqual([
      'FAILED',
      expect.stringMatching(/Infinity or NaN on Athena/),
    ]);
    // A double or real remainder by zero is NaN on both; a NULL operand gives NULL, as on Athena; rows a WHERE drops
    // are never divided; a zero-row aggregate divided by its count is NULL.
    expect(await rows('SELECT 5e0 % 0, 5 % 0e0')).toEqual([['NaN', 'NaN']]);
    expect(
      await rows('SELECT 10 / NULLIF(0, 0), CAST(NULL AS integer) / 0, CAST(NULL AS integer) % 0'),
    ).toEqual([[null, null, null]]);
    expect(await rows('SELECT x / 0 FROM (SELECT 1 AS x) t WHERE x > 5')).toEqual([]);
    expect(
      await rows(`SELECT sum(duration_ms) / count(*) FROM page_view WHERE event_date = '1999-01-01'`),
    ).toEqual([[null]]);
    // Trino's precedence and associativity around the rewritten operators.
    expect(await rows('SELECT 2 * 3 / 4 * 5, 100 / 5 / 2, 100 / (5 / 2), -7 / 2 % 2, 10 - 7 / 2')).toEqual([
      [5, 10, 50, -1, 7],
    ]);
    expect(
      await rows('SELECT x / sum(x) OVER (), x % 4 FROM (SELECT 2 AS x UNION ALL SELECT 6) t ORDER BY x'),
    ).toEqual([
      [0, 2],
      [0, 2],
    ]);
  });

  it("a column no table has fails with Athena's COLUMN_NOT_FOUND, and expressions nested beyond DuckDB's depth name the limit", async () => {
    await failEach([
      [
        'SELECT nosuchcol FROM orders',
        /^COLUMN_NOT_FOUND: Column 'nosuchcol' cannot be resolved \(did you mean '/,
      ],
      ['SELECT o.nosuch FROM orders o', /^COLUMN_NOT_FOUND: Column 'o\.nosuch' cannot be resolved/],
      [
        'SELECT x FROM (SELECT 1 AS y) t',
        "COLUMN_NOT_FOUND: Column 'x' cannot be resolved (did you mean 'y'?)",
      ],
      [
        `SELECT ${'NOT '.repeat(1001)} true`,
        /^not supported by the local engine: expressions nested more than 1000 deep: DuckDB reads no deeper/,
      ],
    ]);
  });

  it('a decimal quotient and the average of a decimal are refused by name (Athena: a decimal; DuckDB: a double)', async () => {
    const avg = (expr: string) => `SELECT ${expr} FROM (VALUES (1.00), (2.00), (2.00)) t(x)`;
    const quotient = 'a decimal divided by a decimal or an integer';
    await failEach([
      ['SELECT 7.5 / 2', quotient],
      ['SELECT 7 / 2.0', quotient],
      ['SELECT 1 * 1.0 / 3', quotient],
      ['SELECT CAST(1 AS DECIMAL(10,2)) / CAST(3 AS DECIMAL(10,2))', quotient],
      [`SELECT sum(duration_ms) * 1.0 / count(*) FROM page_view WHERE event_date = '2024-03-01'`, quotient],
      ...['avg(x)', 'avg(DISTINCT x)', 'avg(x) OVER ()', 'round(avg(x), 2)'].map(
        (e) => [avg(e), 'avg of a decimal'] as const,
      ),
    ]);
    // The alternatives the reasons name give a double, as on Athena; a double operand makes the quotient a double
    // there too; an integer's average and a decimal's sum are the same on both; a zero divisor still fails first.
    expect(await rows('SELECT CAST(7.5 AS DOUBLE) / 2, 7.5 / 2e0, 1e0 * 1 / 4, 7.5 * 2')).toEqual([
      [3.75, 3.75, 0.25, 15],
    ]);
    expect(
      await rows(
        avg('avg(CAST(x AS DOUBLE)), sum(x), avg(CAST(x AS INTEGER)), avg(DISTINCT CAST(x AS DOUBLE))'),
      ),
    ).toEqual([[1.6666666666666667, '5.00', 1.6666666666666667, 1.5]]);
    expect((await run('SELECT 5.5 / 0')).reason).toContain('Division by zero');
  });

  it('round(decimal, n) keeps the decimal’s scale, as Trino (round(1.25, 1) is 1.30)', async () => {
    const s = await run(
      'SELECT round(1.25, 1), round(-1.25, 1), round(125.5, -1), round(1.25, 3), round(9.99, 1), round(2.5), ' +
        'round(2.5e0, 0), round(17, -1)',
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.rows).toEqual([[1.3, -1.3, 130, 1.25, 10, 3, 3, 20]]);
    expect(page.columns.map((c) => c.type.replace(/\(\d+,/, '(p,'))).toEqual([
      'decimal(p,2)',
      'decimal(p,2)',
      'decimal(p,1)',
      'decimal(p,2)',
      'decimal(p,2)',
      'decimal(p,0)',
      'double',
      'integer',
    ]);
    // A column's NULL stays NULL, of the column's scale.
    const column = await run('SELECT round(x, 1) FROM (VALUES (CAST(1.25 AS DECIMAL(5,2))), (NULL)) t(x)');
    const nulls = await engine.results(column.id, { maxRows: 10 });
    expect([nulls.rows, nulls.columns[0]!.type.replace(/\(\d+,/, '(p,')]).toEqual([
      [[1.3], [null]],
      'decimal(p,2)',
    ]);
  });

  it('CAST to an integer type or boolean rounds a double half away from zero and reads a string as Trino does', async () => {
    // DuckDB rounds a double half to even (2.5 → 2, 0.5 → 0) and reads '2.5' as 3 and ' 12 ' as 12.
    expect(
      await rows(
        'SELECT CAST(2.5e0 AS BIGINT), CAST(-2.5e0 AS INTEGER), CAST(0.5e0 AS INT), CAST(CAST(1.5e0 AS REAL) AS SMALLINT), ' +
          "CAST(2.5 AS TINYINT), CAST('+17' AS BIGINT), TRY_CAST('2.5' AS BIGINT), TRY_CAST(2.5e0 AS BIGINT), " +
          'CAST(CAST(NULL AS DOUBLE) AS BIGINT), CAST(9223372036854775807 AS BIGINT)',
      ),
    ).toEqual([[3, -3, 1, 2, 3, 17, null, 3, null, '9223372036854775807']]);
    expect(
      await rows(
        'SELECT CAST(x AS BIGINT) FROM (VALUES (0.5e0), (1.5e0), (2.5e0), (-0.5e0)) t(x) ORDER BY x',
      ),
    ).toEqual([[-1], [1], [2], [3]]);
    // Booleans from strings as Trino reads them (t, f, 1, 0, true, false in any case); DuckDB also read yes, no, ….
    expect(
      await rows(
        "SELECT CAST('T' AS BOOLEAN), CAST('FALSE' AS BOOLEAN), CAST('1' AS BOOLEAN), TRY_CAST('no' AS BOOLEAN), " +
          'CAST(0.4e0 AS BOOLEAN), CAST(0 AS BOOLEAN)',
      ),
    ).toEqual([[true, false, true, null, true, false]]);
    await failEach([
      ["SELECT CAST('yes' AS BOOLEAN)", "Cannot cast 'yes' to BOOLEAN"],
      ["SELECT CAST('2.5' AS BIGINT)", "Cannot cast '2.5' to BIGINT"],
      ["SELECT CAST(' 12 ' AS INTEGER)", "Cannot cast ' 12 ' to INT"],
      ['SELECT CAST(1e19 AS BIGINT)', 'out of range'],
    ]);
  });

  it('CAST to a decimal rounds a double half up on its shortest text, as Trino; DECIMAL is decimal(38,0)', async () => {
    // Trino's BigDecimal.valueOf(x).setScale(s, HALF_UP) (a real: new BigDecimal(String.valueOf(x))) rounds the
    // double's shortest text: 0.015e0 (0.01499999999999999944… in binary) is 0.02, 1.005e0 is 1.01.
    const s = await run(
      'SELECT CAST(0.015e0 AS DECIMAL(10,2)), CAST(-0.015e0 AS DECIMAL(10,2)), CAST(0.125e0 AS DECIMAL(10,2)), ' +
        'CAST(2.5e0 AS DECIMAL(10)), CAST(1.2345 AS DECIMAL), CAST(true AS DECIMAL(3,1)), ' +
        "CAST('1.255' AS DECIMAL(3,2)), CAST(1.255 AS DECIMAL(3,2)), TRY_CAST(nan() AS DECIMAL(5,2)), " +
        'CAST(CAST(0.015e0 AS REAL) AS DECIMAL(10,2)), TRY_CAST(1e3 AS DECIMAL(3,1))',
    );
    expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
    const page = await engine.results(s.id, { maxRows: 10 });
    expect(page.rows).toEqual([[0.02, -0.02, 0.13, 3, '1', 1, 1.26, 1.26, null, 0.02, null]]);
    expect(page.columns.map((c) => c.type).slice(3, 5)).toEqual(['decimal(10,0)', 'decimal(38,0)']);
    expect(
      await rows(
        'SELECT CAST(x AS DECIMAL(10,2)) FROM (VALUES (0.015e0), (0.045e0), (0.105e0), (1.005e0), (2.675e0)) t(x)',
      ),
    ).toEqual([[0.02], [0.05], [0.11], [1.01], [2.68]]);
    // Beyond 17 digits the shortest text's zeros, not the binary value's digits (1.2345678901234568E29).
    expect(
      await rows(
        'SELECT CAST(CAST(1.2345678901234568e29 AS DECIMAL(38,0)) AS VARCHAR), ' +
          'CAST(CAST(0.1e0 AS DECIMAL(38,20)) AS VARCHAR), CAST(CAST(1e-7 AS DECIMAL(10,8)) AS VARCHAR)',
      ),
    ).toEqual([['123456789012345680000000000000', '0.10000000000000000000', '0.00000010']]);
    const overflow = await run('SELECT CAST(1e3 AS DECIMAL(3,1))');
    expect(overflow.state).toBe('FAILED');
  });

  it('trim, ltrim and rtrim remove Java’s whitespace as Trino does, or the characters given', async () => {
    // DuckDB's trim removes spaces only: tab, newline, CR and U+3000 stayed.
    expect(
      await rows(
        "SELECT '[' || trim(chr(9) || ' ab ' || chr(10) || chr(13)) || ']', '[' || ltrim(chr(12288) || 'ab ') || ']', " +
          "'[' || rtrim(' ab' || chr(8233)) || ']', '[' || trim(chr(160) || 'ab') || ']', trim('xxabx', 'x'), " +
          "rtrim('abxx', 'x')",
      ),
    ).toEqual([['[ab]', '[ab ]', '[ ab]', '[\u00a0ab]', 'ab', 'ab']]);
  });

  it('url_encode and url_decode are Java’s URLEncoder and URLDecoder, as Trino’s', async () => {
    // DuckDB wrote a%20b%2A~.-_%C3%A9%2F%3F%3D%26%2B and kept the + when decoding.
    expect(
      await rows(
        "SELECT url_encode('a b*~.-_é/?=&+'), url_decode('a+b%20c%2B'), " +
          "url_extract_parameter('https://x.example/p?q=a+b%20c&r=1', 'q')",
      ),
    ).toEqual([['a+b*%7E.-_%C3%A9%2F%3F%3D%26%2B', 'a b c+', 'a b c']]);
  });

  it('try() answers NULL where a cast or a subscript fails, as Trino’s; what DuckDB’s TRY cannot hold is refused', async () => {
    // The failing forms of the casts and subscripts raise error(), which DuckDB's TRY refuses to hold: inside try()
    // the forms that answer NULL are used.
    expect(
      await rows(
        "SELECT try(CAST('x' AS BIGINT)), try(CAST(2.5e0 AS INTEGER)), try(ARRAY[1, 2][3]), try(ARRAY[1, 2][-1]), " +
          "try(MAP(ARRAY['a'], ARRAY[1])['b']), try(ARRAY[1, 2][2]), try(date_parse('x', '%Y-%m-%d'))",
      ),
    ).toEqual([[null, 3, null, null, null, 2, null]]);
    await failEach([
      ['SELECT try(1 / 0)', 'not supported by the local engine: try() around a / b'],
      [
        "SELECT try(split_part('a,b', ',', 0))",
        'not supported by the local engine: try() around split_part(…)',
      ],
      ['SELECT try(CAST(1.5e0 AS VARCHAR))', 'try() around CAST(… AS VARCHAR)'],
    ]);
  });

  it('split_part refuses an index of 0 or less, as Trino', async () => {
    const s = await run("SELECT split_part('a,b', ',', 0)");
    expect([s.state, s.reason]).toEqual(['FAILED', expect.stringMatching(/Index must be greater than zero/)]);
  });

  it('a double or real cast to varchar reads as Athena (Java) writes it, or is refused by name', async () => {
    expect(
      await rows(
        `SELECT CAST(nan() AS varchar), CAST(infinity() AS varchar), CAST(-infinity() AS varchar), CAST(-0e0 AS varchar),
                CAST(1234567e0 AS varchar), CAST(0.001e0 AS varchar), CAST(9999999.5e0 AS varchar), TRY_CAST(-2.5e0 AS VARCHAR),
                CAST(CAST(1.1 AS real) AS varchar), CAST(CAST(NULL AS double) AS varchar)`,
      ),
    ).toEqual([
      ['NaN', 'Infinity', '-Infinity', '-0.0', '1234567.0', '0.001', '9999999.5', '-2.5', '1.1', null],
    ]);
    // Other types are cast as before: a string that reads "inf" stays as it is.
    expect(
      await rows(
        `SELECT CAST('inf' AS varchar), CAST(42 AS varchar), CAST(1.50 AS varchar), CAST(DATE '2024-01-02' AS varchar)`,
      ),
    ).toEqual([['inf', '42', '1.50', '2024-01-02']]);
    // Java writes 1.0E10 and 9.9E-4; DuckDB would write 10000000000.0 and 0.00099.
    for (const sql of ['SELECT CAST(1e10 AS varchar)', 'SELECT CAST(0.00099e0 AS varchar)']) {
      const s = await run(sql);
      expect([s.state, s.reason]).toEqual([
        'FAILED',
        expect.stringMatching(/not supported by the local engine: a double/),
      ]);
    }
  });

  it('a timestamp or JSON cast to varchar reads as Athena writes it; arrays, maps and rows cannot be cast', async () => {
    // DuckDB wrote 2024-03-01 08:00:00, …:01.5 and 1970-01-01 00:00:00+00; a JSON string with its quotes.
    expect(
      await rows(
        `SELECT CAST(occurred_at AS VARCHAR), CAST(occurred_at + INTERVAL '1.5' SECOND AS VARCHAR),
                CAST(from_unixtime(0) AS VARCHAR), TRY_CAST(from_unixtime(1.25e0) AS VARCHAR),
                CAST(json_parse('"abc"') AS VARCHAR), CAST(json_parse('1.50') AS VARCHAR),
                CAST(json_parse('12345678901234567890123') AS VARCHAR), CAST(json_parse('null') AS VARCHAR),
                CAST(CAST(NULL AS TIMESTAMP) AS VARCHAR)
         FROM page_view WHERE event_id = 'pv-2024-03-01-00000'`,
      ),
    ).toEqual([
      [
        '2024-03-01 08:00:00.000',
        '2024-03-01 08:00:01.500',
        '1970-01-01 00:00:00.000 UTC',
        '1970-01-01 00:00:01.250 UTC',
        'abc',
        '1.5',
        '12345678901234567890123',
        null,
        null,
      ],
    ]);
    await failEach([
      ['SELECT CAST(ARRAY[1, 2] AS VARCHAR)', 'Cannot cast integer[] to varchar'],
      ["SELECT CAST(MAP(ARRAY['a'], ARRAY[1]) AS VARCHAR)", 'Cannot cast map(varchar, integer) to varchar'],
      ["SELECT CAST(json_parse('[1,2]') AS VARCHAR)", 'Unable to cast [1,2] to varchar'],
      ["SELECT CAST(INTERVAL '1' DAY AS VARCHAR)", 'not supported by the local engine: an interval'],
    ]);
  });

  it('subscripts fail where Trino fails (an index out of bounds, a missing map key); element_at is NULL', async () => {
    expect(
      await rows(
        `SELECT ARRAY[1, NULL][2], ARRAY[ARRAY[1, 2], ARRAY[3]][2][1], split('a/b/c', '/')[3],
                MAP(ARRAY['a'], ARRAY[1])['a'], CAST(NULL AS ARRAY(INTEGER))[5], element_at(ARRAY[1, 2], 3),
                element_at(MAP(ARRAY['a'], ARRAY[1]), 'b'), transform(ARRAY[ARRAY[1, 2]], a -> a[2])`,
      ),
    ).toEqual([[null, 3, 'c', 1, null, null, null, [2]]]);
    // DuckDB answered NULL for each (and the last element for -1).
    await failEach([
      ['SELECT ARRAY[1, 2][3]', 'Array subscript must be less than or equal to array length: 3 > 2'],
      ['SELECT ARRAY[1, 2][0]', 'SQL array indices start at 1'],
      ['SELECT ARRAY[1, 2][-1]', 'Array subscript is negative: -1'],
      [
        'SELECT ARRAY[ARRAY[1, 2], ARRAY[3]][2][2]',
        'Array subscript must be less than or equal to array length: 2 > 1',
      ],
      ["SELECT MAP(ARRAY['a'], ARRAY[1])['b']", 'Key not present in map: b'],
      ['SELECT x[2] FROM (VALUES (ARRAY[1, 2]), (ARRAY[1])) t(x)', '2 > 1'],
    ]);
  });

  it('date_format reads a literal format as Trino: its specifiers, its errors, any other letter as itself', async () => {
    expect(
      await rows(
        "SELECT date_format(TIMESTAMP '2024-01-05 13:04:05.123', '%a %W %e %j %r %f %v %x [%q %A %%]'), " +
          "date_parse('2024/01/05 q', '%Y/%m/%d %q')",
      ),
    ).toEqual([['Fri Friday 5 005 01:04:05 PM 123000 01 2024 [q A %]', '2024-01-05 00:00:00.000']]);
    // DuckDB's strftime answered each: the weekday number, ISO weekday and week numbers, its own %X.
    await failEach(
      ['w', 'U', 'u', 'V', 'X', 'D'].map((c) => [
        `SELECT date_format(TIMESTAMP '2024-01-05 13:04:05', '%Y %${c}')`,
        `%${c} not supported in date format string`,
      ]),
    );
  });

  it('format_datetime and parse_datetime read a Joda pattern as Joda does: quoted text, unknown letters fail', async () => {
    // The quotes were written out ('T'), 'q' was a literal q and 'K' a literal K.
    expect(
      await rows(
        "SELECT format_datetime(TIMESTAMP '2024-01-05 13:04:05.123', 'yyyy-MM-dd''T''HH:mm:ss.SSS'), " +
          "format_datetime(TIMESTAMP '2024-01-05 13:04:05.123', 'EEE, d MMM yyyy h:m:s a ''o''''clock'' 100%'), " +
          "parse_datetime('2024-01-05T13:04:05', 'yyyy-MM-dd''T''HH:mm:ss')",
      ),
    ).toEqual([
      ['2024-01-05T13:04:05.123', "Fri, 5 Jan 2024 1:4:5 PM o'clock 100%", '2024-01-05 13:04:05.000 UTC'],
    ]);
    const formatted = (pattern: string) =>
      `SELECT format_datetime(TIMESTAMP '2024-01-05 13:04:05', '${pattern}')`;
    await failEach([
      [formatted('yyyy q'), 'Illegal pattern component: q'],
      [formatted('K'), 'not supported by the local engine: the Joda pattern field K'],
    ]);
  });

  // Expected values are those of the Athena / Trino documentation examples.
  it.each([
    ["date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H')", '10-20-2022 05'],
    [
      "date_format(TIMESTAMP '2001-01-09 13:04:05.321', '%Y-%m-%d %H:%i:%s %W %M %e')",
      '2001-01-09 13:04:05 Tuesday January 9',
    ],
    ["date_parse('2022/10/20/05', '%Y/%m/%d/%H')", '2022-10-20 05:00:00.000'],
    [
      "format_datetime(TIMESTAMP '2024-03-05 14:07:09.123', 'yyyy-MM-dd HH:mm:ss.SSS')",
      '2024-03-05 14:07:09.123',
    ],
    // Trino keeps the offset as the zone (https://trino.io/docs/current/functions/datetime.html).
    ["from_iso8601_timestamp('2020-05-11T11:15:05.123+02:00')", '2020-05-11 11:15:05.123 +02:00'],
    ['from_unixtime(1700000000)', '2023-11-14 22:13:20.000 UTC'],
    ["to_unixtime(TIMESTAMP '2023-11-14 22:13:20')", 1700000000],
    ["date_add('day', 1, TIMESTAMP '2024-01-31 10:00:00')", '2024-02-01 10:00:00.000'],
    ["date_add('month', 1, TIMESTAMP '2024-01-31 00:00:00')", '2024-02-29 00:00:00.000'],
    ["date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", 0],
    ["date_diff('hour', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 05:59:00')", 5],
    ['json_extract_scalar(\'{"a":{"b":1}}\', \'$.a.b\')', '1'],
    ['json_extract_scalar(\'{"a":{"b":1}}\', \'$.a\')', null],
    ['json_extract(\'{"a":{"b":1}}\', \'$.a\')', { b: 1 }],
    ["regexp_like('1a 2b 14m', '\\d+b')", true],
    ["regexp_extract('1a 2b 14m', '\\d+')", '1'],
    ["regexp_extract('1a 2b 14m', '(\\d+)([a-z]+)', 2)", 'a'],
    ["regexp_extract('abc', 'x')", null],
    ["regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')", '3ca 3cb 14m'],
    ["regexp_replace('1a 2b 14m', '\\d+[ab] ')", '14m'],
    ['cardinality(ARRAY[1, 2, 3])', 3],
    ["cardinality(MAP(ARRAY['a', 'b'], ARRAY[1, 2]))", 2],
    ["array_join(ARRAY[1, NULL, 2], ',')", '1,2'],
    ['element_at(ARRAY[1, 2, 3], -1)', 3],
    ["element_at(MAP(ARRAY['a'], ARRAY[1]), 'a')", 1],
    ['array_position(ARRAY[5, 6], 7)', 0],
    ["day_of_week(DATE '2024-01-07')", 7],
    ["EXTRACT(DOW FROM DATE '2024-01-07')", 7],
    ["extract(dow FROM DATE '2024-01-08')", 1],
    ['mod(-7, 2)', -1],
    ["url_extract_host('https://shop.example:8080/p/1?q=a')", 'shop.example'],
    ["url_extract_parameter('https://a.b/p?q=a%20b&x=1', 'q')", 'a b'],
    // substr's positions are Trino's (io.trino.operator.scalar.StringFunctions): 1 is the first character, a negative
    // start counts from the end; a start of 0, a length of 0 or less, or a start before the beginning give ''.
    ["substr('hello', 2, 3)", 'ell'],
    ["substring('hello', 2, 3)", 'ell'],
    ["substr('hello', -3)", 'llo'],
    ["substr('hello', -3, 2)", 'll'],
    ["substr('hello', -5, 2)", 'he'],
    ["substr('Zoë!', -2)", 'ë!'],
    ["substr('hello', 0)", ''],
    ["substr('hello', 0, 2)", ''],
    ["substring('hello', 0, 2)", ''],
    ["substr('hello', -6)", ''],
    ["substr('hello', -10, 3)", ''],
    ["substr('hello', 2, 0)", ''],
    ["substr('hello', 2, -1)", ''],
    ["substr('hello', 6)", ''],
    ['substr(NULL, 0)', null],
    ["substr('hello', 0, NULL)", null],
    // Trino's NULL rules: split_part past the last field, concat/greatest/least with a NULL argument, contains
    // with a NULL element and no match are NULL (DuckDB's built-ins answer '', the rest, false).
    ["split_part('a,b,c', ',', 2)", 'b'],
    ["split_part('a,b,c', ',', 5)", null],
    ["concat('a', 'b', 'c')", 'abc'],
    ["concat('a', NULL)", null],
    ['concat(ARRAY[1], ARRAY[2, 3])', [1, 2, 3]],
    ['greatest(1, 3, 2)', 3],
    ['greatest(1, NULL)', null],
    ['least(3, 1, 2)', 1],
    ['least(3, NULL)', null],
    ['contains(ARRAY[1, 2], 2)', true],
    ['contains(ARRAY[1, 2], 3)', false],
    ['contains(ARRAY[1, NULL], 1)', true],
    ['contains(ARRAY[1, NULL], 2)', null],
    ['array_distinct(ARRAY[3, 1, 3, 2])', [3, 1, 2]],
    ['array_distinct(ARRAY[1, NULL, 1, NULL, 2])', [1, null, 2]],
    ['array_max(ARRAY[1, 5, 3])', 5],
    ['array_max(ARRAY[1, NULL, 3])', null],
    ['array_min(ARRAY[2, NULL])', null],
    ['transform(ARRAY[1, 2], x -> x * 10)', [10, 20]],
    ["CAST(json_parse('[1,2]') AS ARRAY(BIGINT))", [1, 2]],
  ])('%s', async (expr, expected) => {
    expect(await rows(`SELECT ${expr}`)).toEqual([[expected]]);
  });

  it('approx_distinct and approx_percentile on lake data', async () => {
    expect(
      await rows(
        `SELECT approx_distinct(session_id), approx_distinct(event_id), approx_percentile(duration_ms, 0.5)
         FROM page_view WHERE event_date = '2024-03-01'`,
      ),
    ).toEqual([[7, 2000, expect.any(Number)]]);
  });

  it('date functions over the lake, grouped by the partition column', async () => {
    expect(
      await rows(
        `SELECT event_date, date_format(min(occurred_at), '%H:%i'), count(DISTINCT session_id)
         FROM page_view GROUP BY event_date ORDER BY event_date`,
      ),
    ).toEqual([
      ['2024-03-01', '08:00', 7],
      ['2024-03-02', '08:00', 7],
      ['2024-03-03', '08:00', 7],
    ]);
  });
});

describe('local query engine: lifecycle', () => {
  // Real work on every row of a cross join (not a count, which DuckDB may answer from the files' row counts).
  const slow =
    'SELECT sum(length(a.session_id) + length(b.session_id) + length(c.session_id)) FROM page_view a, page_view b, page_view c';

  it('cancels a running query: the connection is interrupted, the state CANCELLED', async () => {
    const s = await engine.start(check(slow));
    await waitForState(s.id, 'RUNNING');
    const after = await engine.cancel(s.id);
    expect(after).toMatchObject({ id: s.id, state: 'CANCELLED', completedAt: expect.any(String) });
    // The engine keeps serving.
    expect(await rows('SELECT 1')).toEqual([[1]]);
  });

  it('a cancel takes effect wherever it finds the run (views, preparation, execution)', async () => {
    // Without delay, after the RUNNING state, after a few ms: an interrupt sent between two statements of the
    // run would be lost if it were sent once.
    for (const delayMs of [0, 0, 1, 2, 5, 10, 20]) {
      const s = await engine.start(check(slow));
      await waitForState(s.id, 'RUNNING');
      await new Promise((r) => setTimeout(r, delayMs));
      expect(await engine.cancel(s.id)).toMatchObject({ state: 'CANCELLED' });
    }
  });

  /**
   * Starts a query of 10^12 rows (long on any data: the tables of this file may be small when it runs alone) and
   * waits until it is inside DuckDB's execution (the engine's own checks between steps would stop it otherwise).
   */
  async function startEndless(e: DuckDbQueryEngine, fetching: jest.SpyInstance) {
    const s = await e.start(
      check(
        'SELECT sum(a.x * b.y) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z)',
      ),
    );
    await until(
      'the run to fetch its first chunk',
      async () => (fetching.mock.calls.length > 0 ? true : undefined),
      {
        intervalMs: 10,
      },
    );
    return s;
  }

  it('answers a cancel within its bound when DuckDB does not stop the run; the first final state recorded wins', async () => {
    // Some operators never look at an interrupt: here every interrupt is lost.
    const e = await DuckDbQueryEngine.open(options({ concurrency: 1, stopGraceMs: 200 }));
    const deaf = jest.spyOn(DuckDBConnection.prototype, 'interrupt').mockImplementation(() => undefined);
    const fetching = jest.spyOn(DuckDBResult.prototype, 'fetchChunk');
    try {
      const s = await startEndless(e, fetching);
      // A request waiting for it (POST /queries with wait) is answered with the state recorded, not when the
      // connection frees (here: never, until the interrupts are heard again; past this test's own timeout).
      const waiting = e.wait(s.id, 120_000);
      expect(await e.cancel(s.id)).toMatchObject({
        state: 'CANCELLED',
        completedAt: expect.any(String),
        reason: expect.stringMatching(/^cancelled by request; DuckDB had not stopped it 0\.2 s later/),
      });
      expect(await waiting).toMatchObject({ state: 'CANCELLED' });
      // Its connection is still busy: the next query waits for it.
      const next = await e.start(check('SELECT 1'));
      expect((await e.status(next.id))?.state).toBe('QUEUED');
      // DuckDB hears the interrupts again (they go on): the run ends, the next query runs.
      deaf.mockRestore();
      expect((await e.wait(next.id, 60_000))?.state).toBe('SUCCEEDED');
      // The run's own end changed nothing of the state recorded.
      expect(await e.status(s.id)).toMatchObject({
        state: 'CANCELLED',
        reason: expect.stringMatching(/had not stopped/),
      });
    } finally {
      deaf.mockRestore();
      fetching.mockRestore();
      await e.close();
    }
  });

  it('closes without waiting on a connection DuckDB still holds for a run cancelled past its bound', async () => {
    const e = await DuckDbQueryEngine.open(options({ concurrency: 1, stopGraceMs: 200 }));
    let held: DuckDBConnection | undefined;
    const deaf = jest.spyOn(DuckDBConnection.prototype, 'interrupt').mockImplementation(function (
      this: DuckDBConnection,
    ) {
      held = this;
    });
    const fetching = jest.spyOn(DuckDBResult.prototype, 'fetchChunk');
    const closeSync = DuckDBConnection.prototype.closeSync;
    // closeSync on a connection DuckDB is running a query on waits for it on the main thread: no signal is heard.
    const closing = jest.spyOn(DuckDBConnection.prototype, 'closeSync').mockImplementation(function (
      this: DuckDBConnection,
    ) {
      if (this === held) throw new Error('closeSync of the connection a run holds');
      closeSync.call(this);
    });
    try {
      const s = await startEndless(e, fetching);
      expect(await e.cancel(s.id)).toMatchObject({
        state: 'CANCELLED',
        reason: expect.stringMatching(/had not stopped/),
      });
      expect(held).toBeDefined();
      // Recorded as ended, yet its connection is busy: the process must end it (local/lake.ts exits by the signal).
      expect(await e.close()).toEqual({ runsNotEnded: 1 });
    } finally {
      closing.mockRestore();
      deaf.mockRestore();
      fetching.mockRestore();
      held?.interrupt(); // the run ends; its connection stays for the process to end
    }
  });

  it('runs at most `concurrency` queries; the rest wait QUEUED and can be cancelled there', async () => {
    const single = await DuckDbQueryEngine.open(options({ concurrency: 1 }));
    try {
      const a = await single.start(check(slow));
      const b = await single.start(check('SELECT 1'));
      await waitForState(a.id, 'RUNNING', single);
      expect((await single.status(b.id))?.state).toBe('QUEUED');
      expect((await single.cancel(b.id))?.state).toBe('CANCELLED');
      expect((await single.cancel(a.id))?.state).toBe('CANCELLED');
    } finally {
      await single.close();
    }
  });

  it('with LAKE_QUERY_MAX_QUEUED=0 runs a query on a free connection and refuses one that would wait', async () => {
    const none = await DuckDbQueryEngine.open(options({ concurrency: 1, maxQueued: 0 }));
    try {
      const a = await none.start(check(slow));
      await expect(none.start(check('SELECT 1'))).rejects.toThrow(/0 queries are already queued/);
      expect((await none.cancel(a.id))?.state).toBe('CANCELLED');
      await until('a free connection', async () => none.start(check('SELECT 1')).catch(() => undefined));
    } finally {
      await none.close();
    }
  });

  it('stops a query that runs past the timeout: FAILED with the reason', async () => {
    const short = await DuckDbQueryEngine.open(options({ timeoutMs: 300 }));
    try {
      const s = await short.start(check(slow));
      const done = await short.wait(s.id, 30_000);
      expect(done?.state).toBe('FAILED');
      expect(done?.reason).toMatch(/ran longer than 0.3 s/);
      // Classed as Athena classes a query timeout (its error type 206 on Athena's API).
      expect([done?.errorCategory, done?.timedOut]).toEqual(['USER', true]);
    } finally {
      await short.close();
    }
  });

  it('fails a query whose results are over LAKE_QUERY_MAX_RESULT_BYTES, or over LAKE_QUERY_MAX_RESULT_ROWS, keeping no results', async () => {
    const small = await DuckDbQueryEngine.open(options({ maxResultBytes: 100_000, maxResultRows: 5_000 }));
    try {
      // 200 rows of 1,000 characters: ~200 KB of JSON lines (it failed only at V8's string limit before).
      const wide = await run(
        "SELECT x, lpad('', 1000, 'x') AS pad FROM UNNEST(sequence(1, 200)) AS t(x)",
        small,
      );
      expect(wide.state).toBe('FAILED');
      expect(wide.reason).toMatch(
        /the result is over 100000 bytes \(LAKE_QUERY_MAX_RESULT_BYTES; Athena writes any size/,
      );
      const long = await run('SELECT x FROM UNNEST(sequence(1, 6000)) AS t(x)', small);
      expect([long.state, long.reason]).toEqual(['FAILED', expect.stringMatching(/more than 5000 rows/)]);
      // Within both.
      const fits = await run(
        "SELECT x, lpad('', 100, 'x') AS pad FROM UNNEST(sequence(1, 200)) AS t(x)",
        small,
      );
      expect(fits.state).toBe('SUCCEEDED');
      const files = (id: string) => fs.readdir(path.join(lake, '.queries', id)).catch(() => [] as string[]);
      expect((await files(wide.id)).filter((f) => f.startsWith('results'))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('keeps finished queries across a restart; queries a dead process left running read as FAILED', async () => {
    const dir = await tempLake('query-restart');
    await writePartition(dir, 'page_view', '2024-03-01', pageViews('2024-03-01', 30));
    const first = await DuckDbQueryEngine.open(options({ lakeDir: dir }));
    const done = await run(`SELECT event_id FROM page_view ORDER BY event_id`, first);
    const page1 = await first.results(done.id, { maxRows: 20 });
    await first.close();

    // A query some earlier process was running when it died.
    const orphan = '11111111-2222-4333-8444-555555555555';
    await fs.mkdir(path.join(dir, '.queries', orphan), { recursive: true });
    await fs.writeFile(
      path.join(dir, '.queries', orphan, 'state.json'),
      JSON.stringify({
        id: orphan,
        state: 'RUNNING',
        sql: 'SELECT 1',
        submittedAt: new Date().toISOString(),
        completedAt: null,
        dataScannedBytes: 0,
        engineTimeMs: 0,
        engine: 'duckdb',
        tables: [],
        owner: 'gone',
        pid: 2 ** 22 + 12345, // above the default pid_max: not a live process
      }),
    );

    // One whose process had this pid (a lake restarted in a container), and one a running process owns.
    const orphanOf = async (id: string, proc: object) => {
      await fs.mkdir(path.join(dir, '.queries', id), { recursive: true });
      await fs.writeFile(
        path.join(dir, '.queries', id, 'state.json'),
        JSON.stringify({
          id,
          state: 'RUNNING',
          sql: 'SELECT 1',
          submittedAt: new Date().toISOString(),
          completedAt: null,
          dataScannedBytes: 0,
          engineTimeMs: 0,
          engine: 'duckdb',
          tables: [],
          owner: 'elsewhere',
          ...proc,
        }),
      );
    };
    const reused = '11111111-2222-4333-8444-666666666666';
    await orphanOf(reused, { ...thisProcess(), start: '1' });
    const parents = '11111111-2222-4333-8444-777777777777';
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const parentStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    await orphanOf(parents, { pid: process.ppid, start: parentStart, boot: thisProcess().boot });

    const second = await DuckDbQueryEngine.open(options({ lakeDir: dir }));
    try {
      expect(await second.status(reused)).toMatchObject({ state: 'FAILED' });
      expect(await second.status(parents)).toMatchObject({ state: 'RUNNING' });
      expect(await second.status(done.id)).toEqual(done);
      const again = await second.results(done.id, { maxRows: 20, nextToken: page1.nextToken! });
      expect(again.rows.map((r) => r[0])).toEqual(
        Array.from({ length: 10 }, (_, i) => `pv-2024-03-01-${String(20 + i).padStart(5, '0')}`),
      );
      expect(again.nextToken).toBeNull();
      expect(await second.status(orphan)).toMatchObject({
        state: 'FAILED',
        reason: expect.stringMatching(/stopped/),
      });
      const files = await fs.readdir(path.join(dir, '.queries', done.id));
      expect(files.sort()).toEqual(['results.jsonl', 'state.json']);
    } finally {
      await second.close();
    }
  });
});

describe('local query engine: defence in depth (statements that bypassed the guard)', () => {
  // CheckedQuery is only made by the guard; forging one shows what DuckDB itself still refuses.
  const forged = (sql: string, tablesRead: string[] = []) =>
    ({ sql, tables: tablesRead }) as unknown as CheckedQuery;

  it('cannot read files outside the curated tables (sandbox)', async () => {
    const s = await engine.wait(
      (await engine.start(forged("SELECT * FROM read_csv('/etc/passwd')"))).id,
      30_000,
    );
    expect(s?.state).toBe('FAILED');
    expect(s?.reason).toMatch(/Permission Error|disabled by configuration/);
  });

  it('runs only one SELECT statement (even a COPY into the allowed directory is refused)', async () => {
    // The sandbox alone would allow a write inside the curated tables; DuckDB's statement type check refuses it.
    const outside = path.join(lake, 'curated', 'tables', 'escaped.csv');
    const multi = await engine.wait(
      (await engine.start(forged(`SELECT 1; COPY (SELECT 1) TO '${outside}'`))).id,
      30_000,
    );
    expect(multi).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/one statement/) });
    const copy = await engine.wait(
      (await engine.start(forged(`COPY (SELECT 1) TO '${outside}'`))).id,
      30_000,
    );
    expect(copy).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/only SELECT/) });
    await expect(fs.access(outside)).rejects.toThrow();
  });

  it('cannot change the locked configuration', async () => {
    const s = await engine.wait((await engine.start(forged('SET enable_external_access = true'))).id, 30_000);
    expect(s?.state).toBe('FAILED');
    expect(await rows('SELECT 7 / 2')).toEqual([[3]]);
  });
});

describe('docs/sql-dialect.md', () => {
  it('documents every compatibility macro', async () => {
    const { TRINO_MACROS } = await import('../../lib/query/trino-compat');
    const doc = await fs.readFile(path.join(__dirname, '../../docs/sql-dialect.md'), 'utf8');
    const missing = TRINO_MACROS.map((m) => m.name).filter((name) => !doc.includes(`\`${name}(`));
    expect(missing).toEqual([]);
  });
});

describe("local query engine: a stored timestamp is read as Athena reads it (timestamp(3), Trino's Hive connector)", () => {
  it('rounds microseconds to milliseconds, half up: compared, computed and shown as the same value', async () => {
    await writePartition(
      lake,
      'customers',
      '2024-03-05',
      `SELECT * FROM (VALUES
         ('c-1', TIMESTAMP '2024-03-05 10:00:00.123456', TIMESTAMP '2024-03-05 10:00:00.1234'),
         ('c-2', TIMESTAMP '2024-03-05 09:00:00.9996', TIMESTAMP '2024-03-05 09:00:00.9995')
       ) t(customer_id, created_at, updated_at)`,
    );
    expect(
      await rows(
        `SELECT customer_id, created_at, updated_at, to_unixtime(created_at), date_format(created_at, '%s.%f')
         FROM customers ORDER BY customer_id`,
      ),
    ).toEqual([
      ['c-1', '2024-03-05 10:00:00.123', '2024-03-05 10:00:00.123', 1709632800.123, '00.123000'],
      ['c-2', '2024-03-05 09:00:01.000', '2024-03-05 09:00:01.000', 1709629201, '01.000000'],
    ]);
    expect(
      await rows(
        `SELECT customer_id FROM customers WHERE created_at = TIMESTAMP '2024-03-05 10:00:00.123'
         OR created_at >= TIMESTAMP '2024-03-05 09:00:01.000' ORDER BY customer_id`,
      ),
    ).toEqual([['c-1'], ['c-2']]);
  });
});

describe('local query engine: files an ETL run replaces while a query starts', () => {
  it('syncs the views and runs the query again when a file they name is gone (a partition swapped in)', async () => {
    const own = await tempLake('query-swap');
    await writePartition(own, 'page_view', '2024-04-01', pageViews('2024-04-01', 10));
    const e = await DuckDbQueryEngine.open(options({ lakeDir: own }));
    try {
      // Between the views' sync and the read, the partition is swapped: its file comes back under a new name.
      const views = (e as unknown as { views: { sync: (t: readonly string[]) => Promise<void> } }).views;
      const sync = views.sync.bind(views);
      let swapped = 0;
      views.sync = async (tables) => {
        await sync(tables);
        if (swapped++ > 0) return;
        const dir = path.join(own, 'curated', table('page_view').prefix, 'event_date=2024-04-01');
        await fs.rename(path.join(dir, 'part-0.parquet'), path.join(dir, 'part-0-run-2.parquet'));
      };
      const s = await run('SELECT count(*) FROM page_view', e);
      expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
      expect((await e.results(s.id, { maxRows: 10 })).rows).toEqual([[10]]);
      expect(swapped).toBe(2);
    } finally {
      await e.close();
    }
  });
});

describe('local query engine: a curated file that does not read', () => {
  it('fails the query naming the file and the README section, not with the statement DuckDB ran', async () => {
    const t = table('signup');
    const dir = path.join(lake, 'curated', t.prefix, `${t.partitionKeys[0]!.name}=2024-03-09`);
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'part-0.parquet');
    await fs.writeFile(file, 'PAR1 cut short by a disk error');
    try {
      const s = await run('SELECT count(*) FROM signup');
      expect(s.state).toBe('FAILED');
      expect(s.reason).toBe(
        `${file} does not read as Parquet (DuckDB: No magic bytes found at end of file '${file}'): README ` +
          '"Damaged state files" says what to do with it',
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

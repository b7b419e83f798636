/**
 * lake_rejected through the local query engine (lib/query/duckdb/, lib/query/rejected-view.ts): after ETL runs with
 * bad rows on a temporary lake, the rejected store is one table, partitioned by table_name and run_date, that the
 * query guard allows and DuckDB reads within its sandbox.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { lakeTable, lakeTables } from '../../lib/catalog/tables';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { REJECTED_TABLE } from '../../lib/etl/rejected';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { lakeTableNames } from '../../lib/query/settings';
import { checkQuery } from '../../lib/query/sql-guard';
import type { CheckedQuery, QueryStatus } from '../../lib/query/types';
import { openTestQueryEngine, TEST_DATABASE } from '../support/query-engine';
import { tempLake } from '../support/raw-zone';

const DATABASE = TEST_DATABASE;
const tables = lakeTables();
let lake: string;
let engine: DuckDbQueryEngine;

async function writeRaw(key: string, body: string | Buffer): Promise<string> {
  const file = path.join(lake, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body);
  return key;
}

const etl = (args: Record<string, string>, at: string) =>
  runEtlJob(args, { lakeDir: lake, threads: 1, memoryLimit: '256MB', now: () => new Date(at) });

const check = (sql: string): CheckedQuery =>
  checkQuery(sql, { database: DATABASE, tables: lakeTableNames(), maxBytes: 65536 });

async function query(sql: string): Promise<{ status: QueryStatus; rows: unknown[][]; columns: string[] }> {
  const started = await engine.start(check(sql));
  const status = (await engine.wait(started.id, 30_000))!;
  if (status.state !== 'SUCCEEDED') return { status, rows: [], columns: [] };
  const page = await engine.results(status.id, { maxRows: 1000 });
  return { status, rows: page.rows, columns: page.columns.map((c) => `${c.name}:${c.type}`) };
}

beforeAll(async () => {
  process.env.LAKE_RUNTIME = 'local';
  lake = await tempLake('query-rejected');
  engine = await openTestQueryEngine(lake, tables, { concurrency: 1, maxResultRows: 100_000 });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await fs.rm(lake, { recursive: true, force: true });
});

describe('lake_rejected on the local lake', () => {
  it('is a table the guard allows, empty with its columns before any row is rejected', async () => {
    expect(lakeTableNames()).toContain(REJECTED_TABLE);
    const { status, rows, columns } = await query('SELECT * FROM lake_rejected');
    expect(status.state).toBe('SUCCEEDED');
    expect(rows).toEqual([]);
    expect(columns).toEqual([
      'run_id:varchar',
      'source_file:varchar',
      'reason:varchar',
      'raw_record:varchar',
      'rejected_at:varchar',
      'schema_version:bigint',
      'table_name:varchar',
      'run_date:varchar',
    ]);
  });

  it('answers with the rows ETL runs rejected: the reason, the raw values, the run and the schema version', async () => {
    const csv = await writeRaw(
      'uploads/orders/bad.csv',
      [
        'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at',
        'o1,c1,2026-03-01,paid,12.5,EUR,1,,',
        'o2,c2,2026-03-01,paid,lots,EUR,1,,',
        'o3,c3,2026-03-01,paid',
      ].join('\n') + '\n',
    );
    await etl(
      {
        '--etl_mode': 'file',
        '--table': 'orders',
        '--inputs': JSON.stringify([csv]),
        '--run_id': 'bad-orders',
      },
      '2026-03-05T12:00:00.000Z',
    );
    const event = JSON.stringify({
      id: 'e1',
      type: 'page_view',
      occurred_at: '2026-03-01T10:00:00+02:00',
      received_at: '2026-03-01T10:00:00.000Z',
      data: { session_id: 'sess-0123456789', url: 'https://x.example/' },
    });
    await writeRaw(
      'events/type=page_view/arrival_date=2026-03-01/arrival_hour=10/events-1-2026-03-01-10-00-00-a.gz',
      gzipSync(event + '\n'),
    );
    await etl({ '--etl_mode': 'events', '--run_id': 'bad-events' }, '2026-03-06T00:00:00.000Z');

    const { rows, status } = await query(
      `SELECT table_name, run_date, run_id, source_file, reason,
              CASE WHEN raw_record LIKE '{%' THEN json_extract_scalar(raw_record, '$.amount') END AS amount,
              rejected_at, schema_version
       FROM lake_rejected ORDER BY table_name, reason`,
    );
    expect([status.state, status.reason]).toEqual(['SUCCEEDED', undefined]);
    expect(rows).toEqual([
      [
        'orders',
        '2026-03-05',
        'bad-orders',
        csv,
        'amount: not a number',
        'lots',
        '2026-03-05T12:00:00.000Z',
        lakeTable('orders')!.version,
      ],
      [
        'orders',
        '2026-03-05',
        'bad-orders',
        csv,
        expect.stringMatching(/^line 4: MISSING COLUMNS/),
        null,
        '2026-03-05T12:00:00.000Z',
        lakeTable('orders')!.version,
      ],
      [
        'page_view',
        '2026-03-06',
        'bad-events',
        expect.stringMatching(/^events\/type=page_view\//),
        'occurred_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
        null,
        '2026-03-06T00:00:00.000Z',
        lakeTable('page_view')!.version,
      ],
    ]);
    // The raw values as read, by column; the text of a line that did not parse.
    const raw = await query(
      "SELECT raw_record FROM lake_rejected WHERE table_name = 'orders' ORDER BY reason",
    );
    expect(JSON.parse(String(raw.rows[0]![0]))).toMatchObject({
      order_id: 'o2',
      amount: 'lots',
      coupon: null,
    });
    expect(raw.rows[1]).toEqual(['o3,c3,2026-03-01,paid']);
  });

  it('reads only the partitions a filter names', async () => {
    const all = await query('SELECT count(*) FROM lake_rejected');
    const one = await query("SELECT count(*) FROM lake_rejected WHERE table_name = 'page_view'");
    expect(all.rows).toEqual([[3]]);
    expect(one.rows).toEqual([[1]]);
    expect(one.status.dataScannedBytes).toBeGreaterThan(0);
    expect(one.status.dataScannedBytes).toBeLessThan(all.status.dataScannedBytes);
  });

  it('still reads nothing else of the curated zone (the ETL state stays outside the sandbox)', async () => {
    const forged = {
      sql: `SELECT * FROM read_json('${path.join(lake, 'curated', '_state', 'runs', 'bad-orders.json')}')`,
      tables: [],
    } as unknown as CheckedQuery;
    const s = await engine.wait((await engine.start(forged)).id, 30_000);
    expect(s?.state).toBe('FAILED');
    expect(s?.reason).toMatch(/Permission Error|disabled by configuration/);
  });
});

/**
 * The local Glue runner (lib/etl/duckdb-runner/) on real files with real DuckDB, and the shared plan SQL
 * (lib/etl/plan.ts) on DuckDB for tricky values.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { datasetTable } from '../../lib/catalog/table-from-schema';
import { lakeTable, lakeTables } from '../../lib/catalog/tables';
import type { EventRecord } from '../../lib/envelope';
import { EtlErrorName, runEtlJob, SimulatedCrash, type EtlRunnerOptions } from '../../lib/etl/duckdb-runner';
import { releaseUploadsTakenBy } from '../../lib/etl/duckdb-runner/uploads';
import { parseArgs } from '../../lib/etl/duckdb-runner/args';
import { lockLake } from '../../lib/etl/duckdb-runner/lake-lock';
import { finishLeftSwaps } from '../../lib/etl/duckdb-runner/start-recovery';
import { buildPlan, DUCKDB_PRELUDE } from '../../lib/etl/plan';
import type { EtlRunSummary } from '../../lib/etl/run';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import { localVersionId, md5File } from '../../lib/objects/local';
import { tempLake } from '../support/raw-zone';
import { deliver } from './reload-lake';

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  for (const s of DUCKDB_PRELUDE) await conn.run(s);
});

const lakes: string[] = [];

afterAll(async () => {
  conn.closeSync();
  db.closeSync();
  for (const lake of lakes) await fs.rm(lake, { recursive: true, force: true });
});

/** A fresh lake folder, removed after the suite. */
async function newLake(): Promise<string> {
  const lake = await tempLake('etl-runner');
  lakes.push(lake);
  return lake;
}

type Row = Record<string, unknown>;
const q = async (sql: string): Promise<Row[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Row[];
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

async function writeRaw(lake: string, key: string, body: string | Buffer): Promise<string> {
  const file = path.join(lake, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body);
  return key;
}

const fixedClock = (iso: string) => () => new Date(iso);

function fileJob(table: string, inputs: string[], runId: string) {
  return { '--etl_mode': 'file', '--table': table, '--inputs': JSON.stringify(inputs), '--run_id': runId };
}

const run = (lake: string, args: Record<string, string>, over: Partial<EtlRunnerOptions> = {}) =>
  runEtlJob(args, { lakeDir: lake, threads: 1, memoryLimit: '256MB', ...over });

/** An orders file `uploads/orders/<name>.csv` of one row, queued as accepted (execution up-<name>). */
async function queueOrdersUpload(lake: string, name: string, acceptedAt: string): Promise<void> {
  const key = await writeRaw(
    lake,
    `uploads/orders/${name}.csv`,
    ordersCsv([`${name}-1,c1,2026-03-01,placed,1,EUR,1,,`]),
  );
  const file = path.join(lake, 'curated', pendingUploadKey(`up-${name}`));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ execution: `up-${name}`, table: 'orders', key, acceptedAt }));
}

/** The pending record of upload up-<name>. */
const pendingOf = async (lake: string, name: string) =>
  JSON.parse(await fs.readFile(path.join(lake, 'curated', pendingUploadKey(`up-${name}`)), 'utf8')) as {
    attempts?: number;
    takenBy?: string;
  };

/** Hooks that end the run (a crash) when a batch reads uploads/orders/<name>.csv. */
const crashOnRead = (name: string, seen?: string[][]) => ({
  hooks: {
    beforeRead: ({ keys }: { keys: string[] }) => {
      seen?.push(keys.map((k) => path.basename(k)));
      if (keys.some((k) => k.endsWith(`/${name}.csv`))) throw new SimulatedCrash('the run ends');
    },
  },
});

/** Files under a folder, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

const tableDir = (lake: string, table: string) => path.join(lake, 'curated', lakeTable(table)!.prefix);

/** The raw keys a run read (listed apart from its summary). */
const inputsOf = async (lake: string, summary: EtlRunSummary): Promise<string[]> =>
  summary.inputsKey
    ? (
        JSON.parse(await fs.readFile(path.join(lake, 'curated', summary.inputsKey), 'utf8')) as {
          inputs: string[];
        }
      ).inputs
    : [];

/** The result a run wrote for an upload (its execution's name), lib/etl/upload-queue.ts. */
const uploadResult = async (lake: string, execution: string): Promise<UploadResult> =>
  JSON.parse(
    await fs.readFile(path.join(lake, 'curated', uploadResultKey(execution)), 'utf8'),
  ) as UploadResult;

/** Every row of a curated table (partition columns from the folder names), ordered by the given columns. */
async function tableRows(lake: string, table: string, orderBy: string): Promise<Row[]> {
  const dir = tableDir(lake, table);
  if ((await files(dir)).length === 0) return [];
  return q(
    `SELECT * EXCLUDE (filename) FROM read_parquet(${lit(dir + '**/*.parquet')}, hive_partitioning = true, ` +
      `hive_types_autocast = false, filename = true) ORDER BY ${orderBy}`,
  );
}

async function columnTypes(file: string): Promise<Record<string, string>> {
  const rows = await q(`DESCRIBE SELECT * FROM read_parquet(${lit(file)}, hive_partitioning = false)`);
  return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

/**
 * The rejected records of a table (lib/etl/rejected.ts), each with its file and its raw values parsed (`raw`: the
 * object of a row that failed typing; undefined for a record that did not parse).
 */
async function rejectedRows(lake: string, table: string): Promise<Row[]> {
  const root = path.join(lake, 'curated', 'rejected', `table_name=${table}`);
  const list = (await files(root)).filter((f) => f.endsWith('.json'));
  const out: Row[] = [];
  for (const f of list) {
    const text = await fs.readFile(path.join(root, f), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const record = JSON.parse(line) as Row;
      expect(Object.keys(record)).toEqual([
        'run_id',
        'source_file',
        'reason',
        'raw_record',
        'rejected_at',
        'schema_version',
      ]);
      let raw: unknown;
      try {
        raw = JSON.parse(String(record.raw_record));
      } catch {
        raw = undefined;
      }
      out.push({
        _file: f,
        ...record,
        raw: raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : undefined,
      });
    }
  }
  return out;
}

const ORDERS_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

function ordersCsv(rows: string[]): string {
  return [ORDERS_HEADER, ...rows].join('\n') + '\n';
}

const customer = (id: string, over: Record<string, unknown> = {}) => ({
  customer_id: id,
  email: `${id}@example.com`,
  name: `Name ${id}`,
  country: 'DE',
  segment: 'consumer',
  marketing_opt_in: true,
  lifetime_value: 12.5,
  created_at: '2026-03-01T08:00:00Z',
  updated_at: '2026-03-02T08:00:00Z',
  ...over,
});

// ---------------------------------------------------------------------------------------------------------------
// Files

describe('runEtlJob, mode file (the local Glue job)', () => {
  it('turns a CSV of orders into typed Parquet partitioned by dt, one file per partition, with a summary', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/2026-03-01.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,12.50,EUR,2,,2026-03-01T10:00:00Z',
        'o2,c2,2026-03-01,paid,3,USD,1,WELCOME,2026-03-01T11:00:00.123Z',
        'o3,"c,3",2026-03-02,shipped,1e3,GBP,,,2026-03-02 09:00:00',
      ]),
    );
    const summary = await run(lake, fileJob('orders', [key], 'run-orders-1'), {
      now: fixedClock('2026-03-05T12:00:00.000Z'),
    });

    expect(summary).toMatchObject({
      runId: 'run-orders-1',
      mode: 'file',
      engine: 'duckdb',
      startedAt: '2026-03-05T12:00:00.000Z',
      inputCount: 1,
      inputsKey: '_state/runs/run-orders-1.inputs.json',
      uploads: { taken: 1, succeeded: 1, failed: 0 },
      rowsRead: 3,
      rowsWritten: 3,
      rowsRejected: 0,
      rejectedRatio: 0,
      rejectedAboveThreshold: false,
    });
    // Every run also compacts the streamed events: their tables are listed too (nothing pending here).
    expect(summary.tables.map((t) => t.table)).toEqual(['orders', 'order_placed', 'page_view', 'signup']);
    expect(summary.tables).toEqual(
      expect.arrayContaining([
        {
          table: 'orders',
          schemaVersion: lakeTable('orders')!.version,
          rowsRead: 3,
          rowsWritten: 3,
          rowsRejected: 0,
          duplicatesRemoved: 0,
          partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
          partitionCount: 2,
          maxRejectedRatio: 0.05,
        },
      ]),
    );
    expect(summary.tables[0]!.rejectedLocation).toBeUndefined();
    // The file's own result, which its execution reports (a run started by hand takes its --inputs).
    expect(await uploadResult(lake, 'run-orders-1')).toMatchObject({
      execution: 'run-orders-1',
      key,
      status: 'SUCCEEDED',
      runId: 'run-orders-1',
      rowsRead: 3,
      rowsWritten: 3,
      rowsRejected: 0,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
      rejectedAboveThreshold: false,
      tables: [expect.objectContaining({ table: 'orders', rowsWritten: 3 })],
    });
    expect(JSON.parse(await fs.readFile(path.join(lake, 'curated', summary.inputsKey!), 'utf8'))).toEqual({
      inputs: [key],
    });
    const stored = JSON.parse(
      await fs.readFile(path.join(lake, 'curated', '_state', 'runs', 'run-orders-1.json'), 'utf8'),
    ) as EtlRunSummary;
    expect(stored).toEqual(summary);

    const dir = tableDir(lake, 'orders');
    const written = await files(dir);
    expect(written).toEqual([
      'dt=2026-03-01/part-0-run-orders-1.parquet',
      'dt=2026-03-02/part-0-run-orders-1.parquet',
    ]);
    // The partition column is in the folder name only (Hive layout, as Glue writes it).
    expect(await columnTypes(path.join(dir, written[0]!))).toEqual({
      order_id: 'VARCHAR',
      customer_id: 'VARCHAR',
      order_date: 'DATE',
      status: 'VARCHAR',
      amount: 'DOUBLE',
      currency: 'VARCHAR',
      item_count: 'BIGINT',
      coupon: 'VARCHAR',
      updated_at: 'TIMESTAMP',
      lake_source_file: 'VARCHAR',
      lake_ingested_at: 'TIMESTAMP',
      // The schema version that wrote the row (schemas/history/orders.json).
      lake_schema_version: 'BIGINT',
    });
    const schema = await q(`SELECT name, type FROM parquet_schema(${lit(path.join(dir, written[0]!))})`);
    expect(schema).toEqual(
      expect.arrayContaining([
        { name: 'amount', type: 'DOUBLE' },
        { name: 'item_count', type: 'INT64' },
      ]),
    );
    const meta = await q(
      `SELECT DISTINCT compression FROM parquet_metadata(${lit(path.join(dir, written[0]!))})`,
    );
    expect(meta).toEqual([{ compression: 'ZSTD' }]);

    const rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows).toEqual([
      {
        order_id: 'o1',
        customer_id: 'c1',
        order_date: '2026-03-01',
        status: 'placed',
        amount: 12.5,
        currency: 'EUR',
        item_count: '2',
        coupon: null,
        updated_at: '2026-03-01 10:00:00',
        lake_source_file: key,
        lake_ingested_at: '2026-03-05 12:00:00',
        lake_schema_version: String(lakeTable('orders')!.version),
        dt: '2026-03-01',
      },
      expect.objectContaining({
        order_id: 'o2',
        coupon: 'WELCOME',
        updated_at: '2026-03-01 11:00:00.123',
        dt: '2026-03-01',
      }),
      expect.objectContaining({
        order_id: 'o3',
        customer_id: 'c,3',
        amount: 1000,
        item_count: null,
        dt: '2026-03-02',
      }),
    ]);
    // Nothing is left in the staging area, and the table lock is released.
    expect(await files(path.join(lake, 'curated', '_state', 'tmp'))).toEqual([]);
    expect(await files(path.join(lake, 'curated', '_state', 'locks'))).toEqual([]);
  });

  it("a file's rowsWritten counts its keys new to the table: rows it replaced that another file had stored are duplicates, not written", async () => {
    const lake = await newLake();
    const first = await writeRaw(
      lake,
      'uploads/orders/export-a.csv',
      ordersCsv([
        'w1,c1,2026-03-01,paid,1,EUR,1,,2026-03-01T10:00:00Z',
        'w2,c1,2026-03-01,paid,1,EUR,1,,2026-03-01T10:00:00Z',
      ]),
    );
    await run(lake, fileJob('orders', [first], 'written-a'));
    // The same keys again from another file (newer: they replace the stored rows), w2 under another day, and w3 new.
    const second = await writeRaw(
      lake,
      'uploads/orders/export-b.csv',
      ordersCsv([
        'w1,c1,2026-03-01,shipped,1,EUR,1,,2026-03-01T11:00:00Z',
        'w2,c1,2026-03-02,shipped,1,EUR,1,,2026-03-01T11:00:00Z',
        'w3,c1,2026-03-02,paid,1,EUR,1,,2026-03-01T11:00:00Z',
      ]),
    );
    const summary = await run(lake, fileJob('orders', [second], 'written-b'));
    const figures = { rowsRead: 3, rowsWritten: 1, rowsRejected: 0, duplicatesRemoved: 2 };
    expect(summary.tables.find((t) => t.table === 'orders')).toMatchObject(figures);
    expect(await uploadResult(lake, 'written-b')).toMatchObject({
      status: 'SUCCEEDED',
      ...figures,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.status])).toEqual([
      ['w1', 'shipped'],
      ['w2', 'shipped'],
      ['w3', 'paid'],
    ]);
  });

  it('reads a JSON-lines customers file, a JSON document and Parquet, with columns in any order', async () => {
    const lake = await newLake();
    const lines = await writeRaw(
      lake,
      'uploads/customers/crm.jsonl',
      [customer('c1'), customer('c2', { marketing_opt_in: false, lifetime_value: 0, segment: null })]
        .map((c) => JSON.stringify(c))
        .join('\n') + '\n',
    );
    const doc = await writeRaw(
      lake,
      'uploads/customers/export.json',
      JSON.stringify(
        [customer('c3', { created_at: '2026-03-02T23:59:59.999Z', country: undefined })],
        null,
        2,
      ),
    );
    // Parquet with native types (and a column order of its own), as another system would export it.
    const parquetKey = 'uploads/customers/dump.parquet';
    await fs.mkdir(path.join(lake, 'raw', 'uploads', 'customers'), { recursive: true });
    await conn.run(
      `COPY (SELECT TIMESTAMP '2026-03-03 07:00:00' AS created_at, 'c4' AS customer_id, 'c4@example.com' AS email, ` +
        `true AS marketing_opt_in, 99.25::DECIMAL(10,2) AS lifetime_value, 42 AS extra_column) ` +
        `TO ${lit(path.join(lake, 'raw', parquetKey))} (FORMAT parquet)`,
    );

    const summary = await run(lake, fileJob('customers', [lines, doc, parquetKey], 'run-customers-1'));
    expect(summary.tables[0]).toMatchObject({
      rowsRead: 4,
      rowsWritten: 4,
      rowsRejected: 0,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02', 'dt=2026-03-03'],
    });
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(
      rows.map((r) => [r.customer_id, r.marketing_opt_in, r.lifetime_value, r.segment, r.country, r.dt]),
    ).toEqual([
      ['c1', true, 12.5, 'consumer', 'DE', '2026-03-01'],
      ['c2', false, 0, null, 'DE', '2026-03-01'],
      ['c3', true, 12.5, 'consumer', null, '2026-03-02'],
      ['c4', true, 99.25, null, null, '2026-03-03'],
    ]);
    expect(rows.map((r) => r.lake_source_file)).toEqual([lines, lines, doc, parquetKey]);
    expect(rows[2]!.created_at).toBe('2026-03-02 23:59:59.999');
    const file = path.join(tableDir(lake, 'customers'), 'dt=2026-03-01', 'part-0-run-customers-1.parquet');
    expect(await columnTypes(file)).toMatchObject({
      marketing_opt_in: 'BOOLEAN',
      lifetime_value: 'DOUBLE',
      created_at: 'TIMESTAMP',
      updated_at: 'TIMESTAMP',
    });
  });

  it("stores a Parquet FLOAT in a number column as the float's exact value, as the Glue job widens it", async () => {
    const lake = await newLake();
    const key = 'uploads/customers/floats.parquet';
    await fs.mkdir(path.join(lake, 'raw', 'uploads', 'customers'), { recursive: true });
    // Shortest float texts are another double in each engine: DuckDB's 67194850 for 67194848, Java 17's 2681.2812.
    await conn.run(
      `COPY (SELECT 'c' || i AS customer_id, 'c' || i || '@example.com' AS email, ` +
        `TIMESTAMP '2026-03-03 07:00:00' AS created_at, CAST(v AS FLOAT) AS lifetime_value ` +
        `FROM (VALUES (1, 2681.28125), (2, 67194848), (3, 0.1), (4, 0.5)) t(i, v)) ` +
        `TO ${lit(path.join(lake, 'raw', key))} (FORMAT parquet)`,
    );
    await run(lake, fileJob('customers', [key], 'run-floats'));
    const rows = await tableRows(lake, 'customers', 'customer_id');
    expect(rows.map((r) => r.lifetime_value)).toEqual([2681.28125, 67194848, 0.10000000149011612, 0.5]);
  });

  it('reads Parquet text written as bytes without a UTF8 annotation as its text, as Spark does', async () => {
    const lake = await newLake();
    const key = 'uploads/customers/binary-text.parquet';
    await fs.mkdir(path.join(lake, 'raw', 'uploads', 'customers'), { recursive: true });
    await conn.run(
      `COPY (SELECT 'b1' AS customer_id, 'b1@example.com' AS email, TIMESTAMP '2026-03-03 07:00:00' AS created_at, ` +
        `encode('Grüße') AS name) TO ${lit(path.join(lake, 'raw', key))} (FORMAT parquet)`,
    );
    expect((await run(lake, fileJob('customers', [key], 'binary-1'))).tables[0]).toMatchObject({
      rowsWritten: 1,
      rowsRejected: 0,
    });
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.name)).toEqual(['Grüße']);
  });

  it('reads gzip-compressed CSV and JSON lines', async () => {
    const lake = await newLake();
    const csv = await writeRaw(
      lake,
      'uploads/orders/big.csv.gz',
      gzipSync(ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,', 'o2,c1,2026-03-01,paid,2,EUR,1,,'])),
    );
    const json = await writeRaw(
      lake,
      'uploads/customers/crm.jsonl.gz',
      gzipSync(JSON.stringify(customer('c1')) + '\n' + JSON.stringify(customer('c2')) + '\n'),
    );
    expect((await run(lake, fileJob('orders', [csv], 'gz-1'))).rowsWritten).toBe(2);
    expect((await run(lake, fileJob('customers', [json], 'gz-2'))).rowsWritten).toBe(2);
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o1', 'o2']);
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.customer_id)).toEqual([
      'c1',
      'c2',
    ]);
  });

  it('reads a CSV whose header follows empty lines, as the upload check and Spark do', async () => {
    const lake = await newLake();
    const rows = (n: number) => [
      `o${n},c1,2026-03-01,placed,1,EUR,1,,`,
      `o${n + 1},c1,2026-03-01,paid,2,EUR,1,,`,
    ];
    const lf = await writeRaw(lake, 'uploads/orders/blank-lf.csv', '\n\n' + ordersCsv(rows(1)));
    const crlf = await writeRaw(
      lake,
      'uploads/orders/blank-crlf.csv',
      '\uFEFF\r\n\r\n' + ordersCsv(rows(3)).replaceAll('\n', '\r\n'),
    );
    for (const [key, id] of [
      [lf, 'blank-1'],
      [crlf, 'blank-2'],
    ] as const) {
      expect(await run(lake, fileJob('orders', [key], id))).toMatchObject({
        rowsWritten: 2,
        rowsRejected: 0,
      });
    }
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual([
      'o1',
      'o2',
      'o3',
      'o4',
    ]);
  });

  it('reads a one-column CSV as Spark does: an empty line is no row, a quoted empty value a row without one', async () => {
    // DuckDB read each empty line as a row without a value: rejected (the column is required), enough to fail a
    // valid file on its maxRejectedRatio, where Spark's reader skips empty lines (hunt x).
    const lake = await newLake();
    const codes = datasetTable('codes', {
      description: 'Codes by day',
      required: ['day'],
      properties: { day: { type: 'string', format: 'date' } },
      'x-lake': { primaryKey: ['day'], partitionBy: 'day', formats: ['csv'] },
    } as never);
    const tables = [...lakeTables(), codes];
    const blank = await writeRaw(lake, 'uploads/codes/blank.csv', 'day\n2026-11-26\n\n2026-11-27\n\n');
    expect(await run(lake, fileJob('codes', [blank], 'codes-1'), { tables })).toMatchObject({
      rowsRead: 2,
      rowsWritten: 2,
      rowsRejected: 0,
    });
    const quoted = await writeRaw(lake, 'uploads/codes/quoted.csv', 'day\r\n""\r\n2026-11-28\r\n\r\n');
    expect(await run(lake, fileJob('codes', [quoted], 'codes-2'), { tables })).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 1,
    });
    expect((await rejectedRows(lake, 'codes')).map((r) => r.reason)).toEqual(['day: required']);
    const dir = path.join(lake, 'curated', codes.prefix);
    const rows = await q(`SELECT day FROM read_parquet(${lit(dir + '**/*.parquet')}) ORDER BY day`);
    expect(rows.map((r) => String(r.day))).toEqual(['2026-11-26', '2026-11-27', '2026-11-28']);
  });

  it("writes the file's line end inside a quoted CSV value as \\n, as Spark's reader does (the Glue job)", async () => {
    const lake = await newLake();
    const csv = (id: string, coupon: string, end: string) =>
      [ORDERS_HEADER, `${id},c1,2026-03-01,placed,1,EUR,1,"${coupon}",`].join(end) + end;
    const files = [
      ['lf', csv('o1', 'a\r\nb', '\n')],
      ['crlf', csv('o2', 'a\r\nb\nc', '\r\n')],
      ['cr', csv('o3', 'a\rb', '\r')],
    ];
    for (const [name, body] of files)
      await run(
        lake,
        fileJob('orders', [await writeRaw(lake, `uploads/orders/${name}.csv`, body!)], `le-${name}`),
      );
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.coupon])).toEqual([
      ['o1', 'a\r\nb'], // LF: a CRLF inside a value is no line end of the file's: kept
      ['o2', 'a\nb\nc'],
      ['o3', 'a\nb'],
    ]);
  });

  it("tells a CRLF file's line end where the header's CR is the last byte of a read (64 KiB plain, 16 KiB gunzipped)", async () => {
    const lake = await newLake();
    for (const [name, chunk, gz] of [
      ['plain', 64 * 1024, false],
      ['gzip', 16 * 1024, true],
    ] as const) {
      // An extra column whose name makes the header's CR the last byte of the first read.
      const header = `${ORDERS_HEADER},${'x'.repeat(chunk - ORDERS_HEADER.length - 2)}`;
      expect(header.length + 1).toBe(chunk);
      const body = [
        header,
        `${name}1,c1,2026-03-01,placed,1,EUR,1,"a\r\nb",,`,
        `${name}2,c1,2026-03-01,placed,1,EUR,1,,,,`, // one more field than the header, empty: rejected
      ].join('\r\n');
      const key = await writeRaw(
        lake,
        `uploads/orders/${name}.csv${gz ? '.gz' : ''}`,
        gz ? gzipSync(body + '\r\n') : body + '\r\n',
      );
      expect(await run(lake, fileJob('orders', [key], `cr-${name}`))).toMatchObject({
        rowsWritten: 1,
        rowsRejected: 1,
      });
    }
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => [r.order_id, r.coupon])).toEqual([
      ['gzip1', 'a\nb'],
      ['plain1', 'a\nb'],
    ]);
  });

  it('rejects a CSV line longer than it reads with a reason that names the difference from Spark, and its first characters', async () => {
    const lake = await newLake();
    const long = `o2,c2,2026-03-01,paid,1,EUR,1,${'x'.repeat(3_000_000)},`;
    const csv = await writeRaw(
      lake,
      'uploads/orders/long.csv',
      ordersCsv(['o1,c1,2026-03-01,paid,1,EUR,1,,', long, 'o3,c3,2026-03-01,paid,1,EUR,1,,']),
    );
    const summary = await run(lake, fileJob('orders', [csv], 'long-1'));
    expect(summary.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    const [r] = await rejectedRows(lake, 'orders');
    expect(r!.reason).toMatch(
      /^line 3: LINE SIZE OVER MAXIMUM \(Maximum line size of 2097152 bytes exceeded/,
    );
    expect(r!.reason).toMatch(
      /the Glue job \(Spark\) longer ones: on AWS this row would be typed and loaded/,
    );
    expect(String(r!.raw_record)).toBe(long.slice(0, 10_000));
  });

  it('sends rows that fail typing or parsing to the rejected location with the reason, and curates the rest', async () => {
    const lake = await newLake();
    const csv = await writeRaw(
      lake,
      'uploads/orders/mixed.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,12.50,EUR,2,,2026-03-01T10:00:00Z',
        'o2,c2,2026-02-30,paid,3,USD,1,,', // no such day
        'o3,c3,2026-03-01,lost,-1,usd,1.5,,2026-03-01T10:00:00+02:00',
        'o4,c4,2026-03-01,paid', // too few fields
        ',c5,2026-03-01,paid,1,EUR,1,,', // required key missing
        'o6,c6,2026-03-01,paid,1,EUR,1,,,surplus', // too many fields
        'o7,c7,2026-03-01,paid,7,EUR,1,,',
      ]),
    );
    const summary = await run(lake, fileJob('orders', [csv], 'rej-1'), {
      now: fixedClock('2026-03-05T12:00:00.000Z'),
    });
    expect(summary.tables[0]).toMatchObject({
      rowsRead: 7,
      rowsWritten: 2,
      rowsRejected: 5,
      duplicatesRemoved: 0,
      rejectedLocation: 'rejected/table_name=orders/run_date=2026-03-05/',
    });
    // The file is judged on its own (its result): 5/7 > 5 %. The run's own verdict concerns event tables.
    expect(await uploadResult(lake, 'rej-1')).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: 7,
      rowsRejected: 5,
      rowsWritten: 2,
      rejectedRatio: 5 / 7,
      rejectedAboveThreshold: true,
      rejectedLocation: 'rejected/table_name=orders/run_date=2026-03-05/',
      schemaVersion: lakeTable('orders')!.version,
    });
    expect(summary.rejectedAboveThreshold).toBe(false);
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['o1', 'o7']);

    const rejected = await rejectedRows(lake, 'orders');
    // One file per batch of the run, JSON lines, one record per rejected row.
    expect(new Set(rejected.map((r) => r._file))).toEqual(new Set(['run_date=2026-03-05/rej-1-0.json']));
    for (const r of rejected) {
      expect(r).toMatchObject({
        run_id: 'rej-1',
        source_file: csv,
        rejected_at: '2026-03-05T12:00:00.000Z',
        schema_version: lakeTable('orders')!.version,
      });
    }
    const byId = (id: string | null) => rejected.find((r) => (r.raw as Row | undefined)?.order_id === id)!;
    // A row that failed typing keeps every raw input value, by column name, as the text it was read as.
    expect(byId('o2').reason).toBe('order_date: not a date (yyyy-MM-dd, years 1000 to 9999)');
    expect(byId('o2').raw).toEqual({
      order_id: 'o2',
      customer_id: 'c2',
      order_date: '2026-02-30',
      status: 'paid',
      amount: '3',
      currency: 'USD',
      item_count: '1',
      coupon: null,
      updated_at: null,
    });
    expect(String(byId('o3').reason).split('; ')).toEqual([
      'status: not one of placed, paid, shipped, delivered, cancelled, refunded',
      'amount: less than 0',
      'currency: does not match ^[A-Z]{3}$',
      'item_count: not an integer',
      'updated_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
    ]);
    // Raw values are kept as text.
    expect(byId('o3').raw).toMatchObject({ amount: '-1', item_count: '1.5', currency: 'usd' });
    expect(byId(null).reason).toBe('order_id: required');
    expect(byId(null).raw).toMatchObject({ order_id: null, customer_id: 'c5' });
    // Lines that do not parse as CSV records keep their text.
    const unparsable = rejected.filter((r) => r.raw === undefined);
    expect(unparsable.map((r) => [r.raw_record, r.source_file])).toEqual([
      ['o4,c4,2026-03-01,paid', csv],
      ['o6,c6,2026-03-01,paid,1,EUR,1,,,surplus', csv],
    ]);
    expect(unparsable[0]!.reason).toMatch(/^line 5: MISSING COLUMNS/);
    expect(unparsable[1]!.reason).toMatch(/^line 7: TOO MANY COLUMNS/);
  });

  it('rejects JSON lines that are not objects, or whose fields have the wrong shape, and keeps the others', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/customers/damaged.jsonl',
      [
        JSON.stringify(customer('c1')),
        '{"customer_id": "c2", "email": ', // cut short
        '[1, 2]',
        JSON.stringify(customer('c4', { marketing_opt_in: 'yes', lifetime_value: '12,5' })),
        JSON.stringify(customer('c5')),
      ].join('\n') + '\n',
    );
    const summary = await run(lake, fileJob('customers', [key], 'json-rej'));
    expect(summary.tables[0]).toMatchObject({ rowsRead: 5, rowsWritten: 2, rowsRejected: 3 });
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.customer_id)).toEqual([
      'c1',
      'c5',
    ]);
    const rejected = await rejectedRows(lake, 'customers');
    const reasons = rejected.map((r) => String(r.reason)).sort();
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^line 2: not valid JSON \(/);
    expect(reasons[1]).toBe('line 3: not a JSON object');
    expect(reasons[2]).toBe('marketing_opt_in: not true or false; lifetime_value: not a number');
    expect(rejected.find((r) => String(r.reason).startsWith('line 3'))!.raw_record).toBe('[1, 2]');
    expect(rejected.find((r) => String(r.reason).startsWith('line 2'))!.raw_record).toBe(
      '{"customer_id": "c2", "email": ',
    );
    expect(rejected.find((r) => String(r.reason).startsWith('marketing'))!.raw).toMatchObject({
      customer_id: 'c4',
      marketing_opt_in: 'yes',
      lifetime_value: '12,5',
    });
  });

  it('runs the same file twice without duplicating or changing a row', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/day.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,1,EUR,1,,2026-03-01T10:00:00Z',
        'o2,c1,2026-03-01,paid,2,EUR,1,,2026-03-01T10:00:00Z',
        'o2,c1,2026-03-01,paid,2,EUR,1,,2026-03-01T09:00:00Z', // an older copy in the same file
      ]),
    );
    const clock = fixedClock('2026-03-05T12:00:00.000Z');
    const first = await run(lake, fileJob('orders', [key], 'twice-1'), { now: clock });
    expect(first.tables[0]).toMatchObject({ rowsRead: 3, rowsWritten: 2, duplicatesRemoved: 1 });
    const before = await tableRows(lake, 'orders', 'order_id');
    const second = await run(lake, fileJob('orders', [key], 'twice-2'), { now: clock });
    expect(second.tables[0]).toMatchObject({
      rowsRead: 3,
      rowsWritten: 0,
      rowsRejected: 0,
      duplicatesRemoved: 3,
    });
    const after = await tableRows(lake, 'orders', 'order_id');
    expect(after).toEqual(before);
    expect(after).toHaveLength(2);
    expect(after[1]!.updated_at).toBe('2026-03-01 10:00:00');
    // One file per partition, from the latest run.
    expect(await files(tableDir(lake, 'orders'))).toEqual(['dt=2026-03-01/part-0-twice-2.parquet']);

    // A later run of the same file: the same rows; only the lineage column says when it was last read.
    await run(lake, fileJob('orders', [key], 'twice-3'), { now: fixedClock('2026-03-06T12:00:00.000Z') });
    const third = await tableRows(lake, 'orders', 'order_id');
    const data = (rows: Row[]) => rows.map(({ lake_ingested_at: _ignored, ...rest }) => rest);
    expect(data(third)).toEqual(data(before));
    expect(third.map((r) => r.lake_ingested_at)).toEqual(['2026-03-06 12:00:00', '2026-03-06 12:00:00']);
  });

  it('keeps the row with the greatest updated_at across files (latestBy), whatever the order of arrival', async () => {
    const lake = await newLake();
    const v1 = await writeRaw(
      lake,
      'uploads/orders/v1.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z',
        'o2,c2,2026-03-01,placed,20,EUR,1,,2026-03-01T10:00:00Z',
      ]),
    );
    const v2 = await writeRaw(
      lake,
      'uploads/orders/v2.csv',
      ordersCsv(['o1,c1,2026-03-01,shipped,10,EUR,1,,2026-03-02T08:00:00Z']),
    );
    const stale = await writeRaw(
      lake,
      'uploads/orders/stale.csv',
      ordersCsv(['o1,c1,2026-03-01,cancelled,10,EUR,1,,2026-03-01T12:00:00Z']),
    );
    await run(lake, fileJob('orders', [v1], 'latest-1'));
    const s2 = await run(lake, fileJob('orders', [v2], 'latest-2'));
    expect(s2.tables[0]).toMatchObject({ rowsRead: 1, rowsWritten: 0, duplicatesRemoved: 1 });
    let rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.order_id, r.status, r.lake_source_file])).toEqual([
      ['o1', 'shipped', v2],
      ['o2', 'placed', v1],
    ]);
    // An older version arriving later does not win.
    await run(lake, fileJob('orders', [stale], 'latest-3'));
    rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.order_id, r.status])).toEqual([
      ['o1', 'shipped'],
      ['o2', 'placed'],
    ]);
  });

  it('keeps one row per key when a key changes partition: the version latestBy keeps decides where it is', async () => {
    const lake = await newLake();
    const first = await writeRaw(
      lake,
      'uploads/orders/first.csv',
      ordersCsv([
        'o1,c1,2026-03-01,placed,10,EUR,1,,2026-03-01T10:00:00Z',
        'o2,c1,2026-03-01,placed,20,EUR,1,,2026-03-01T10:00:00Z',
      ]),
    );
    // o1's order date was corrected: its newer version belongs to another partition.
    const moved = await writeRaw(
      lake,
      'uploads/orders/moved.csv',
      ordersCsv(['o1,c1,2026-03-02,placed,10,EUR,1,,2026-03-02T08:00:00Z']),
    );
    const stale = await writeRaw(
      lake,
      'uploads/orders/stale.csv',
      ordersCsv(['o2,c1,2026-03-05,placed,20,EUR,1,,2026-02-28T08:00:00Z']),
    );
    await run(lake, fileJob('orders', [first], 'move-1'));
    const s2 = await run(lake, fileJob('orders', [moved], 'move-2'));
    expect(s2.tables[0]).toMatchObject({
      rowsRead: 1,
      rowsWritten: 0,
      duplicatesRemoved: 1,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
    });
    // An older version in another partition does not win, nor does it add a row there.
    const s3 = await run(lake, fileJob('orders', [stale], 'move-3'));
    expect(s3.tables[0]).toMatchObject({
      rowsRead: 1,
      rowsWritten: 0,
      duplicatesRemoved: 1,
      partitions: ['dt=2026-03-01'],
    });
    expect((await files(tableDir(lake, 'orders'))).map((f) => f.replace(/\/part-0-.*$/, ''))).toEqual([
      'dt=2026-03-01',
      'dt=2026-03-02',
    ]);
    const rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.order_id, r.dt, r.updated_at])).toEqual([
      ['o1', '2026-03-02', '2026-03-02 08:00:00'],
      ['o2', '2026-03-01', '2026-03-01 10:00:00'],
    ]);
  });

  it('writes each partition as one Parquet file sorted by the primary key', async () => {
    const lake = await newLake();
    // 3,000 orders in scrambled order over two days.
    const ids = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3000);
    const key = await writeRaw(
      lake,
      'uploads/orders/many.csv',
      ordersCsv(ids.map((n) => `o${String(n).padStart(5, '0')},c1,2026-03-0${(n % 2) + 1},paid,1,EUR,1,,`)),
    );
    const summary = await run(lake, fileJob('orders', [key], 'sorted'), { threads: 2 });
    expect(summary.tables[0]).toMatchObject({
      rowsWritten: 3000,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
    });
    for (const f of await files(tableDir(lake, 'orders'))) {
      const inFileOrder = (
        await q(`SELECT order_id FROM read_parquet(${lit(path.join(tableDir(lake, 'orders'), f))})`)
      ).map((r) => String(r.order_id));
      expect(inFileOrder).toHaveLength(1500);
      expect(inFileOrder).toEqual([...inFileOrder].sort());
    }
  });

  it('writes only the rejected rows when no row passes', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/bad.csv',
      ordersCsv(['o1,c1,2026-13-01,paid,1,EUR,1,,']),
    );
    const summary = await run(lake, fileJob('orders', [key], 'all-bad'), {
      now: fixedClock('2026-03-05T00:00:00Z'),
    });
    expect(summary.tables[0]).toMatchObject({
      rowsRead: 1,
      rowsWritten: 0,
      rowsRejected: 1,
      partitions: [],
      rejectedLocation: 'rejected/table_name=orders/run_date=2026-03-05/',
    });
    expect(summary.rejectedRatio).toBe(1);
    expect(await files(tableDir(lake, 'orders'))).toEqual([]);
    expect((await rejectedRows(lake, 'orders')).map((r) => r.reason)).toEqual([
      'order_date: not a date (yyyy-MM-dd, years 1000 to 9999)',
    ]);
  });

  it('moves a row to the partition of its new date and leaves other partitions alone', async () => {
    const lake = await newLake();
    const a = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,', 'o2,c1,2026-03-02,placed,1,EUR,1,,']),
    );
    const b = await writeRaw(lake, 'uploads/orders/b.csv', ordersCsv(['o3,c1,2026-03-03,placed,1,EUR,1,,']));
    await run(lake, fileJob('orders', [a], 'parts-1'));
    const s = await run(lake, fileJob('orders', [b], 'parts-2'));
    expect(s.tables[0]!.partitions).toEqual(['dt=2026-03-03']);
    expect(await files(tableDir(lake, 'orders'))).toEqual([
      'dt=2026-03-01/part-0-parts-1.parquet',
      'dt=2026-03-02/part-0-parts-1.parquet',
      'dt=2026-03-03/part-0-parts-2.parquet',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Crash safety

describe('runEtlJob, many partitions in one batch', () => {
  it('writes a file of 1,200 days (more partitions than one COPY holds in memory), and rebuilds the table', async () => {
    const lake = await newLake();
    const day = (i: number) => new Date(Date.UTC(2010, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const rows = Array.from({ length: 1200 }, (_, i) => `o${i},c1,${day(i)},placed,${i}.5,EUR,1,,`);
    const k = await writeRaw(lake, 'uploads/orders/days.csv', ordersCsv(rows));
    // 256 MB (the tests' memory limit): one COPY of 1,200 partitions of this table ran out of it.
    const s = await run(lake, fileJob('orders', [k], 'days'));
    expect(s.uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
    const partitions = await fs.readdir(tableDir(lake, 'orders'));
    expect(partitions).toHaveLength(1200);
    const stored = await tableRows(lake, 'orders', 'order_id');
    expect(stored).toHaveLength(1200);
    expect(stored.find((r) => r.order_id === 'o1199')).toMatchObject({
      order_date: day(1199),
      amount: 1199.5,
    });
    const rebuilt = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'orders',
      '--run_id': 'days-rebuild',
    });
    expect(rebuilt.rebuild).toMatchObject({ sources: 1, skipped: [] });
    expect(await tableRows(lake, 'orders', 'order_id')).toEqual(
      stored.map((r) => ({ ...r, lake_ingested_at: expect.anything() })),
    );
  });
});

describe('runEtlJob crash safety', () => {
  const day1 = ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,', 'o2,c1,2026-03-02,placed,2,EUR,1,,']);
  const day2 = ordersCsv(['o1,c1,2026-03-01,paid,1,EUR,1,,', 'o2,c1,2026-03-02,paid,2,EUR,1,,']);

  it('leaves the previous partitions intact when a run fails after staging', async () => {
    const lake = await newLake();
    const k1 = await writeRaw(lake, 'uploads/orders/1.csv', day1);
    const k2 = await writeRaw(lake, 'uploads/orders/2.csv', day2);
    await run(lake, fileJob('orders', [k1], 'ok-1'));
    const before = await tableRows(lake, 'orders', 'order_id');

    let staged: string[] = [];
    const summary = await run(lake, fileJob('orders', [k2], 'fails-2'), {
      hooks: {
        afterStaging: async ({ partitions }) => {
          staged = partitions;
          throw new Error('disk on fire');
        },
      },
    });
    // The table's failure is its uploads' outcome (the file's execution fails with it); the run goes on.
    expect(summary.uploads).toEqual({ taken: 1, succeeded: 0, failed: 1 });
    expect(await uploadResult(lake, 'fails-2')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.TableFailed',
      cause: expect.stringMatching(/orders: .*disk on fire/),
    });
    expect(staged).toEqual(['dt=2026-03-01', 'dt=2026-03-02']);
    expect(await tableRows(lake, 'orders', 'order_id')).toEqual(before);
    expect(await files(tableDir(lake, 'orders'))).toEqual([
      'dt=2026-03-01/part-0-ok-1.parquet',
      'dt=2026-03-02/part-0-ok-1.parquet',
    ]);
    expect(await files(path.join(lake, 'curated', '_state'))).toEqual([
      'runs/fails-2.json',
      'runs/ok-1.inputs.json',
      'runs/ok-1.json',
      // The table's swap generation (lib/curated-swaps.ts), written by ok-1's swap: no swap marker is left.
      'swapping/orders.gen',
      'uploads/done/fails-2.json',
      'uploads/done/ok-1.json',
    ]);

    // The table is not left locked: the same input runs afterwards.
    await run(lake, fileJob('orders', [k2], 'retry-2'));
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid', 'paid']);
  });

  /** Runs an upload of orders whose process "dies" right after the first partition is swapped in. */
  async function crashAfterFirstSwap(lake: string, key: string, runId: string): Promise<void> {
    const crash = await run(lake, fileJob('orders', [key], runId), {
      hooks: {
        afterPartitionSwap: () => {
          throw new SimulatedCrash('killed');
        },
      },
    }).catch((e: Error) => e);
    expect(crash).toBeInstanceOf(SimulatedCrash);
  }

  it('finishes a swap that a crash interrupted at the next run of the table', async () => {
    const lake = await newLake();
    const k1 = await writeRaw(lake, 'uploads/orders/1.csv', day1);
    const k2 = await writeRaw(lake, 'uploads/orders/2.csv', day2);
    await run(lake, fileJob('orders', [k1], 'ok-1'));

    // The process "dies" right after the first of two partitions is swapped.
    await crashAfterFirstSwap(lake, k2, 'crash-2');
    const half = await tableRows(lake, 'orders', 'order_id');
    expect(half.map((r) => r.status)).toEqual(['paid', 'placed']); // each partition whole: new, old
    expect(await files(path.join(lake, 'curated', '_state', 'tmp'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^crash-2\/table=orders\/batch-0\/journal.json$/)]),
    );

    // Any later run of the table first rolls the interrupted swap forward.
    const k3 = await writeRaw(lake, 'uploads/orders/3.csv', ordersCsv(['o9,c1,2026-03-09,placed,9,EUR,1,,']));
    await run(lake, fileJob('orders', [k3], 'next-3'));
    const rows = await tableRows(lake, 'orders', 'order_id');
    expect(rows.map((r) => [r.order_id, r.status])).toEqual([
      ['o1', 'paid'],
      ['o2', 'paid'],
      ['o9', 'placed'],
    ]);
    expect(await files(path.join(lake, 'curated', '_state', 'tmp'))).toEqual([]);
    expect((await files(tableDir(lake, 'orders'))).filter((f) => f.startsWith('dt=2026-03-02'))).toEqual([
      'dt=2026-03-02/part-0-crash-2.parquet',
    ]);
  });

  it('finishes a swap that a crash interrupted when the lake starts, before any run (queries read it whole)', async () => {
    const lake = await newLake();
    const curated = path.join(lake, 'curated');
    await run(lake, fileJob('orders', [await writeRaw(lake, 'uploads/orders/1.csv', day1)], 'ok-1'));
    await crashAfterFirstSwap(lake, await writeRaw(lake, 'uploads/orders/2.csv', day2), 'crash-2');
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid', 'placed']);

    // A run of a live process holds the lake: it finishes the swap itself, before its own work.
    const unlock = await lockLake(curated, 'live-run');
    expect(await finishLeftSwaps(curated, ['orders'])).toBe('busy');
    await unlock();
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid', 'placed']);

    expect(await finishLeftSwaps(curated, ['orders'])).toBe('done');
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid', 'paid']);
    expect(await files(path.join(curated, '_state', 'tmp'))).toEqual([]);
    expect(await files(path.join(curated, '_state', 'locks'))).toEqual([]);
  });

  it("records an upload's outcome with its swap: the run that finishes a crashed swap does not load the file again", async () => {
    const lake = await newLake();
    await run(lake, fileJob('orders', [await writeRaw(lake, 'uploads/orders/1.csv', day1)], 'ok-1'));
    // Accepted (a pending upload, as validateUpload records it): the new status of o1 and o2, and a row that fails.
    const k2 = await writeRaw(
      lake,
      'uploads/orders/2.csv',
      ordersCsv([
        'o1,c1,2026-03-01,paid,1,EUR,1,,',
        'o2,c1,2026-03-02,paid,2,EUR,1,,',
        'o3,c1,soon,placed,3,EUR,1,,',
      ]),
    );
    const pending = path.join(lake, 'curated', pendingUploadKey('crash-2'));
    await fs.mkdir(path.dirname(pending), { recursive: true });
    await fs.writeFile(
      pending,
      JSON.stringify({ execution: 'crash-2', table: 'orders', key: k2, acceptedAt: '2026-03-01T00:00:00Z' }),
    );
    await crashAfterFirstSwap(lake, k2, 'crash-2');

    const next = await run(lake, { '--etl_mode': 'events', '--run_id': 'next-3' });
    // The swap was finished and the upload's result recorded with it: the queue holds nothing for the next run.
    expect(next.uploads).toEqual({ taken: 0, succeeded: 0, failed: 0 });
    expect(await inputsOf(lake, next)).toEqual([]);
    await expect(fs.access(pending)).rejects.toThrow(/ENOENT/);
    expect(await uploadResult(lake, 'crash-2')).toMatchObject({
      status: 'SUCCEEDED',
      runId: 'crash-2',
      rowsRead: 3,
      rowsRejected: 1,
      // o1 and o2: new versions of keys 1.csv stored, which they replaced — duplicate keys, not new ones
      rowsWritten: 0,
      duplicatesRemoved: 2,
      partitions: ['dt=2026-03-01', 'dt=2026-03-02'],
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.status)).toEqual(['paid', 'paid']);
    // The failed row is recorded once, by the run that read it.
    expect((await rejectedRows(lake, 'orders')).map((r) => [r.run_id, (r.raw as Row).order_id])).toEqual([
      ['crash-2', 'o3'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Arguments and errors

describe('runEtlJob arguments and errors', () => {
  it('names its errors as the state machine catches them', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const fail = (args: Record<string, string>) => run(lake, args).catch((e: Error) => e);

    expect(await fail(fileJob('nope', [key], 'r1'))).toMatchObject({ name: 'Glue.EntityNotFoundException' });
    for (const bad of <Record<string, string>[]>[
      { '--etl_mode': 'sometimes', '--run_id': 'r1' },
      { '--etl_mode': 'file', '--table': 'orders', '--inputs': 'uploads/orders/a.csv', '--run_id': 'r1' },
      { '--etl_mode': 'file', '--table': 'orders', '--inputs': '[]', '--run_id': 'r1' },
      fileJob('orders', [key], '../escape'),
      fileJob('orders', [key], '..'),
      fileJob('orders', [key], '.'),
      fileJob('orders', ['../outside.csv'], 'r1'),
      fileJob('orders', ['/etc/passwd'], 'r1'),
      { '--etl_mode': 'events', '--run_id': 'r1', '--inputs': '["x"]' },
    ]) {
      expect(await fail(bad)).toMatchObject({ name: 'Glue.InvalidInputException' });
    }
    // An input the run cannot read fails that upload, with the reason; the run itself succeeds.
    await fs.symlink('/etc/hostname', path.join(lake, 'raw', 'uploads', 'orders', 'link.csv'));
    for (const [input, runId, error, cause] of [
      ['uploads/orders/missing.csv', 'r-missing', 'Etl.InputMissing', /does not exist.*moved or deleted/],
      ['uploads/orders/a.txt', 'r-format', 'Etl.InvalidInput', /cannot tell the format/],
      ['uploads/orders/link.csv', 'r-link', 'Etl.InvalidInput', /outside the raw bucket/],
    ] as const) {
      const summary = await run(lake, fileJob('orders', [input], runId));
      expect(summary.uploads).toEqual({ taken: 1, succeeded: 0, failed: 1 });
      expect(await uploadResult(lake, runId)).toMatchObject({
        status: 'FAILED',
        error,
        cause: expect.stringMatching(cause),
      });
    }
    // Arguments without the leading dashes work as well.
    const ok = await run(lake, {
      etl_mode: 'file',
      table: 'orders',
      inputs: JSON.stringify([key]),
      run_id: 'plain',
    });
    expect(ok.rowsWritten).toBe(1);
    // Any Step Functions execution name is a run id, one starting with '_' or '-' too (the Glue job takes them).
    for (const runId of ['_hand-started', '-dash']) {
      expect((await run(lake, fileJob('orders', [key], runId))).uploads).toEqual({
        taken: 1,
        succeeded: 1,
        failed: 0,
      });
    }
  });

  it('takes over the lock and the leftovers of a process that has ended, not those of a live one', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const state = path.join(lake, 'curated', '_state');
    const ended = spawnSync(process.execPath, ['-e', '0']).pid!;
    await fs.mkdir(path.join(state, 'locks'), { recursive: true });
    await fs.mkdir(path.join(state, 'tmp', 'dead-run', 'table=orders', 'batch-0', 'data'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(state, 'tmp', 'dead-run', 'owner.json'),
      JSON.stringify({ pid: ended, runId: 'dead-run' }),
    );
    await fs.writeFile(
      path.join(state, 'locks', '_lake.lock'),
      JSON.stringify({ pid: ended, runId: 'dead-run' }),
    );
    expect((await run(lake, fileJob('orders', [key], 'after-dead'))).rowsWritten).toBe(1);
    expect(await files(path.join(state, 'tmp'))).toEqual([]); // staged data without a journal: discarded

    // A lock held by a live process (here: this test's parent) is respected.
    await fs.writeFile(
      path.join(state, 'locks', '_lake.lock'),
      JSON.stringify({ pid: process.ppid, runId: 'other' }),
    );
    expect(await run(lake, fileJob('orders', [key], 'blocked')).catch((e: Error) => e)).toMatchObject({
      name: 'Glue.ConcurrentRunsExceededException',
      message: expect.stringMatching(/run other/),
    });
  });

  it('runs one at a time: a second run is refused as Glue refuses it, and the run in progress takes its upload', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const cust = await writeRaw(lake, 'uploads/customers/a.jsonl', JSON.stringify(customer('c1')) + '\n');
    const accepted = async (execution: string, table: string, k: string) => {
      const file = path.join(lake, 'curated', pendingUploadKey(execution));
      await fs.mkdir(path.dirname(file), { recursive: true });
      const record = { execution, table, key: k, acceptedAt: new Date().toISOString() };
      await fs.writeFile(file, JSON.stringify(record));
    };
    await accepted('conc-1', 'orders', key);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let staged!: () => void;
    const isStaged = new Promise<void>((r) => (staged = r));
    const first = run(lake, fileJob('orders', [key], 'conc-1'), {
      hooks: {
        afterStaging: async () => {
          staged();
          await gate;
        },
      },
    });
    await isStaged;
    // Another file, of another table, is accepted while the lake is busy: its run is refused...
    await accepted('conc-2', 'customers', cust);
    const second = await run(lake, fileJob('customers', [cust], 'conc-2')).catch((e: Error) => e);
    expect(second).toMatchObject({
      name: 'Glue.ConcurrentRunsExceededException',
      message: expect.stringMatching(/run conc-1.*one at a time/),
    });
    release();
    expect((await first).uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
    // ... and the next run, whoever starts it, takes every pending upload: here one started by the schedule.
    const next = await run(lake, { '--etl_mode': 'events', '--run_id': 'scheduled-1' });
    expect(next.uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
    expect(await uploadResult(lake, 'conc-2')).toMatchObject({
      status: 'SUCCEEDED',
      runId: 'scheduled-1',
      table: 'customers',
      rowsWritten: 1,
    });
    expect(await files(path.join(lake, 'curated', '_state', 'uploads', 'pending'))).toEqual([]);
    // The execution that was refused, once it asks again, finds its file done: the run takes nothing twice.
    const again = await run(lake, fileJob('customers', [cust], 'conc-2'));
    expect(again.uploads).toEqual({ taken: 0, succeeded: 0, failed: 0 });
    expect(await tableRows(lake, 'customers', 'customer_id')).toHaveLength(1);
  });

  it('fails an upload whose file was replaced after it was accepted, and loads the version now there once', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/v.csv',
      ordersCsv(['v1,c1,2026-03-01,placed,1,EUR,1,,', 'v2,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const accepted = async (execution: string) => {
      const stat = await fs.stat(path.join(lake, 'raw', key));
      const file = path.join(lake, 'curated', pendingUploadKey(execution));
      await fs.mkdir(path.dirname(file), { recursive: true });
      const record = {
        execution,
        table: 'orders',
        key,
        versionId: localVersionId(stat),
        etag: await md5File(path.join(lake, 'raw', key)),
        acceptedAt: new Date().toISOString(),
      };
      await fs.writeFile(file, JSON.stringify(record));
    };
    await accepted('v-first');
    // Written again under the same name (another inode, as mv does) before a run took the first version.
    await writeRaw(lake, 'uploads/orders/v.csv.new', ordersCsv(['w1,c1,2026-03-01,placed,1,EUR,1,,']));
    await fs.rename(path.join(lake, 'raw', 'uploads/orders/v.csv.new'), path.join(lake, 'raw', key));
    await accepted('v-second');
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'versions-1' });
    expect(summary.uploads).toEqual({ taken: 2, succeeded: 1, failed: 1 });
    expect(await uploadResult(lake, 'v-first')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InputMissing',
      cause: expect.stringMatching(/was replaced after it was accepted/),
    });
    expect(await uploadResult(lake, 'v-second')).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: 1,
      rowsWritten: 1,
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['w1']);
  });

  it('a file run that takes its own input (a retry, one started by hand) loads only the version its execution input names', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/retried.csv',
      ordersCsv(['r1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const etag = await md5File(path.join(lake, 'raw', key));
    const versionId = localVersionId(await fs.stat(path.join(lake, 'raw', key)));
    // The execution's input, as validateUpload started it (S3 quotes its ETags).
    const input = {
      mode: 'file',
      table: 'orders',
      inputs: [key],
      key,
      size: 1,
      etag: `"${etag}"`,
      versionId,
    };
    // Another file written under the name since (which the upload check refused, or has yet to check).
    await writeRaw(
      lake,
      'uploads/orders/retried.csv.new',
      ordersCsv(['unchecked-1,c1,2026-03-01,zzz,1,EUR,1,,']),
    );
    await fs.rename(path.join(lake, 'raw', 'uploads/orders/retried.csv.new'), path.join(lake, 'raw', key));
    const retry = { ...fileJob('orders', [key], 'retry-1'), '--execution_input': JSON.stringify(input) };
    expect((await run(lake, retry)).uploads).toEqual({ taken: 1, succeeded: 0, failed: 1 });
    expect(await uploadResult(lake, 'retry-1')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InputMissing',
      cause: expect.stringMatching(/'uploads\/orders\/retried\.csv' was replaced after it was accepted/),
      etag,
      versionId,
    });
    expect(await tableRows(lake, 'orders', 'order_id')).toEqual([]);

    // The accepted version written back (the same bytes): loaded.
    await writeRaw(lake, key, ordersCsv(['r1,c1,2026-03-01,placed,1,EUR,1,,']));
    const again = { ...fileJob('orders', [key], 'retry-2'), '--execution_input': JSON.stringify(input) };
    expect((await run(lake, again)).uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['r1']);
    // An input that names another key, or none of the version fields, leaves the run as before (any content).
    for (const other of [
      { ...input, key: 'uploads/orders/other.csv' },
      { mode: 'file', inputs: [key] },
    ])
      expect(() =>
        parseArgs({ ...fileJob('orders', [key], 'x'), '--execution_input': JSON.stringify(other) }),
      ).not.toThrow();
    expect(
      parseArgs({ ...fileJob('orders', [key], 'x'), '--execution_input': JSON.stringify(input) }).accepted,
    ).toEqual({
      etag,
      versionId,
    });
    expect(() => parseArgs({ ...fileJob('orders', [key], 'x'), '--execution_input': '[1]' })).toThrow(
      /--execution_input must be the execution input, a JSON object/,
    );
  });

  it('fails an upload whose file is replaced while its batch reads it, and writes nothing read of it', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/r.csv',
      ordersCsv(['ra,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const other = await writeRaw(
      lake,
      'uploads/orders/s.csv',
      ordersCsv(['sa,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    for (const [execution, k] of [
      ['race-r', key],
      ['race-s', other],
    ] as const) {
      const file = path.join(lake, 'curated', pendingUploadKey(execution));
      await fs.mkdir(path.dirname(file), { recursive: true });
      const stat = await fs.stat(path.join(lake, 'raw', k));
      await fs.writeFile(
        file,
        JSON.stringify({
          execution,
          table: 'orders',
          key: k,
          versionId: localVersionId(stat),
          acceptedAt: new Date().toISOString(),
        }),
      );
    }
    let replaced = false;
    const summary = await run(
      lake,
      { '--etl_mode': 'events', '--run_id': 'race-1' },
      {
        hooks: {
          // After the batch's check, before it reads: another version is moved in under the name.
          beforeRead: async () => {
            if (replaced) return;
            replaced = true;
            await writeRaw(
              lake,
              'uploads/orders/r.csv.next',
              ordersCsv(['rb,c1,2026-03-01,placed,1,EUR,1,,']),
            );
            await fs.rename(path.join(lake, 'raw', 'uploads/orders/r.csv.next'), path.join(lake, 'raw', key));
          },
        },
      },
    );
    expect(summary.uploads).toEqual({ taken: 2, succeeded: 1, failed: 1 });
    expect(await uploadResult(lake, 'race-r')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InputMissing',
      cause: expect.stringMatching(/was replaced after it was accepted/),
    });
    expect((await tableRows(lake, 'orders', 'order_id')).map((r) => r.order_id)).toEqual(['sa']);
  });

  it('what fails, fails alone: an unclosed quote, a gzip stream cut short or padded, mixed line ends, an unreadable document; the other files load', async () => {
    const lake = await newLake();
    const rows = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i},c1,2026-03-01,placed,1,EUR,1,,`);
    const quote = rows('q', 3000);
    quote[1500] = 'qX,c1,2026-03-01,placed,1,EUR,1,"oops,';
    const cut = gzipSync(Buffer.from(ordersCsv(rows('g', 20000))));
    // A quote closed and followed by more text: one bad row, the file read on.
    const closed = rows('k', 3000);
    closed[1500] = 'kX,c1,2026-03-01,placed,1,EUR,1,"a"b,';
    const keys = {
      quote: await writeRaw(lake, 'uploads/orders/quote.csv', ordersCsv(quote)),
      cut: await writeRaw(lake, 'uploads/orders/cut.csv.gz', cut.subarray(0, cut.length - 200)),
      // Zero bytes after the gzip stream: DuckDB reads none of it ("Input is not a GZIP stream"), as the Glue job.
      padded: await writeRaw(
        lake,
        'uploads/orders/padded.csv.gz',
        Buffer.concat([gzipSync(Buffer.from(ordersCsv(rows('p', 3)))), Buffer.alloc(2000)]),
      ),
      good: await writeRaw(lake, 'uploads/orders/good.csv', ordersCsv(rows('ok', 2))),
      mixed: await writeRaw(
        lake,
        'uploads/orders/mixed.csv',
        ordersCsv(['m1,c1,2026-03-01,placed,1,EUR,1,,2026-03-01T00:00:00Z']).replace('\n', '\r\n'),
      ),
      closed: await writeRaw(lake, 'uploads/orders/closed.csv', ordersCsv(closed)),
      doc: await writeRaw(
        lake,
        'uploads/customers/doc.json',
        '[' + JSON.stringify(customer('c9')) + ', {"x": }]',
      ),
      fine: await writeRaw(lake, 'uploads/customers/fine.jsonl', JSON.stringify(customer('c1')) + '\n'),
    };
    for (const [name, key] of Object.entries(keys)) {
      const file = path.join(lake, 'curated', pendingUploadKey(`alone-${name}`));
      await fs.mkdir(path.dirname(file), { recursive: true });
      const table = key.split('/')[1];
      await fs.writeFile(
        file,
        JSON.stringify({ execution: `alone-${name}`, table, key, acceptedAt: new Date().toISOString() }),
      );
    }
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'alone-1' });
    expect(summary.uploads).toEqual({ taken: 8, succeeded: 3, failed: 5 });
    expect(await uploadResult(lake, 'alone-mixed')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InvalidInput',
      cause: expect.stringMatching(
        /^line 2 ends in LF where line 1 ends in CRLF: the lines of a CSV file must all end alike/,
      ),
    });
    expect(await uploadResult(lake, 'alone-closed')).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: 3000,
      rowsWritten: 2999,
      rowsRejected: 1,
    });
    expect(await uploadResult(lake, 'alone-quote')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InvalidInput',
      cause: expect.stringMatching(/^line 1502: a quoted field opened there .* is never closed/),
    });
    expect(await uploadResult(lake, 'alone-cut')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InvalidInput',
      cause: expect.stringMatching(/cut\.csv\.gz' is not a complete gzip stream/),
    });
    expect(await uploadResult(lake, 'alone-padded')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.InvalidInput',
      cause: expect.stringMatching(
        /padded\.csv\.gz' is not a complete gzip stream \(2000 byte\(s\) after its last member are no gzip member\)/,
      ),
    });
    expect(await uploadResult(lake, 'alone-doc')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.TableFailed',
    });
    expect(await uploadResult(lake, 'alone-good')).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 2 });
    expect(await uploadResult(lake, 'alone-fine')).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 1 });
    // Nothing of the files that failed: only the good files' rows.
    const ids = (await tableRows(lake, 'orders', 'order_id')).map((r) => String(r.order_id));
    expect(ids.filter((id) => !id.startsWith('k'))).toEqual(['ok0', 'ok1']);
    expect(ids.filter((id) => id.startsWith('k'))).toHaveLength(2999);
    expect((await tableRows(lake, 'customers', 'customer_id')).map((r) => r.customer_id)).toEqual(['c1']);
  });

  it("counts each file's new keys when files of one run carry keys the table has: none, each row a duplicate", async () => {
    const lake = await newLake();
    const csv = (updated: string) =>
      ordersCsv(Array.from({ length: 5 }, (_, i) => `n${i},c1,2026-03-01,placed,1,EUR,1,,${updated}`));
    const queue = async (execution: string, key: string) => {
      const file = path.join(lake, 'curated', pendingUploadKey(execution));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(
        file,
        JSON.stringify({ execution, table: 'orders', key, acceptedAt: new Date().toISOString() }),
      );
    };
    const p1 = await writeRaw(lake, 'uploads/orders/p1.csv', csv('2026-01-01T00:00:00Z'));
    await queue('p1-first', p1);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'counts-1' });
    // The same file again and a newer version of its keys, taken by one run.
    await queue('p1-again', p1);
    await queue('p3', await writeRaw(lake, 'uploads/orders/p3.csv', csv('2026-02-01T00:00:00Z')));
    await run(lake, { '--etl_mode': 'events', '--run_id': 'counts-2' });
    // p3 replaced the rows p1 stored (newer), p1 again kept none of its own: neither brought a key the table lacked.
    for (const [execution, written] of [
      ['p1-again', 0],
      ['p3', 0],
    ] as const) {
      const r = await uploadResult(lake, execution);
      expect([execution, r.rowsRead, r.rowsWritten, r.duplicatesRemoved]).toEqual([
        execution,
        5,
        written,
        5 - written,
      ]);
    }
    expect(await tableRows(lake, 'orders', 'order_id')).toHaveLength(5);
  });

  it('gives up an upload that runs took without finishing, so that it cannot hold up the others', async () => {
    const lake = await newLake();
    const key = await writeRaw(
      lake,
      'uploads/orders/a.csv',
      ordersCsv(['o1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const file = path.join(lake, 'curated', pendingUploadKey('stuck-1'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    const record = {
      execution: 'stuck-1',
      table: 'orders',
      key,
      acceptedAt: '2026-03-01T00:00:00Z',
      attempts: 3,
    };
    await fs.writeFile(file, JSON.stringify(record));
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'after-crashes' });
    expect(summary.uploads).toEqual({ taken: 1, succeeded: 0, failed: 1 });
    expect(await uploadResult(lake, 'stuck-1')).toMatchObject({
      status: 'FAILED',
      error: 'Etl.UploadGivenUp',
      cause: expect.stringMatching(/3 ETL runs took this upload/),
    });
    // A run counts its attempt before it reads: a crash leaves the count behind.
    await fs.writeFile(file, JSON.stringify({ ...record, execution: 'stuck-1', attempts: 0 }));
    await fs.rm(path.join(lake, 'curated', uploadResultKey('stuck-1')));
    const crashed = await run(
      lake,
      { '--etl_mode': 'events', '--run_id': 'crashing' },
      {
        hooks: {
          afterStaging: () => {
            throw new SimulatedCrash('the process dies');
          },
        },
      },
    ).catch((e: Error) => e);
    expect(crashed).toBeInstanceOf(SimulatedCrash);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ attempts: 1, takenBy: 'crashing' });
    // A run stopped with the lake (its execution runs again at the next start) gives its attempt back; another
    // run's release changes nothing.
    await releaseUploadsTakenBy(lake, 'another-run');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ attempts: 1, takenBy: 'crashing' });
    await releaseUploadsTakenBy(lake, 'crashing');
    const released = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(released).toMatchObject({ attempts: 0 });
    expect(released).not.toHaveProperty('takenBy');
  });

  it('a run stopped gives back only what it took, not what an earlier run of the same execution took and died with', async () => {
    const lake = await newLake();
    await queueOrdersUpload(lake, 'first', '2026-03-01T00:00:00Z');
    await queueOrdersUpload(lake, 'killer', '2026-03-01T00:00:01Z');
    const pending = (name: string) => pendingOf(lake, name);
    // Execution E's run dies in the batch of both; run again (same run id), it is stopped in first's batch.
    for (const name of ['killer', 'first'])
      await expect(run(lake, { '--etl_mode': 'events', '--run_id': 'E' }, crashOnRead(name))).rejects.toThrow(
        SimulatedCrash,
      );
    expect([(await pending('first')).attempts, (await pending('killer')).attempts]).toEqual([2, 1]);
    await releaseUploadsTakenBy(lake, 'E');
    expect(await pending('first')).toMatchObject({ attempts: 1 });
    expect(await pending('first')).not.toHaveProperty('takenBy');
    // The killer's attempt was the first run's, which died: it is kept.
    expect(await pending('killer')).toMatchObject({ attempts: 1, takenBy: 'E' });
  });

  it('counts the attempt of an upload whose own check fails the run (a file it cannot read), and gives it up at last', async () => {
    const lake = await newLake();
    const good = await writeRaw(
      lake,
      'uploads/orders/good.csv',
      ordersCsv(['g1,c1,2026-03-01,placed,1,EUR,1,,']),
    );
    const bad = 'uploads/orders/bad.csv';
    // A link to itself: every read fails with ELOOP, an error that is not the file's answer.
    await fs.symlink('bad.csv', path.join(lake, 'raw', bad));
    for (const [execution, key, accepted] of [
      ['up-bad', bad, '2026-03-01T00:00:00Z'],
      ['up-good', good, '2026-03-01T00:00:01Z'],
    ]) {
      const file = path.join(lake, 'curated', pendingUploadKey(execution!));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify({ execution, table: 'orders', key, acceptedAt: accepted }));
    }
    for (const runId of ['r1', 'r2', 'r3'])
      await expect(run(lake, { '--etl_mode': 'events', '--run_id': runId })).rejects.toThrow(/ELOOP/);
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'r4' });
    expect(summary.uploads).toEqual({ taken: 2, succeeded: 1, failed: 1 });
    expect(await uploadResult(lake, 'up-bad')).toMatchObject({ error: 'Etl.UploadGivenUp' });
    expect(await uploadResult(lake, 'up-good')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('counts an attempt only for the uploads a run reached, and runs one a run took without an outcome alone', async () => {
    const lake = await newLake();
    const attempts = async (name: string) => (await pendingOf(lake, name)).attempts ?? 0;
    await queueOrdersUpload(lake, 'killer', '2026-03-01T00:00:00Z');
    await queueOrdersUpload(lake, 'a', '2026-03-01T00:00:01Z');
    await queueOrdersUpload(lake, 'b', '2026-03-01T00:00:02Z');
    // The killer's batch ends each run (a job timeout, a crash): the files after it are never read.
    const readKeys: string[][] = [];
    const crashOnKiller = crashOnRead('killer', readKeys);
    // One batch of all three (the default size): each counts that run's attempt.
    await expect(run(lake, { '--etl_mode': 'events', '--run_id': 'r1' }, crashOnKiller)).rejects.toThrow(
      SimulatedCrash,
    );
    expect([await attempts('killer'), await attempts('a'), await attempts('b')]).toEqual([1, 1, 1]);
    // Taken again: each alone, the killer first; the others are not reached and count nothing more.
    for (const runId of ['r2', 'r3'])
      await expect(run(lake, { '--etl_mode': 'events', '--run_id': runId }, crashOnKiller)).rejects.toThrow(
        SimulatedCrash,
      );
    expect([await attempts('killer'), await attempts('a'), await attempts('b')]).toEqual([3, 1, 1]);
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'r4' }, crashOnKiller);
    expect(summary.uploads).toEqual({ taken: 3, succeeded: 2, failed: 1 });
    expect(await uploadResult(lake, 'up-killer')).toMatchObject({ error: 'Etl.UploadGivenUp' });
    for (const name of ['a', 'b'])
      expect(await uploadResult(lake, `up-${name}`)).toMatchObject({ status: 'SUCCEEDED' });
    expect(readKeys).toEqual([
      ['killer.csv', 'a.csv', 'b.csv'],
      ['killer.csv'],
      ['killer.csv'],
      ['a.csv'],
      ['b.csv'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Events compaction

describe('runEtlJob, mode events (compaction of streamed events)', () => {
  const event = (
    id: string,
    type: string,
    occurredAt: string,
    receivedAt: string,
    data: Record<string, unknown>,
  ): EventRecord => ({
    id,
    type,
    line: JSON.stringify({ id, type, occurred_at: occurredAt, received_at: receivedAt, data }),
  });
  const view = (id: string, occurredAt: string, receivedAt = occurredAt) =>
    event(id, 'page_view', occurredAt, receivedAt, {
      session_id: 'sess-0123456789',
      url: `https://shop.example/${id}`,
      duration_ms: 1200,
      viewport: { width: 390, height: 844 },
    });
  /** A page_view 'bad' whose duration_ms is no integer (the ETL rejects it), received 2026-03-01 10:00Z. */
  const mistyped = (occurredAt: string, sessionId: string) =>
    event('bad', 'page_view', occurredAt, '2026-03-01T10:00:00.000Z', {
      session_id: sessionId,
      url: 'https://x',
      duration_ms: 1.5,
    });
  const signup = (id: string, occurredAt: string) =>
    event(id, 'signup', occurredAt, occurredAt, {
      user_id: `u-${id}`,
      email: `${id}@example.com`,
      plan: 'pro',
    });

  it('compacts raw objects per type and event date, each id once, also when delivered or compacted twice', async () => {
    const lake = await newLake();
    await deliver(lake, [
      view('v1', '2026-03-01T10:00:00.000Z'),
      view('v2', '2026-03-01T23:59:59.999Z'),
      view('v3', '2026-03-02T00:00:00.000Z'),
      signup('s1', '2026-03-01T12:00:00.000Z'),
    ]);
    // The same event sent again later (a client retry), in another raw object.
    await deliver(lake, [view('v1', '2026-03-01T10:00:00.000Z', '2026-03-01T10:05:00.000Z')]);

    const first = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    expect(first.mode).toBe('events');
    expect(await inputsOf(lake, first)).toHaveLength(3); // two page_view objects, one signup object
    const figures = Object.fromEntries(first.tables.map((t) => [t.table, t]));
    expect(Object.keys(figures)).toEqual(['order_placed', 'page_view', 'signup']);
    expect(figures.order_placed).toMatchObject({ rowsRead: 0, rowsWritten: 0, partitions: [] });
    expect(figures.page_view).toMatchObject({
      rowsRead: 4,
      rowsWritten: 3,
      rowsRejected: 0,
      duplicatesRemoved: 1,
      partitions: ['event_date=2026-03-01', 'event_date=2026-03-02'],
      maxRejectedRatio: 0,
    });
    expect(figures.signup).toMatchObject({
      rowsRead: 1,
      rowsWritten: 1,
      partitions: ['event_date=2026-03-01'],
    });

    const curated = path.join(lake, 'curated', 'tables', 'events');
    expect((await files(curated)).map((f) => f.replace(/part-0-.*$/, 'part'))).toEqual([
      'type=page_view/event_date=2026-03-01/part',
      'type=page_view/event_date=2026-03-02/part',
      'type=signup/event_date=2026-03-01/part',
    ]);
    const views = await tableRows(lake, 'page_view', 'event_id');
    expect(views.map((r) => [r.event_id, r.event_date])).toEqual([
      ['v1', '2026-03-01'],
      ['v2', '2026-03-01'],
      ['v3', '2026-03-02'],
    ]);
    // The first received copy is kept; nested objects are JSON text.
    expect(views[0]).toMatchObject({
      received_at: '2026-03-01 10:00:00',
      viewport: '{"width":390,"height":844}',
      duration_ms: '1200',
      type: 'page_view',
    });
    expect(
      await columnTypes(
        path.join(
          curated,
          (await files(curated)).find((f) => f.startsWith('type=page_view'))!,
        ),
      ),
    ).toMatchObject({
      event_id: 'VARCHAR',
      occurred_at: 'TIMESTAMP',
      duration_ms: 'BIGINT',
      viewport: 'VARCHAR',
    });

    // The manifests list every processed object, per arrival date.
    const manifests = await files(path.join(lake, 'curated', '_state', 'compaction'));
    expect(manifests.map((m) => m.replace(/=\d{4}-\d{2}-\d{2}/, '=D'))).toEqual([
      'page_view/arrival_date=D.json',
      'signup/arrival_date=D.json',
    ]);
    const processed = JSON.parse(
      await fs.readFile(path.join(lake, 'curated', '_state', 'compaction', manifests[0]!), 'utf8'),
    ) as { processed: string[] };
    expect(processed.processed).toEqual(
      (await inputsOf(lake, first)).filter((k) => k.includes('type=page_view')).sort(),
    );

    // Compacting again reads nothing and changes nothing.
    const tableFiles = await files(curated);
    const second = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
    expect(await inputsOf(lake, second)).toEqual([]);
    expect(second.rowsRead).toBe(0);
    expect(await files(curated)).toEqual(tableFiles);

    // A late duplicate and a new event: only the new object is read; v2 stays once.
    await deliver(lake, [
      view('v2', '2026-03-01T23:59:59.999Z', '2026-03-03T00:00:00.000Z'),
      view('v4', '2026-03-01T08:00:00.000Z'),
    ]);
    const third = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-3' });
    expect(await inputsOf(lake, third)).toHaveLength(1);
    expect(third.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      duplicatesRemoved: 1,
      partitions: ['event_date=2026-03-01'],
    });
    const after = await tableRows(lake, 'page_view', 'event_id');
    expect(after.map((r) => r.event_id)).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(after.find((r) => r.event_id === 'v2')!.received_at).toBe('2026-03-01 23:59:59.999');
  });

  it('keeps one copy of an event retried across a UTC midnight (occurred_at defaulted to each receipt)', async () => {
    const lake = await newLake();
    // Compacted in order: the copy received first stays, the retry's partition gets no row.
    await deliver(lake, [view('r1', '2026-03-01T23:59:59.900Z'), view('r2', '2026-03-01T12:00:00.000Z')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'midnight-1' });
    await deliver(lake, [view('r1', '2026-03-02T00:00:00.100Z'), view('r3', '2026-03-02T01:00:00.000Z')]);
    const second = await run(lake, { '--etl_mode': 'events', '--run_id': 'midnight-2' });
    expect(second.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      duplicatesRemoved: 1,
      partitions: ['event_date=2026-03-01', 'event_date=2026-03-02'],
    });
    let rows = await tableRows(lake, 'page_view', 'event_id');
    expect(rows.map((r) => [r.event_id, r.event_date, r.received_at])).toEqual([
      ['r1', '2026-03-01', '2026-03-01 23:59:59.9'],
      ['r2', '2026-03-01', '2026-03-01 12:00:00'],
      ['r3', '2026-03-02', '2026-03-02 01:00:00'],
    ]);

    // Delivered out of order: the later copy was compacted first; the earlier one, arriving after it, is kept and
    // the partition that held the later copy alone is emptied.
    await deliver(lake, [view('r4', '2026-03-04T00:00:00.050Z')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'midnight-3' });
    await deliver(lake, [view('r4', '2026-03-03T23:59:59.950Z')]);
    const fourth = await run(lake, { '--etl_mode': 'events', '--run_id': 'midnight-4' });
    expect(fourth.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsRead: 1,
      rowsWritten: 0,
      duplicatesRemoved: 1,
      partitions: ['event_date=2026-03-03', 'event_date=2026-03-04'],
    });
    rows = await tableRows(lake, 'page_view', 'event_id');
    expect(rows.map((r) => [r.event_id, r.event_date])).toEqual([
      ['r1', '2026-03-01'],
      ['r2', '2026-03-01'],
      ['r3', '2026-03-02'],
      ['r4', '2026-03-03'],
    ]);
    expect((await files(tableDir(lake, 'page_view'))).map((f) => f.replace(/part-0-.*$/, 'part'))).toEqual([
      'event_date=2026-03-01/part',
      'event_date=2026-03-02/part',
      'event_date=2026-03-03/part',
    ]);

    // Both copies compacted by one run (the retry's partition gets nothing: the run used to fail on it).
    await deliver(lake, [view('r5', '2026-03-05T23:59:59.990Z'), view('r5', '2026-03-06T00:00:00.010Z')]);
    const fifth = await run(lake, { '--etl_mode': 'events', '--run_id': 'midnight-5' });
    expect(fifth.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      duplicatesRemoved: 1,
      partitions: ['event_date=2026-03-05'],
    });
    rows = await tableRows(lake, 'page_view', 'event_id');
    expect(rows.filter((r) => r.event_id === 'r5').map((r) => r.event_date)).toEqual(['2026-03-05']);
  });

  it('compacts in bounded batches and records each batch in the manifests', async () => {
    const lake = await newLake();
    for (let i = 0; i < 3; i++) await deliver(lake, [view(`b${i}`, `2026-03-0${i + 1}T10:00:00.000Z`)]);
    const s = await run(
      lake,
      { '--etl_mode': 'events', '--run_id': 'batches', '--table': 'page_view' },
      { maxBatchBytes: 1 },
    );
    expect(s.tables.map((t) => t.table)).toEqual(['page_view']);
    expect(s.tables[0]).toMatchObject({
      rowsRead: 3,
      rowsWritten: 3,
      partitions: ['event_date=2026-03-01', 'event_date=2026-03-02', 'event_date=2026-03-03'],
    });
    expect(await inputsOf(lake, s)).toHaveLength(3);
    expect((await tableRows(lake, 'page_view', 'event_id')).map((r) => r.event_id)).toEqual([
      'b0',
      'b1',
      'b2',
    ]);
  });

  it('rejects events that fail typing (the events table allows none) and still compacts the rest', async () => {
    const lake = await newLake();
    await deliver(lake, [view('ok', '2026-03-01T10:00:00.000Z'), mistyped('2026-03-01T10:00:00+02:00', 's')]);
    const s = await run(
      lake,
      { '--etl_mode': 'events', '--run_id': 'ev-rej' },
      { now: fixedClock('2026-03-05T00:00:00Z') },
    );
    expect(s.tables.find((t) => t.table === 'page_view')).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 1,
      rejectedLocation: 'rejected/table_name=page_view/run_date=2026-03-05/',
    });
    expect(s.rejectedAboveThreshold).toBe(true);
    const rejected = await rejectedRows(lake, 'page_view');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      _file: 'run_date=2026-03-05/ev-rej-0.json',
      run_id: 'ev-rej',
      rejected_at: '2026-03-05T00:00:00.000Z',
      reason:
        'occurred_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits); session_id: shorter than 8; ' +
        'duration_ms: not an integer',
      raw: expect.objectContaining({
        event_id: 'bad',
        occurred_at: '2026-03-01T10:00:00+02:00',
        duration_ms: '1.5',
      }),
    });
    expect(String(rejected[0]!.source_file)).toMatch(/^events\/type=page_view\/arrival_date=/);
  });

  it('records compacted objects in the manifests with the swap: a crash after it does not compact them again', async () => {
    const lake = await newLake();
    await deliver(lake, [
      view('v1', '2026-03-01T10:00:00.000Z'),
      view('v2', '2026-03-02T10:00:00.000Z'),
      mistyped('2026-03-01T10:00:00.000Z', 'sess-0123456789'),
    ]);
    const crash = await run(
      lake,
      { '--etl_mode': 'events', '--table': 'page_view', '--run_id': 'crash-1' },
      {
        hooks: {
          afterPartitionSwap: () => {
            throw new SimulatedCrash('killed');
          },
        },
      },
    ).catch((e: Error) => e);
    expect(crash).toBeInstanceOf(SimulatedCrash);

    const next = await run(lake, { '--etl_mode': 'events', '--table': 'page_view', '--run_id': 'next-2' });
    expect(await inputsOf(lake, next)).toEqual([]);
    expect(next.tables[0]).toMatchObject({ table: 'page_view', rowsRead: 0, rowsRejected: 0 });
    const manifests = (await files(path.join(lake, 'curated', '_state', 'compaction', 'page_view'))).map(
      (f) => f.replace(/\d{4}-\d\d-\d\d/, 'DAY'),
    );
    expect(manifests).toEqual(['arrival_date=DAY.json']);
    expect((await tableRows(lake, 'page_view', 'event_id')).map((r) => r.event_id)).toEqual(['v1', 'v2']);
    expect((await rejectedRows(lake, 'page_view')).map((r) => [r.run_id, (r.raw as Row).event_id])).toEqual([
      ['crash-1', 'bad'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The shared plan SQL on DuckDB

describe('the shared ETL plan SQL on DuckDB', () => {
  async function typed(table: string, rows: Record<string, string | null>[]): Promise<Row[]> {
    const plan = buildPlan(lakeTable(table)!);
    const cols = plan.input.columns.map((c) => c.name);
    const values = rows
      .map(
        (r, i) =>
          `(${[...cols.map((c) => r[c] ?? null), `file-${i}`, '2026-03-05T12:00:00.000Z']
            .map((v) => (v === null ? 'CAST(NULL AS VARCHAR)' : lit(v)))
            .join(', ')})`,
      )
      .join(', ');
    await conn.run(
      `CREATE OR REPLACE TEMP VIEW raw_input AS SELECT * FROM (VALUES ${values}) v(${[...cols, 'lake_source_file', 'lake_ingested_at'].join(', ')})`,
    );
    await conn.run(`CREATE OR REPLACE TEMP TABLE typed AS ${plan.typedSql}`);
    return q('SELECT * FROM typed ORDER BY raw_lake_source_file');
  }

  const order = (over: Record<string, string | null>) => ({
    order_id: 'o1',
    customer_id: 'c1',
    order_date: '2026-03-01',
    status: 'paid',
    amount: '1',
    currency: 'EUR',
    ...over,
  });
  const reasonsOf = async (table: string, rows: Record<string, string | null>[]) =>
    (await typed(table, rows)).map((r) => r.reject_reason);

  it('types numbers strictly: no rounding of decimals into integers, no blanks, no exotic notations', async () => {
    const rows = await typed('orders', [
      order({ item_count: '12', amount: '1e3' }),
      order({ item_count: '3.0' }),
      order({ item_count: '3.5' }),
      order({ item_count: ' 3' }),
      order({ amount: '.5' }),
      order({ amount: 'abc' }),
      order({ amount: '-0.5' }),
      order({ amount: '1e400' }),
      // 19 digits are a bigint (checked against the schema's maximum); 20 are beyond any bigint.
      order({ item_count: '1234567890123456789' }),
      order({ item_count: '12345678901234567890' }),
    ]);
    expect(rows[0]).toMatchObject({ item_count: '12', amount: 1000, reject_reason: null });
    expect(rows.slice(1, 4).map((r) => r.reject_reason)).toEqual([
      'item_count: not an integer',
      'item_count: not an integer',
      'item_count: not an integer',
    ]);
    expect(rows.slice(4).map((r) => r.reject_reason)).toEqual([
      'amount: not a number',
      'amount: not a number',
      'amount: less than 0',
      'amount: out of range for double (magnitudes from 4.9e-324 to 1.8e308); amount: greater than 10000000',
      'item_count: greater than 100000',
      'item_count: out of range for bigint (-9223372036854775808 to 9223372036854775807)',
    ]);
  });

  it('accepts only true/false for booleans', async () => {
    const base = { customer_id: 'c1', email: 'a@example.com', created_at: '2026-03-01T00:00:00Z' };
    const rows = await typed('customers', [
      { ...base, marketing_opt_in: 'TRUE' },
      { ...base, marketing_opt_in: 'false' },
      { ...base, marketing_opt_in: 'yes' },
      { ...base, marketing_opt_in: '1' },
    ]);
    expect(rows.map((r) => [r.marketing_opt_in, r.reject_reason])).toEqual([
      [true, null],
      [false, null],
      [null, 'marketing_opt_in: not true or false'],
      [null, 'marketing_opt_in: not true or false'],
    ]);
  });

  it('takes +00:00 as UTC, like Z (the rule validateUpload checks too)', async () => {
    const rows = await typed('orders', [order({ updated_at: '2026-03-01T10:00:00+00:00' })]);
    expect(rows[0]).toMatchObject({ updated_at: '2026-03-01 10:00:00', reject_reason: null });
  });

  it('accepts real calendar dates and UTC timestamps only, and derives the partition from them', async () => {
    const rows = await typed('orders', [
      order({ order_date: '2026-02-28', updated_at: '2026-03-01T10:00:00Z' }),
      // Nine fraction digits when the last three are 0 (the lake keeps microseconds; others are rejected).
      order({ order_date: '2028-02-29', updated_at: '2026-03-01 10:00:00.123456000' }),
      order({ order_date: '2026-02-30' }),
      order({ order_date: '2026-2-3' }),
      order({ order_date: '0000-01-01' }),
      order({ updated_at: '2026-03-01T10:00:00+02:00' }),
      order({ updated_at: '2026-03-01T10:00:00-05:00' }),
      order({ updated_at: '2026-03-01T24:00:00Z' }),
      order({ updated_at: '2026-03-01' }),
      order({ updated_at: '0000-01-01T00:00:00Z' }),
    ]);
    expect(rows[0]).toMatchObject({
      order_date: '2026-02-28',
      dt: '2026-02-28',
      updated_at: '2026-03-01 10:00:00',
    });
    expect(rows[1]).toMatchObject({
      order_date: '2028-02-29',
      dt: '2028-02-29',
      updated_at: '2026-03-01 10:00:00.123456',
    });
    expect(rows.slice(2, 5).map((r) => [r.reject_reason, r.dt])).toEqual([
      ['order_date: not a date (yyyy-MM-dd, years 1000 to 9999)', null],
      ['order_date: not a date (yyyy-MM-dd, years 1000 to 9999)', null],
      ['order_date: not a date (yyyy-MM-dd, years 1000 to 9999)', null],
    ]);
    expect(rows.slice(5).map((r) => r.reject_reason)).toEqual(
      Array(5).fill(
        'updated_at: not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
      ),
    );
  });

  it('checks enums, patterns, lengths, bounds and required columns, listing every problem of a row', async () => {
    expect(
      await reasonsOf('orders', [
        order({ status: 'Paid' }),
        order({ currency: 'EURO' }),
        order({ order_id: 'x'.repeat(65) }),
        order({ amount: '10000000' }),
        order({ amount: '10000000.01' }),
        order({ item_count: '-1' }),
        order({ order_id: null, customer_id: null, amount: null }),
        order({ status: 'lost', currency: 'eu', amount: '-2' }),
      ]),
    ).toEqual([
      'status: not one of placed, paid, shipped, delivered, cancelled, refunded',
      'currency: does not match ^[A-Z]{3}$',
      'order_id: longer than 64',
      null,
      'amount: greater than 10000000',
      'item_count: less than 0',
      'order_id: required; customer_id: required; amount: required',
      'status: not one of placed, paid, shipped, delivered, cancelled, refunded; amount: less than 0; currency: does not match ^[A-Z]{3}$',
    ]);
  });

  it('keeps the raw text of rejected rows and one row per key in the merge', async () => {
    const plan = buildPlan(lakeTable('orders')!);
    await typed('orders', [
      order({ order_id: 'o1', updated_at: '2026-03-01T10:00:00Z', amount: '1' }),
      order({ order_id: 'o1', updated_at: '2026-03-02T10:00:00Z', amount: '2' }),
      order({ order_id: 'o2', amount: 'lots' }),
    ]);
    await conn.run(
      'CREATE OR REPLACE TEMP TABLE lake_malformed (lake_source_file VARCHAR, reject_reason VARCHAR, raw_record VARCHAR)',
    );
    await conn.run(
      "CREATE OR REPLACE TEMP VIEW lake_run AS SELECT 'run-9' AS run_id, '2026-03-05T12:00:00.000Z' AS rejected_at",
    );
    expect(await q(plan.rejectedSql.duckdb)).toEqual([
      {
        run_id: 'run-9',
        source_file: 'file-2',
        reason: 'amount: not a number',
        raw_record:
          '{"order_id":"o2","customer_id":"c1","order_date":"2026-03-01","status":"paid","amount":"lots",' +
          '"currency":"EUR","item_count":null,"coupon":null,"updated_at":null}',
        rejected_at: '2026-03-05T12:00:00.000Z',
        schema_version: String(plan.version),
      },
    ]);
    await conn.run('CREATE OR REPLACE TEMP VIEW incoming AS SELECT * FROM typed WHERE reject_reason IS NULL');
    await conn.run('CREATE OR REPLACE TEMP VIEW existing AS SELECT * FROM incoming WHERE false');
    const merged = await q(`SELECT * FROM (${plan.mergeSql}) ORDER BY order_id`);
    expect(merged.map((r) => [r.order_id, r.amount])).toEqual([['o1', 2]]);
  });
});

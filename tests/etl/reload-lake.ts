/**
 * A temporary lake for the runner's tests (tests/etl/replay.test.ts, rebuild.test.ts, …): raw files and events, runs of
 * the local Glue runner, the curated rows and rejected records read back, and the project's tables with edited
 * schemas (a copy of schemas/, history included, read by lakeTables(dir) and given to the runner as its `tables`).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cpSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeTable, lakeTables, schemasDir, type TableDef } from '../../lib/catalog/tables';
import type { EventRecord } from '../../lib/envelope';
import { runEtlJob, SimulatedCrash, type EtlRunnerOptions } from '../../lib/etl/duckdb-runner';
import { LocalFirehose } from '../../lib/firehose/local';
import { tempLake } from '../support/raw-zone';

export type Row = Record<string, unknown>;
let conn: DuckDBConnection | undefined;
const made: string[] = [];

/** Call once per test file: opens the reader, and removes every folder made when the file ends. */
export function useReloadLakes(): void {
  beforeAll(async () => {
    conn = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
  });
  afterAll(async () => {
    conn?.closeSync();
    for (const dir of made.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });
}

export async function newLake(): Promise<string> {
  const lake = await tempLake('etl-reload');
  made.push(lake);
  return lake;
}

/** The project's tables with edits to the JSON of some schemas (paths relative to schemas/). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function editedTables(edits: Record<string, (schema: any) => void>): TableDef[] {
  const dir = path.join(os.tmpdir(), `schemas-${process.pid}-${Math.random().toString(36).slice(2)}`);
  cpSync(schemasDir, dir, { recursive: true });
  made.push(dir);
  for (const [file, edit] of Object.entries(edits)) {
    const p = path.join(dir, file);
    const schema = JSON.parse(readFileSync(p, 'utf8'));
    edit(schema);
    writeFileSync(p, JSON.stringify(schema, null, 2));
  }
  return lakeTables(dir);
}

export async function writeRaw(lake: string, key: string, body: string | Buffer): Promise<string> {
  const file = path.join(lake, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body);
  return key;
}

/** Streamed events delivered to the lake's raw zone by the local delivery stream, as ingest's 202 leaves them. */
export async function deliver(lake: string, records: EventRecord[]): Promise<void> {
  const stream = await LocalFirehose.open({
    lakeDir: lake,
    streamName: 'events',
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
  });
  await stream.putRecords(records);
  await stream.close();
}

export const run = (lake: string, args: Record<string, string>, over: Partial<EtlRunnerOptions> = {}) =>
  runEtlJob(args, { lakeDir: lake, threads: 1, memoryLimit: '256MB', ...over });

export const fileJob = (table: string, key: string, runId: string) => ({
  '--etl_mode': 'file',
  '--table': table,
  '--inputs': JSON.stringify([key]),
  '--run_id': runId,
});

export const clock = (iso: string) => () => new Date(iso);

const ORDERS_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
export const ordersCsv = (rows: string[]) => [ORDERS_HEADER, ...rows].join('\n') + '\n';

/** Every row of a curated table (partition columns from the folder names). */
export async function tableRows(lake: string, table: string, orderBy: string): Promise<Row[]> {
  const dir = path.join(lake, 'curated', lakeTable(table)!.prefix);
  const glob = `${dir}**/*.parquet`.replaceAll("'", "''");
  try {
    return (
      await conn!.runAndReadAll(
        `SELECT * FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false, ` +
          `union_by_name = true) ORDER BY ${orderBy}`,
      )
    ).getRowObjectsJson() as Row[];
  } catch (e) {
    if (/No files found/.test((e as Error).message)) return [];
    throw e;
  }
}

/** Every rejected record of a table, with its file (relative to the table's folder) and raw_record parsed. */
export async function rejectedRows(lake: string, table: string): Promise<Row[]> {
  const root = path.join(lake, 'curated', 'rejected', `table_name=${table}`);
  const out: Row[] = [];
  for (const day of (await fs.readdir(root).catch(() => [] as string[])).sort()) {
    for (const f of (await fs.readdir(path.join(root, day))).sort()) {
      const text = await fs.readFile(path.join(root, day, f), 'utf8');
      for (const line of text.split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as Row;
        let raw: unknown;
        try {
          raw = JSON.parse(String(r.raw_record));
        } catch {
          raw = undefined;
        }
        out.push({ _file: `${day}/${f}`, ...r, raw });
      }
    }
  }
  return out;
}

export const withoutIngestedAt = (rows: Row[]) => rows.map(({ lake_ingested_at: _t, ...rest }) => rest);

/** Options of a run whose process dies (SimulatedCrash) as a batch reads `key`; batches of one object each. */
export const diesReading = (key: string): Partial<EtlRunnerOptions> => ({
  maxBatchBytes: 1,
  hooks: {
    beforeRead: ({ keys }) => {
      if (keys.includes(key)) throw new SimulatedCrash('kill -9');
    },
  },
});

/** Two orders uploads loaded, a.csv and b.csv, each with a row that fails (o1, o2): their keys. */
export async function twoUploadsWithFailingRows(lake: string): Promise<[string, string]> {
  const a = await writeRaw(lake, 'uploads/orders/a.csv', ordersCsv(['o1,c1,2026-03-01,lost,x,EUR,1,,']));
  const b = await writeRaw(lake, 'uploads/orders/b.csv', ordersCsv(['o2,c2,2026-03-01,lost,y,EUR,1,,']));
  await run(lake, fileJob('orders', a, 'load-a'));
  await run(lake, fileJob('orders', b, 'load-b'));
  return [a, b];
}

/** The order ids of the rejected rows a run recorded, sorted. */
export const rejectedOrderIds = async (lake: string, runId: string) =>
  (await rejectedRows(lake, 'orders'))
    .filter((r) => r.run_id === runId)
    .map((r) => (r.raw as Row).order_id)
    .sort();

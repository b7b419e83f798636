/**
 * A query while an ETL run swaps a table's partitions in (lib/curated-swaps.ts): the local lake runs both in one
 * process. A query that starts during the swap sees the table before or after it, whole — never some partitions
 * new and some old, nor one missing between its two renames — and one whose files a swap replaced runs again once
 * the swap has ended.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeTables } from '../../lib/catalog/tables';
import { beginSwap } from '../../lib/curated-swaps';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import type { QueryStatus } from '../../lib/query/types';
import { tempLake } from '../support/raw-zone';

const DATABASE = 'data_lake_local';
const tables = lakeTables();
const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];

/** Two orders a day, of the given status. */
const ordersCsv = (status: string) =>
  [
    HEADER,
    ...DAYS.flatMap((d, i) => [`o${i}a,c1,${d},${status},1,EUR,1,,`, `o${i}b,c1,${d},${status},2,EUR,1,,`]),
  ]
    .join('\n')
    .concat('\n');

let lake: string;
let engine: DuckDbQueryEngine;

beforeEach(async () => {
  lake = await tempLake('query-during-swap');
  engine = await DuckDbQueryEngine.open({
    lakeDir: lake,
    database: DATABASE,
    tables,
    // A query per partition of the test's swap, each waiting for it to end.
    concurrency: 4,
    maxQueued: 10,
    timeoutMs: 60_000,
    maxResultRows: 1000,
    memoryLimit: '256MB',
    threads: 1,
  });
});

afterEach(async () => {
  await engine.close();
  await fs.rm(lake, { recursive: true, force: true });
});

async function upload(name: string, status: string, runId: string, hooks = {}): Promise<void> {
  const key = `uploads/orders/${name}.csv`;
  await fs.mkdir(path.join(lake, 'raw', 'uploads', 'orders'), { recursive: true });
  await fs.writeFile(path.join(lake, 'raw', key), ordersCsv(status));
  await runEtlJob(
    { '--etl_mode': 'file', '--table': 'orders', '--inputs': JSON.stringify([key]), '--run_id': runId },
    { lakeDir: lake, threads: 1, memoryLimit: '256MB', hooks },
  );
}

const STATUS_BY_DAY =
  "SELECT dt, array_join(array_agg(DISTINCT status), ',') AS s, count(*) AS n FROM orders GROUP BY dt ORDER BY dt";

async function answer(id: string): Promise<unknown[][]> {
  const s = (await engine.wait(id, 30_000)) as QueryStatus;
  expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
  return (await engine.results(id, { maxRows: 100 })).rows;
}

const check = (sql: string) =>
  checkQuery(sql, { database: DATABASE, tables: tables.map((t) => t.name), maxBytes: 65536 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the engine's syncs of its views as they begin and as they end. */
function watchSyncs(onBegin?: () => Promise<void>) {
  const views = (engine as unknown as { views: { sync: (t: readonly string[]) => Promise<void> } }).views;
  const sync = views.sync.bind(views);
  const count = { begun: 0, ended: 0 };
  views.sync = async (t) => {
    count.begun++;
    await sync(t);
    count.ended++;
    await onBegin?.();
  };
  return count;
}

async function until(what: () => boolean): Promise<void> {
  while (!what()) await sleep(5);
}

describe('a query while an ETL run swaps partitions in', () => {
  it('sees the table before or after the swap, whole: every partition of one run or the other', async () => {
    await upload('first', 'placed', 'run-1');
    expect(await answer((await engine.start(check(STATUS_BY_DAY))).id)).toEqual(
      DAYS.map((d) => [d, 'placed', 2]),
    );
    // After the second run's first partition is in (and again between the renames of the next), a query starts
    // and gets every chance to list the table's files before the swap goes on.
    const started: string[] = [];
    const syncs = watchSyncs();
    await upload('second', 'paid', 'run-2', {
      afterPartitionSwap: async () => {
        const before = syncs.begun;
        started.push((await engine.start(check(STATUS_BY_DAY))).id);
        await until(() => syncs.begun > before);
        await sleep(200);
      },
    });
    expect(started).toHaveLength(DAYS.length);
    for (const id of started) expect(await answer(id)).toEqual(DAYS.map((d) => [d, 'paid', 2]));
  });

  it('runs a query again once the swap that replaced its files has ended', async () => {
    await upload('first', 'placed', 'run-1');
    // A swap holds the table (as rollForward does) while the engine's first read finds a file gone.
    let ended: (() => void) | undefined;
    const syncs = watchSyncs(async () => {
      if (ended) return;
      ended = beginSwap(path.join(lake, 'curated'), 'orders');
      const prefix = tables.find((t) => t.name === 'orders')!.prefix;
      const dir = path.join(lake, 'curated', prefix, `dt=${DAYS[0]}`);
      const [file] = await fs.readdir(dir);
      await fs.rename(path.join(dir, file!), path.join(dir, `part-0-run-2.parquet`));
    });
    const id = (await engine.start(check('SELECT count(*) FROM orders'))).id;
    await until(() => syncs.ended === 1);
    await sleep(300);
    // Not run again while the swap runs: one sync so far.
    expect(syncs.begun).toBe(1);
    ended!();
    expect(await answer(id)).toEqual([[8]]);
    expect(syncs.begun).toBe(2);
  });
});

/**
 * A lake that starts finishes the swaps that runs of ended processes left half done before it serves anything
 * (lib/etl/duckdb-runner/start-recovery.ts): a query read such a table half swapped — a partition new, another
 * old — until the next ETL run, which never came when the crashed execution had been marked FAILED.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeTable } from '../../lib/catalog/tables';
import { runEtlJob, SimulatedCrash } from '../../lib/etl/duckdb-runner';
import { applyFunctionEnvironment } from '../../local/environment';
import type { RunningLake } from '../../local/lake';
import { loadServiceConfig } from '../../local/service-config';
import { tempLake } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const orders = (status: string) =>
  [HEADER, `o1,c1,2026-03-01,${status},1,EUR,1,,`, `o2,c1,2026-03-02,${status},2,EUR,1,,`].join('\n') + '\n';

let lakeDir: string;
let lake: RunningLake | undefined;

afterEach(async () => {
  await lake?.stop();
  lake = undefined;
  await fs.rm(lakeDir, { recursive: true, force: true });
});

async function startLake(): Promise<RunningLake> {
  process.env.LAKE_DIR = lakeDir;
  delete process.env.LAKE_API_KEY;
  const config = await loadServiceConfig('local');
  applyFunctionEnvironment(config);
  const { startLocalLake } = await import('../../local/lake');
  return startLocalLake({ config, stage: 'local', port: 0, accessLog: false });
}

async function files(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

it('finishes a half-done swap of a crashed run when it starts, before any run', async () => {
  lakeDir = await tempLake('lake-start-recovery');
  // Raw objects outside uploads/: no upload the lake's watcher would run an ETL for.
  for (const [key, status] of [
    ['manual/orders/1.csv', 'placed'],
    ['manual/orders/2.csv', 'paid'],
  ] as const) {
    await fs.mkdir(path.join(lakeDir, 'raw', 'manual', 'orders'), { recursive: true });
    await fs.writeFile(path.join(lakeDir, 'raw', key), orders(status));
  }
  const job = (key: string, runId: string) => ({
    '--etl_mode': 'file',
    '--table': 'orders',
    '--inputs': JSON.stringify([key]),
    '--run_id': runId,
  });
  const opts = { lakeDir, threads: 1, memoryLimit: '256MB' };
  await runEtlJob(job('manual/orders/1.csv', 'ok-1'), opts);
  const crash = await runEtlJob(job('manual/orders/2.csv', 'crash-2'), {
    ...opts,
    hooks: {
      afterPartitionSwap: () => {
        throw new SimulatedCrash('killed');
      },
    },
  }).catch((e: Error) => e);
  expect(crash).toBeInstanceOf(SimulatedCrash);
  const table = path.join(lakeDir, 'curated', lakeTable('orders')!.prefix);
  const tmp = path.join(lakeDir, 'curated', '_state', 'tmp');
  // Half swapped: the first partition is the crashed run's, the second still the earlier one's.
  expect(await files(table)).toEqual([
    'dt=2026-03-01/part-0-crash-2.parquet',
    'dt=2026-03-02/part-0-ok-1.parquet',
  ]);
  expect(await files(tmp)).toContain('crash-2/table=orders/batch-0/journal.json');

  lake = await startLake();

  expect(await files(table)).toEqual([
    'dt=2026-03-01/part-0-crash-2.parquet',
    'dt=2026-03-02/part-0-crash-2.parquet',
  ]);
  expect(await files(tmp)).toEqual([]);
}, 120_000);

it('starts all the same when what a crashed run left is damaged (the next ETL run names it)', async () => {
  lakeDir = await tempLake('lake-start-damaged');
  const batch = path.join(lakeDir, 'curated', '_state', 'tmp', 'crashed-1', 'table=orders', 'batch-0');
  await fs.mkdir(batch, { recursive: true });
  await fs.writeFile(path.join(batch, 'journal.json'), '{"table": "orders", "partit');
  lake = await startLake();
  const res = await fetch(`${lake.url}/tables`, { headers: { 'x-api-key': lake.apiKey } });
  expect(res.status).toBe(200);
  expect(await fs.readFile(path.join(batch, 'journal.json'), 'utf8')).toBe('{"table": "orders", "partit');
}, 120_000);

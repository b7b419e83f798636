/**
 * A local job run stopped with its execution (EtlRunnerOptions signal: StopExecution, or the lake stopping after its
 * grace), as Step Functions stops a .sync Glue job run: DuckDB's statement is interrupted, the batch not committed
 * is discarded, the run fails as a whole (its uploads stay queued, not FAILED) and lets go of the lake at once.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EtlErrorName, runEtlJob } from '../../lib/etl/duckdb-runner';
import { pendingUploadKey, uploadResultKey } from '../../lib/etl/upload-queue';
import { lakeTable } from '../../lib/catalog/tables';
import { tempLake, walkFiles } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

const lakes: string[] = [];
afterAll(async () => {
  for (const lake of lakes) await fs.rm(lake, { recursive: true, force: true });
});

/** A lake with one accepted upload of `rows` orders (uploads/orders/big.csv), waiting in the queue. */
async function lakeWithUpload(rows: number): Promise<string> {
  const lake = await tempLake('run-stopped');
  lakes.push(lake);
  const key = 'uploads/orders/big.csv';
  await fs.mkdir(path.join(lake, 'raw', 'uploads', 'orders'), { recursive: true });
  const lines = [HEADER];
  for (let i = 0; i < rows; i++)
    lines.push(`o${i},c${i % 1000},2026-03-0${1 + (i % 9)},placed,${i % 500},EUR,1,,`);
  await fs.writeFile(path.join(lake, 'raw', key), lines.join('\n') + '\n');
  const pending = path.join(lake, 'curated', pendingUploadKey('orders-big'));
  await fs.mkdir(path.dirname(pending), { recursive: true });
  await fs.writeFile(
    pending,
    JSON.stringify({ execution: 'orders-big', table: 'orders', key, acceptedAt: '2026-03-01T00:00:00Z' }),
  );
  return lake;
}

const run = (lake: string, runId: string, signal?: AbortSignal, beforeRead?: () => void) =>
  runEtlJob(
    { '--etl_mode': 'events', '--run_id': runId },
    {
      lakeDir: lake,
      threads: 1,
      memoryLimit: '1GB',
      ...(signal ? { signal } : {}),
      ...(beforeRead ? { hooks: { beforeRead } } : {}),
    },
  );

async function expectNothingWritten(lake: string, runId: string): Promise<void> {
  // Nothing of the table, no result for the upload (it stays queued, its attempt counted), no staging left.
  expect(await walkFiles(path.join(lake, 'curated', lakeTable('orders')!.prefix))).toEqual([]);
  await expect(fs.stat(path.join(lake, 'curated', uploadResultKey('orders-big')))).rejects.toThrow();
  expect(
    JSON.parse(await fs.readFile(path.join(lake, 'curated', pendingUploadKey('orders-big')), 'utf8')),
  ).toMatchObject({ attempts: 1, takenBy: runId });
  expect(await walkFiles(path.join(lake, 'curated', '_state', 'tmp'))).toEqual([]);
}

it('a run stopped between two steps fails as a whole at the next one, discards its batch and lets go of the lake', async () => {
  const lake = await lakeWithUpload(10);
  const stop = new AbortController();
  const err = (await run(lake, 'stopped-1', stop.signal, () => stop.abort()).catch((e: Error) => e)) as Error;
  expect(err.name).toBe(EtlErrorName.RunFailed);
  expect(err.message).toMatch(
    /^the run was stopped with its execution \(StopExecution, or the local lake stopping\)/,
  );
  await expectNothingWritten(lake, 'stopped-1');
  // The lake is free at once: the next run takes the upload and loads it.
  const next = await run(lake, 'after-stop');
  expect(next.uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
  expect(next.rowsWritten).toBe(10);
});

it('a run stopped while DuckDB reads a large file: the statement is interrupted, not waited for', async () => {
  const lake = await lakeWithUpload(1_000_000);
  const stop = new AbortController();
  // The read of a million rows takes far longer than this: the stop comes while it runs.
  const err = (await run(lake, 'stopped-2', stop.signal, () => {
    setTimeout(() => stop.abort(), 20);
  }).catch((e: Error) => e)) as Error & { cause?: Error };
  expect(err.name).toBe(EtlErrorName.RunFailed);
  expect(err.message).toMatch(/^the run was stopped with its execution/);
  expect(err.cause?.message).toMatch(/interrupt/i);
  await expectNothingWritten(lake, 'stopped-2');
}, 60_000);

it('a run whose lake lock another lake took over (a paused container judged gone) stops before its swap', async () => {
  const lake = await lakeWithUpload(10);
  const lock = path.join(lake, 'curated', '_state', 'locks', '_lake.lock');
  const other = JSON.stringify({ pid: 999_999_999, start: '1', boot: 'other', runId: 'other-lake-run' });
  const err = (await runEtlJob(
    { '--etl_mode': 'events', '--run_id': 'taken-over' },
    {
      lakeDir: lake,
      threads: 1,
      memoryLimit: '256MB',
      // Written and synced, about to swap: the other lake has taken the lock by now.
      hooks: { afterStaging: () => fs.writeFile(lock, other) },
    },
  ).catch((e: Error) => e)) as Error;
  expect(err.name).toBe(EtlErrorName.RunFailed);
  expect(err.message).toMatch(/orders: this run no longer holds the lake's lock \(another lake took it over/);
  await expectNothingWritten(lake, 'taken-over');
  // The other lake's lock is left to it.
  expect(await fs.readFile(lock, 'utf8')).toBe(other);
});

it('a stop that comes while a batch is swapped in (past its journal) lets it end: its upload is recorded once', async () => {
  const lake = await lakeWithUpload(10);
  const stop = new AbortController();
  const summary = await runEtlJob(
    { '--etl_mode': 'events', '--run_id': 'stopped-in-swap' },
    {
      lakeDir: lake,
      threads: 1,
      memoryLimit: '256MB',
      signal: stop.signal,
      hooks: { afterPartitionSwap: () => stop.abort() },
    },
  );
  expect(summary.uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
  expect(
    JSON.parse(await fs.readFile(path.join(lake, 'curated', uploadResultKey('orders-big')), 'utf8')),
  ).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 10 });
  await expect(fs.stat(path.join(lake, 'curated', pendingUploadKey('orders-big')))).rejects.toThrow();
  // Not taken again by the next run.
  expect((await run(lake, 'after-swap')).uploads).toEqual({ taken: 0, succeeded: 0, failed: 0 });
});

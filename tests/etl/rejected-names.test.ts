/**
 * A run's rejected files are named <run_id>-<batch>.json (lib/etl/rejected.ts). The state machine runs the job again
 * with the same run id after a failed run (the execution's name): its batches count from 0 again, and the second
 * run's rejected file took the first one's name, replacing its records (and a replay, which remembers files by name,
 * would never read the new ones). A name already taken gets -<i> before .json, on both runtimes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { pendingUploadKey } from '../../lib/etl/upload-queue';
import { tempLake } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const csv = (rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

async function writeRaw(lake: string, key: string, body: string): Promise<string> {
  const file = path.join(lake, 'raw', key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body);
  return key;
}

/** An upload validateUpload accepted: in the queue that every run takes (lib/etl/upload-queue.ts). */
async function accepted(lake: string, execution: string, key: string): Promise<void> {
  const file = path.join(lake, 'curated', pendingUploadKey(execution));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    JSON.stringify({ execution, table: 'orders', key, acceptedAt: new Date().toISOString() }),
  );
}

/** A compaction run under `runId`, which takes the queue. */
const run = (lake: string, runId: string) =>
  runEtlJob(
    { '--etl_mode': 'events', '--run_id': runId },
    { lakeDir: lake, threads: 1, memoryLimit: '256MB', now: () => new Date('2026-03-06T10:00:00Z') },
  );

it('a run again under the same run id keeps the rejected records of the one before', async () => {
  const lake = await tempLake('rejected-names');
  const bad = (id: string) => `${id},c1,not-a-date,placed,1,EUR,1,,`;
  await accepted(
    lake,
    'orders-a',
    await writeRaw(lake, 'uploads/orders/a.csv', csv(['o1,c1,2026-03-01,placed,1,EUR,1,,', bad('bad-a')])),
  );
  // The first run took upload a (its batch 0: rejected file scheduled-1-0.json); it failed after, say, and the
  // state machine runs the job again under the same run id, which takes the upload accepted since.
  await run(lake, 'scheduled-1');
  await accepted(
    lake,
    'orders-b',
    await writeRaw(lake, 'uploads/orders/b.csv', csv(['o2,c1,2026-03-01,placed,1,EUR,1,,', bad('bad-b')])),
  );
  await run(lake, 'scheduled-1');
  const dir = path.join(lake, 'curated', 'rejected', 'table_name=orders', 'run_date=2026-03-06');
  const names = (await fs.readdir(dir)).sort();
  expect(names).toEqual(['scheduled-1-0-1.json', 'scheduled-1-0.json']);
  const [second, first] = await Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8')));
  expect(first).toContain('bad-a');
  expect(second).toContain('bad-b');
  await fs.rm(lake, { recursive: true, force: true });
});

it('reads a file once when two accepted uploads of one run name it (the same bytes accepted again)', async () => {
  const lake = await tempLake('rejected-names');
  const bad = (id: string) => `${id},c1,not-a-date,placed,1,EUR,1,,`;
  const key = await writeRaw(
    lake,
    'uploads/orders/retry.csv',
    csv(['o1,c1,2026-03-01,placed,1,EUR,1,,', bad('bad-1')]),
  );
  await accepted(lake, 'orders-v1', key);
  await accepted(lake, 'orders-v2', key);
  const summary = await run(lake, 'scheduled-2');
  expect(summary.uploads).toEqual({ taken: 2, succeeded: 2, failed: 0 });
  const orders = summary.tables.find((t) => t.table === 'orders')!;
  expect([orders.rowsRead, orders.rowsRejected]).toEqual([2, 1]);
  const dir = path.join(lake, 'curated', 'rejected', 'table_name=orders', 'run_date=2026-03-06');
  const lines = (await fs.readFile(path.join(dir, 'scheduled-2-0.json'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(1);
  await fs.rm(lake, { recursive: true, force: true });
});

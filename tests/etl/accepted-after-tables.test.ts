/**
 * A run takes only the uploads accepted before it read its tables: one accepted after may be of a dataset schema
 * changed since, which this run's plan would load without its new columns. It stays pending for the next run
 * (the Glue job the same: accepted_after; raw event objects by their time, tests/etl/events-damaged.test.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runEtlJob } from '../../lib/etl/duckdb-runner';
import { pendingUploadKey } from '../../lib/etl/upload-queue';
import { datetimeArg, one, withPython } from '../etl/glue-job-python';
import { tempLake } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

/** An orders upload as the upload check leaves it: the file (unless `withFile` is false) and its queue record. */
async function accept(
  lake: string,
  execution: string,
  name: string,
  acceptedAt: string | undefined,
  withFile = true,
): Promise<void> {
  const key = `uploads/orders/${name}`;
  if (withFile) {
    await fs.mkdir(path.join(lake, 'raw', 'uploads', 'orders'), { recursive: true });
    await fs.writeFile(path.join(lake, 'raw', key), `${HEADER}\n${name},c1,2026-03-01,placed,1,EUR,1,,\n`);
  }
  const file = path.join(lake, 'curated', pendingUploadKey(execution));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ execution, table: 'orders', key, acceptedAt }));
}

/** A compaction run of the lake (it takes the queued uploads first); realClock: the run's own clock. */
const compact = (lake: string, runId = 'compact-1', realClock?: () => number) =>
  runEtlJob(
    { '--etl_mode': 'events', '--run_id': runId },
    { lakeDir: lake, threads: 1, memoryLimit: '256MB', ...(realClock ? { realClock } : {}) },
  );

it('leaves an upload accepted after the run read its tables for the next run', async () => {
  const lake = await tempLake('accepted-after');
  const readAt = Date.now();
  await accept(lake, 'orders-a', 'a.csv', new Date(readAt - 1000).toISOString());
  // As if accepted while the run was going, after it read its tables (its real clock then reads a minute later).
  await accept(lake, 'orders-b', 'b.csv', new Date(readAt + 30_000).toISOString());
  // Accepted "an hour ahead", before the clock stepped back: no run was reading its tables then.
  await accept(lake, 'orders-c', 'c.csv', new Date(readAt + 3_600_000).toISOString());
  let calls = 0;
  const first = await compact(lake, 'compact-1', () => (calls++ === 0 ? readAt : readAt + 60_000));
  expect(first.uploads).toEqual({ taken: 2, succeeded: 2, failed: 0 });
  await expect(fs.stat(path.join(lake, 'curated', pendingUploadKey('orders-c')))).rejects.toThrow();
  await expect(fs.stat(path.join(lake, 'curated', pendingUploadKey('orders-b')))).resolves.toBeTruthy();
  await fs.writeFile(
    path.join(lake, 'curated', pendingUploadKey('orders-b')),
    JSON.stringify({
      execution: 'orders-b',
      table: 'orders',
      key: 'uploads/orders/b.csv',
      acceptedAt: new Date(Date.now() - 1000).toISOString(),
    }),
  );
  expect((await compact(lake, 'compact-2')).uploads).toEqual({ taken: 1, succeeded: 1, failed: 0 });
  await fs.rm(lake, { recursive: true, force: true });
});

it('takes a pending record without acceptedAt (as the Glue job does, first), and every run goes on', async () => {
  const lake = await tempLake('accepted-missing');
  await accept(lake, 'orders-a', 'a.csv', new Date(Date.now() - 1000).toISOString());
  await accept(lake, 'orders-b', 'b.csv', undefined);
  const s = await compact(lake);
  expect(s.uploads).toEqual({ taken: 2, succeeded: 2, failed: 0 });
  await fs.rm(lake, { recursive: true, force: true });
});

it("a dataset whose every upload failed is not in the run's tables (as in the Glue job's summary)", async () => {
  const lake = await tempLake('all-failed');
  await accept(lake, 'orders-gone', 'gone.csv', new Date(Date.now() - 1000).toISOString(), false);
  const s = await compact(lake);
  expect(s.uploads).toEqual({ taken: 1, succeeded: 0, failed: 1 });
  expect(s.tables.map((t) => t.table)).not.toContain('orders');
  await fs.rm(lake, { recursive: true, force: true });
});

describe('the Glue job: accepted_after', () => {
  withPython('tells an upload accepted after the run read its plans', () => {
    const cases: [Record<string, unknown>, boolean][] = [
      [{ acceptedAt: '2026-03-06T10:00:00.000Z' }, false],
      [{ acceptedAt: '2026-03-06T10:00:01.000Z' }, false],
      [{ acceptedAt: '2026-03-06T10:00:01.001Z' }, true],
      [{}, false],
      [{ acceptedAt: 'yesterday' }, false],
    ];
    const startedAt = '2026-03-06T10:00:01+00:00';
    for (const [record, after] of cases) {
      const r = one('accepted_after', record, datetimeArg(startedAt));
      expect([record, r.value]).toEqual([record, after]);
    }
  });
});

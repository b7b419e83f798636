/**
 * The ETL swap when fsync fails (issue 12 §6: a reversed order or a missed wait that a crash test cannot see, since
 * SIGKILL leaves the page cache to the kernel). A file's run is repeated with the n-th fsync of the run made to fail
 * (EIO) — once, for every step from its first staged file on; and from n on, for every step of the swap — and then,
 * if the run failed as a whole, the next run (which recovers what runs left, then takes the queue) runs. Whatever
 * failed:
 *  - after recovery, and after the next run, the table is wholly old or wholly new: never one partition new and
 *    another old, never a partition missing;
 *  - the file's result says which: FAILED and the table as it was, or SUCCEEDED and every row of the file in —
 *    never FAILED with its rows loaded (a swap that went on after its run reported failure), nor the reverse;
 *  - a run that reports the file loaded has synced again the folder whose sync failed;
 *  - its rejected row is recorded if the file loaded (twice when the run failed after its swap, before the file's
 *    result: the next run takes the file again), not at all if it failed;
 *  - nothing is left in curated/_state/tmp.
 * And the order itself: the journal (the commit point) is written only after every staged file and folder is synced.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeTable } from '../../lib/catalog/tables';
import { runEtlJob, type EtlRunnerOptions } from '../../lib/etl/duckdb-runner';
import { recoverLeftovers } from '../../lib/etl/duckdb-runner/swap-journal';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import { tempLake, walkFiles } from '../support/raw-zone';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
const csv = (rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
const FIRST = csv(['o1,c1,2026-03-01,placed,1,EUR,1,,', 'o2,c1,2026-03-02,placed,2,EUR,1,,']);
// Both partitions change, a third is new, one row is rejected (an unknown status).
const SECOND = csv([
  'o1,c1,2026-03-01,paid,1,EUR,1,,',
  'o2,c1,2026-03-02,paid,2,EUR,1,,',
  'o3,c1,2026-03-03,placed,3,EUR,1,,',
  'o4,c1,2026-03-03,lost,4,EUR,1,,',
]);

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

async function fileHandlePrototype(): Promise<{ sync: () => Promise<void> }> {
  const fh = await fs.open(path.join(os.tmpdir(), `fh-probe-${process.pid}`), 'w');
  await fh.close();
  return Object.getPrototypeOf(fh) as { sync: () => Promise<void> };
}

let db: DuckDBInstance;
let conn: DuckDBConnection;
let base: string;
let oldRows: string;
let newRows: string;
const lakes: string[] = [];

const options = (lake: string): EtlRunnerOptions => ({
  lakeDir: lake,
  threads: 1,
  memoryLimit: '256MB',
  now: () => new Date('2026-03-10T12:00:00Z'),
});
const fileJob = (runId: string) => ({
  '--etl_mode': 'file',
  '--table': 'orders',
  '--inputs': JSON.stringify(['uploads/orders/2.csv']),
  '--run_id': runId,
});
const tableDir = (lake: string) => path.join(lake, 'curated', lakeTable('orders')!.prefix);

/** The table's rows (partition from the folder), as text; and whether each partition holds exactly one file. */
async function table(lake: string): Promise<{ rows: string; onePerPartition: boolean }> {
  const files = (await walkFiles(tableDir(lake))).map((f) => path.relative(tableDir(lake), f));
  const dirs = files.map((f) => path.dirname(f));
  const glob = `${tableDir(lake)}**/*.parquet`.replaceAll("'", "''");
  const r = await conn.runAndReadAll(
    `SELECT dt, order_id, status FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY ALL`,
  );
  return {
    rows: JSON.stringify(r.getRowObjectsJson()),
    onePerPartition: new Set(dirs).size === files.length,
  };
}

async function rejectedRecords(lake: string): Promise<number> {
  let n = 0;
  for (const f of await walkFiles(path.join(lake, 'curated', 'rejected', 'table_name=orders')))
    n += (await fs.readFile(f, 'utf8')).split('\n').filter(Boolean).length;
  return n;
}

/** A copy of the base lake: the first file loaded, the second accepted (queued as upload 'up-2'). */
async function copyOfBase(): Promise<string> {
  const lake = await tempLake('swap-fsync');
  lakes.push(lake);
  await fs.cp(base, lake, { recursive: true });
  return lake;
}

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
  base = await tempLake('swap-fsync-base');
  lakes.push(base);
  const raw = path.join(base, 'raw', 'uploads', 'orders');
  await fs.mkdir(raw, { recursive: true });
  await fs.writeFile(path.join(raw, '1.csv'), FIRST);
  await fs.writeFile(path.join(raw, '2.csv'), SECOND);
  await runEtlJob(
    { ...fileJob('up-1'), '--inputs': JSON.stringify(['uploads/orders/1.csv']) },
    options(base),
  );
  const pending = path.join(base, 'curated', pendingUploadKey('up-2'));
  await fs.mkdir(path.dirname(pending), { recursive: true });
  await fs.writeFile(
    pending,
    JSON.stringify({
      execution: 'up-2',
      table: 'orders',
      key: 'uploads/orders/2.csv',
      acceptedAt: '2026-03-10T11:00:00Z',
    }),
  );
  oldRows = (await table(base)).rows;
  const reference = await copyOfBase();
  await runEtlJob(fileJob('up-2'), options(reference));
  newRows = (await table(reference)).rows;
  expect(newRows).not.toEqual(oldRows);
});

afterAll(async () => {
  conn.closeSync();
  db.closeSync();
  for (const l of lakes) await fs.rm(l, { recursive: true, force: true });
});

afterEach(() => jest.restoreAllMocks());

it.each([
  // From the first staged file on: a failure before the journal is durable fails the file; one after it is redone
  // at once.
  [
    'once, at any step from staging on',
    'staged',
    (call: number, n: number) => call === n,
    ['FAILED', 'SUCCEEDED'],
  ],
  // Every fsync fails from a step of the swap (the journal, the folders swapped into) on: the run cannot record a
  // result, the file stays queued, and the next run finishes the swap (or discards the batch) and loads it.
  ['from any step of a swap on', 'swap', (call: number, n: number) => call >= n, ['SUCCEEDED']],
] as const)(
  'fsync failing %s: the table is wholly old or new, as the file result says',
  async (_, from, fails, expected) => {
    // How many fsyncs a run of the file makes (staged files and folders, the journal, the swap, the results).
    const proto = await fileHandlePrototype();
    const synced: string[] = [];
    const original = proto.sync;
    const counting = jest.spyOn(proto, 'sync').mockImplementation(function (this: { fd: number }) {
      synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
      return original.call(this);
    });
    let staging = 0;
    const counted = await copyOfBase();
    await runEtlJob(fileJob('up-2'), {
      ...options(counted),
      hooks: { afterStaging: () => void (staging = synced.length) },
    });
    counting.mockRestore();
    const syncs = synced.length;
    const lastSwap = synced.findLastIndex((p) => inSwap(counted, p)) + 1;
    expect(lastSwap).toBeGreaterThan(staging);
    const firstStaged = synced.findIndex((p) => p.includes(`${path.sep}table=orders${path.sep}`)) + 1;
    expect(firstStaged).toBeGreaterThan(0);
    expect(staging).toBeGreaterThan(firstStaged);

    const outcomes: string[] = [];
    for (
      let n = from === 'swap' ? staging + 1 : firstStaged;
      n <= (from === 'swap' ? lastSwap : syncs);
      n++
    ) {
      const lake = await copyOfBase();
      let calls = 0;
      let failedPath: string | undefined;
      const syncedAfter: string[] = [];
      const spy = jest.spyOn(proto, 'sync').mockImplementation(function (this: { fd: number }) {
        const file = readlinkSync(`/proc/self/fd/${this.fd}`);
        if (fails(++calls, n)) {
          failedPath ??= file;
          return Promise.reject(eio());
        }
        if (failedPath) syncedAfter.push(file);
        return original.call(this);
      });
      const failure = await runEtlJob(fileJob('up-2'), options(lake)).then(
        () => undefined,
        (e: Error) => e.message,
      );
      spy.mockRestore();
      if (failure !== undefined) {
        // What the next run does first (recoverLeftovers): the table is then wholly old or new already.
        await recoverLeftovers(path.join(lake, 'curated'), new Set(['orders']), '');
        const recovered = await table(lake);
        const what = `fsync ${n} of ${syncs} failed (${failure}); recovered`;
        expect([what, recovered.onePerPartition, [oldRows, newRows].includes(recovered.rows)]).toEqual([
          what,
          true,
          true,
        ]);
        // The next run, after one that failed as a whole: recovers what it left, takes the queue.
        await runEtlJob({ '--etl_mode': 'events', '--run_id': `next-${n}` }, options(lake));
      }

      const result = JSON.parse(
        await fs.readFile(path.join(lake, 'curated', uploadResultKey('up-2')), 'utf8'),
      ) as UploadResult;
      const after = await table(lake);
      const what = `fsync ${n} of ${syncs} failed (${failure ?? 'the run succeeded'}); result ${result.status}`;
      expect([what, after.onePerPartition]).toEqual([what, true]);
      expect([what, after.rows]).toEqual([what, result.status === 'SUCCEEDED' ? newRows : oldRows]);
      // A run that reports the file loaded has synced again the swap's folder whose sync failed (a redo that only
      // renames would not be durable). (A run that failed had its result recorded by the recovery after it.)
      if (failure === undefined && result.status === 'SUCCEEDED' && inSwap(lake, failedPath ?? ''))
        expect([what, syncedAfter]).toEqual([what, expect.arrayContaining([failedPath])]);
      const rejected = await rejectedRecords(lake);
      expect([what, result.status === 'SUCCEEDED' ? rejected >= 1 : rejected === 0]).toEqual([what, true]);
      expect([what, await walkFiles(path.join(lake, 'curated', '_state', 'tmp'))]).toEqual([what, []]);
      outcomes.push(result.status);
      await fs.rm(lake, { recursive: true, force: true });
    }
    expect(new Set(outcomes)).toEqual(new Set(expected));
  },
);

it('writes the journal only once every staged file and folder is on disk', async () => {
  const lake = await copyOfBase();
  const batchDir = path.join(lake, 'curated', '_state', 'tmp', 'up-2', 'table=orders', 'batch-0');
  const proto = await fileHandlePrototype();
  const original = proto.sync;
  const synced: string[] = [];
  jest.spyOn(proto, 'sync').mockImplementation(function (this: { fd: number }) {
    synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
    return original.call(this);
  });
  let staged: string[] = [];
  await runEtlJob(fileJob('up-2'), {
    ...options(lake),
    hooks: {
      afterStaging: async () => {
        const files = await walkFiles(batchDir);
        const dirs = new Set(files.flatMap((f) => ancestors(path.dirname(f), batchDir)));
        staged = [...files, ...dirs];
      },
    },
  });
  const journal = synced.findIndex((p) => path.basename(p).startsWith(`.journal.json.`));
  expect(journal).toBeGreaterThan(0);
  expect(staged.filter((f) => f.endsWith('.parquet'))).toHaveLength(3);
  expect(staged).toContain(path.join(batchDir, 'rejected.json'));
  const before = new Set(synced.slice(0, journal));
  expect(staged.filter((p) => !before.has(p))).toEqual([]);
});

/** A path the swap moves data into: the table's folder or the rejected store. */
const inSwap = (lake: string, p: string) =>
  ['tables', 'rejected'].some((d) => p.startsWith(path.join(lake, 'curated', d) + path.sep));

/** `dir` and its parents up to `root`. */
function ancestors(dir: string, root: string): string[] {
  const out: string[] = [];
  for (let d = dir; d.startsWith(root); d = path.dirname(d)) out.push(d);
  return out;
}

/**
 * Disk full during an ETL run (issue 12 §3), on the running lake with its LAKE_DIR on a real small filesystem (a
 * tmpfs mounted as root; skipped with the reason otherwise): a file whose load does not fit fails with its ETL_FAILED
 * notice, the curated table keeps every file byte for byte, nothing of the run is left taking space, and the file,
 * run again once there is space, loads.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ETL_STATE_MACHINE,
  listExecutions,
  readExecution,
  requestExecution,
  retryName,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { walkFiles } from '../support/raw-zone';
import { fillUntilFree, mountTmpfs } from '../support/tmpfs';
import { until } from '../support/until';

const disk = mountTmpfs('disk-full-etl', 24);
afterAll(() => {
  if ('dir' in disk) disk.unmount();
});
const suite = 'dir' in disk ? describe : describe.skip;
if ('skip' in disk) console.warn(`disk-full ETL test skipped: ${disk.skip}`);

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

/** Every file of a folder with the hash of its bytes. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await walkFiles(dir)).sort())
    out[path.relative(dir, f)] = createHash('sha256')
      .update(await fs.readFile(f))
      .digest('hex');
  return out;
}

interface Notice {
  kind: string;
  detail: { runId?: string; error?: string; cause?: string };
}
const notices = async (lakeDir: string): Promise<Notice[]> =>
  (await fs.readFile(path.join(lakeDir, 'notifications.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Notice);

/** The final record of the execution started for an upload key. */
async function finished(lake: LakeProcess, lakeDir: string, key: string): Promise<ExecutionRecord> {
  return until(
    `the execution for ${key} to finish`,
    async () =>
      (await listExecutions(lakeDir, ETL_STATE_MACHINE)).find(
        (r) => (r.input as { key?: string }).key === key && r.status !== 'RUNNING',
      ),
    { timeoutMs: 60_000, context: lake.output },
  );
}

async function ordersRows(lakeDir: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const glob = path.join(lakeDir, 'curated', 'tables', 'datasets', 'orders', '**', '*.parquet');
    const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}')`);
    return Number(r.getRowObjectsJson()[0]!.n);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

suite('the running lake when its disk fills during an ETL run', () => {
  it('fails the file with ETL_FAILED, leaves the table as it was, and loads the file once there is space', async () => {
    const lakeDir = (disk as { dir: string }).dir;
    const uploads = path.join(lakeDir, 'raw', 'uploads', 'orders');
    const lake = await startLakeProcess({
      LAKE_DIR: lakeDir,
      LAKE_API_KEY: 'disk-full-etl',
      LAKE_SFN_WAIT_MS: '50',
      LAKE_SFN_RETRY_INTERVAL_MS: '0',
    });
    try {
      await fs.mkdir(uploads, { recursive: true });
      await fs.writeFile(
        path.join(uploads, 'small.csv'),
        `${HEADER}\no-1,u-1,2026-11-20,paid,25.00,EUR,2,,2026-11-20T10:00:00Z\n` +
          `o-2,u-1,2026-11-21,shipped,12.50,EUR,1,,2026-11-21T09:00:00Z\n`,
      );
      expect((await finished(lake, lakeDir, 'uploads/orders/small.csv')).status).toBe('SUCCEEDED');
      const tables = path.join(lakeDir, 'curated', 'tables');
      const before = await fingerprint(tables);
      expect(Object.keys(before).length).toBe(2);

      // A file whose Parquet does not fit: written under a temporary name (the watcher ignores it), the disk
      // filled up to 256 KiB, then the file moved into place (a rename takes no space).
      const rows = Array.from(
        { length: 40_000 },
        (_, i) =>
          `${randomBytes(24).toString('hex')},u-${i},2026-11-${20 + (i % 5)},paid,${i}.5,EUR,1,,2026-11-25T10:00:00Z`,
      );
      await fs.writeFile(path.join(uploads, 'big.csv.tmp'), `${HEADER}\n${rows.join('\n')}\n`);
      await fillUntilFree(lakeDir, 'ballast', 256 * 1024);
      await fs.rename(path.join(uploads, 'big.csv.tmp'), path.join(uploads, 'big.csv'));
      const failed = await finished(lake, lakeDir, 'uploads/orders/big.csv');
      // The file's own failure (its table's load), not a run that failed as a whole: the staging of the failed
      // batch is freed at once, so that its result can be recorded on the full disk.
      expect([failed.status, failed.error]).toEqual(['FAILED', 'Etl.TableFailed']);
      const notice = (await notices(lakeDir)).find((n) => n.detail.runId === failed.name);
      expect(notice?.kind).toBe('ETL_FAILED');
      expect(notice?.detail.cause).toMatch(
        /the disk under LAKE_DIR has too little free space [\s\S]*: free space, then run it again; DuckDB said: [\s\S]*No space left on device/,
      );
      expect(await fingerprint(tables)).toEqual(before);
      expect(await walkFiles(path.join(lakeDir, 'curated', '_state', 'tmp'))).toEqual([]);

      // Space again: the next run (a compaction, as the schedule starts) succeeds, and the file, run again
      // (npm run executions -- retry <name>), loads.
      await fs.rm(path.join(lakeDir, 'ballast'));
      const outcome = async (name: string, input: unknown) => {
        await requestExecution(lakeDir, ETL_STATE_MACHINE, name, input);
        return until(
          `${name} to finish`,
          async () => {
            const r = await readExecution(lakeDir, ETL_STATE_MACHINE, name);
            return r && r.status !== 'RUNNING' ? r : undefined;
          },
          { context: lake.output },
        );
      };
      expect((await outcome('compaction-after', { mode: 'events' })).status).toBe('SUCCEEDED');
      const again = retryName(failed.name, 1);
      expect((await outcome(again, failed.input)).status).toBe('SUCCEEDED');
      expect((await notices(lakeDir)).find((n) => n.detail.runId === again)?.kind).toBe('ETL_SUCCEEDED');
      expect(await ordersRows(lakeDir)).toBe(2 + rows.length);
      expect(await lake.kill('SIGTERM')).toBe(0);
    } finally {
      if (lake.child.exitCode === null) await lake.kill('SIGKILL');
    }
  });
});

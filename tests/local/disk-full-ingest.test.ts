/**
 * Disk full during ingest (issue 12 §3), on a real small filesystem (a tmpfs of a few MiB, mounted as root; skipped
 * with the reason otherwise). What the lake promises:
 *  - a write that does not fit is refused, never half-acknowledged: its records come back DiskFull, and the ingest
 *    API answers 503 STORAGE_FULL with their ids;
 *  - what a refused write left in the write-ahead segment is cut off, so a refused record is not delivered (should
 *    the cut itself fail, its complete lines would be delivered at least once: ids dedupe them downstream);
 *  - every record acknowledged before stays intact, and is delivered exactly once as soon as there is space again:
 *    the writer retries the failed delivery on its orphan scan, while running, and at the latest at stop.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { LocalFirehose } from '../../lib/firehose/local';
import { startLakeProcess } from '../support/lake-process';
import { deliveredRecords, walkFiles } from '../support/raw-zone';
import { fillUntilFree, mountTmpfs, type Tmpfs } from '../support/tmpfs';
import { until } from '../support/until';

const writerDisk = mountTmpfs('disk-full-writer', 4);
const lakeDisk = mountTmpfs('disk-full-lake', 4);
afterAll(() => {
  for (const d of [writerDisk, lakeDisk]) if ('dir' in d) d.unmount();
});

const onTmpfs = (t: Tmpfs) => {
  if ('skip' in t) {
    console.warn(`disk-full ingest test skipped: ${t.skip}`);
    return describe.skip;
  }
  return describe;
};
const dirOf = (t: Tmpfs) => ('dir' in t ? t.dir : '');

/** Segments (write-ahead files) left in a lake. */
const segmentsIn = async (lake: string) =>
  (await walkFiles(path.join(lake, '.firehose'))).filter((f) => /\.(wal|sealed)$/.test(f));

/** A record of about 1 KiB that gzip cannot shrink much (so a full disk cannot take its delivery either). */
const record = (id: string): EventRecord => ({
  id,
  type: 'page_view',
  line: JSON.stringify({ id, type: 'page_view', pad: randomBytes(480).toString('hex') }),
});

onTmpfs(writerDisk)('local Firehose writer on a full disk', () => {
  it('refuses what does not fit (DiskFull), keeps and later delivers everything acknowledged, never a refused record', async () => {
    const lake = dirOf(writerDisk);
    const errors: Error[] = [];
    const stream = await LocalFirehose.open({
      lakeDir: lake,
      streamName: 's',
      bufferBytes: 1 << 30,
      bufferIntervalMs: 3_600_000,
      orphanScanMs: 50,
      onError: (e) => void errors.push(e),
    });
    await fillUntilFree(lake, 'ballast', 1024 * 1024);
    const acked: string[] = [];
    const refused: { id: string; errorCode: string }[] = [];
    let seq = 0;
    // Four producers at once (their writes share group commits), until each has had a write refused.
    await Promise.all(
      Array.from({ length: 4 }, async (_, p) => {
        for (;;) {
          const batch = Array.from({ length: 16 }, () => record(`p${p}-${seq++}`));
          const { failed } = await stream.putRecords(batch);
          // Each failure names its record by its place in the batch too.
          expect(failed.filter((f) => batch[f.index]?.id !== f.id)).toEqual([]);
          const failedIds = new Set(failed.map((f) => f.id));
          acked.push(...batch.filter((r) => !failedIds.has(r.id)).map((r) => r.id));
          refused.push(...failed.map((f) => ({ id: f.id, errorCode: f.errorCode })));
          if (failed.length > 0) return;
        }
      }),
    );
    expect(acked.length).toBeGreaterThan(100);
    expect(new Set(refused.map((r) => r.errorCode))).toEqual(new Set(['DiskFull']));
    // Still full (the cut freed only what the refused writes had taken): refused again, nothing delivered.
    const big = Array.from({ length: 256 }, (_, i) => record(`while-full-${i}`));
    const again = await stream.putRecords(big);
    expect(again.failed.map((f) => f.errorCode)).toEqual(big.map(() => 'DiskFull'));
    refused.push(...again.failed);
    await until(
      'a delivery to fail for want of space',
      async () => (errors.some((e) => (e as NodeJS.ErrnoException).code === 'ENOSPC') ? true : undefined),
      { timeoutMs: 20_000 },
    );
    expect(await deliveredRecords(lake)).toEqual([]);

    // Space again: the orphan scan retries the failed delivery while the writer runs.
    await fs.rm(path.join(lake, 'ballast'));
    await until(
      'the acknowledged records to be delivered',
      async () => ((await segmentsIn(lake)).length === 0 ? true : undefined),
      { timeoutMs: 20_000 },
    );
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual([...acked].sort());
    expect(await stream.putRecords([record('after')])).toEqual({ failed: [] });
    acked.push('after');
    const report = await stream.close();
    expect(report.left).toEqual([]);

    const delivered = (await deliveredRecords(lake)).map((r) => String(r.id));
    expect(delivered.sort()).toEqual([...acked].sort()); // each acknowledged record once
    const refusedIds = new Set(refused.map((r) => r.id));
    expect(delivered.filter((id) => refusedIds.has(id))).toEqual([]);
    expect(await walkFiles(path.join(lake, 'raw', 'errors'))).toEqual([]); // no torn or damaged line delivered
  });
});

/** What POST /events answers (202 or 503). */
interface Answer {
  code?: string;
  ids: string[];
  acceptedIds?: string[];
  failedIds?: string[];
  errorCodes?: string[];
}

onTmpfs(lakeDisk)('the running lake on a full disk', () => {
  const API_KEY = 'disk-full-key';
  it('answers 503 STORAGE_FULL with the refused ids, and delivers every 202 once space returns', async () => {
    const lakeDir = dirOf(lakeDisk);
    const acked: string[] = [];
    const refused: string[] = [];
    const lake = await startLakeProcess({
      LAKE_DIR: lakeDir,
      LAKE_API_KEY: API_KEY,
      LAKE_FIREHOSE_BUFFER_SECONDS: '3600',
      LAKE_FIREHOSE_BUFFER_MB: '64',
    });
    try {
      await fillUntilFree(lakeDir, 'ballast', 512 * 1024);
      let seq = 0;
      const post = async () => {
        const events = Array.from({ length: 100 }, () => ({
          type: 'page_view',
          id: `e-${seq++}`,
          data: {
            session_id: 'sess-disk-full',
            url: `https://shop.example/${randomBytes(96).toString('hex')}`,
          },
        }));
        const res = await fetch(`${lake.url}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
          body: JSON.stringify({ events }),
        });
        return {
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: (await res.json()) as Answer,
        };
      };
      let full: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 200 && !full; i++) {
        const r = await post();
        if (r.status === 202) acked.push(...r.body.ids);
        else full = r;
      }
      expect(full?.status).toBe(503);
      expect(full!.retryAfter).toMatch(/^\d+$/);
      expect(full!.body).toMatchObject({ code: 'STORAGE_FULL', errorCodes: ['DiskFull'], acceptedIds: [] });
      expect(full!.body.failedIds).toEqual(full!.body.ids);
      refused.push(...full!.body.failedIds!);
      const stillFull = await post();
      expect([stillFull.status, stillFull.body.code]).toEqual([503, 'STORAGE_FULL']);
      refused.push(...stillFull.body.failedIds!);

      await fs.rm(path.join(lakeDir, 'ballast'));
      const after = await post();
      expect(after.status).toBe(202);
      acked.push(...after.body.ids);
      expect(await lake.kill('SIGTERM')).toBe(0);
    } finally {
      if (lake.child.exitCode === null) await lake.kill('SIGKILL');
    }
    const delivered = (await deliveredRecords(lakeDir)).map((r) => String(r.id));
    expect(await segmentsIn(lakeDir)).toEqual([]);
    expect(await walkFiles(path.join(lakeDir, 'raw', 'errors'))).toEqual([]);
    expect(delivered.length).toBe(new Set(delivered).size); // each once
    expect(new Set(delivered)).toEqual(new Set(acked));
    expect(delivered.filter((id) => refused.includes(id))).toEqual([]);
  });
});

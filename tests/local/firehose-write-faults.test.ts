/**
 * The local Firehose writer when the disk refuses a write half-way or a segment cannot be sealed — the faults of a
 * full disk, injected here without one (tests/local/disk-full-ingest.test.ts lives them on a real small tmpfs, as
 * root): the refused write's bytes are cut off the segment, so no refused record is delivered and no torn line
 * sits between acknowledged ones; a segment whose sealing failed is sealed and delivered by the next scan.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { LocalFirehose } from '../../lib/firehose/local';
import { deliveredRecords, tempLake, walkFiles } from '../support/raw-zone';
import { until } from '../support/until';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

interface Handle {
  write: (buf: Buffer, off: number, len: number) => Promise<{ bytesWritten: number }>;
}

/** The FileHandle class's prototype (node does not export the class). */
async function fileHandlePrototype(): Promise<Handle> {
  const fh = await fs.open(path.join(os.tmpdir(), `fh-probe-${process.pid}`), 'w');
  await fh.close();
  return Object.getPrototypeOf(fh) as Handle;
}

const record = (id: string): EventRecord => ({
  id,
  type: 'page_view',
  line: JSON.stringify({ id, type: 'page_view' }),
});

const open = (lake: string, errors: Error[], delivered?: string[]) =>
  LocalFirehose.open({
    lakeDir: lake,
    streamName: 's',
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
    orphanScanMs: 20,
    onError: (e) => void errors.push(e),
    ...(delivered ? { onDelivered: (o: { key: string }) => void delivered.push(o.key) } : {}),
  });

const segmentsIn = async (lake: string) =>
  (await walkFiles(path.join(lake, '.firehose'))).filter((f) => /\.(wal|sealed)$/.test(f));

describe('local Firehose: a write the disk refuses half-way', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers DiskFull, cuts the partial write off, and delivers only what was acknowledged', async () => {
    const lake = await tempLake();
    const errors: Error[] = [];
    const stream = await open(lake, errors);
    expect(await stream.putRecords([record('before-1'), record('before-2')])).toEqual({ failed: [] });

    // The disk takes the first line and a half of the next write, then is full.
    const proto = await fileHandlePrototype();
    const write = proto.write;
    jest
      .spyOn(proto, 'write')
      .mockImplementationOnce(function (this: Handle, buf, off, len) {
        const firstLine = buf.indexOf('\n', off) + 1 - off;
        return write.call(this, buf, off, Math.min(len, firstLine + 5));
      })
      .mockRejectedValueOnce(enospc());
    const refused = await stream.putRecords([record('refused-1'), record('refused-2')]);
    expect(refused.failed.map((f) => [f.id, f.errorCode])).toEqual([
      ['refused-1', 'DiskFull'],
      ['refused-2', 'DiskFull'],
    ]);
    expect(await stream.putRecords([record('after')])).toEqual({ failed: [] });
    await stream.close();
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['after', 'before-1', 'before-2']);
    expect(await walkFiles(path.join(lake, 'raw', 'errors'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('seals and delivers, at the next scan, a segment whose sealing failed', async () => {
    const lake = await tempLake();
    const errors: Error[] = [];
    const stream = await open(lake, errors);
    expect(await stream.putRecords([record('kept')])).toEqual({ failed: [] });
    const rename = jest
      .spyOn(fs, 'rename')
      .mockRejectedValueOnce(
        Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' }),
      );
    const flushed = stream.flush();
    await flushed;
    expect(rename).toHaveBeenCalled();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/ENOSPC/)]);
    // Delivered while the writer runs, not only when it closes.
    await until(
      'the left-over segment to be delivered',
      async () => ((await segmentsIn(lake)).length === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['kept']);
    expect((await stream.close()).left).toEqual([]);
  });

  it('counts and tells once an object a failed delivery wrote before the segment was delivered again whole', async () => {
    const lake = await tempLake();
    const errors: Error[] = [];
    const delivered: string[] = [];
    const stream = await open(lake, errors, delivered);
    // signup's folder cannot be made (a file stands there): its object fails, page_view's is written.
    const blocker = path.join(lake, 'raw', 'events', 'type=signup');
    await fs.mkdir(path.dirname(blocker), { recursive: true });
    await fs.writeFile(blocker, '');
    const signup = (id: string): EventRecord => ({
      id,
      type: 'signup',
      line: JSON.stringify({ id, type: 'signup' }),
    });
    expect(await stream.putRecords([record('p1'), record('p2'), signup('s1')])).toEqual({ failed: [] });
    await stream.flush();
    await until('the failed delivery', async () => (errors.length > 0 ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(delivered).toHaveLength(1);
    await fs.rm(blocker);
    await until(
      'the segment delivered again',
      async () => ((await segmentsIn(lake)).length === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['p1', 'p2', 's1']);
    expect(delivered).toHaveLength(2);
    expect(new Set(delivered).size).toBe(2);
    expect(stream.stats).toMatchObject({ objectsDelivered: 2, recordsDelivered: 3 });
    await stream.close();
  });
});

/**
 * The local Firehose writer when another lake on the same folder adopts its open segment (it judged this lake gone:
 * a container paused past the presence heartbeat, lib/lake-presence.ts): no write is acknowledged into a segment
 * that is no longer this writer's, and the writer refuses every write from then on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { LocalFirehose, SEGMENT_TAKEN } from '../../lib/firehose/local';
import { MAYBE_STORED } from '../../lib/firehose/types';
import type { LakePresence } from '../../lib/lake-presence';
import { deliveredRecords, tempLake, walkFiles } from '../support/raw-zone';
import { until } from '../support/until';

/** A writer on `lake` that delivers nothing by itself (a large buffer, a minute's interval and orphan scan). */
const openStream = (lake: string, over: Partial<Parameters<typeof LocalFirehose.open>[0]> = {}) =>
  LocalFirehose.open({
    lakeDir: lake,
    streamName: 's',
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
    orphanScanMs: 60_000,
    ...over,
  });

const record = (id: string): EventRecord => ({
  id,
  type: 'page_view',
  line: JSON.stringify({ id, type: 'page_view' }),
});

it('refuses the write whose segment another lake took, and every write after it', async () => {
  const lake = await tempLake('segment-taken');
  const errors: Error[] = [];
  const stream = await openStream(lake, { onError: (e) => void errors.push(e) });
  try {
    expect(await stream.putRecords([record('acked-1')])).toEqual({ failed: [] });
    // Another lake adopts the open segment: renamed to its own name (as its orphan scan does), to be delivered.
    const [open] = (await walkFiles(path.join(lake, '.firehose'))).filter((f) => f.endsWith('.wal'));
    const adopted = path.join(path.dirname(open!), 'other-writer.sealed');
    await fs.rename(open!, adopted);

    const taken = await stream.putRecords([record('after-1'), record('after-2')]);
    // Written and synced before the segment was found taken: in the other lake's file, which it may have read
    // before they were written — may be stored (the API says so: retried under their ids, they are kept once).
    expect(taken.failed.map((f) => [f.id, f.errorCode])).toEqual([
      ['after-1', MAYBE_STORED],
      ['after-2', MAYBE_STORED],
    ]);
    expect(await fs.readFile(adopted, 'utf8')).toMatch(/after-1/);
    expect(taken.failed[0]!.errorMessage).toMatch(
      /another local lake took this lake's write-ahead segment .*stop it/,
    );
    // From then on nothing is acknowledged (a new segment would be adopted the same way).
    expect((await stream.putRecords([record('later')])).failed.map((f) => f.errorCode)).toEqual([
      SEGMENT_TAKEN,
    ]);
    expect(errors.map((e) => e.name)).toEqual(['SegmentTaken']);
    // The acknowledged record is in the file the other lake took, which it delivers.
    expect(await fs.readFile(adopted, 'utf8')).toMatch(/acked-1/);
  } finally {
    await stream.close();
  }
});

it('refuses a write queued behind the one that found its segment taken (no new segment is opened for it)', async () => {
  const lake = await tempLake('segment-taken-queue');
  const stream = await openStream(lake);
  try {
    expect(await stream.putRecords([record('acked-1')])).toEqual({ failed: [] });
    const [open] = (await walkFiles(path.join(lake, '.firehose'))).filter((f) => f.endsWith('.wal'));
    await fs.rename(open!, path.join(path.dirname(open!), 'other-writer.sealed'));
    // The second is queued while the first is written (group commit: a batch of its own).
    const [first, second] = await Promise.all([
      stream.putRecords([record('during')]),
      stream.putRecords([record('queued-after')]),
    ]);
    expect(first.failed.map((f) => f.errorCode)).toEqual([MAYBE_STORED]);
    expect(second.failed.map((f) => f.errorCode)).toEqual([SEGMENT_TAKEN]);
    expect((await walkFiles(path.join(lake, '.firehose'))).filter((f) => f.endsWith('.wal'))).toEqual([]);
  } finally {
    await stream.close();
  }
});

it('adopts no segment while a lake of another pid namespace runs on the folder (its writers are not visible here)', async () => {
  const lake = await tempLake('segment-foreign-lake');
  const state = path.join(lake, '.firehose', 's');
  await fs.mkdir(state, { recursive: true });
  // A live segment of the other lake's writer (its process, pid 1 there, is none of this namespace's).
  const theirs = path.join(state, `1.123.abc.1~${Date.now()}-0-aaaaaaaaaaaa.wal`);
  await fs.writeFile(
    theirs,
    `${Date.now()}\tpage_view\t${JSON.stringify({ id: 'theirs-1', type: 'page_view' })}\n`,
  );
  const presence: LakePresence = {
    tag: '1.123.abc',
    pid: 1,
    ns: 'pid:[1]',
    startedAt: new Date().toISOString(),
  };
  const file = path.join(lake, '.lakes', `${presence.tag}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(presence));
  const stream = await openStream(lake, { orphanScanMs: 50 });
  try {
    await new Promise((r) => setTimeout(r, 300));
    expect(await fs.readFile(theirs, 'utf8')).toMatch(/theirs-1/);
    expect(await deliveredRecords(lake)).toEqual([]);
    // Once its heartbeat is stale (that lake is gone), what it left is adopted and delivered.
    const stale = new Date(Date.now() - 60_000);
    await fs.utimes(file, stale, stale);
    await until('the segment adopted', async () =>
      (await deliveredRecords(lake)).some((r) => r.id === 'theirs-1') ? true : undefined,
    );
  } finally {
    await stream.close();
  }
});

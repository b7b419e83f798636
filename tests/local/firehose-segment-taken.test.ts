/**
 * The local Firehose writer when another lake on the same folder adopts its open segment (it judged this lake gone:
 * a container paused past the presence heartbeat, lib/lake-presence.ts): no write is acknowledged into a segment
 * that is no longer this writer's, and the writer refuses every write from then on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { LocalFirehose, SEGMENT_TAKEN } from '../../lib/firehose/local';
import { tempLake, walkFiles } from '../support/raw-zone';

const record = (id: string): EventRecord => ({
  id,
  type: 'page_view',
  line: JSON.stringify({ id, type: 'page_view' }),
});

it('refuses the write whose segment another lake took, and every write after it', async () => {
  const lake = await tempLake('segment-taken');
  const errors: Error[] = [];
  const stream = await LocalFirehose.open({
    lakeDir: lake,
    streamName: 's',
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
    orphanScanMs: 60_000,
    onError: (e) => void errors.push(e),
  });
  try {
    expect(await stream.putRecords([record('acked-1')])).toEqual({ failed: [] });
    // Another lake adopts the open segment: renamed to its own name (as its orphan scan does), to be delivered.
    const [open] = (await walkFiles(path.join(lake, '.firehose'))).filter((f) => f.endsWith('.wal'));
    const adopted = path.join(path.dirname(open!), 'other-writer.sealed');
    await fs.rename(open!, adopted);

    const taken = await stream.putRecords([record('after-1'), record('after-2')]);
    expect(taken.failed.map((f) => [f.id, f.errorCode])).toEqual([
      ['after-1', SEGMENT_TAKEN],
      ['after-2', SEGMENT_TAKEN],
    ]);
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

/**
 * The local delivery stream's buffer, as its write-ahead segments on disk show it (lib/firehose/local.ts:
 * <LAKE_DIR>/.firehose/<stream>/, one line per accepted record not yet delivered): records, their bytes and the
 * arrival time of the oldest. Read from the files, so it is the same from any process, whoever writes them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseSegmentFileName, scanSegment } from '../firehose/local-segments';
import type { DeliveryState } from './types';

export async function localDeliveryState(lakeDir: string, streamName: string): Promise<DeliveryState> {
  const dir = path.join(lakeDir, '.firehose', streamName);
  const files = await fs
    .readdir(dir)
    .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
  let bufferedRecords = 0;
  let bufferedBytes = 0;
  let oldest = Infinity;
  for (const f of files) {
    if (!parseSegmentFileName(f)) continue;
    // A segment delivered and removed between the listing and the read holds nothing any more.
    const content = await fs.readFile(path.join(dir, f)).catch(() => undefined);
    if (!content) continue;
    scanSegment(content, {
      record(arrivalMs, _key, start, end) {
        bufferedRecords++;
        bufferedBytes += end - start + 1;
        oldest = Math.min(oldest, arrivalMs);
      },
      damaged: () => undefined,
    });
  }
  return {
    bufferedRecords,
    bufferedBytes,
    oldestBufferedAt: Number.isFinite(oldest) ? new Date(oldest).toISOString() : null,
  };
}

/**
 * Delivering one local Firehose segment into the raw bucket, as the delivery stream does: records grouped by their
 * partition key, each group one gzip object named and placed by the stream's prefix templates; records without a
 * partition key (and damaged lines) in Firehose's error format under the error prefix. Object names derive from
 * the segment id, so a delivery interrupted by a crash is simply redone, overwriting the same objects.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { writeFileDurably } from '../durable-fs';
import { deliveredObjectName, firehoseObjectId, lakeLayout, renderPrefix } from '../layout';
import { scanSegment } from './local-segments';

const gzip = promisify(gzipCb);

/**
 * zlib's fastest level. Measured on a segment of the bench's events (15,000 records, 5.8 MB): level 6 (zlib's
 * default) took ~0.35 ms of CPU per 100 events for gzip alone and wrote 0.62 MB, level 1 ~0.16 ms and 0.76 MB.
 * Delivery shares the lake's two cores with ingest, and a raw object is read once, by compaction. (Firehose's GZIP
 * names no level; its objects are not byte for byte these either.)
 */
const GZIP_LEVEL = 1;

export interface DeliveredObject {
  key: string;
  records: number;
  bytes: number;
}

interface Group {
  keys?: Record<string, string>;
  errorType?: string;
  oldest: number;
  /** Records as the segment holds them: [start, end) pairs of byte offsets (no newline). */
  spans: number[];
  /** Or lines made for the group (error records), without newlines. */
  made: Buffer[];
  bytes: number;
  count: number;
}

const errorLine = (arrivalMs: number, data: Buffer, errorCode: string, errorMessage: string) =>
  Buffer.from(
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: arrivalMs,
      errorCode,
      errorMessage,
      rawData: data.toString('base64'),
    }),
    'utf8',
  );

/** A group's lines, each followed by a newline, in one buffer. */
function groupBody(content: Buffer, g: Group): Buffer {
  const out = Buffer.allocUnsafe(g.bytes + g.count);
  let at = 0;
  for (let i = 0; i < g.spans.length; i += 2) {
    at += content.copy(out, at, g.spans[i], g.spans[i + 1]);
    out[at++] = 0x0a;
  }
  for (const line of g.made) {
    at += line.copy(out, at);
    out[at++] = 0x0a;
  }
  return out;
}

/**
 * Writes the objects of segment `file` (id `segmentId`) under `rawDir`; the segment itself is left in place. Returns
 * the bytes of a last line cut short (a write that never completed, so was never acknowledged), which it drops, and
 * how many damaged lines it wrote to the error object (`errorsKey`, with any record that had no partition key).
 */
export async function deliverSegmentObjects(
  file: string,
  segmentId: string,
  where: { rawDir: string; tmpDir: string; streamName: string },
  onDelivered: (o: DeliveredObject) => void,
): Promise<{ tornBytes: number; damagedLines: number; errorsKey?: string }> {
  const content = await fs.readFile(file);
  const groups = new Map<string, Group>();
  const group = (groupKey: string, g: Pick<Group, 'keys' | 'errorType'>, arrivalMs: number): Group => {
    let found = groups.get(groupKey);
    if (!found) {
      found = { ...g, oldest: arrivalMs, spans: [], made: [], bytes: 0, count: 0 };
      groups.set(groupKey, found);
    }
    found.oldest = Math.min(found.oldest, arrivalMs);
    found.count++;
    return found;
  };
  const failed = (arrivalMs: number, line: Buffer) => {
    const g = group('error:processing-failed', { errorType: 'processing-failed' }, arrivalMs);
    g.made.push(line);
    g.bytes += line.length;
  };

  const damaged: { start: number; end: number }[] = [];
  const tornBytes = scanSegment(content, {
    record(arrivalMs, key, start, end) {
      if (key) {
        // The record's bytes as the writer appended them.
        const g = group(key, { keys: { type: key } }, arrivalMs);
        g.spans.push(start, end);
        g.bytes += end - start;
      } else {
        const msg = 'Non JSON record provided, or partition key missing from the record';
        const data = content.subarray(start, end);
        failed(arrivalMs, errorLine(arrivalMs, data, 'DynamicPartitioning.MetadataExtractionFailed', msg));
      }
    },
    damaged: (start, end) => damaged.push({ start, end }),
  });
  // Damaged lines go after the records (as they always have), stamped with the segment's last write: the same at
  // every delivery of it, so that a delivery redone after a crash names the same error object (the time of
  // delivery named another, and wrote the lines twice).
  if (damaged.length > 0) {
    const stamp = Math.floor((await fs.stat(file)).mtimeMs);
    for (const { start, end } of damaged) {
      const data = content.subarray(start, end);
      failed(stamp, errorLine(stamp, data, 'Local.DamagedSegmentLine', 'line is not in the segment format'));
    }
  }

  let errorsKey: string | undefined;
  for (const [groupKey, g] of groups) {
    const template = g.keys ? lakeLayout.rawEvents.prefix : lakeLayout.rawEvents.errorPrefix;
    const prefix = renderPrefix(template, {
      partitionKeys: g.keys,
      arrivalMs: g.oldest,
      errorOutputType: g.errorType,
    });
    // Firehose's random UUID, derived here from the segment and the partition: a redelivery names the same object.
    const unique = firehoseObjectId(`${segmentId}\n${groupKey}`);
    const key = prefix + deliveredObjectName(where.streamName, g.oldest, unique);
    const body = await gzip(groupBody(content, g), { level: GZIP_LEVEL });
    await writeFileDurably(path.join(where.rawDir, key), body, { tmpDir: where.tmpDir });
    onDelivered({ key, records: g.count, bytes: body.length });
    if (!g.keys) errorsKey = key;
  }
  return { tornBytes, damagedLines: damaged.length, ...(errorsKey ? { errorsKey } : {}) };
}

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
import { parseSegment } from './local-segments';

const gzip = promisify(gzipCb);

export interface DeliveredObject {
  key: string;
  records: number;
  bytes: number;
}

interface Group {
  keys?: Record<string, string>;
  errorType?: string;
  oldest: number;
  lines: string[];
}

const errorLine = (arrivalMs: number, data: string, errorCode: string, errorMessage: string) =>
  JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: arrivalMs,
    errorCode,
    errorMessage,
    rawData: Buffer.from(data, 'utf8').toString('base64'),
  });

/** Writes the objects of segment `file` (id `segmentId`) under `rawDir`; the segment itself is left in place. */
export async function deliverSegmentObjects(
  file: string,
  segmentId: string,
  where: { rawDir: string; tmpDir: string; streamName: string },
  onDelivered: (o: DeliveredObject) => void,
): Promise<void> {
  const { records, damaged } = parseSegment(await fs.readFile(file));
  const groups = new Map<string, Group>();
  const add = (groupKey: string, g: Omit<Group, 'lines' | 'oldest'>, arrivalMs: number, line: string) => {
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { ...g, oldest: arrivalMs, lines: [] }));
    group.oldest = Math.min(group.oldest, arrivalMs);
    group.lines.push(line);
  };

  for (const { arrivalMs, key, data } of records) {
    if (key) {
      add(key, { keys: { type: key } }, arrivalMs, data);
    } else {
      const msg = 'Non JSON record provided, or partition key missing from the record';
      add(
        'error:processing-failed',
        { errorType: 'processing-failed' },
        arrivalMs,
        errorLine(arrivalMs, data, 'DynamicPartitioning.MetadataExtractionFailed', msg),
      );
    }
  }
  for (const line of damaged) {
    const now = Date.now();
    add(
      'error:processing-failed',
      { errorType: 'processing-failed' },
      now,
      errorLine(now, line, 'Local.DamagedSegmentLine', 'line is not in the segment format'),
    );
  }

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
    const body = await gzip(Buffer.from(g.lines.join('\n') + '\n', 'utf8'));
    await writeFileDurably(path.join(where.rawDir, key), body, { tmpDir: where.tmpDir });
    onDelivered({ key, records: g.lines.length, bytes: body.length });
  }
}

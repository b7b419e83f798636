/**
 * What the local lake delivered (bench/ingest.ts checks it against the events answered 202): the records of the
 * gzip JSON-lines objects under <LAKE_DIR>/raw/events/ and raw/errors/, their bytes, and any write-ahead segment
 * left undelivered in .firehose/.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Delivered {
  objects: number;
  records: number;
  gzipBytes: number;
  rawBytes: number;
  errorObjects: number;
  errorRecords: number;
  leftoverSegments: number;
}

/** Every file under dir (none when it does not exist). */
async function walk(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function countLines(
  files: string[],
): Promise<{ records: number; gzipBytes: number; rawBytes: number }> {
  let records = 0;
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const f of files) {
    const gz = await fs.readFile(f);
    const raw = gunzipSync(gz);
    gzipBytes += gz.length;
    rawBytes += raw.length;
    for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) records++;
  }
  return { records, gzipBytes, rawBytes };
}

export async function countDelivered(lakeDir: string): Promise<Delivered> {
  const eventFiles = (await walk(path.join(lakeDir, 'raw', 'events'))).filter((f) => f.endsWith('.gz'));
  const errorFiles = (await walk(path.join(lakeDir, 'raw', 'errors'))).filter((f) => f.endsWith('.gz'));
  const events = await countLines(eventFiles);
  const errors = await countLines(errorFiles);
  const leftovers = (await walk(path.join(lakeDir, '.firehose'))).filter((f) => /\.(wal|sealed)$/.test(f));
  return {
    objects: eventFiles.length,
    records: events.records,
    gzipBytes: events.gzipBytes,
    rawBytes: events.rawBytes,
    errorObjects: errorFiles.length,
    errorRecords: errors.records,
    leftoverSegments: leftovers.length,
  };
}

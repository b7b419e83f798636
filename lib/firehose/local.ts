/**
 * The local Firehose: a durable, partitioning delivery stream that writes the same object layout as the AWS
 * delivery stream, under <LAKE_DIR>/raw/ (the raw bucket).
 *
 * How it keeps every accepted record:
 *  - putRecords evaluates the partition key (the stream's `{type: .type}` query) and appends
 *    `<arrival ms>\t<partition key>\t<record>\n` lines to a write-ahead segment in <LAKE_DIR>/.firehose/<stream>/ and resolves only
 *    after the bytes are fsynced (fdatasync). Concurrent callers share one write + one fsync (group commit).
 *  - A segment is the stream's buffer. When it reaches the buffer size or age (like Firehose's BufferingHints),
 *    it is sealed and delivered: its records are grouped by partition key (the same `{type: .type}` query), each
 *    group is gzipped into one object named and placed by the stream's prefix templates, written to a temporary
 *    file, fsynced and renamed into place; then the segment is deleted. Object names are derived from the segment,
 *    so a delivery interrupted by a crash is simply redone, overwriting the same objects.
 *  - At start, segments left by processes that are no longer alive are recovered: a torn last line (a write that
 *    was never acknowledged) is dropped, every complete line is delivered.
 * Records whose partition key cannot be extracted go to the error prefix, as on AWS.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { fsyncDir, pidAlive, pidOfTempFile, writeFileDurably } from '../durable-fs';
import type { EventRecord } from '../envelope';
import {
  deliveredObjectName,
  extractPartitionKeys,
  firehoseObjectId,
  lakeLayout,
  renderPrefix,
} from '../layout';
import type { EventStream, PutResult } from './types';

const gzip = promisify(gzipCb);

export interface LocalFirehoseOptions {
  lakeDir: string;
  streamName: string;
  /** Seal and deliver a segment once it holds this many bytes. */
  bufferBytes: number;
  /** Seal and deliver a segment once its first record is this old; 0 delivers after every write. */
  bufferIntervalMs: number;
  /**
   * Share of records refused as Firehose refuses them under throttling (per-record ServiceUnavailableException;
   * refused records are not written). For testing producers' retries; default 0.
   */
  faultRate?: number;
  /**
   * Share of PutRecordBatch calls refused whole, as Firehose throttles a stream over its limits
   * (ThrottlingException: nothing of the call is written). For testing producers' retries; default 0.
   */
  throttleRate?: number;
  /** Random numbers for faultRate and throttleRate (tests). */
  random?: () => number;
  /** Called for each injected fault (lib/faults.ts counts and logs them). */
  onFault?: (fault: 'firehose.partial' | 'firehose.throttle', detail: Record<string, unknown>) => void;
  /** Called with delivery problems (the segment stays on disk and is retried at the next start). */
  onError?: (err: Error, context: Record<string, unknown>) => void;
  /** Called after each delivered object. */
  onDelivered?: (info: { key: string; records: number; bytes: number }) => void;
}

interface Waiter {
  buf: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

interface Segment {
  id: string;
  path: string;
  fh: fs.FileHandle;
  bytes: number;
  firstWriteAt: number;
}

const SEGMENT_SUFFIX = '.wal';
const SEALED_SUFFIX = '.sealed';

export interface SegmentContents {
  /** Complete records: arrival time, partition key ('' if none could be extracted), the record (no newline). */
  records: { arrivalMs: number; key: string; data: string }[];
  /** Bytes after the last newline: a write cut short by a crash, never acknowledged. */
  tornBytes: number;
  /** Complete lines that are not in the segment format (a damaged file). */
  damaged: string[];
}

/** Parses a segment: lines of `<arrival ms>\t<partition key>\t<record>\n`. */
export function parseSegment(content: Buffer): SegmentContents {
  const text = content.toString('utf8');
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline < 0 ? '' : text.slice(0, lastNewline);
  const tornBytes = Buffer.byteLength(text.slice(lastNewline + 1));
  const records: SegmentContents['records'] = [];
  const damaged: string[] = [];
  if (complete !== '') {
    for (const line of complete.split('\n')) {
      const tab = line.indexOf('\t');
      const tab2 = tab > 0 ? line.indexOf('\t', tab + 1) : -1;
      const arrivalMs = tab2 > 0 ? Number(line.slice(0, tab)) : NaN;
      if (Number.isSafeInteger(arrivalMs))
        records.push({ arrivalMs, key: line.slice(tab + 1, tab2), data: line.slice(tab2 + 1) });
      else damaged.push(line);
    }
  }
  return { records, tornBytes, damaged };
}

/**
 * The record's partition key, as the stream's metadata extraction query `{type: .type}` yields it: the record's
 * `type` field (which EventRecord carries beside the serialised line), '' when it has none usable.
 */
function partitionKeyOf(record: EventRecord): string {
  return extractPartitionKeys({ type: record.type })?.type ?? '';
}

export class LocalFirehose implements EventStream {
  readonly rawDir: string;
  readonly stateDir: string;
  private readonly tmpDir: string;
  private queue: Waiter[] = [];
  private pumping: Promise<void> | null = null;
  private segment: Segment | null = null;
  private sealRequested = false;
  private deliveries: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private seq = 0;
  /** Counters, for tests and the bench: group commits (one write + one fsync each), segments, objects. */
  readonly stats = {
    puts: 0,
    commits: 0,
    segmentsSealed: 0,
    objectsDelivered: 0,
    recordsDelivered: 0,
    recovered: 0,
  };

  private constructor(private readonly opts: LocalFirehoseOptions) {
    this.rawDir = path.join(opts.lakeDir, 'raw');
    this.stateDir = path.join(opts.lakeDir, '.firehose', opts.streamName);
    this.tmpDir = path.join(this.stateDir, 'tmp');
  }

  /** Opens the stream: creates its folders, recovers what dead processes left, starts the buffer timer. */
  static async open(opts: LocalFirehoseOptions): Promise<LocalFirehose> {
    const stream = new LocalFirehose(opts);
    await fs.mkdir(stream.tmpDir, { recursive: true });
    await fs.mkdir(stream.rawDir, { recursive: true });
    await stream.recover();
    if (opts.bufferIntervalMs > 0) {
      stream.timer = setInterval(() => stream.checkAge(), Math.min(1000, opts.bufferIntervalMs));
      stream.timer.unref();
    }
    return stream;
  }

  async putRecords(records: EventRecord[]): Promise<PutResult> {
    if (records.length === 0) return { failed: [] };
    if (this.closed) {
      return {
        failed: records.map((r) => ({
          id: r.id,
          errorCode: 'StreamClosed',
          errorMessage: 'stream is closed',
        })),
      };
    }
    this.stats.puts++;
    const refused: PutResult['failed'] = [];
    const random = this.opts.random ?? Math.random;
    const throttleRate = this.opts.throttleRate ?? 0;
    if (throttleRate > 0 && random() < throttleRate) {
      this.opts.onFault?.('firehose.throttle', { records: records.length });
      return {
        failed: records.map((r) => ({
          id: r.id,
          errorCode: 'ThrottlingException',
          errorMessage: 'Rate exceeded for stream (injected)',
        })),
      };
    }
    const faultRate = this.opts.faultRate ?? 0;
    if (faultRate > 0) {
      const kept: EventRecord[] = [];
      for (const r of records) {
        if (random() < faultRate) {
          refused.push({
            id: r.id,
            errorCode: 'ServiceUnavailableException',
            errorMessage: 'Slow down. (injected)',
          });
        } else {
          kept.push(r);
        }
      }
      records = kept;
      if (refused.length > 0) this.opts.onFault?.('firehose.partial', { refused: refused.length });
      if (records.length === 0) return { failed: refused };
    }
    const now = Date.now();
    const buf = Buffer.from(records.map((r) => `${now}\t${partitionKeyOf(r)}\t${r.line}\n`).join(''), 'utf8');
    try {
      await new Promise<void>((resolve, reject) => {
        this.queue.push({ buf, resolve, reject });
        this.kick();
      });
    } catch (e) {
      const err = e as Error;
      return {
        failed: [
          ...refused,
          ...records.map((r) => ({ id: r.id, errorCode: 'WriteFailed', errorMessage: err.message })),
        ],
      };
    }
    if (this.opts.bufferIntervalMs === 0) await this.flush();
    return { failed: refused };
  }

  /** Seals the current segment and waits until everything written so far is delivered. */
  async flush(): Promise<void> {
    this.sealRequested = true;
    this.kick();
    while (this.pumping) await this.pumping;
    let pending: Promise<void>;
    do {
      pending = this.deliveries;
      await pending;
    } while (pending !== this.deliveries);
  }

  /** Stops accepting records, then delivers everything accepted. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private checkAge(): void {
    const seg = this.segment;
    if (seg && seg.bytes > 0 && Date.now() - seg.firstWriteAt >= this.opts.bufferIntervalMs) {
      this.sealRequested = true;
      this.kick();
    }
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.queue.length > 0 || this.sealRequested) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 || this.sealRequested) {
      if (this.queue.length === 0) {
        this.sealRequested = false;
        await this.seal();
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      try {
        const seg = this.segment ?? (await this.openSegment());
        const data = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((w) => w.buf));
        let off = 0;
        while (off < data.length) off += (await seg.fh.write(data, off, data.length - off)).bytesWritten;
        await seg.fh.datasync();
        this.stats.commits++;
        if (seg.bytes === 0) seg.firstWriteAt = Date.now();
        seg.bytes += data.length;
        for (const w of batch) w.resolve();
        if (seg.bytes >= this.opts.bufferBytes) await this.seal();
      } catch (e) {
        for (const w of batch) w.reject(e as Error);
        // The segment may now end in a partial write: seal it; delivery drops the torn tail.
        await this.seal().catch((err) => this.opts.onError?.(err as Error, { phase: 'seal' }));
      }
    }
  }

  private async openSegment(): Promise<Segment> {
    const id = `${process.pid}-${Date.now()}-${this.seq++}-${randomBytes(3).toString('hex')}`;
    const p = path.join(this.stateDir, id + SEGMENT_SUFFIX);
    const fh = await fs.open(p, 'a');
    await fsyncDir(this.stateDir);
    this.segment = { id, path: p, fh, bytes: 0, firstWriteAt: Date.now() };
    return this.segment;
  }

  private async seal(): Promise<void> {
    const seg = this.segment;
    if (!seg) return;
    this.segment = null;
    await seg.fh.close();
    if (seg.bytes === 0) {
      await fs.unlink(seg.path);
      return;
    }
    const sealed = seg.path.slice(0, -SEGMENT_SUFFIX.length) + SEALED_SUFFIX;
    await fs.rename(seg.path, sealed);
    this.stats.segmentsSealed++;
    this.enqueueDelivery(sealed);
  }

  private enqueueDelivery(file: string): void {
    this.deliveries = this.deliveries.then(() =>
      this.deliver(file).catch((e) => this.opts.onError?.(e as Error, { phase: 'deliver', segment: file })),
    );
  }

  private async recover(): Promise<void> {
    const entries = await fs.readdir(this.stateDir);
    const orphans = entries
      .filter((f) => f.endsWith(SEGMENT_SUFFIX) || f.endsWith(SEALED_SUFFIX))
      .filter((f) => !pidAlive(Number(f.split('-')[0])))
      .sort();
    this.stats.recovered = orphans.length;
    for (const f of orphans) this.enqueueDelivery(path.join(this.stateDir, f));
    await this.deliveries;
    // Leftover temporary files of interrupted deliveries (their segments were redelivered above).
    for (const f of await fs.readdir(this.tmpDir)) {
      if (!pidAlive(pidOfTempFile(f))) await fs.rm(path.join(this.tmpDir, f), { force: true });
    }
  }

  /** Delivers one sealed (or orphaned) segment into the raw bucket, then removes it. Idempotent. */
  private async deliver(file: string): Promise<void> {
    const segmentId = path.basename(file).replace(/\.(wal|sealed)$/, '');
    const { records, damaged } = parseSegment(await fs.readFile(file));

    interface Group {
      keys?: Record<string, string>;
      errorType?: string;
      oldest: number;
      lines: string[];
    }
    const groups = new Map<string, Group>();
    const add = (groupKey: string, g: Omit<Group, 'lines' | 'oldest'>, arrivalMs: number, line: string) => {
      let group = groups.get(groupKey);
      if (!group) groups.set(groupKey, (group = { ...g, oldest: arrivalMs, lines: [] }));
      group.oldest = Math.min(group.oldest, arrivalMs);
      group.lines.push(line);
    };
    const errorLine = (arrivalMs: number, data: string, errorCode: string, errorMessage: string) =>
      JSON.stringify({
        attemptsMade: 1,
        arrivalTimestamp: arrivalMs,
        errorCode,
        errorMessage,
        rawData: Buffer.from(data, 'utf8').toString('base64'),
      });

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
      const key = prefix + deliveredObjectName(this.opts.streamName, g.oldest, unique);
      const body = await gzip(Buffer.from(g.lines.join('\n') + '\n', 'utf8'));
      await writeFileDurably(path.join(this.rawDir, key), body, { tmpDir: this.tmpDir });
      this.stats.objectsDelivered++;
      this.stats.recordsDelivered += g.lines.length;
      this.opts.onDelivered?.({ key, records: g.lines.length, bytes: body.length });
    }
    await fs.unlink(file);
    await fsyncDir(this.stateDir);
  }
}

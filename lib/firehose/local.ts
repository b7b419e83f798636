/**
 * The local Firehose: a durable, partitioning delivery stream that writes the same object layout as the AWS
 * delivery stream, under <LAKE_DIR>/raw/ (the raw bucket).
 *
 * How it keeps every accepted record:
 *  - putRecords evaluates the partition key (the stream's `{type: .type}` query) and appends
 *    `<arrival ms>\t<partition key>\t<record>\n` lines to a write-ahead segment in <LAKE_DIR>/.firehose/<stream>/ and
 *    resolves only after the bytes are fsynced (fdatasync). Concurrent callers share one write + one fsync (group
 *    commit).
 *  - A write that fails (a full disk: ENOSPC, errorCode DiskFull; a failed sync: WriteFailed) fails its records,
 *    and only those: the segment is cut back to its last acknowledged byte, synced, and sealed, so the refused
 *    bytes are never delivered and never sit between two acknowledged writes. (Should the cut itself fail, the
 *    sealed segment ends in the refused write: its complete lines are delivered — at least once, as any retry — and
 *    a torn tail is dropped.) The next write starts a new segment.
 *  - A segment is the stream's buffer. When it reaches the buffer size or age (like Firehose's BufferingHints),
 *    it is sealed and delivered (lib/firehose/local-delivery.ts); then the segment is deleted.
 *  - Segments are owned by their writer: a process told apart from a later one with the same pid (containers) or a
 *    zombie (lib/process-identity.ts), and the writer in it (lib/firehose/local-segments.ts). A write is acknowledged
 *    only if its segment is still this writer's after the fsync: one that another lake adopted (it judged this one
 *    gone) fails, and the writer refuses every write from then on (SEGMENT_TAKEN). Segments whose owner
 *    is gone are adopted and delivered at open, every `orphanScanMs` while running, and at close: a torn last line
 *    (a write never acknowledged) is dropped, every complete line is delivered. A delivery that fails is retried at
 *    the next scan.
 * Records whose partition key cannot be extracted go to the error prefix, as on AWS.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, tempFileOwnerRunning } from '../durable-fs';
import { otherLakes } from '../lake-presence';
import type { EventRecord } from '../envelope';
import { extractPartitionKeys } from '../layout';
import { deliverSegmentObjects } from './local-delivery';
import { injectFaults, type FaultOptions } from './local-faults';
import {
  newOwner,
  newSegmentId,
  ownerActive,
  ownerPid,
  parseSegmentFileName,
  releaseOwner,
  segmentFileName,
} from './local-segments';
import { DISK_FULL, isDiskFull, MAYBE_STORED, type EventStream, type PutResult } from './types';

export { parseSegment, type SegmentContents } from './local-segments';

export interface LocalFirehoseOptions extends FaultOptions {
  lakeDir: string;
  streamName: string;
  /** Seal and deliver a segment once it holds this many bytes. */
  bufferBytes: number;
  /** Seal and deliver a segment once its first record is this old; 0 delivers after every write. */
  bufferIntervalMs: number;
  /** Called with delivery problems (the segment stays on disk and is retried at the next scan or start). */
  onError?: (err: Error, context: Record<string, unknown>) => void;
  /** Called after each delivered object. */
  onDelivered?: (info: { key: string; records: number; bytes: number }) => void;
  /** Called with what a delivery dropped: the bytes of a last line cut short. */
  onWarning?: (message: string, context: Record<string, unknown>) => void;
  /**
   * Called when a segment left by a writer that is gone (a crash or a kill: events it acknowledged, not yet
   * delivered) is taken for delivery, with the segment and the owner it had.
   */
  onAdopted?: (info: { segment: string; owner: string }) => void;
  /** How often a running writer looks for segments left by gone writers (and retries failed deliveries); 10 s. */
  orphanScanMs?: number;
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
  /** The file's identity: a segment whose path no longer names it was taken by another writer (stillOurs). */
  dev: number;
  ino: number;
  bytes: number;
  /**
   * When its first record was written (performance.now(): a monotonic clock, so that the wall clock set back does not
   * hold the buffer past its interval).
   */
  firstWriteAt: number;
}

/** What close() leaves behind, for the lake's last line. */
export interface CloseReport {
  /** Records and objects this writer delivered since it opened (its own and adopted segments). */
  recordsDelivered: number;
  objectsDelivered: number;
  /** Segments this writer could not deliver (why each is there); the next writer that opens delivers them. */
  left: { file: string; reason: string }[];
  /** Segments of other writers still running on the same lake: theirs to deliver. */
  heldByOthers: { file: string; pid: number }[];
}

/** The error code of records refused because another lake took this writer's segments (LocalFirehose stillOurs). */
export const SEGMENT_TAKEN = 'SegmentTaken';

class SegmentTaken extends Error {
  override name = 'SegmentTaken';
  /** Whether the refused write was written and synced before its segment was found taken (MAYBE_STORED). */
  constructor(
    message: string,
    readonly written = false,
  ) {
    super(message);
  }
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
  private scanTimer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private closed = false;
  /** Set once another lake took one of this writer's segments: every write is refused from then on. */
  private lostTo: SegmentTaken | undefined;
  /** This writer, as owner of its segments (lib/firehose/local-segments.ts). */
  private readonly owner = newOwner();
  /** Segments being delivered (by file name), and those whose last delivery failed, with why. */
  private readonly inDelivery = new Set<string>();
  private readonly failed = new Map<string, string>();
  /** The objects written so far of segments whose delivery failed part-way (by segment file): deliver(). */
  private readonly partlyDelivered = new Map<string, Set<string>>();
  /** Unsealed segments this writer holds open (by file name): the scan leaves them alone. */
  private readonly writing = new Set<string>();
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

  /**
   * Opens the stream: creates its folders, delivers what gone writers left, starts the buffer timer and the scan
   * for orphans.
   */
  static async open(opts: LocalFirehoseOptions): Promise<LocalFirehose> {
    const stream = new LocalFirehose(opts);
    try {
      await fs.mkdir(stream.tmpDir, { recursive: true });
      await fs.mkdir(stream.rawDir, { recursive: true });
      await stream.removeOrphanTempFiles();
      await stream.scan();
    } catch (e) {
      releaseOwner(stream.owner);
      throw e;
    }
    if (opts.bufferIntervalMs > 0) {
      stream.timer = setInterval(() => stream.checkAge(), Math.min(1000, opts.bufferIntervalMs));
      stream.timer.unref();
    }
    stream.scanTimer = setInterval(
      () => void stream.scan().catch((e) => opts.onError?.(e as Error, { phase: 'scan' })),
      opts.orphanScanMs ?? 10_000,
    );
    stream.scanTimer.unref();
    return stream;
  }

  async putRecords(records: EventRecord[]): Promise<PutResult> {
    if (records.length === 0) return { failed: [] };
    if (this.closed || this.lostTo) {
      return {
        failed: records.map((r, index) => ({
          index,
          id: r.id,
          errorCode: this.lostTo ? SEGMENT_TAKEN : 'StreamClosed',
          errorMessage: this.lostTo?.message ?? 'stream is closed',
        })),
      };
    }
    this.stats.puts++;
    const { kept, refused } = injectFaults(records, this.opts);
    if (kept.length === 0) return { failed: refused };
    // Each record's place among those given (a failure names it by its place: FailedRecord.index).
    const places = new Map(records.map((r, i) => [r, i]));
    records = kept;
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
          ...records.map((r) => ({
            index: places.get(r)!,
            id: r.id,
            errorCode: isDiskFull(err)
              ? DISK_FULL
              : err instanceof SegmentTaken
                ? err.written
                  ? MAYBE_STORED
                  : SEGMENT_TAKEN
                : 'WriteFailed',
            errorMessage: err.message,
          })),
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

  /**
   * Stops accepting records, delivers everything accepted (and what gone writers left), and says what it could
   * not deliver: segments of writers still running, and segments whose delivery failed (kept for the next start).
   */
  async close(): Promise<CloseReport> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.scanTimer) clearInterval(this.scanTimer);
    await this.flush();
    await this.scan();
    releaseOwner(this.owner);
    const left: CloseReport['left'] = [];
    const heldByOthers: CloseReport['heldByOthers'] = [];
    for (const f of await fs.readdir(this.stateDir)) {
      const name = parseSegmentFileName(f);
      if (!name) continue;
      const file = path.join(this.stateDir, f);
      if (name.owner === this.owner)
        left.push({
          file,
          reason:
            this.failed.get(f) ?? (name.sealed ? 'delivery failed' : 'not sealed (written until the stop)'),
        });
      else if (ownerActive(name.owner, name.id)) heldByOthers.push({ file, pid: ownerPid(name.owner) });
      else left.push({ file, reason: 'left by a writer that stopped while this one closed' });
    }
    return {
      recordsDelivered: this.stats.recordsDelivered,
      objectsDelivered: this.stats.objectsDelivered,
      left,
      heldByOthers,
    };
  }

  private checkAge(): void {
    const seg = this.segment;
    if (seg && seg.bytes > 0 && performance.now() - seg.firstWriteAt >= this.opts.bufferIntervalMs) {
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
        await this.seal().catch((err) => this.opts.onError?.(err as Error, { phase: 'seal' }));
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      if (this.lostTo) {
        // Queued behind the write that found its segment taken: refused too, never written into a new segment.
        for (const w of batch) w.reject(this.lostTo);
        continue;
      }
      let seg: Segment | undefined;
      try {
        seg = this.segment ?? (await this.openSegment());
        const data = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((w) => w.buf));
        let off = 0;
        while (off < data.length) off += (await seg.fh.write(data, off, data.length - off)).bytesWritten;
        await seg.fh.datasync();
        // Before acknowledging: a segment adopted meanwhile by another lake on the folder (which judged this one
        // gone: a container paused past the presence heartbeat) may have been read and deleted already.
        if (!(await this.stillOurs(seg))) throw new SegmentTaken(this.takenOver(seg).message, true);
        this.stats.commits++;
        if (seg.bytes === 0) seg.firstWriteAt = performance.now();
        seg.bytes += data.length;
      } catch (e) {
        for (const w of batch) w.reject(e as Error);
        if (e instanceof SegmentTaken) {
          // Another writer's file now: left as it is (it delivers the lines it read, at least once).
          this.segment = null;
          this.writing.delete(path.basename(seg!.path));
          await seg!.fh.close().catch(() => undefined);
          continue;
        }
        // The segment may now end in a part of the refused write: cut it off, then end the segment.
        if (seg && this.segment === seg) await this.cutBack(seg);
        await this.seal().catch((err) => this.opts.onError?.(err as Error, { phase: 'seal' }));
        continue;
      }
      for (const w of batch) w.resolve();
      if (seg.bytes >= this.opts.bufferBytes)
        await this.seal().catch((err) => this.opts.onError?.(err as Error, { phase: 'seal' }));
    }
  }

  /** Whether the segment's path still names the file this writer writes (no other writer renamed it away). */
  private async stillOurs(seg: Segment): Promise<boolean> {
    const st = await fs.stat(seg.path).catch(() => undefined);
    return st !== undefined && st.ino === seg.ino && st.dev === seg.dev;
  }

  /**
   * The error of a write whose segment another lake took: from then on this writer refuses every write, as does a
   * closed stream (the lake that took the folder delivers what it found; this one must be stopped).
   */
  private takenOver(seg: Segment): SegmentTaken {
    const err = new SegmentTaken(
      `another local lake took this lake's write-ahead segment ${path.basename(seg.path)} (it judged this one gone: ` +
        'a container paused or stalled past the presence heartbeat); this lake accepts no more events: stop it',
    );
    if (!this.lostTo) {
      this.lostTo = err;
      this.opts.onError?.(err, { phase: 'write', segment: seg.path });
    }
    return err;
  }

  /**
   * Removes what a failed write left at the end of a segment (its acknowledged bytes stay), and syncs that. If this
   * fails too, the segment keeps the refused write's bytes: its complete lines are delivered, a torn tail dropped.
   */
  private async cutBack(seg: Segment): Promise<void> {
    try {
      await seg.fh.truncate(seg.bytes);
      await seg.fh.datasync();
    } catch (e) {
      this.opts.onError?.(e as Error, { phase: 'cut back a failed write', segment: seg.path });
    }
  }

  private async openSegment(): Promise<Segment> {
    const id = newSegmentId();
    const name = segmentFileName(this.owner, id, false);
    const p = path.join(this.stateDir, name);
    this.writing.add(name);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'a');
    } catch (e) {
      this.writing.delete(name);
      throw e;
    }
    let st;
    try {
      st = await fh.stat();
    } catch (e) {
      this.writing.delete(name);
      await fh.close().catch(() => undefined);
      throw e;
    }
    // The current segment from here on: should the folder's sync fail, the failed write ends (and removes) it.
    this.segment = { id, path: p, fh, dev: st.dev, ino: st.ino, bytes: 0, firstWriteAt: performance.now() };
    await fsyncDir(this.stateDir);
    return this.segment;
  }

  private async seal(): Promise<void> {
    const seg = this.segment;
    if (!seg) return;
    this.segment = null;
    const name = path.basename(seg.path);
    try {
      await seg.fh
        .close()
        .catch((e) => this.opts.onError?.(e as Error, { phase: 'close', segment: seg.path }));
      if (seg.bytes === 0) {
        await fs.unlink(seg.path);
        return;
      }
      const sealed = segmentFileName(this.owner, seg.id, true);
      await fs.rename(seg.path, path.join(this.stateDir, sealed)).catch((e: Error) => {
        this.failed.set(name, `sealing failed: ${e.message}`);
        throw e;
      });
      this.stats.segmentsSealed++;
      this.enqueueDelivery(sealed, seg.id);
    } finally {
      // Not sealed (the rename failed)? The next scan seals and delivers it.
      this.writing.delete(name);
    }
  }

  private enqueueDelivery(fileName: string, id: string): void {
    this.inDelivery.add(fileName);
    this.deliveries = this.deliveries.then(() =>
      this.deliver(fileName, id)
        .then(() => void this.failed.delete(fileName))
        .catch((e) => {
          this.failed.set(fileName, `delivery failed: ${(e as Error).message}`);
          this.opts.onError?.(e as Error, { phase: 'deliver', segment: path.join(this.stateDir, fileName) });
        })
        .finally(() => this.inDelivery.delete(fileName)),
    );
  }

  /**
   * Adopts the segments of gone writers (renamed to this writer: of two writers that try, one wins) and retries
   * this writer's failed deliveries; resolves once they are delivered (or failed again).
   */
  private scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    // While a lake of another pid namespace runs on the folder, no segment is adopted: its writers' processes are not
    // visible from here, and would be taken for gone (this lake, paused past its heartbeat and taken over, then
    // resumed, adopted the live segment of the lake that took over; lib/lake-presence.ts).
    let foreignLake: Promise<boolean> | undefined;
    for (const f of (await fs.readdir(this.stateDir)).sort()) {
      const name = parseSegmentFileName(f);
      if (!name || this.inDelivery.has(f)) continue;
      if (name.owner === this.owner) {
        if (name.sealed && this.failed.has(f)) this.enqueueDelivery(f, name.id);
        // A segment of this writer that it no longer writes, but whose sealing failed (a full disk): seal it now.
        if (!name.sealed && !this.writing.has(f)) await this.sealLeftOver(f, name.id);
        continue;
      }
      if (ownerActive(name.owner, name.id)) continue;
      foreignLake ??= otherLakes(this.opts.lakeDir).then((others) =>
        others.some((o) => o.foreign && !o.command),
      );
      if (await foreignLake) continue;
      const adopted = segmentFileName(this.owner, name.id, true);
      try {
        await fs.rename(path.join(this.stateDir, f), path.join(this.stateDir, adopted));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // adopted by another writer
        throw e;
      }
      this.stats.recovered++;
      this.opts.onAdopted?.({ segment: path.join(this.stateDir, adopted), owner: name.owner });
      this.enqueueDelivery(adopted, name.id);
    }
    await fsyncDir(this.stateDir);
    await this.deliveries;
  }

  private async sealLeftOver(fileName: string, id: string): Promise<void> {
    const sealed = segmentFileName(this.owner, id, true);
    try {
      await fs.rename(path.join(this.stateDir, fileName), path.join(this.stateDir, sealed));
    } catch (e) {
      // Gone since the scan listed it: sealed meanwhile by this writer (seal() renames it, then lets it go).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.failed.set(fileName, `sealing failed: ${(e as Error).message}`);
      this.opts.onError?.(e as Error, { phase: 'seal', segment: path.join(this.stateDir, fileName) });
      return;
    }
    this.failed.delete(fileName);
    this.stats.segmentsSealed++;
    this.enqueueDelivery(sealed, id);
  }

  /** Temporary files of deliveries interrupted in gone processes (their segments are delivered again). */
  private async removeOrphanTempFiles(): Promise<void> {
    for (const f of await fs.readdir(this.tmpDir)) {
      if (!tempFileOwnerRunning(f)) await fs.rm(path.join(this.tmpDir, f), { force: true });
    }
  }

  /** Delivers one sealed segment of this writer into the raw bucket, then removes it. Idempotent. */
  private async deliver(fileName: string, id: string): Promise<void> {
    const file = path.join(this.stateDir, fileName);
    // A segment whose delivery failed part-way is delivered again whole, its objects under the same names: one
    // written by an earlier attempt is written again, not delivered again (counted and told once).
    const written = this.partlyDelivered.get(fileName) ?? new Set<string>();
    this.partlyDelivered.set(fileName, written);
    const { tornBytes, damagedLines, errorsKey } = await deliverSegmentObjects(
      file,
      id,
      { rawDir: this.rawDir, tmpDir: this.tmpDir, streamName: this.opts.streamName },
      (o) => {
        if (written.has(o.key)) return;
        written.add(o.key);
        this.stats.objectsDelivered++;
        this.stats.recordsDelivered += o.records;
        this.opts.onDelivered?.(o);
      },
    );
    this.partlyDelivered.delete(fileName);
    if (tornBytes > 0)
      this.opts.onWarning?.(
        'a segment ended in a line cut short (a write that never completed, so was never acknowledged; or the file was ' +
          'cut after it was written, by a disk error or a hand edit, and the events after the cut are lost): its bytes were dropped',
        { segment: file, tornBytes },
      );
    if (damagedLines > 0)
      this.opts.onWarning?.(
        "a segment held lines not in its format (damaged on disk, or written by something else): they were written to the raw zone's errors/, never acknowledged as events",
        { segment: file, damagedLines, errorsKey },
      );
    await fs.unlink(file);
    await fsyncDir(this.stateDir);
  }
}

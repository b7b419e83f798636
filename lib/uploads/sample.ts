/**
 * Reads the beginning of a text upload with range reads only, never the whole object: plain files one range of
 * the sample size; gzip files range by range through a streaming gunzip until the sample is full (one read to its
 * end must find no bytes after its gzip stream: ./gzip-end.ts). The text (UTF-8, checked; a byte-order mark dropped)
 * goes to a sink piece by piece; the sink can stop the reading.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import type { BucketRole, ObjectStore } from '../objects/types';
import { bytesAfterGzipStream, gzipStreamEnd } from './gzip-end';
import type { SampleLimits } from './types';

export class SampleReadError extends Error {
  constructor(
    message: string,
    /** Text bytes delivered before the problem. */
    readonly atTextByte: number,
  ) {
    super(message);
    this.name = 'SampleReadError';
  }
}

export interface SampleResult {
  /** The whole object was read and every byte of it delivered (a parser may check that the file ends well). */
  complete: boolean;
  /** Object bytes fetched. */
  bytesFetched: number;
  /** Text bytes delivered. */
  textBytes: number;
}

/** Gets a piece of text; returns false when it has seen enough. Must not throw. */
export type TextSink = (text: string) => boolean;

export const GZIP_MAGIC = [0x1f, 0x8b];
const isGzip = (b: Buffer) => b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];

/** A gunzip fed by hand, that can be stopped at any point. */
class Gunzipper {
  private readonly gz: Gunzip = createGunzip();
  private error: Error | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Bytes written to it. */
  private written = 0;

  constructor(onData: (b: Buffer) => boolean) {
    this.gz.on('data', (b: Buffer) => {
      if (this.stopped) return;
      if (!onData(b)) this.stop();
    });
    this.gz.on('error', (e) => {
      this.error ??= e;
      this.wake?.();
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Once ended: the bytes written after the end of the gzip stream. Node's gunzip reads member after member and
   * stops, without an error, at a zero byte where the next member would start (padding), taking no more input: its
   * bytesWritten counts the bytes it took.
   */
  get bytesAfterStream(): number {
    return this.written - this.gz.bytesWritten;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    this.gz.destroy();
  }

  async write(chunk: Buffer): Promise<void> {
    this.written += chunk.length;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.gz.write(chunk, () => resolve());
    });
    this.wake = undefined;
    if (this.error && !this.stopped) throw this.error;
  }

  async end(): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve, reject) => {
      if (this.error) return reject(this.error);
      this.gz.once('end', resolve);
      this.gz.once('close', resolve); // stopped (destroyed) while flushing
      this.gz.once('error', reject);
      this.gz.end();
    });
  }
}

/**
 * Length of the longest prefix of `b` that is valid UTF-8 (a sequence cut off by the end of `b` counts as valid:
 * it may continue in the next piece).
 */
export function validUtf8Prefix(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return b.length;
      const x = b[i + k]!;
      if (x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return i;
}

export async function readTextSample(
  store: ObjectStore,
  bucket: BucketRole,
  key: string,
  size: number,
  gzip: boolean,
  limits: SampleLimits,
  sink: TextSink,
  /** Called with the first bytes of the object before any text is delivered; a message refuses the file. */
  checkStart?: (first: Buffer) => string | undefined,
  /** The text keeps a byte order mark at its start (U+FEFF) for the sink to see; else it is dropped. */
  keepByteOrderMark = false,
): Promise<SampleResult> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: keepByteOrderMark });
  let textBytes = 0;
  let bytesFetched = 0;
  /** The sink has seen enough. */
  let sinkDone = false;
  /** Text beyond the sample size was left out. */
  let cut = false;
  let failure: SampleReadError | undefined;
  const more = () => !sinkDone && !cut && !failure && textBytes < limits.bytes;

  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      // Hand over the valid text before the bad byte, so that the problem is placed on its line.
      const valid = validUtf8Prefix(bytes);
      if (valid > 0 && !sinkDone)
        sink(new TextDecoder('utf-8', { ignoreBOM: keepByteOrderMark }).decode(bytes.subarray(0, valid)));
      throw new SampleReadError('the file is not UTF-8 text', textBytes + valid);
    }
  };
  /** Delivers (decompressed) bytes; false once the sample is full, the sink has enough, or on a problem. */
  const deliver = (bytes: Uint8Array): boolean => {
    if (!more()) return false;
    try {
      const room = limits.bytes - textBytes;
      if (bytes.length > room) cut = true;
      const piece = bytes.length > room ? bytes.subarray(0, room) : bytes;
      const text = decode(piece, true);
      textBytes += piece.length;
      if (text !== '' && !sink(text)) sinkDone = true;
    } catch (e) {
      failure = e instanceof SampleReadError ? e : new SampleReadError((e as Error).message, textBytes);
    }
    return more();
  };
  const fetch = async (start: number, end: number): Promise<Buffer> => {
    const buf = await store.getRange(bucket, key, start, end);
    bytesFetched += buf.length;
    return buf;
  };
  const refuse = (first: Buffer) => {
    const problem = checkStart?.(first);
    if (problem) throw new SampleReadError(problem, 0);
    if (gzip && !isGzip(first))
      throw new SampleReadError('the file is named .gz but is not gzip-compressed', 0);
    if (!gzip && isGzip(first)) throw new SampleReadError('the file is gzip-compressed but not named .gz', 0);
  };

  if (size === 0) return { complete: true, bytesFetched, textBytes };

  if (!gzip) {
    const end = Math.min(size, limits.bytes) - 1;
    const buf = await fetch(0, end);
    refuse(buf);
    deliver(buf);
    if (failure) throw failure;
    if (!sinkDone && !cut && end === size - 1) {
      // The whole file: flush the decoder (a truncated UTF-8 sequence at the very end is an error).
      decode(new Uint8Array(0), false);
      return { complete: true, bytesFetched, textBytes };
    }
    return { complete: false, bytesFetched, textBytes };
  }

  const gunzip = new Gunzipper(deliver);
  let offset = 0;
  // A file read whole: its bytes, to tell bytes after its gzip stream from corrupt data when gunzip fails.
  const whole: Buffer[] | undefined = size <= limits.gzipMaxBytes ? [] : undefined;
  const corrupt = (e: unknown) => {
    const end = whole && offset >= size ? gzipStreamEnd(Buffer.concat(whole)) : undefined;
    return end !== undefined && end < size
      ? new SampleReadError(bytesAfterGzipStream(size - end), 0)
      : new SampleReadError(`the gzip data is corrupt: ${(e as Error).message}`, textBytes);
  };
  try {
    while (offset < size && offset < limits.gzipMaxBytes && more() && !gunzip.isStopped) {
      const end = Math.min(size, offset + limits.gzipChunkBytes) - 1;
      const buf = await fetch(offset, end);
      if (offset === 0) refuse(buf);
      whole?.push(buf);
      offset = end + 1;
      try {
        await gunzip.write(buf);
      } catch (e) {
        throw corrupt(e);
      }
      if (failure) throw failure;
    }
    if (offset >= size && more() && !gunzip.isStopped) {
      try {
        await gunzip.end();
      } catch (e) {
        throw corrupt(e);
      }
      if (failure) throw failure;
      // No line to name: the bytes are after the text.
      if (gunzip.bytesAfterStream > 0)
        throw new SampleReadError(bytesAfterGzipStream(gunzip.bytesAfterStream), 0);
      if (!sinkDone && !cut) {
        decode(new Uint8Array(0), false);
        return { complete: true, bytesFetched, textBytes };
      }
    }
    return { complete: false, bytesFetched, textBytes };
  } finally {
    gunzip.stop();
  }
}

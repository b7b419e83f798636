/**
 * Where a gzip upload ends. DuckDB ("Input is not a GZIP stream") and the Glue job (Spark's codec, and its gzip
 * check: "incorrect header check") read no file with bytes after its last gzip member, zero padding included — which
 * Node's gunzip skips without a word. The sample (./sample.ts) reads a small file to its end and sees any such bytes
 * (the gunzip's count of the bytes it took); of a file it does not read to its end, the last bytes are looked at with
 * one range read: a gzip member ends in its trailer, a CRC-32 and the length mod 2^32 of what it holds, which may be
 * any 8 bytes — except that eight zero bytes (CRC-32 0, length 0) end only an empty member (looked for in those last
 * bytes) or one whose length is a multiple of 4 GiB with a CRC-32 of 0 (one such file in 2^32). So zero padding of 8
 * bytes or more is found this way; shorter padding or other bytes at the end of a large file cannot be told from a
 * trailer without decompressing the file up to them, and are left to the ETL, which fails that upload on both runtimes.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';
import type { ObjectStore } from '../objects/types';

/** The bytes of a gzip file's end read when the sample does not reach it. */
export const GZIP_TAIL_BYTES = 64 * 1024;

/** The reason that refuses a gzip file with `count` bytes (or zero bytes, when the count is unknown) after its stream. */
export const bytesAfterGzipStream = (count?: number): string =>
  `${count === undefined ? 'zero bytes (padding)' : `${count} byte(s)`} follow the end of the gzip stream: DuckDB and ` +
  'the Glue job (Spark) read no gzip file with bytes after its last member; remove them';

/** The gzip header's first bytes: ID1, ID2 and CM (8: deflate, the only method). */
const MEMBER_START = Buffer.from([0x1f, 0x8b, 0x08]);
/** The shortest gzip member: a 10-byte header, an empty deflate block (2 bytes) and the 8-byte trailer. */
const SHORTEST_MEMBER = 20;

/** Whether `b` is a gzip member holding no bytes (and nothing after it): it decodes to nothing and to its end. */
function isEmptyMember(b: Buffer): boolean {
  try {
    // `info` gives the engine, whose bytesWritten counts the input it took (it stops at a zero byte after a member).
    const { buffer, engine } = gunzipSync(b, { info: true, maxOutputLength: 1 }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    return buffer.length === 0 && engine.bytesWritten === b.length;
  } catch {
    return false;
  }
}

/**
 * Why the last bytes of a gzip file (`tail`) show zero padding after its gzip stream, or undefined when they do not
 * (see above: its last 8 bytes are zero, and no empty member ends there).
 */
export function gzipTailProblem(tail: Buffer): string | undefined {
  if (tail.length < 8 || tail.subarray(tail.length - 8).some((b) => b !== 0)) return undefined;
  let at = tail.length < SHORTEST_MEMBER ? -1 : tail.lastIndexOf(MEMBER_START, tail.length - SHORTEST_MEMBER);
  while (at >= 0) {
    if (isEmptyMember(tail.subarray(at))) return undefined;
    at = at === 0 ? -1 : tail.lastIndexOf(MEMBER_START, at - 1);
  }
  return bytesAfterGzipStream();
}

/** Checks the end of a gzip object the sample did not read to its end (one range read of its last bytes). */
export async function checkGzipTail(
  store: ObjectStore,
  key: string,
  size: number,
): Promise<string | undefined> {
  const tail = await store.getRange('raw', key, Math.max(0, size - GZIP_TAIL_BYTES), size - 1);
  return gzipTailProblem(tail);
}

/** Where the gzip member header at `at` ends (its optional fields included), or -1 where none starts or it is cut. */
function headerEnd(b: Buffer, at: number): number {
  if (b.length < at + 10 || b[at] !== 0x1f || b[at + 1] !== 0x8b || b[at + 2] !== 0x08) return -1;
  const flags = b[at + 3]!;
  let p = at + 10;
  if (flags & 0x04) p = b.length < p + 2 ? Infinity : p + 2 + b.readUInt16LE(p); // FEXTRA
  for (const flag of [0x08, 0x10]) {
    // FNAME, FCOMMENT: zero-terminated
    if (!(flags & flag) || p >= b.length) continue;
    const zero = b.indexOf(0, p);
    p = zero < 0 ? Infinity : zero + 1;
  }
  if (flags & 0x02) p += 2; // FHCRC
  return p <= b.length ? p : -1;
}

/**
 * Where the whole gzip members at the start of `b` end (a gzip file read whole), or undefined when its first member
 * is not whole: bytes after that end follow the stream. Node's gunzip tells such bytes only when they are zeros; a
 * stray newline or other bytes made it fail as corrupt data ("unexpected end of file"), naming no cause.
 */
export function gzipStreamEnd(b: Buffer): number | undefined {
  let end: number | undefined;
  for (let at = 0; at < b.length;) {
    const header = headerEnd(b, at);
    if (header < 0) break;
    let taken: number;
    try {
      // `info` gives the engine, whose bytesWritten counts the deflate data it took (it stops at its end).
      const { engine } = inflateRawSync(b.subarray(header), { info: true }) as unknown as {
        engine: { bytesWritten: number };
      };
      taken = engine.bytesWritten;
    } catch {
      break;
    }
    const after = header + taken + 8; // the trailer: CRC-32 and length
    if (after > b.length) break;
    end = after;
    at = after;
  }
  return end;
}

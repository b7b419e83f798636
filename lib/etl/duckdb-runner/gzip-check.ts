/**
 * Whether a gzip input is whole: read_csv and read_json read a stream cut short up to where it ends and report no
 * error (the rows after it are neither loaded nor rejected); Spark fails such a file. Bytes after the last gzip
 * member — zero padding too, which Node's gunzip skips — fail DuckDB's read at once ("Input is not a GZIP stream"),
 * as the Glue job's check (gzip_problem) refuses them. It is decompressed once, streaming, before its batch runs.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Why a gzip file is not a complete stream (cut short, corrupt, bytes after it), or undefined when it is. */
export async function gzipProblem(file: string): Promise<string | undefined> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  try {
    await pipeline(
      input,
      gunzip,
      new Writable({
        write: (_chunk, _encoding, done) => done(),
      }),
    );
  } catch (e) {
    // The file not read (gone since it was listed, not readable): the run's failure, as reading a plain file's is
    // and the Glue job's S3 read is, not a gzip stream's problem that would skip it as damaged.
    if ((e as NodeJS.ErrnoException).syscall !== undefined) throw e;
    return `not a complete gzip stream (${(e as Error).message}): its rows cannot all be read`;
  }
  // Node's gunzip stops without an error at a zero byte where a next member would start, and takes no more input:
  // its bytesWritten counts the bytes it took.
  const after = input.bytesRead - gunzip.bytesWritten;
  return after > 0
    ? `not a complete gzip stream (${after} byte(s) after its last member are no gzip member): its rows cannot all be read`
    : undefined;
}

/**
 * The files that are not gzip, or whole gzip streams; the keys of the others are added to `skipped`, and each is
 * told to `onSkipped` with its problem.
 */
export async function withoutCutGzip<F extends { key: string; file: string }>(
  files: F[],
  isGzip: (f: F) => boolean,
  skipped?: string[],
  onSkipped?: (key: string, problem: string) => void,
): Promise<F[]> {
  const whole: F[] = [];
  for (const f of files) {
    const problem = isGzip(f) ? await gzipProblem(f.file) : undefined;
    if (problem === undefined) {
      whole.push(f);
      continue;
    }
    skipped?.push(f.key);
    onSkipped?.(f.key, problem);
  }
  return whole;
}

/**
 * Whether a gzip input is whole: read_csv and read_json read a stream cut short up to where it ends and report no
 * error (the rows after it are neither loaded nor rejected); Spark fails such a file. It is decompressed once,
 * streaming, before its batch runs.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Why a gzip file is not a complete stream (cut short, corrupt), or undefined when it is. */
export async function gzipProblem(file: string): Promise<string | undefined> {
  try {
    await pipeline(
      createReadStream(file),
      createGunzip(),
      new Writable({
        write: (_chunk, _encoding, done) => done(),
      }),
    );
    return undefined;
  } catch (e) {
    return `not a complete gzip stream (${(e as Error).message}): its rows cannot all be read`;
  }
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

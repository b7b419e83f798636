/**
 * Filesystem primitives the local stand-ins share to keep accepted data across crashes: a file is either the old
 * one or the whole new one (temporary file, fsync, rename, fsync of the folder), and temporary files named after
 * the process that writes them (lib/process-identity.ts), so that those of a process that is gone can be removed.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseProcessTag, processRunning, processTag, tagRunning } from './process-identity';

/** Makes a folder's entries (created, renamed, removed files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a file's content durable (a file written by another writer, e.g. DuckDB's COPY). */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await fs.open(file, fsConstants.O_RDWR);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A temporary file name owned by this process (see tempFileOwnerRunning). */
export const tempFileName = (suffix = '.tmp') => `${processTag()}-${randomBytes(6).toString('hex')}${suffix}`;

/**
 * Whether the process that wrote a temporary file named by tempFileName still runs (told apart from a later
 * process with the same pid, and from a zombie). Names of earlier versions (`<pid>-…`) are judged by the pid.
 */
export function tempFileOwnerRunning(name: string): boolean {
  const owner = name.split('-')[0] ?? '';
  if (parseProcessTag(owner)) return tagRunning(owner);
  return /^[0-9]+$/.test(owner) && processRunning({ pid: Number(owner), start: '', boot: '' });
}

/**
 * Writes `target` durably and atomically. The temporary file goes into `tmpDir` (same filesystem; default: the
 * target's folder, as a hidden file) and is removed if the write fails.
 */
export async function writeFileDurably(
  target: string,
  data: string | Buffer,
  opts: { tmpDir?: string; exclusive?: boolean; mode?: number } = {},
): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmpDir = opts.tmpDir ?? dir;
  if (opts.tmpDir) await fs.mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, opts.tmpDir ? tempFileName() : `.${path.basename(target)}.${tempFileName()}`);
  try {
    const fh = await fs.open(tmp, opts.exclusive === false ? 'w' : 'wx', opts.mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

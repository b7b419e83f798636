/**
 * What makes a folder no place for a lake (LAKE_DIR), judged before anything is written there by npm start and by
 * the commands that run an execution in their own process (local/cli/etl-execution.ts).
 */
import { existsSync, lstatSync, realpathSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { partitionFolderRefusal } from '../lib/query/duckdb/partition-paths';

/** The lake's folders an object is written in (renamed into place) or DuckDB reads. */
const LAKE_FOLDERS = ['raw', 'curated', '.objects', '.firehose'];

/**
 * Why `dir` cannot hold the lake, or undefined: under a key=value folder (by its real path: a link into one too),
 * whose name its queries would read as a column (lib/query/duckdb/partition-paths.ts); on /proc or /sys; or one of
 * its folders linked to another filesystem, or elsewhere out of it.
 */
export function lakeDirProblem(dir: string): string | undefined {
  const real = realPathOf(dir);
  return (
    partitionFolderRefusal(real) ??
    folderOnKernelFilesystem(real) ??
    folderOnOtherDevice(dir) ??
    folderLinkedOutside(dir, real)
  );
}

/** A path's real path: its nearest existing folder's, with the rest as written (the lake may not exist yet). */
function realPathOf(dir: string): string {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  if (existsSync(abs)) return realpathSync(abs);
  return parent === abs ? abs : path.join(realPathOf(parent), path.basename(abs));
}

/**
 * raw/, curated/ (or the temporary folders .objects/, .firehose/) on another filesystem than the lake's folder (a
 * link to another mount): every object and delivery is written to a temporary file and renamed into place, which no
 * rename does across filesystems (EXDEV) — ingest would answer 202 and never deliver.
 */
function folderOnOtherDevice(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const device = statSync(dir).dev;
  for (const folder of LAKE_FOLDERS) {
    const p = path.join(dir, folder);
    if (existsSync(p) && statSync(p).dev !== device)
      return (
        `${p} is on another filesystem than the lake's folder ${dir} (LAKE_DIR): the lake writes each object to a ` +
        'temporary file there and renames it into place, which cannot cross filesystems; put the whole LAKE_DIR on ' +
        'that filesystem instead of linking one folder of it there'
      );
  }
  return undefined;
}

/** The magic numbers statfs gives the kernel's own file systems (linux/magic.h): proc, sysfs. */
const KERNEL_FILESYSTEMS: Record<number, string> = { 0x9fa0: 'proc', 0x62656572: 'sysfs' };

/**
 * Why a LAKE_DIR on /proc or /sys (by its nearest folder that exists) cannot be the lake's: no folder can be made
 * there, and Node's mkdir with recursive loops forever on /proc (npm start spun at 100 % CPU, deaf to Ctrl-C).
 */
function folderOnKernelFilesystem(dir: string): string | undefined {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  let type: number;
  try {
    type = statfsSync(at).type;
  } catch {
    return undefined;
  }
  const fs = KERNEL_FILESYSTEMS[type];
  return fs
    ? `${dir} (LAKE_DIR) is on the kernel's ${fs} file system (${at}), where no folder can be made: give the lake a ` +
        'folder it may write'
    : undefined;
}

/**
 * raw/ or curated/ (or .objects/, .firehose/) a link out of the lake's folder on the same filesystem: the local ETL
 * and queries run DuckDB allowed to read and write only inside the lake's folder (lib/etl/duckdb-runner/duckdb.ts),
 * and it judges a file by its real path — every ETL run would fail with its "Permission Error".
 */
function folderLinkedOutside(dir: string, real: string): string | undefined {
  for (const folder of LAKE_FOLDERS) {
    const p = path.join(dir, folder);
    let target: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) continue;
      target = realpathSync(p);
    } catch {
      continue; // not there (made at the start), or a dangling link: the start says what it cannot make
    }
    if (target === real || target.startsWith(real + path.sep)) continue;
    return (
      `${p} is a link to ${target}, out of the lake's folder ${dir} (LAKE_DIR): the local ETL and queries run ` +
      "DuckDB allowed to read and write only inside the lake's folder, by real paths; put the whole LAKE_DIR " +
      'there instead of linking one folder of it'
    );
  }
  return undefined;
}

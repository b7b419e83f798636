/**
 * The paths the local views give DuckDB for the lake's files. DuckDB's hive partitioning reads every key=value folder
 * of a file's path as a column, and such a column replaces the file's own column of that name; Athena reads the
 * partitions below a table's location only. So a view reads its files through a symbolic link to its table's folder
 * (or to the rejected store), kept in a folder whose path has no key=value folder: only the partition folders below
 * the link count. An event table's column named `type` then reads its stored value, not the `type=<table>` folder of
 * the table's location. DuckDB checks its allowed directories on the real path, so the links open nothing new.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Why a lake at `dir` cannot be queried locally: a folder of its path named like a partition (key=value), which
 * DuckDB would read as a column of every table (and which would replace a column of that name); undefined if none.
 */
export function partitionFolderRefusal(dir: string): string | undefined {
  const folder = dir.split(/[\\/]/).find((part) => part.includes('='));
  return folder === undefined
    ? undefined
    : `the lake (LAKE_DIR) is under a folder named like a partition ('${folder}', in ${dir}): DuckDB would read ` +
        'it as a column of every table, which Athena does not; put the lake under a path without "=" in its folder names';
}

export class PartitionPaths {
  /** Each link's path (with a trailing separator) and the folder it leads to. */
  private readonly targets = new Map<string, string>();

  private constructor(
    /** The folder of the links (its real path), ending with a separator. */
    readonly dir: string,
  ) {}

  /**
   * A text (an engine's error) with each path through a link written as the lake's own path: a file a query could
   * not read is named where it is (curated/tables/…), the one to mend or delete, not by the link the view read.
   */
  unlinked(text: string): string {
    let out = text;
    for (const [link, target] of this.targets) out = out.split(link).join(target + path.sep);
    return out;
  }

  /**
   * The links folder, `<queriesDir>/links`. A lake whose own path has a key=value folder is refused: every table of
   * it would get that folder's key as a column (and lose a column of that name), which Athena does not do.
   */
  static async open(queriesDir: string): Promise<PartitionPaths> {
    const dir = path.join(queriesDir, 'links');
    await fs.mkdir(dir, { recursive: true });
    const real = await fs.realpath(dir);
    const refusal = partitionFolderRefusal(real);
    if (refusal !== undefined) throw new Error(refusal);
    return new PartitionPaths(real + path.sep);
  }

  /** `files` (each under `dir`) as paths through the link `name` → `dir`, made or mended first. */
  async through(name: string, dir: string, files: string[]): Promise<string[]> {
    if (files.length === 0) return [];
    const link = path.join(this.dir, name);
    const target = await fs.readlink(link).catch(() => undefined);
    if (target !== dir) {
      await fs.rm(link, { force: true });
      await fs.symlink(dir, link, 'junction');
    }
    this.targets.set(link + path.sep, dir);
    return files.map((f) => path.join(link, path.relative(dir, f)));
  }
}

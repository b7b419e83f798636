/**
 * Concurrency: per-table locks, in this process and across processes via lock files
 * (curated/_state/locks/<table>.lock).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import layout from '../../lake-layout.json';
import { EtlErrorName, EtlJobError } from './errors';
import { readJsonFile } from './fs-util';
import { heldByOther, owner, type LockFile } from './run-ownership';

/** `${curatedDir}\0${table}` of the tables locked by runs of this process. */
const heldTables = new Set<string>();

export async function lockTables(
  curatedDir: string,
  tables: string[],
  runId: string,
): Promise<() => Promise<void>> {
  const locksDir = path.join(curatedDir, layout.curated.statePrefix, 'locks');
  await fs.mkdir(locksDir, { recursive: true });
  const taken: { key: string; file: string }[] = [];
  const release = async () => {
    for (const t of taken.reverse()) {
      heldTables.delete(t.key);
      await fs.rm(t.file, { force: true });
    }
  };
  try {
    for (const table of [...tables].sort()) {
      const key = `${curatedDir}\0${table}`;
      if (heldTables.has(key)) {
        throw new EtlJobError(
          EtlErrorName.ConcurrentRunsExceeded,
          `a run for table '${table}' is already in progress`,
        );
      }
      heldTables.add(key);
      const file = path.join(locksDir, `${table}.lock`);
      for (let attempt = 0; ; attempt++) {
        try {
          const fh = await fs.open(file, 'wx');
          try {
            await fh.writeFile(JSON.stringify(await owner(runId)));
          } finally {
            await fh.close();
          }
          taken.push({ key, file });
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
            heldTables.delete(key);
            throw e;
          }
          const holder = await readJsonFile<LockFile>(file).catch(() => undefined);
          // An unreadable lock may be one being written right now; a lock of this process that no run here
          // holds, or of a process that has ended, is stale.
          const young =
            Date.now() -
              (await fs.stat(file).then(
                (st) => st.mtimeMs,
                () => 0,
              )) <
            10_000;
          if (holder ? await heldByOther(holder) : young) {
            heldTables.delete(key);
            throw new EtlJobError(
              EtlErrorName.ConcurrentRunsExceeded,
              `a run for table '${table}' is already in progress` +
                (holder ? ` (run ${holder.runId}, process ${holder.pid})` : ''),
            );
          }
          await fs.rm(file, { force: true });
        }
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  return release;
}

/**
 * One ETL run at a time on a lake, as on AWS, where the Glue job allows one concurrent run (resources/glue.yml):
 * a run that finds another in progress is refused with Glue.ConcurrentRunsExceededException, as StartJobRun is, and
 * its execution waits for the lake (state-machines/etl.asl.json). Every run takes every pending upload and every
 * pending streamed event (lib/etl/upload-queue.ts), so two runs must never overlap.
 *
 * The lock is held in this process (a set) and across processes by a lock file, curated/_state/locks/_lake.lock,
 * created exclusively; a lock file whose holder has ended is taken over.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import layout from '../../lake-layout.json';
import { EtlErrorName, EtlJobError } from './errors';
import { readJsonFile } from './fs-util';
import { isThisProcess } from '../../process-identity';
import { removeStaleFile } from '../../stale-file';
import { heldByOther, holderProcess, owner, type LockFile } from './run-ownership';

/** The lock file's name: not a table name (those start with a letter), so it never collides with one. */
const LOCK_NAME = '_lake';

/** Curated folders whose lake lock a run of this process holds. */
const held = new Set<string>();

const busy = (holder?: LockFile) =>
  new EtlJobError(
    EtlErrorName.ConcurrentRunsExceeded,
    'another ETL run is in progress' +
      (holder ? ` (run ${holder.runId}, process ${holder.pid})` : '') +
      ': the lake runs one at a time, and that run takes every pending upload and event',
  );

const lockFile = (curatedDir: string) =>
  path.join(curatedDir, layout.curated.statePrefix, 'locks', `${LOCK_NAME}.lock`);

/**
 * Whether the lake's lock file still names this process and run: a lake of another pid namespace that judged this
 * one gone (a container paused past its presence heartbeat, lib/lake-presence.ts) takes a lock it cannot tell from
 * a dead process's. A run asks before each swap (batch.ts), so that two never write the tables at once.
 */
export async function holdsLakeLock(curatedDir: string, runId: string): Promise<boolean> {
  const holder = await readJsonFile<LockFile>(lockFile(curatedDir)).catch(() => undefined);
  return holder?.runId === runId && isThisProcess(holderProcess(holder));
}

/** Takes the lake's run lock, or throws Glue.ConcurrentRunsExceededException; resolves to its release. */
export async function lockLake(curatedDir: string, runId: string): Promise<() => Promise<void>> {
  const file = lockFile(curatedDir);
  await fs.mkdir(path.dirname(file), { recursive: true });
  if (held.has(curatedDir)) throw busy(await readJsonFile<LockFile>(file).catch(() => undefined));
  held.add(curatedDir);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const fh = await fs.open(file, 'wx');
        try {
          await fh.writeFile(JSON.stringify(await owner(runId)));
        } finally {
          await fh.close();
        }
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const text = await fs.readFile(file, 'utf8').catch(() => undefined);
        let holder: LockFile | undefined;
        try {
          holder = text === undefined ? undefined : (JSON.parse(text) as LockFile);
        } catch {
          holder = undefined;
        }
        if (attempt > 2) throw busy(holder);
        // An unreadable lock may be one being written right now; a lock of this process that no run here
        // holds, or of a process that has ended, is stale.
        // (Dated ahead of the clock — it stepped back, or the folder came from a machine whose clock ran ahead — a
        // lock's age is unknown, not young: it would hold every run until the clock caught up.)
        const age =
          Date.now() -
          (await fs.stat(file).then(
            (st) => st.mtimeMs,
            () => 0,
          ));
        const young = age < 10_000 && age > -10_000;
        if (holder ? await heldByOther(holder) : young) throw busy(holder);
        await removeStaleFile(file, text);
      }
    }
  } catch (e) {
    held.delete(curatedDir);
    throw e;
  }
  return async () => {
    held.delete(curatedDir);
    // Not a lock another lake took over meanwhile (holdsLakeLock): that one is its holder's to release.
    if (await holdsLakeLock(curatedDir, runId)) await fs.rm(file, { force: true });
  };
}

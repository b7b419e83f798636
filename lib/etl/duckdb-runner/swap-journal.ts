/**
 * Swap journal: staged partitions → place, finished by the next run after a crash.
 *
 * The journal is the commit point of a batch: written durably only once every staged file and folder is synced
 * (batch.ts), so a partition is never swapped in before its files are on disk. Before it, a failure discards the
 * batch (the table is as it was); after it, the swap is decided and rollForward finishes it — now, or at the start of
 * the next run (recoverLeftovers). rollForward is idempotent: a step done before is skipped, and each target's folder
 * is synced again, so that redoing it after a failed sync makes the swap durable. Its last step records what the
 * batch's inputs came to (batch-outcome.ts), so that a run that finishes a crashed one's swap does not take them again.
 */
import { beginSwap } from '../../curated-swaps';
import { fsyncDir } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import layout from '../../lake-layout.json';
import { recordOutcome, type BatchOutcome } from './batch-outcome';
import { exists, readJsonFile } from './fs-util';
import type { EtlRunnerHooks } from './options';
import { activeRunDirs, heldByOther, type LockFile } from './run-ownership';

export interface SwapJournal {
  table: string;
  /** Paths relative to the curated folder. */
  partitions: { name: string; target: string; staged: string; aside: string }[];
  rejected?: { staged: string; target: string };
  /** What the batch's inputs came to, recorded once the swap is done. */
  outcome?: BatchOutcome;
}

export const JOURNAL = 'journal.json';

export async function rollForward(curatedDir: string, j: SwapJournal, hooks?: EtlRunnerHooks): Promise<void> {
  // The query engine of this process lists the table's files before or after the swap, never during it.
  const ended = beginSwap(curatedDir, j.table);
  try {
    await swapPartitions(curatedDir, j, hooks);
  } finally {
    ended();
  }
  await recordOutcome(curatedDir, j.outcome);
}

async function swapPartitions(curatedDir: string, j: SwapJournal, hooks?: EtlRunnerHooks): Promise<void> {
  const abs = (rel: string) => path.join(curatedDir, rel);
  if (j.rejected) {
    const target = abs(j.rejected.target);
    if (await exists(abs(j.rejected.staged))) {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(abs(j.rejected.staged), target);
    }
    if (await exists(target)) await fsyncDir(path.dirname(target));
  }
  for (const p of j.partitions) {
    const staged = abs(p.staged);
    const target = abs(p.target);
    const aside = abs(p.aside);
    if (await exists(staged)) {
      if (await exists(target)) {
        await fs.mkdir(path.dirname(aside), { recursive: true });
        await fs.rename(target, aside);
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(staged, target);
      await fsyncDir(path.dirname(target));
      await hooks?.afterPartitionSwap?.({ table: j.table, partition: p.name });
    } else if (await exists(target)) {
      // Swapped before (a redo): its folder's sync may be what failed.
      await fsyncDir(path.dirname(target));
    }
  }
  for (const p of j.partitions) await fs.rm(abs(p.aside), { recursive: true, force: true });
}

/**
 * Finishes or discards what crashed runs left in curated/_state/tmp/: a batch with a swap journal is rolled
 * forward (its staged data is complete), one without is discarded. Only tables this run holds are touched.
 */
export async function recoverLeftovers(
  curatedDir: string,
  tables: Set<string>,
  ownRunDir: string,
): Promise<void> {
  const tmpRoot = path.join(curatedDir, layout.curated.statePrefix, 'tmp');
  let runs: string[];
  try {
    runs = await fs.readdir(tmpRoot);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const run of runs) {
    const runDir = path.join(tmpRoot, run);
    if (runDir !== ownRunDir && activeRunDirs.has(runDir)) continue;
    const holder = await readJsonFile<LockFile>(path.join(runDir, 'owner.json')).catch(() => undefined);
    if (holder && (await heldByOther(holder))) continue;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(runDir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    let left = 0;
    for (const e of entries) {
      if (!e.isDirectory() || !e.name.startsWith('table=')) continue;
      const table = e.name.slice('table='.length);
      if (!tables.has(table)) {
        left++;
        continue;
      }
      const tableDir = path.join(runDir, e.name);
      for (const batch of (await fs.readdir(tableDir).catch(() => [] as string[])).sort()) {
        const journal = await readJsonFile<SwapJournal>(path.join(tableDir, batch, JOURNAL));
        if (journal) await rollForward(curatedDir, journal);
      }
      await fs.rm(tableDir, { recursive: true, force: true });
    }
    if (left === 0) await fs.rm(runDir, { recursive: true, force: true });
  }
}

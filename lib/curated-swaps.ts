/**
 * The partition swaps of the curated zone in progress in this process (the local lake runs its ETL and its query
 * engine in one process), by table: a swap replaces a table's partitions one after the other (swap-journal.ts's
 * rollForward), so a listing of the table's files taken meanwhile would hold some partitions new, some old and
 * one, between its two renames, not at all. The query engine lists a table's files between swaps only — a seqlock:
 * it waits until none runs, lists, and lists again if one began meanwhile — and waits for a swap to end before it
 * runs a query again whose files a swap replaced.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

interface TableSwaps {
  /** Swaps begun and ended: one runs while they differ; `begun` changes with each new one. */
  begun: number;
  ended: number;
  waiting: (() => void)[];
}

const swaps = new Map<string, TableSwaps>();

/** Each curated folder's real path, resolved once (a query looks its tables up before every run). */
const realDirs = new Map<string, string>();

/** The key of a table of a curated folder, by the folder's real path (the engine knows it by that, a run maybe not). */
function keyOf(curatedDir: string, table: string): string {
  let dir = realDirs.get(curatedDir);
  if (dir === undefined) {
    try {
      dir = realpathSync(curatedDir);
      realDirs.set(curatedDir, dir);
    } catch {
      dir = path.resolve(curatedDir); // not there yet: resolved again next time
    }
  }
  return `${dir}\0${table}`;
}

function stateOf(key: string): TableSwaps {
  let s = swaps.get(key);
  if (!s) swaps.set(key, (s = { begun: 0, ended: 0, waiting: [] }));
  return s;
}

/** Marks a swap of the table's partitions as running; call what it returns when it has ended (done or failed). */
export function beginSwap(curatedDir: string, table: string): () => void {
  const s = stateOf(keyOf(curatedDir, table));
  s.begun++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    s.ended++;
    if (s.begun === s.ended) for (const wake of s.waiting.splice(0)) wake();
  };
}

/** Resolves when no swap of the table runs. */
export function swapsSettled(curatedDir: string, table: string): Promise<void> {
  const s = stateOf(keyOf(curatedDir, table));
  if (s.begun === s.ended) return Promise.resolve();
  return new Promise((resolve) => s.waiting.push(resolve));
}

/**
 * What `list` gives for the table when no swap ran while it listed: waits for running swaps to end first, and lists
 * again when one began meanwhile.
 */
export async function betweenSwaps<T>(curatedDir: string, table: string, list: () => Promise<T>): Promise<T> {
  const s = stateOf(keyOf(curatedDir, table));
  for (;;) {
    if (s.begun !== s.ended) await new Promise<void>((resolve) => s.waiting.push(resolve));
    const begun = s.begun;
    const listed = await list();
    if (s.begun === begun && s.begun === s.ended) return listed;
  }
}

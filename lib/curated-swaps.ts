/**
 * The partition swaps of the curated zone in progress, by table: a swap replaces a table's partitions one after the
 * other (swap-journal.ts's rollForward), so a listing of the table's files taken meanwhile would hold some
 * partitions new, some old and one, between its two renames, not at all. The query engine lists a table's files
 * between swaps only — a seqlock: it waits until none runs, lists, and lists again if one began meanwhile — and
 * waits for a swap to end before it runs a query again whose files a swap replaced.
 *
 * Swaps of this process are counted in memory; those of another process on the same lake folder (two lakes in one
 * pid namespace both serve it) are seen on disk: a swap marks itself in curated/_state/swapping/ (a marker named by
 * its process while it runs, and a generation written as it begins and as it ends), and a marker whose process is
 * gone is stale (a crash mid-swap: the next run finishes the swap from its journal).
 */
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import layout from './lake-layout.json';
import { processTag, tagRunning } from './process-identity';

const swappingDir = (curatedDir: string) => path.join(curatedDir, layout.curated.statePrefix, 'swapping');
let markers = 0;

/** Marks a swap of this process on disk for the others; returns its end. */
function markOnDisk(curatedDir: string, table: string): () => void {
  const dir = swappingDir(curatedDir);
  const generation = () => writeFileSync(path.join(dir, `${table}.gen`), randomBytes(8).toString('hex'));
  const marker = path.join(dir, `${table}~${processTag()}~${++markers}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, '');
    generation();
  } catch {
    return () => undefined; // a full disk: the swap itself fails or is finished by the next run
  }
  return () => {
    try {
      generation();
      rmSync(marker, { force: true });
    } catch {
      // left: judged stale once this process is gone
    }
  };
}

/** Swaps of other processes on the table: whether one runs, and the table's swap generation. */
function onDisk(curatedDir: string, table: string): { running: boolean; generation: string } {
  const dir = swappingDir(curatedDir);
  let running = false;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { running: false, generation: '' };
  }
  const own = processTag();
  for (const name of names) {
    const [t, tag] = name.split('~');
    if (t !== table || tag === undefined || tag === own) continue;
    if (tagRunning(tag)) running = true;
    else rmSync(path.join(dir, name), { force: true });
  }
  let generation = '';
  try {
    generation = readFileSync(path.join(dir, `${table}.gen`), 'utf8');
  } catch {
    // none yet
  }
  return { running, generation };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const unmark = markOnDisk(curatedDir, table);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unmark();
    s.ended++;
    if (s.begun === s.ended) for (const wake of s.waiting.splice(0)) wake();
  };
}

/** How often a wait for another process's swap looks again. */
const OTHER_SWAP_POLL_MS = 20;

/** Resolves when no swap of the table runs (of this process, or of another on the same folder). */
export async function swapsSettled(curatedDir: string, table: string): Promise<void> {
  const s = stateOf(keyOf(curatedDir, table));
  if (s.begun !== s.ended) await new Promise<void>((resolve) => s.waiting.push(resolve));
  while (onDisk(curatedDir, table).running) await pause(OTHER_SWAP_POLL_MS);
}

/**
 * What `list` gives for the table when no swap ran while it listed: waits for running swaps to end first, and lists
 * again when one began meanwhile (in this process, or in another: its generation changed).
 */
export async function betweenSwaps<T>(curatedDir: string, table: string, list: () => Promise<T>): Promise<T> {
  const s = stateOf(keyOf(curatedDir, table));
  for (;;) {
    if (s.begun !== s.ended) await new Promise<void>((resolve) => s.waiting.push(resolve));
    const before = onDisk(curatedDir, table);
    if (before.running) {
      await pause(OTHER_SWAP_POLL_MS);
      continue;
    }
    const begun = s.begun;
    const listed = await list();
    const after = onDisk(curatedDir, table);
    if (s.begun === begun && s.begun === s.ended && !after.running && after.generation === before.generation)
      return listed;
  }
}

/**
 * Who runs what: the runs in progress in this process, and the owner record (process and run) that lock files and
 * run folders carry, so that another process can tell a live holder from a stale one.
 */
import { pidAlive } from '../../durable-fs';
import { promises as fs } from 'node:fs';

/** Temporary folders of the runs in progress in this process. */
export const activeRunDirs = new Set<string>();

/** Who holds a lock or owns a run folder: a process (its pid and, on Linux, its start time) and the run. */
export interface LockFile {
  pid: number;
  /** /proc/<pid>/stat start time: tells a live holder from a new process that got the same pid. */
  start?: string;
  runId: string;
}

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const selfStart = processStart(process.pid);

export async function owner(runId: string): Promise<LockFile> {
  const start = await selfStart;
  return { pid: process.pid, ...(start ? { start } : {}), runId };
}

/** The holder is another process that is still running. */
export async function heldByOther(holder: LockFile): Promise<boolean> {
  // This process's pid: either this process (whose runs are tracked in memory) or an ended one that had it.
  if (holder.pid === process.pid || !pidAlive(holder.pid)) return false;
  const start = holder.start ? await processStart(holder.pid) : undefined;
  return start === undefined || start === holder.start;
}

/**
 * Who runs what: the runs in progress in this process, and the owner record (process and run) that lock files and
 * run folders carry, so that another process can tell a live holder from a stale one — a process, not a pid: a lake
 * restarted in a container gets the dead one's pid, and a killed process not yet reaped still answers to its pid
 * (lib/process-identity.ts).
 */
import { isThisProcess, processRunning, thisProcess } from '../../process-identity';

/** Temporary folders of the runs in progress in this process. */
export const activeRunDirs = new Set<string>();

/** Who holds a lock or owns a run folder: a process (pid, start time, boot) and the run. */
export interface LockFile {
  pid: number;
  /** When the process started (absent in records of earlier versions: judged by the pid). */
  start?: string;
  boot?: string;
  runId: string;
}

export async function owner(runId: string): Promise<LockFile> {
  return { ...thisProcess(), runId };
}

/** The process a lock or run folder names (records of earlier versions without start/boot: judged by the pid). */
export const holderProcess = (holder: LockFile) => ({
  pid: holder.pid,
  start: holder.start ?? '',
  boot: holder.boot ?? '',
});

/** The holder is another process that is still running (this process's runs are tracked in memory). */
export async function heldByOther(holder: LockFile): Promise<boolean> {
  const id = holderProcess(holder);
  return !isThisProcess(id) && processRunning(id);
}

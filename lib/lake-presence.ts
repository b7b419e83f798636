/**
 * Which local lakes (npm start) run on a lake folder, also from another pid namespace. Processes are told apart by
 * pid, start time and boot (lib/process-identity.ts), read from /proc — which shows the processes of one's own pid
 * namespace only. A lake in a container and one on the host (or in another container) on the same volume each
 * judged the other gone: the second adopted the first's open write-ahead segment, which the first went on writing,
 * and acknowledged events were lost; a CLI ran an execution beside the lake's and removed its work.
 *
 * So each lake keeps a presence file, <LAKE_DIR>/.lakes/<process tag>.json with its pid namespace, and touches it
 * every PRESENCE_HEARTBEAT_MS while it runs. A lake of one's own namespace is judged by its process, as everything
 * else is; one of another namespace by its heartbeat: running while the file was touched in the last
 * PRESENCE_STALE_MS. A lake does not start beside a running one of another namespace (claimLakeDir): after a
 * crash in a container, the next start waits until the dead lake's heartbeat is stale, then recovers its files.
 */
import { promises as fs, readlinkSync } from 'node:fs';
import path from 'node:path';
import { processTag, tagRunning, thisProcess } from './process-identity';

export const PRESENCE_HEARTBEAT_MS = 3_000;
export const PRESENCE_STALE_MS = 15_000;

/** A presence file's content. */
export interface LakePresence {
  tag: string;
  pid: number;
  /** The pid namespace (/proc/self/ns/pid, e.g. "pid:[4026531836]"); '' where there is none. */
  ns: string;
  startedAt: string;
  /**
   * A command that runs an execution in its own process (npm run compact, replay, rebuild, executions, when no lake
   * serves the folder: local/cli/etl-execution.ts), not a lake: it serves nothing, and its run holds the lake lock.
   */
  command?: string;
  /** The folder it runs on (folderIdentity): a copy of the folder (cp -a of a running lake's) is another one. */
  folder?: string;
}

/**
 * A lake folder's identity: its device and inode, the same by any path to it (a link, a bind mount) and another for
 * a copy, which holds the files of the lake it was copied from (its presence and engine files, naming a process that
 * serves the original). Compared within one pid namespace only: another's may see the folder through another
 * mount, whose device may differ.
 */
export async function folderIdentity(lakeDir: string): Promise<string | undefined> {
  const st = await fs.stat(lakeDir).catch(() => undefined);
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/** A lake running on the folder, other than this process. */
export interface OtherLake extends LakePresence {
  /** In another pid namespace than this process (judged by its heartbeat). */
  foreign: boolean;
  /** Milliseconds since its last heartbeat. */
  heartbeatAgeMs: number;
}

let namespace: string | undefined;

/** This process's pid namespace, '' where there is none to tell (no /proc). */
export function pidNamespace(): string {
  if (namespace === undefined) {
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      namespace = '';
    }
  }
  return namespace;
}

const presenceDir = (lakeDir: string) => path.join(lakeDir, '.lakes');

/**
 * Presence files whose heartbeat time is ahead of the clock, by file: that time, and when (this process's monotonic
 * clock) it was first seen so. The clock stepped back (NTP correcting a clock that was ahead, a folder copied from a
 * machine whose clock was ahead): a running lake touches its file again within a heartbeat, at the clock's time; one
 * whose time stays as it was is gone once PRESENCE_STALE_MS have passed by a clock no step moves.
 */
const aheadSince = new Map<string, { mtimeMs: number; seenAt: number }>();

/** Milliseconds since a presence file's last heartbeat; of a time ahead of the clock, how long it stayed so. */
function heartbeatAge(file: string, mtimeMs: number, now: number, monotonicNow: number): number {
  if (mtimeMs <= now) {
    aheadSince.delete(file);
    return now - mtimeMs;
  }
  const seen = aheadSince.get(file);
  if (seen?.mtimeMs === mtimeMs) return monotonicNow - seen.seenAt;
  aheadSince.set(file, { mtimeMs, seenAt: monotonicNow });
  return 0;
}

/**
 * The lakes running on the folder, other than this process; removes the files of those that are gone. `now` is the
 * wall clock the heartbeats are compared with, `monotonicNow` the clock that times a heartbeat ahead of it.
 */
export async function otherLakes(
  lakeDir: string,
  now = Date.now(),
  monotonicNow = performance.now(),
): Promise<OtherLake[]> {
  const dir = presenceDir(lakeDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: OtherLake[] = [];
  const folder = names.length > 0 ? await folderIdentity(lakeDir) : undefined;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, name);
    const [text, stat] = await Promise.all([
      fs.readFile(file, 'utf8').catch(() => undefined),
      fs.stat(file).catch(() => undefined),
    ]);
    let p: LakePresence | undefined;
    try {
      p = text ? (JSON.parse(text) as LakePresence) : undefined;
    } catch {
      p = undefined; // torn: written when its lake was killed; gone once stale
    }
    if (!stat || p?.tag === processTag()) continue;
    const heartbeatAgeMs = heartbeatAge(file, stat.mtimeMs, now, monotonicNow);
    const foreign = !!p && p.ns !== pidNamespace();
    // Copied with the folder from one a process of this namespace runs on: that process serves the original. Left
    // as it is (judged so again; removed with the copy).
    if (p && !foreign && p.folder !== undefined && folder !== undefined && p.folder !== folder) continue;
    const running = p && (foreign ? heartbeatAgeMs < PRESENCE_STALE_MS : tagRunning(p.tag));
    if (p && running) out.push({ ...p, foreign, heartbeatAgeMs });
    else if (heartbeatAgeMs >= PRESENCE_STALE_MS || (p && !foreign)) {
      aheadSince.delete(file);
      await fs.rm(file, { force: true });
    }
  }
  return out;
}

/** This lake's presence on a folder: its file, touched until stop. */
export interface Presence {
  stop(): Promise<void>;
}

/**
 * Writes this lake's presence file and keeps it touched. Where a lake of another pid namespace runs on the folder,
 * waits until its heartbeat is stale (a lake killed in a container), and refuses to start (LakeDirInUse) if it
 * is still alive after `waitMs`; `onWait` is told once when it waits.
 *
 * `onLost` is told when a heartbeat finds the presence file gone: a lake or command of another pid namespace judged
 * this one dead (its heartbeat stopped for PRESENCE_STALE_MS: a container paused or stalled) and removed it, and may
 * have taken over the folder — adopted its write-ahead segments, run its executions again. The file is written again.
 */
export async function claimLakeDir(
  lakeDir: string,
  onWait?: (others: OtherLake[]) => void,
  waitMs = PRESENCE_STALE_MS + PRESENCE_HEARTBEAT_MS,
  onLost?: () => void,
  command?: string,
): Promise<Presence> {
  const dir = presenceDir(lakeDir);
  await fs.mkdir(dir, { recursive: true });
  const folder = await folderIdentity(lakeDir);
  const me: LakePresence = {
    tag: processTag(),
    pid: thisProcess().pid,
    ns: pidNamespace(),
    startedAt: new Date().toISOString(),
    ...(command ? { command } : {}),
    ...(folder ? { folder } : {}),
  };
  const file = path.join(dir, `${me.tag}.json`);
  const write = () => fs.writeFile(file, JSON.stringify(me));
  await write();
  const stop = async () => {
    clearInterval(timer);
    await fs.rm(file, { force: true });
  };
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') onLost?.();
      return write().catch(() => undefined);
    });
  }, PRESENCE_HEARTBEAT_MS);
  timer.unref();
  try {
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      const foreign = (await otherLakes(lakeDir)).filter((o) => o.foreign);
      if (foreign.length === 0) break;
      if (Date.now() >= deadline) throw new LakeDirInUse(lakeDir, foreign[0]!);
      if (!told) onWait?.(foreign);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { stop };
}

/** A lake of another pid namespace runs on the folder. */
export class LakeDirInUse extends Error {
  constructor(lakeDir: string, other: OtherLake) {
    super(
      `${other.command ? `a command (${other.command}) that runs an execution in its own process` : 'another local lake'} ` +
        `runs on ${lakeDir} from another pid namespace (a container, or the host beside one): pid ` +
        `${other.pid} there, started ${other.startedAt}, last heard of ${Math.round(other.heartbeatAgeMs / 1000)} s ` +
        'ago. Two lakes on one folder must run in one pid namespace, where each can tell whether the other runs: ' +
        (other.command ? 'wait until it has ended' : 'stop that lake first') +
        ', or give this one another LAKE_DIR',
    );
    this.name = 'LakeDirInUse';
  }
}

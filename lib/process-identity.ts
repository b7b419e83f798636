/**
 * Which process owns a file, a lock or a claim, told apart across pid reuse. A pid alone is not enough: in a
 * container the lake gets the same small pid at every start, so a dead lake's files look like the new one's; a
 * killed process that its parent has not reaped yet (a zombie) still answers kill(pid, 0); and after a reboot pids
 * start over. A process is its pid, its start time (/proc/<pid>/stat field 22, clock ticks after boot) and the boot
 * it ran in (/proc/sys/kernel/random/boot_id). Where there is no /proc (macOS), `ps` gives the state and the start
 * time (to the second) and the boot is the kernel's boot time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** When the process started (clock ticks after boot, or ps's start time where there is no /proc). */
  start: string;
  /** The boot it runs in. */
  boot: string;
}

interface ProcessState {
  start: string;
  /** Exited, its exit status not yet collected by its parent (or being torn down). */
  zombie: boolean;
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

function readBoot(): string {
  try {
    if (hasProc) return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return execFileSync('sysctl', ['-n', 'kern.boottime'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The process's state, or undefined when there is no such process. */
function stateOf(pid: number): ProcessState | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (hasProc) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // "pid (comm) state ppid … starttime …": comm may hold spaces and parentheses, so split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '';
    return { start: fields[19] ?? '', zombie: state === 'Z' || state === 'X' || state === 'x' };
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (!out) return undefined;
    const [state, ...start] = out.split(/\s+/);
    return { start: start.join(' '), zombie: (state ?? '').startsWith('Z') };
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
}

let self: ProcessIdentity | undefined;

/** This process. */
export function thisProcess(): ProcessIdentity {
  if (!self) self = { pid: process.pid, start: stateOf(process.pid)?.start ?? '', boot: readBoot() };
  return self;
}

/** Whether `id` names this process. */
export function isThisProcess(id: ProcessIdentity): boolean {
  const me = thisProcess();
  return id.pid === me.pid && id.start === me.start && id.boot === me.boot;
}

/**
 * Whether the process `id` names is still running: same pid, same start time, same boot, and not a zombie. An
 * identity without a start time (written before identities had one) is judged by its pid alone.
 */
export function processRunning(id: ProcessIdentity): boolean {
  if (isThisProcess(id)) return true;
  const state = stateOf(id.pid);
  if (!state || state.zombie) return false;
  if (!id.start) return id.pid !== process.pid;
  return state.start === id.start && id.boot === thisProcess().boot;
}

/** Clock ticks per second of /proc's start times (USER_HZ: 100 wherever Node runs; getconf says). */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** When the machine booted (ms since the epoch, to the second: /proc/stat's btime). */
function bootTimeMs(): number | undefined {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? undefined : Number(btime) * 1000;
  } catch {
    return undefined;
  }
}

/** How far a process's start time read here may be off (/proc/stat's btime is to the second, ps's start too). */
const START_TIME_SLACK_MS = 2000;

/**
 * Whether a process of this pid runs (not a zombie) that started before `ms` (ms since the epoch, within a second or
 * two): what a pid alone in a name of an earlier version says, with the time the name was made. A process of that pid
 * that started later is not the one that made it (the pid was free again; it came back after a reboot, or in the
 * next container) — its own start time unknown, a running process is taken to be it.
 */
export function pidRunningSince(pid: number, ms: number): boolean {
  if (pid === process.pid) return false;
  const state = stateOf(pid);
  if (!state || state.zombie) return false;
  let started: number | undefined;
  if (hasProc) {
    const boot = bootTimeMs();
    const ticks = Number(state.start);
    started =
      boot === undefined || !state.start || !Number.isFinite(ticks)
        ? undefined
        : boot + (ticks * 1000) / clockTicks();
  } else {
    const t = Date.parse(state.start);
    started = Number.isNaN(t) ? undefined : t;
  }
  return started === undefined || !Number.isFinite(ms) || started <= ms + START_TIME_SLACK_MS;
}

/**
 * A file-name-safe tag for an identity ("<pid>.<start>.<boot>"; the boot shortened), and back. Tags let a folder of
 * files say who owns each without a record beside them.
 */
export function processTag(id: ProcessIdentity = thisProcess()): string {
  const boot = id.boot.replace(/[^0-9a-zA-Z]/g, '').slice(0, 12);
  const start = id.start.replace(/[^0-9a-zA-Z]/g, '');
  return `${id.pid}.${start}.${boot}`;
}

/** The identity a tag names, comparable with processRunning (the boot as shortened in tags). */
export function parseProcessTag(tag: string): ProcessIdentity | undefined {
  const m = /^([0-9]+)\.([0-9a-zA-Z]*)\.([0-9a-zA-Z]*)$/.exec(tag);
  return m ? { pid: Number(m[1]), start: m[2]!, boot: m[3]! } : undefined;
}

/** Whether the process a tag names is running (tags compare start and boot in their shortened forms). */
export function tagRunning(tag: string): boolean {
  const id = parseProcessTag(tag);
  if (!id) return false;
  if (tag === processTag()) return true;
  const state = stateOf(id.pid);
  if (!state || state.zombie) return false;
  return processTag({ pid: id.pid, start: state.start, boot: thisProcess().boot }) === tag;
}

/**
 * Starts the local lake the ways people launch it, and signals it the way they stop it:
 *   npm    `npm start` — the launcher is npm; `kill <npm>` (a process manager) or Ctrl-C (SIGINT to the
 *          terminal's process group: npm and the lake both get it, and npm relays it);
 *   node   `node --import tsx local/main.ts` — the launcher is the lake;
 *   pid1   `unshare -fp --mount-proc node --import tsx local/main.ts` — the lake is the init of a pid namespace, as
 *          in a container (root only); the signal goes to that pid 1, as `docker stop` sends it;
 *   npm-pid1  `unshare -fp --mount-proc npm start` — npm is the init, the lake its child (issue 12's reproduction).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export type Launcher = 'npm' | 'node' | 'pid1' | 'npm-pid1';

export interface LaunchedLake {
  url: string;
  launcher: ChildProcess;
  /** The lake's own process, seen from here (itself, npm's child, or unshare's child). */
  lakePid: number;
  output: () => string;
  /** The launcher's exit; `lakeGoneAtExit`: the lake's process no longer ran when the launcher had exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; lakeGoneAtExit: boolean }>;
  /** Sends a stop the way this launcher is stopped (`group`: to the process group, as a terminal's Ctrl-C). */
  signal(sig: NodeJS.Signals, opts?: { group?: boolean }): void;
}

/** Whether this process may make pid namespaces (root, with util-linux's unshare). */
export function canUnshare(): boolean {
  return process.getuid?.() === 0 && process.platform === 'linux';
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Running (a zombie counts as gone: it has exited, only its parent has not read its status yet). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function launchLake(
  how: Launcher,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<LaunchedLake> {
  const nodeArgs = ['--import', 'tsx', 'local/main.ts'];
  const command: Record<Launcher, [string, string[]]> = {
    npm: ['npm', ['start']],
    node: [process.execPath, nodeArgs],
    pid1: ['unshare', ['-fp', '--mount-proc', process.execPath, ...nodeArgs]],
    'npm-pid1': ['unshare', ['-fp', '--mount-proc', 'npm', 'start']],
  };
  const [cmd, args] = command[how];
  const launcher = spawn(cmd, args, {
    cwd: root,
    // npm runs the script with the project's node_modules/.bin first on PATH (its Node), as `npm start` does.
    env: {
      ...process.env,
      PATH: [path.join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter),
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal's foreground job
  });
  let out = '';
  launcher.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  launcher.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let lakePid = -1;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lakeGoneAtExit: boolean }>(
    (resolve) =>
      launcher.once('exit', (code, signal) => resolve({ code, signal, lakeGoneAtExit: !running(lakePid) })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lake did not start in time:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    launcher.stdout!.on('data', check);
    launcher.stderr!.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`lake exited (${code}) before listening:\n${out}`));
    });
  });
  // The process a stop signal goes to: the launcher, or the namespace's init (unshare's child).
  const target = how === 'pid1' || how === 'npm-pid1' ? (childrenOf(launcher.pid!)[0] ?? -1) : launcher.pid!;
  lakePid = how === 'node' || how === 'pid1' ? target : (childrenOf(target)[0] ?? -1);
  if (lakePid < 0) throw new Error(`no lake process under the ${how} launcher`);
  return {
    url,
    launcher,
    lakePid,
    output: () => out,
    exited,
    signal: (sig, opts) => {
      if (opts?.group) process.kill(-launcher.pid!, sig);
      else process.kill(target, sig);
    },
  };
}

/** Kills whatever is left of a launch (after a failed test): its process group, and the lake itself. */
export function killLaunch(lake: LaunchedLake | undefined): void {
  if (!lake) return;
  try {
    process.kill(-lake.launcher.pid!, 'SIGKILL'); // the group outlives its leader while members remain
  } catch {
    // gone
  }
  if (running(lake.lakePid)) process.kill(lake.lakePid, 'SIGKILL');
}

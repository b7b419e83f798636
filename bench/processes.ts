/**
 * Child processes for the benchmark: servers started in their own process (so the load generator does not share
 * their event loop), commands with captured output, and per-process-tree CPU time read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Every server child still running, so a crash or Ctrl-C does not leave them behind. */
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Each server child leads its own process group (detached), so its own children (npm → node) go too.
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

process.once('exit', () => {
  for (const c of running) killGroup(c, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const c of running) killGroup(c, 'SIGTERM');
    process.exit(130);
  });
}

/** PATH with the project's node_modules/.bin first, so `node` is the project's Node (as under npm scripts). */
export function projectPath(root: string): string {
  return [path.join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerChild {
  name: string;
  pid: number;
  /** The URL the server printed after "listening on". */
  url: string;
  /** The last output of the child (stdout and stderr), for error messages. */
  output(): string;
  /** Sends the signal and waits for the child to exit; returns its exit code (null if killed). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const OUTPUT_KEEP = 32 * 1024;

/**
 * Starts a server and waits until it prints `listening on <url>`. The child's output is kept (the tail) and
 * included in errors.
 */
export function startServer(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; readyTimeoutMs?: number },
): Promise<ServerChild> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });

  return new Promise((resolve, reject) => {
    let outputText = '';
    let ready = false;
    const timer = setTimeout(() => {
      fail(new Error(`${name} did not print "listening on" within ${opts.readyTimeoutMs ?? 60_000} ms`));
    }, opts.readyTimeoutMs ?? 60_000);
    const fail = (err: Error) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      reject(new Error(`${err.message}\n--- ${name} output ---\n${tail.trim()}`));
    };
    child.once('error', (e) => fail(e));
    child.once('exit', (code, signal) =>
      fail(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`)),
    );
    // On either stream: the local lake greets on stderr when its stdout carries JSON lines (LOG_FORMAT json).
    const look = (chunk: Buffer) => {
      outputText = (outputText + chunk.toString('utf8')).slice(-4096);
      const m = /listening on (https?:\/\/\S+)/.exec(outputText);
      if (!m || ready) return;
      ready = true;
      clearTimeout(timer);
      child.stdout!.off('data', onStdout);
      child.stderr!.off('data', look);
      child.stdout!.on('data', keep);
      resolve({
        name,
        pid: child.pid!,
        url: m[1]!,
        output: () => tail,
        stop: async (signal = 'SIGTERM', timeoutMs = 60_000) => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          if (signal === 'SIGKILL') killGroup(child, signal);
          else child.kill(signal);
          const t = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
          try {
            return await exited;
          } finally {
            clearTimeout(t);
          }
        },
      });
    };
    const onStdout = (chunk: Buffer) => {
      keep(chunk);
      look(chunk);
    };
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', look);
  });
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, capturing its output. */
export function runCommand(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by a process and all its descendants; null where /proc is missing. */
export function processTreeCpuSeconds(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  let ticks = 0;
  const seen = new Set<number>();
  const visit = (p: number): boolean => {
    if (seen.has(p)) return true;
    seen.add(p);
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      return false;
    }
    // Fields after the command name (which may contain spaces): state ppid ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    try {
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) visit(Number(k));
      }
    } catch {
      // process gone, or no children file
    }
    return true;
  };
  return visit(pid) ? ticks / CLOCK_TICKS_PER_SECOND : null;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The pids of a process and all its descendants (Linux /proc; just the pid elsewhere). */
export function processTreePids(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    if (out.includes(p)) return;
    out.push(p);
    try {
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) visit(Number(k));
      }
    } catch {
      // gone, or no /proc
    }
  };
  visit(pid);
  return out;
}

/** Resident memory of a process and its descendants, bytes (Linux /proc; null elsewhere). */
export function processTreeRssBytes(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  let kb = 0;
  for (const p of processTreePids(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

/**
 * CPU seconds of every thread of a process tree, by thread kind (the thread's name: MainThread, WorkerThread,
 * V8Worker = the garbage collector's helpers, libuv-worker = file system and zlib); null where /proc is missing.
 */
export function threadCpuSeconds(pid: number): Record<string, number> | null {
  if (process.platform !== 'linux') return null;
  const out: Record<string, number> = {};
  for (const p of processTreePids(pid)) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const stat = readFileSync(`/proc/${p}/task/${t}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const s = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
        out[name] = (out[name] ?? 0) + s;
      } catch {
        // thread gone
      }
    }
  }
  return out;
}

/** Samples a value every `ms` until stopped; returns the largest sample. */
export function peakSampler(sample: () => number | null, ms = 100): { stop(): number | null } {
  let peak: number | null = null;
  const take = () => {
    const v = sample();
    if (v !== null && (peak === null || v > peak)) peak = v;
  };
  take();
  const timer = setInterval(take, ms);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

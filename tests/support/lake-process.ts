/** Runs `npm start`'s entry point (local/main.ts) in a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface LakeProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startLakeProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** The project to run (default: this one; tests/support/project-copy.ts makes others). */
  cwd = root,
): Promise<LakeProcess> {
  // One process (node with tsx's loader), so a signal reaches the runtime itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd,
    env: { ...process.env, PORT: '0', LAKE_ACCESS_LOG: 'false', POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lake did not start in time:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lake exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    exited,
    kill: async (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * The README's path works as written (issue 12 §5): its command blocks run in order, as a new user runs them, against
 * a fresh lake, and print what the README shows (tests/readme/readme-blocks.ts: markers and comparison).
 *
 * Where: a copy of the project (tests/support/project-copy.ts, node_modules linked in place of `npm ci`), so `.lake/`
 * in the commands is the copy's fresh lake. The test starts `npm start` there (the block marked `lake`), as the
 * README's "in another terminal" asks, on a free port that stands for the README's 3000, and runs the other blocks in
 * one bash session whose environment is a user's: no jest, npm or lake variables, no node_modules/.bin on PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectCopy, type ProjectCopy } from '../support/project-copy';
import { COMMAND_LANGUAGES, readmeBlocks, runBlock, Shell, type Block } from './readme-blocks';

const root = path.resolve(__dirname, '../..');

/** The environment of a person's terminal: what jest, npm and the tests add is left out. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|JEST_|LAKE_|POWERTOOLS_|INIT_CWD$|NODE_ENV$|LOG_FORMAT$|PORT$|HOST$)/.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.includes(`node_modules${path.sep}.bin`))
    .join(path.delimiter);
  return env;
}

/** `npm start` in the copy, as in another terminal; resolves to its address once it listens. */
function startLake(
  dir: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; url: Promise<string>; log: () => string } {
  const child = spawn('npm', ['start'], { cwd: dir, env: { ...env, PORT: '0' }, detached: true });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen in time:\n${log}`)), 60_000);
    const listening = () => {
      const m = /listening on (http:\/\/[\d.]+:(\d+))/.exec(log);
      if (m) (clearTimeout(timer), resolve(m[1]!));
    };
    child.stdout!.on('data', listening);
    child.stderr!.on('data', listening);
    child.once(
      'exit',
      (code) => (clearTimeout(timer), reject(new Error(`npm start exited (${code}):\n${log}`))),
    );
  });
  return { child, url, log: () => log };
}

async function stopLake(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig); // Ctrl-C reaches the terminal's whole process group
    } catch {
      // gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** The `lake` block holds `npm ci` and `npm start` and nothing else: the test does both. */
function checkLakeBlock(block: Block): void {
  const commands = block.text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  if (commands.join('\n') !== 'npm ci\nnpm start')
    throw new Error(
      `README line ${block.line}: a block marked lake may hold only npm ci and npm start; it holds:\n${commands.join('\n')}`,
    );
}

describe('README', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = readmeBlocks(readme);
  const commands = blocks.filter((b) => COMMAND_LANGUAGES.includes(b.lang));

  it('marks its blocks in a way the test knows, and starts the lake before any other command', () => {
    expect(commands.length).toBeGreaterThan(5);
    const first = commands.find((b) => b.directive?.kind !== 'skip');
    expect(first?.directive?.kind).toBe('lake');
    expect(commands.filter((b) => b.directive?.kind === 'lake')).toHaveLength(1);
    checkLakeBlock(first!);
  });

  it('runs every command block as written against a fresh lake, and they print what it shows', async () => {
    let copy: ProjectCopy | undefined;
    let lake: ReturnType<typeof startLake> | undefined;
    let shell: Shell | undefined;
    const transcript: string[] = [];
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'readme-test-'));
    try {
      copy = projectCopy();
      const env = userEnv();
      const ran: string[] = [];
      // The README's port, 3000, is the test lake's free port.
      let rewrite = (script: string) => script;
      for (const block of commands) {
        if (block.directive?.kind === 'skip') continue;
        if (block.directive?.kind === 'lake') {
          checkLakeBlock(block);
          lake = startLake(copy.dir, env);
          const port = new URL(await lake.url).port;
          shell = new Shell(copy.dir, env, scratch);
          rewrite = (script: string) => script.replace(/localhost:3000\b/g, `localhost:${port}`);
          ran.push(`${block.line}: lake started on port ${port}`);
          continue;
        }
        if (!shell) throw new Error(`README line ${block.line}: a command block before the lake is started`);
        const problems = await runBlock(block, shell, {
          rewrite,
          onStep: (step, r) => transcript.push(`$ ${step.script.trim()}\n${r.stdout.trim()}\n`),
        });
        if (problems.length) {
          const p = problems[0]!;
          throw new Error(
            `README line ${p.line}: ${p.message}\n\n--- blocks that passed\n${ran.join('\n')}\n--- the lake's output\n${lake?.log().slice(-4000)}`,
          );
        }
        ran.push(`${block.line}: ok`);
      }
      expect(ran.length).toBe(commands.filter((b) => b.directive?.kind !== 'skip').length);
    } finally {
      // README_TRANSCRIPT=<file>: what every step printed, to copy outputs into the README from a real run.
      if (process.env.README_TRANSCRIPT) writeFileSync(process.env.README_TRANSCRIPT, transcript.join('\n'));
      shell?.close();
      await stopLake(lake?.child);
      copy?.remove();
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 150_000);
});

/**
 * The README's command blocks, as tests/readme/readme.test.ts runs them.
 *
 *  - Every fenced block names its language. Blocks in `sh` (or `bash`, `shell`) are commands; they run in order, in
 *    one bash session, as a person pastes them into one terminal (variables set in one block are there in the next).
 *  - An HTML comment right before a block (blank lines between are fine) tells how to run it:
 *      <!-- readme-test: skip (why) -->        not run; the reason is required (e.g. it needs an AWS account)
 *      <!-- readme-test: retry 30s (what) -->  it looks at something that happens in the background: run again
 *                                              until its output matches, for at most that long
 *      <!-- readme-test: lake (how) -->        `npm ci` and `npm start` only: the test has started the lake
 *  - `# → text` after commands is what they print (stdout), continued by lines `#   text`. Lines are compared
 *    trimmed, with runs of blanks as one; `…` stands for any text within a line, and a line of only `…` for any
 *    number of lines. npm's banner (`> pkg@version script`) and empty lines are left out of what was printed.
 *  - A command that fails (non-zero status, seen by bash's ERR trap) fails the test, expectation or not.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type Directive =
  | { kind: 'skip'; reason: string }
  | { kind: 'retry'; seconds: number; reason: string }
  | { kind: 'lake'; reason: string };

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The block's text, its indentation removed. */
  text: string;
  directive?: Directive;
}

export interface Step {
  /** 1-based README line of the step's first command. */
  line: number;
  script: string;
  /** What it prints, one pattern per line; undefined: not shown (only its success is checked). */
  expected?: string[];
}

export const COMMAND_LANGUAGES = ['sh', 'bash', 'shell'];

function directiveOf(comment: string, line: number): Directive {
  const m = /^(skip|retry|lake)\b\s*(?:(\d+)s\b)?\s*(?:\((.+)\))?$/.exec(comment.trim());
  if (!m) throw new Error(`README line ${line}: unknown readme-test directive '${comment}'`);
  const reason = m[3]?.trim() ?? '';
  if (!reason) throw new Error(`README line ${line}: readme-test ${m[1]} needs its reason in parentheses`);
  if (m[1] === 'retry') {
    if (!m[2]) throw new Error(`README line ${line}: readme-test retry needs a time, e.g. retry 30s (why)`);
    return { kind: 'retry', seconds: Number(m[2]), reason };
  }
  if (m[2]) throw new Error(`README line ${line}: only retry takes a time`);
  return { kind: m[1] as 'skip' | 'lake', reason };
}

/** Every fenced block of `markdown`, with the directive before it; throws on a block without a language. */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const lang = open[2]!.trim();
    if (!lang) throw new Error(`README line ${i + 1}: a fenced block without a language (sh, text, json, …)`);
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    if (end >= lines.length) throw new Error(`README line ${i + 1}: the block is not closed`);
    let before = i - 1;
    while (before >= 0 && !lines[before]!.trim()) before--;
    const comment = before >= 0 ? /^\s*<!--\s*readme-test:(.*)-->\s*$/.exec(lines[before]!) : null;
    blocks.push({
      line: i + 1,
      lang,
      text: lines
        .slice(i + 1, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join('\n'),
      directive: comment ? directiveOf(comment[1]!, before + 1) : undefined,
    });
    i = end;
  }
  return blocks;
}

/** A command block cut into steps: the commands before each `# →`, and what follows the last one. */
export function blockSteps(block: Block): Step[] {
  const steps: Step[] = [];
  let script: string[] = [];
  let first = block.line + 1;
  let expected: string[] | undefined;
  const lines = block.text.split('\n');
  const flush = (next: number) => {
    if (script.some((l) => l.trim() && !l.trim().startsWith('#')) || expected)
      steps.push({ line: first, script: script.join('\n'), expected });
    script = [];
    expected = undefined;
    first = next;
  };
  lines.forEach((l, i) => {
    const shown = /^#\s→\s?(.*)$/.exec(l);
    const more = /^#\s{3}(.*)$/.exec(l);
    if (shown) {
      if (expected) flush(block.line + 1 + i);
      expected = [shown[1]!];
    } else if (expected && more) expected.push(more[1]!);
    else {
      if (expected) flush(block.line + 1 + i);
      script.push(l);
    }
  });
  flush(block.line + 1 + lines.length);
  return steps;
}

const squeeze = (l: string) => l.trim().replace(/\s+/g, ' ');

/** What a command printed, as compared: without npm's banner and empty lines. */
export function printedLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .map(squeeze)
    .filter((l) => l && !/^> \S/.test(l));
}

const linePattern = (p: string) =>
  new RegExp(
    '^' +
      squeeze(p)
        .split('…')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );

/** Whether `actual` lines match the expected patterns (a line of only `…` matches any number of lines). */
export function matches(expected: string[], actual: string[]): boolean {
  const go = (e: number, a: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (squeeze(expected[e]!) === '…') {
      for (let k = a; k <= actual.length; k++) if (go(e + 1, k)) return true;
      return false;
    }
    return a < actual.length && linePattern(expected[e]!).test(actual[a]!) && go(e + 1, a + 1);
  };
  return go(0, 0);
}

export interface StepResult {
  stdout: string;
  stderr: string;
  /** Commands that failed: "<status>\t<command>". */
  failures: string[];
}

/** One bash session, as a terminal: steps run in it one after the other, sharing variables and folder. */
export class Shell {
  private readonly bash: ChildProcessWithoutNullStreams;
  private out = '';
  private err = '';
  private n = 0;
  private exited = false;

  constructor(
    readonly cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly scratch: string,
  ) {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, detached: true });
    this.bash.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    this.bash.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.bash.once('exit', () => (this.exited = true));
    const errors = path.join(scratch, 'failures');
    this.bash.stdin.write(`set -E; trap 'printf "%s\\t%s\\n" "$?" "$BASH_COMMAND" >> ${errors}' ERR\n`);
  }

  /** Runs `script` (sourced, stdin from /dev/null) and returns what it printed, once it ended. */
  async run(script: string, timeoutMs: number): Promise<StepResult> {
    const n = ++this.n;
    const file = path.join(this.scratch, `step-${n}.sh`);
    const failures = path.join(this.scratch, 'failures');
    await fs.writeFile(file, script + '\n');
    await fs.writeFile(failures, '');
    const mark = `@@readme-step-${n}-done@@`;
    this.out = '';
    this.err = '';
    this.bash.stdin.write(
      `source ${file} < /dev/null; printf '\\n%s\\n' '${mark}'; printf '\\n%s\\n' '${mark}' >&2\n`,
    );
    const deadline = Date.now() + timeoutMs;
    while (!(this.out.includes(mark) && this.err.includes(mark))) {
      if (this.exited)
        throw new Error(`the shell exited during the step:\n${script}\n${this.out}\n${this.err}`);
      if (Date.now() > deadline)
        throw new Error(
          `the step did not end within ${timeoutMs / 1000} s:\n${script}\n${this.out}\n${this.err}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      stdout: this.out.slice(0, this.out.indexOf(mark)),
      stderr: this.err.slice(0, this.err.indexOf(mark)),
      failures: (await fs.readFile(failures, 'utf8')).split('\n').filter(Boolean),
    };
  }

  close(): void {
    if (this.exited) return;
    try {
      process.kill(-this.bash.pid!, 'SIGKILL'); // the session and whatever it still runs
    } catch {
      // gone
    }
  }
}

export interface BlockProblem {
  line: number;
  message: string;
}

/**
 * Runs a command block's steps in `shell` (`rewrite` adapts a step's text, e.g. the port); a retry block runs again
 * until every step matches or its time is up. Resolves to the problems of its last attempt (none: it passed).
 */
export async function runBlock(
  block: Block,
  shell: Shell,
  opts: {
    rewrite?: (script: string) => string;
    stepTimeoutMs?: number;
    /** Each step's commands and what it printed (a transcript). */
    onStep?: (step: Step, result: StepResult) => void;
  } = {},
): Promise<BlockProblem[]> {
  const steps = blockSteps(block);
  const deadline = Date.now() + (block.directive?.kind === 'retry' ? block.directive.seconds * 1000 : 0);
  for (;;) {
    const problems: BlockProblem[] = [];
    for (const step of steps) {
      const r = await shell.run(opts.rewrite?.(step.script) ?? step.script, opts.stepTimeoutMs ?? 90_000);
      opts.onStep?.(step, r);
      const printed = printedLines(r.stdout);
      const detail = `\n--- commands\n${step.script}\n--- printed\n${r.stdout}\n--- stderr\n${r.stderr}`;
      if (r.failures.length)
        problems.push({ line: step.line, message: `a command failed: ${r.failures.join('; ')}${detail}` });
      else if (step.expected && !matches(step.expected, printed))
        problems.push({
          line: step.line,
          message: `the output differs from what the README shows:\n--- README\n${step.expected.join('\n')}${detail}`,
        });
      if (problems.length) break;
    }
    if (!problems.length || Date.now() > deadline) return problems;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

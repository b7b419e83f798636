/**
 * `npm run executions`: the ETL state machine's executions on the local lake (<LAKE_DIR>/.stepfunctions/etl/).
 *   npm run executions                      newest first: name, status, start, duration, error
 *   npm run executions -- --status FAILED   only those (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)
 *   npm run executions -- --limit 50        at most 50 (default 20; 0: all)
 *   npm run executions -- --json            the records as JSON lines
 *   npm run executions -- --wait            first waits (on a running lake, up to 5 minutes) until the uploads watcher
 *                                           has taken every file under uploads/ and no execution is running
 *   npm run executions -- --last            the newest execution in short (as with its name)
 *   npm run executions -- <name>            one execution in short: status, input file, states passed with their
 *                                           time, waits, result or error and cause (execution-summary.ts); the
 *                                           start of a name will do (the newest execution whose name begins so)
 *   npm run executions -- <name> --history  the whole record: input, output, error, cause, every transition
 *                                           (also --full, --json)
 *   npm run executions -- retry <name>      runs a FAILED, TIMED_OUT or ABORTED execution again: a new execution
 *                                           (<name>-retry-<n>) with the same input, on the running lake or at the
 *                                           next `npm start` (on AWS: StartExecution with the failed one's input)
 */
import { cliArgs, UsageError } from './args';
import { exitWhenWritten, quietWhenOutputClosed } from './exit';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lakeDir } from '../../lib/config';
import { checkLakeFormat, LakeFormatError } from '../../lib/lake-format';
import { executionRetryCheck } from '../../lib/etl/upload-retry';
import { LocalObjectStore, localVersionId } from '../../lib/objects/local';
import { ignoreReason, UPLOADS_PREFIX } from '../../lib/uploads/key';
import { SEEN_FILE } from '../uploads-watcher';
import { causeText, summarizeExecution } from './execution-summary';
import { noLakeIn, waitOnRunningLake } from './etl-execution';
import { describeRun, readRunSummary, readUploadResult } from './run-figures';
import {
  ETL_STATE_MACHINE,
  engineAlive,
  executionsInCommands,
  isFinal,
  listExecutions,
  readExecution,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { LocalWorkflow } from '../../lib/workflow/local-workflow';
import { EXECUTION_STATUSES, NotRetryableError } from '../../lib/workflow/types';

/** Requests a new execution with the input of a failed one (LocalWorkflow.retryExecution); waits for it when a lake is running. */
async function retry(dir: string, given: string): Promise<number> {
  // Not in a folder of a newer version of the project (lib/lake-format.ts): nothing is written there.
  try {
    await checkLakeFormat(dir);
  } catch (e) {
    if (!(e instanceof LakeFormatError)) throw e;
    process.stderr.write(`nothing requested: ${e.message}\n`);
    return 1;
  }
  // The start of a name will do, as for the summary, when one execution begins so (a retry starts a run: never a
  // guess among several).
  let name = given;
  if (!(await readExecution(dir, ETL_STATE_MACHINE, given))) {
    const matches = (await executions(dir)).filter((e) => e.name.startsWith(given));
    if (matches.length > 1) {
      const listed = matches.slice(0, 5).map((e) => e.name);
      process.stderr.write(
        `${matches.length} executions begin with ${given} (${listed.join(', ')}${matches.length > 5 ? ', …' : ''}): ` +
          'give the whole name\n',
      );
      return 1;
    }
    if (matches.length === 1) name = matches[0]!.name;
  }
  let started;
  try {
    const wf = new LocalWorkflow(dir);
    started = await wf.retryExecution(
      name,
      executionRetryCheck(new LocalObjectStore(dir), () => wf.startRefusal()),
    );
  } catch (e) {
    if (!(e instanceof NotRetryableError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  if (!started) {
    process.stderr.write(`no execution named ${name} in ${dir}\n`);
    return 1;
  }
  const again = started.name;
  process.stdout.write(`requested ${again} with the input of ${name}\n`);
  if (!(await engineAlive(dir))) {
    // Not run yet: not a success (exit code 0 says it succeeded).
    process.stdout.write(`no local lake is running on ${dir}: it runs at the next npm start\n`);
    return 1;
  }
  const now = await waitOnRunningLake(dir, again, process.stdout);
  if (!now) return 1;
  process.stdout.write(
    `${again}: ${now.status}${now.error ? ` ${now.error}: ${causeText(now.cause ?? '')}` : ''}\n`,
  );
  return now.status === 'SUCCEEDED' ? 0 : 1;
}

/**
 * Files under <lake>/raw/uploads/ the uploads watcher has not handed over yet (local/uploads-watcher.ts): not in its
 * list of versions seen, and not a name it ignores. A file is taken once it has stopped changing for a poll interval.
 */
export async function waitingUploads(dir: string): Promise<string[]> {
  const seen = new Set<string>();
  const text = await fs.readFile(path.join(dir, SEEN_FILE), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as { key?: string; versionId?: string };
      if (typeof e.key === 'string') seen.add(e.versionId ? `${e.key}\0${e.versionId}` : e.key);
    } catch {
      // an empty or torn line
    }
  }
  const waiting: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const d of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const key = prefix + d.name;
      if (d.isDirectory()) {
        if (!ignoreReason(`${key}/x`)) await walk(path.join(folder, d.name), `${key}/`);
      } else if (d.isFile() && !ignoreReason(key) && !seen.has(key)) {
        const stat = await fs.stat(path.join(folder, d.name)).catch(() => undefined);
        if (stat && !seen.has(`${key}\0${localVersionId(stat)}`)) waiting.push(key);
      }
    }
  };
  await walk(path.join(dir, 'raw', ...UPLOADS_PREFIX.split('/').filter(Boolean)), UPLOADS_PREFIX);
  return waiting.sort();
}

const WAIT_LIMIT_MS = 5 * 60_000;

/** Records that do not read, told once each on stderr: they are left out of every list and wait. */
const toldDamaged = new Set<string>();
const tellDamaged = (name: string, error: Error) => {
  if (toldDamaged.has(name)) return;
  toldDamaged.add(name);
  process.stderr.write(`warning: left out: ${error.message}\n`);
};
const executions = (dir: string) => listExecutions(dir, ETL_STATE_MACHINE, tellDamaged);

/** Waits until every file is taken and no execution runs; false when it stopped waiting before (said why). */
async function settle(dir: string): Promise<boolean> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let told = false;
  for (;;) {
    const files = await waitingUploads(dir);
    const running = (await executions(dir)).filter((r) => !isFinal(r.status));
    if (!files.length && !running.length) return true;
    // Without a lake, only what commands run in their own process goes on (npm run rebuild in another terminal).
    const inCommands = await executionsInCommands(dir);
    if (!(await engineAlive(dir)) && (files.length || running.some((r) => !inCommands.has(r.name)))) {
      process.stderr.write(`no local lake is running in ${dir}: nothing is taken or run until npm start\n`);
      return false;
    }
    if (Date.now() > deadline) {
      process.stderr.write(
        `still waiting after ${WAIT_LIMIT_MS / 1000} s: ${files.length} file(s), ${running.length} execution(s)\n`,
      );
      return false;
    }
    if (!told) {
      process.stderr.write(
        `waiting for ${files.length} file(s) not taken yet and ${running.length} running execution(s)…\n`,
      );
      told = true;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/**
 * A failed (timed out, aborted) execution's figures: a file's own result when a run recorded one (the run that
 * loaded the file may be another execution's, whose own summary counts nothing of it), else its run's summary, if it
 * wrote one; none for any other.
 */
async function failedRunFigures(dir: string, r: ExecutionRecord): Promise<string[]> {
  if (r.status === 'RUNNING' || r.status === 'SUCCEEDED') return [];
  if ((r.input as { mode?: unknown } | undefined)?.mode === 'file') {
    const result = await readUploadResult(dir, r.name);
    if (result && typeof result.rowsRead === 'number') {
      const by = result.runId && result.runId !== r.name ? `, loaded by run ${result.runId}` : '';
      return [
        `${result.rowsRead} rows read, ${result.rowsWritten ?? 0} written, ${result.rowsRejected ?? 0} rejected ` +
          `(its file's result${by})`,
      ];
    }
  }
  const summary = await readRunSummary(dir, r.name);
  return summary ? describeRun(summary) : [];
}

/**
 * Whether something runs the execution (or takes it when its turn comes): a lake serves the folder, or a command
 * runs it in its own process.
 */
const runsNow = (r: ExecutionRecord, lakeRunning: boolean, inCommands: Set<string>) =>
  lakeRunning || inCommands.has(r.name);

function duration(r: ExecutionRecord, lakeRunning: boolean, now = Date.now()): string {
  if (r.status === 'RUNNING' && !lakeRunning) return '-';
  const from = Date.parse(r.runStartDate ?? r.startDate);
  const to = r.stopDate ? Date.parse(r.stopDate) : now;
  const s = Math.max(0, Math.round((to - from) / 1000));
  const text =
    s < 60
      ? `${s}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m${s % 60}s`
        : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return r.stopDate ? text : `${text}…`;
}

function status(r: ExecutionRecord, lakeRunning: boolean): string {
  if (r.status !== 'RUNNING') return r.status;
  return !lakeRunning ? 'RUNNING (next npm start)' : r.runStartDate ? r.status : 'RUNNING (waiting)';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

const USAGE =
  'usage: npm run executions -- [--wait] [--status S] [--limit N] [--json] | <name> | --last [--history]' +
  ' | retry <name>';

/** What --help prints after the usage: the local lake's ETL executions (<LAKE_DIR>/.stepfunctions/etl/). */
const HELP = `The ETL state machine's executions on the local lake (LAKE_DIR, default .lake).
  (no arguments)     newest first: name, status, start, duration, error
  --status S         only those with status S: ${EXECUTION_STATUSES.join(', ')}
  --limit N          at most N (default 20; 0: all)
  --json             the records as JSON lines (with <name> or --last: its whole record, as --history)
  --wait             first waits (on a running lake, up to 5 minutes) until the uploads watcher has taken every
                     file under uploads/ and no execution is running
  <name>             one execution in short: status, input file, states passed with their time, waits, result or
                     error and cause; the start of a name will do (the newest execution whose name begins so)
  --last             the newest execution in short
  --history          with <name> or --last: the whole record, every transition (also --full, --json)
  retry <name>       runs a FAILED, TIMED_OUT or ABORTED execution again: a new execution (<name>-retry-<n>) with
                     the same input, on the running lake or at the next npm start`;

async function main(argv: string[]): Promise<number> {
  const dir = lakeDir();
  // After the arguments are checked: a usage error is exit 2 whatever the lake's state, as in the other commands.
  const noLake = async () => {
    const why = await noLakeIn(dir);
    if (why) process.stderr.write(`${why}\n`);
    return why !== undefined;
  };
  if (argv[0] === 'retry') {
    const retryUsage = 'usage: npm run executions -- retry <name>';
    const args = cliArgs(
      argv.slice(1),
      {},
      {
        usage: retryUsage,
        help:
          'Runs a FAILED, TIMED_OUT or ABORTED execution again: a new execution (<name>-retry-<n>) with the same ' +
          'input,\non the running lake or at the next npm start.',
      },
    );
    if (args === 'help') return 0;
    if (args.positionals.length !== 1 || !args.positionals[0])
      throw new UsageError(`one execution name to retry\n${retryUsage}`);
    if (await noLake()) return 1;
    return retry(dir, args.positionals[0]);
  }
  const parsed = cliArgs(
    argv,
    {
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      history: { type: 'boolean' },
      full: { type: 'boolean' },
      wait: { type: 'boolean' },
      last: { type: 'boolean' },
    },
    { usage: USAGE, help: HELP },
  );
  if (parsed === 'help') return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one execution name at a time\n${USAGE}`);
  if (positionals[0] === '') throw new UsageError(`an execution name is not empty\n${USAGE}`);
  const one = positionals.length === 1 || values.last;
  // The list's options do not apply to one execution, nor its options to the list: a script would get other output.
  for (const [option, given] of [
    ['--status', values.status !== undefined],
    ['--limit', values.limit !== undefined],
  ] as const)
    if (one && given)
      throw new UsageError(`${option} filters the list; it does not apply to one execution\n${USAGE}`);
  if (!one && (values.history || values.full))
    throw new UsageError(`--history shows one execution: give its name or --last\n${USAGE}`);
  if (positionals.length === 1 && values.last) throw new UsageError(`a name or --last, not both\n${USAGE}`);
  const statusFilter = values.status?.toUpperCase();
  if (statusFilter !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(statusFilter))
    throw new UsageError(
      `--status takes one of ${EXECUTION_STATUSES.join(', ')}, got '${values.status}'\n${USAGE}`,
    );
  if (values.limit !== undefined && !/^[0-9]+$/.test(values.limit))
    throw new UsageError(`--limit takes a whole number (0: all), got '${values.limit}'\n${USAGE}`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  const json = values.json ?? false;
  const history = values.history || values.full || false;
  const wait = values.wait ?? false;
  const last = values.last ?? false;
  let name = positionals[0];
  if (await noLake()) return 1;

  const settled = wait ? await settle(dir) : true;
  if (last) {
    name = (await executions(dir))[0]?.name;
    if (!name) {
      process.stderr.write(`no executions in ${dir}\n`);
      return 1;
    }
  }
  if (name) {
    // The name, or the start of one (the newest that begins so): names end in a 32-digit hash.
    const prefix = name;
    const r =
      (await readExecution(dir, ETL_STATE_MACHINE, prefix)) ??
      (await executions(dir)).find((e) => e.name.startsWith(prefix));
    if (!r) {
      process.stderr.write(`no execution named ${name} (or starting so) in ${dir}\n`);
      return 1;
    }
    process.stdout.write(
      (history || json
        ? JSON.stringify(r, null, 2)
        : summarizeExecution(
            r,
            Date.now(),
            runsNow(r, await engineAlive(dir), await executionsInCommands(dir)),
            await failedRunFigures(dir, r),
          )) + '\n',
    );
    return settled ? 0 : 1;
  }

  let records = await executions(dir);
  if (statusFilter) records = records.filter((r) => r.status === statusFilter);
  const total = records.length;
  if (limit > 0) records = records.slice(0, limit);
  if (json) {
    for (const { events: _events, ...r } of records) process.stdout.write(JSON.stringify(r) + '\n');
    return settled ? 0 : 1;
  }
  const waiting = await waitingUploads(dir);
  const note = async () => {
    if (!waiting.length) return;
    const list = waiting.slice(0, 5).join(', ') + (waiting.length > 5 ? `, +${waiting.length - 5} more` : '');
    process.stdout.write(
      `${waiting.length} file(s) not taken yet by the uploads watcher: ${list}\n` +
        ((await engineAlive(dir))
          ? '(it takes a file once it has stopped changing for a second and, on Linux, no process holds it open for writing; --wait waits for it and its execution)\n'
          : `(no local lake is running in ${dir}: npm start takes them)\n`),
    );
  };
  if (!records.length) {
    process.stdout.write(`no executions${statusFilter ? ` with status ${statusFilter}` : ''} in ${dir}\n`);
    await note();
    return settled ? 0 : 1;
  }
  const rows = [['NAME', 'STATUS', 'STARTED', 'DURATION', 'ERROR']];
  const lakeRunning = await engineAlive(dir);
  const inCommands = await executionsInCommands(dir);
  for (const r of records) {
    const cause = r.cause ? `: ${causeText(r.cause).replace(/\s+/g, ' ').slice(0, 160)}` : '';
    rows.push([
      r.name,
      status(r, runsNow(r, lakeRunning, inCommands)),
      r.startDate,
      duration(r, runsNow(r, lakeRunning, inCommands)),
      r.error ? `${r.error}${cause}` : '',
    ]);
  }
  process.stdout.write(table(rows) + '\n');
  if (total > records.length)
    process.stdout.write(`(${total - records.length} older not shown; --limit 0 shows all)\n`);
  await note();
  return settled ? 0 : 1;
}

quietWhenOutputClosed();
main(process.argv.slice(2)).then(
  (code) => exitWhenWritten(code),
  (err) => {
    // A usage error: exit 2; anything else (a damaged record, the disk): 1, in one line, as the other CLIs.
    process.stderr.write(`${(err as Error).message}\n`);
    exitWhenWritten(err instanceof UsageError ? 2 : 1);
  },
);

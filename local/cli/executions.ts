/**
 * `npm run executions`: the ETL state machine's executions on the local lake (<LAKE_DIR>/.stepfunctions/etl/).
 *   npm run executions                      newest first: name, status, start, duration, error
 *   npm run executions -- --status FAILED   only those (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)
 *   npm run executions -- --limit 50        at most 50 (default 20; 0: all)
 *   npm run executions -- --json            the records as JSON lines
 *   npm run executions -- <name>            one execution in short: status, input file, states passed with their
 *                                           time, waits, result or error and cause (execution-summary.ts)
 *   npm run executions -- <name> --history  the whole record: input, output, error, cause, every transition
 *                                           (also --full, --json)
 *   npm run executions -- retry <name>      runs a FAILED, TIMED_OUT or ABORTED execution again: a new execution
 *                                           (<name>-retry-<n>) with the same input, on the running lake or at the
 *                                           next `npm start` (on AWS: StartExecution with the failed one's input)
 */
import { lakeDir } from '../../lib/config';
import { summarizeExecution } from './execution-summary';
import {
  ETL_STATE_MACHINE,
  engineAlive,
  isFinal,
  listExecutions,
  readExecution,
  requestExecution,
  retryName,
  type ExecutionRecord,
} from '../../lib/workflow/local';

/** Requests a new execution with the input of a failed one; waits for it when a lake is running. */
async function retry(dir: string, name: string): Promise<number> {
  const r = await readExecution(dir, ETL_STATE_MACHINE, name);
  if (!r) {
    process.stderr.write(`no execution named ${name} in ${dir}\n`);
    return 1;
  }
  if (!isFinal(r.status) || r.status === 'SUCCEEDED') {
    process.stderr.write(
      `${name} is ${r.status}: only a FAILED, TIMED_OUT or ABORTED execution is retried\n`,
    );
    return 1;
  }
  let n = 1;
  while (await readExecution(dir, ETL_STATE_MACHINE, retryName(name, n))) n++;
  const again = retryName(name, n);
  await requestExecution(dir, ETL_STATE_MACHINE, again, r.input);
  process.stdout.write(`requested ${again} with the input of ${name}\n`);
  if (!(await engineAlive(dir))) {
    process.stdout.write(`no local lake is running on ${dir}: it runs at the next npm start\n`);
    return 0;
  }
  for (;;) {
    const now = await readExecution(dir, ETL_STATE_MACHINE, again);
    if (now && isFinal(now.status)) {
      process.stdout.write(
        `${again}: ${now.status}${now.error ? ` ${now.error}: ${now.cause ?? ''}` : ''}\n`,
      );
      return now.status === 'SUCCEEDED' ? 0 : 1;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

function duration(r: ExecutionRecord, now = Date.now()): string {
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

function status(r: ExecutionRecord): string {
  return r.status === 'RUNNING' && !r.runStartDate ? 'RUNNING (waiting)' : r.status;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  const dir = lakeDir();
  if (argv[0] === 'retry') {
    if (!argv[1]) throw new Error('usage: npm run executions -- retry <name>');
    return retry(dir, argv[1]);
  }
  let statusFilter: string | undefined;
  let limit = 20;
  let json = false;
  let history = false;
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--status') statusFilter = argv[++i]?.toUpperCase();
    else if (a === '--limit') limit = Number(argv[++i]);
    else if (a === '--json') json = true;
    else if (a === '--history' || a === '--full') history = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: npm run executions -- [--status S] [--limit N] [--json] | <name> [--history] | retry <name>\n',
      );
      return 0;
    } else if (!a.startsWith('--')) name = a;
    else throw new Error(`unknown option ${a}`);
  }

  if (name) {
    const r = await readExecution(dir, ETL_STATE_MACHINE, name);
    if (!r) {
      process.stderr.write(`no execution named ${name} in ${dir}\n`);
      return 1;
    }
    process.stdout.write((history || json ? JSON.stringify(r, null, 2) : summarizeExecution(r)) + '\n');
    return 0;
  }

  let records = await listExecutions(dir, ETL_STATE_MACHINE);
  if (statusFilter) records = records.filter((r) => r.status === statusFilter);
  const total = records.length;
  if (limit > 0) records = records.slice(0, limit);
  if (json) {
    for (const { events: _events, ...r } of records) process.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  }
  if (!records.length) {
    process.stdout.write(`no executions${statusFilter ? ` with status ${statusFilter}` : ''} in ${dir}\n`);
    return 0;
  }
  const rows = [['NAME', 'STATUS', 'STARTED', 'DURATION', 'ERROR']];
  for (const r of records) {
    const cause = r.cause ? `: ${r.cause.replace(/\s+/g, ' ').slice(0, 100)}` : '';
    rows.push([r.name, status(r), r.startDate, duration(r), r.error ? `${r.error}${cause}` : '']);
  }
  process.stdout.write(table(rows) + '\n');
  if (total > records.length)
    process.stdout.write(`(${total - records.length} older not shown; --limit 0 shows all)\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  },
);

/**
 * `npm run executions` writes its whole output before it exits, also into a pipe (`… --history | jq`): a pipe takes
 * 64 KiB at a time, and an exit right after a larger write cut the JSON there with exit status 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { lakeTables } from '../../lib/catalog/tables';
import { claimLakeDir } from '../../lib/lake-presence';
import { engineFile, ETL_STATE_MACHINE, writeRecord, type ExecutionRecord } from '../../lib/workflow/local';
import { writeSchemasInUse } from '../../local/schemas-in-use';
import { tempLake } from '../support/raw-zone';

const ROOT = path.resolve(__dirname, '../..');

/** Runs the CLI with stdout on a pipe that this process reads as it comes. */
function executionsCli(
  dir: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli/executions.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LAKE_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

it('prints an execution history larger than a pipe buffer whole (valid JSON), then exits 0', async () => {
  const dir = await tempLake('executions-cli');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const startDate = '2026-12-05T10:00:00.000Z';
  // ~300 KB of history: 2,000 state transitions with their inputs.
  const events = Array.from({ length: 2000 }, (_, i) => ({
    timestamp: new Date(Date.parse(startDate) + i).toISOString(),
    type: i % 2 ? 'TaskStateExited' : 'TaskStateEntered',
    id: i + 1,
    previousEventId: i,
    details: {
      name: `State${i}`,
      input: JSON.stringify({ table: 'orders', inputs: [`uploads/orders/file-${i}.csv`] }),
    },
  }));
  const record = {
    name: 'orders-big-history',
    executionArn: 'arn:aws:states:local:000000000000:execution:etl:orders-big-history',
    stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:etl',
    status: 'SUCCEEDED',
    input: { mode: 'file', table: 'orders', inputs: ['uploads/orders/a.csv'] },
    startDate,
    stopDate: '2026-12-05T10:00:05.000Z',
    output: { ok: true },
    requestedBy: { pid: 1 },
    events,
  } as unknown as ExecutionRecord;
  await writeRecord(dir, ETL_STATE_MACHINE, record);

  const run = await executionsCli(dir, ['orders-big-history', '--history']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(Buffer.byteLength(run.stdout)).toBeGreaterThan(4 * 64 * 1024);
  const printed = JSON.parse(run.stdout) as { name: string; events: unknown[] };
  expect(printed.name).toBe('orders-big-history');
  expect(printed.events).toHaveLength(2000);
}, 60_000);

it('ends quietly when its reader closes the pipe early (npm run compact | head -1): no stack, its own exit status', async () => {
  const dir = await tempLake('compact-cli');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  // The report is several writes: after the first line, head has gone and the next one finds the pipe closed.
  const run = spawnSync(
    'bash',
    ['-o', 'pipefail', '-c', `${process.execPath} --import tsx local/cli/compact.ts | head -1`],
    { cwd: ROOT, env: { ...process.env, LAKE_DIR: dir }, encoding: 'utf8' },
  );
  expect(run.stdout).toMatch(/^started compact-\S+ in this process/);
  expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
  expect(run.status).toBe(0);
}, 120_000);

it('schemas:check and schemas:accept end quietly when their reader closes the pipe, and name the history folder from where they were typed', async () => {
  const dir = await tempLake('schemas-cli-pipe');
  const schemas = path.join(dir, 'schemas');
  await fs.cp(path.join(ROOT, 'schemas'), schemas, { recursive: true });
  /** A compatible change to every table: an optional property more (one line each in the report). */
  const addOptional = async (name: string) => {
    for (const kind of ['events', 'datasets']) {
      for (const f of await fs.readdir(path.join(schemas, kind))) {
        const file = path.join(schemas, kind, f);
        const schema = JSON.parse(await fs.readFile(file, 'utf8')) as { properties: Record<string, unknown> };
        schema.properties[name] = { type: 'string', maxLength: 16 };
        await fs.writeFile(file, JSON.stringify(schema, null, 2));
      }
    }
  };
  const cli = (args: string, pipe = '', cwd = ROOT) =>
    spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `${process.execPath} --import tsx local/cli/schemas.ts ${args} ${pipe}`],
      { cwd: ROOT, env: { ...process.env, LAKE_DIR: dir, INIT_CWD: cwd }, encoding: 'utf8' },
    );
  await addOptional('pipe_note_a');
  // Typed in local/: the history folder as a path from there.
  const typed = path.join(ROOT, 'local');
  const accepted = cli(`accept --dir ${schemas}`, '', typed);
  expect(accepted.stderr).toBe('');
  expect(accepted.stdout.trim().split('\n').at(-1)).toMatch(
    new RegExp(
      `^recorded: .* \\(${path.relative(typed, path.join(schemas, 'history')).replace(/[.]/g, '\\.')}/\\): `,
    ),
  );
  expect(accepted.status).toBe(0);
  await addOptional('pipe_note_b');
  for (const command of ['check', 'accept']) {
    const r = cli(`${command} --dir ${schemas}`, '| head -1');
    expect([command, r.stderr]).toEqual([
      command,
      expect.not.stringMatching(/EPIPE|Unhandled 'error' event|\n\s+at /),
    ]);
    expect([command, r.status]).toEqual([command, 0]);
  }
  // What accept said before its reader went is done: the change is recorded.
  expect(cli(`check --dir ${schemas}`).stdout).toMatch(/^\d+ tables, all as recorded\n$/);
}, 120_000);

it('says which records do not read instead of leaving them out silently (a cut record, one that is no record)', async () => {
  const dir = await tempLake('executions-cli-damaged');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const record: ExecutionRecord = {
    name: 'orders-good',
    executionArn: 'arn:aws:states:local:000000000000:execution:etl:orders-good',
    stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:etl',
    status: 'SUCCEEDED',
    requestedBy: { pid: process.pid },
    input: {},
    startDate: '2026-12-05T10:00:00.000Z',
  };
  await writeRecord(dir, ETL_STATE_MACHINE, record);
  const folder = path.dirname(path.join(dir, '.stepfunctions', ETL_STATE_MACHINE, 'x'));
  const text = JSON.stringify({ ...record, name: 'orders-cut', status: 'RUNNING' });
  await fs.writeFile(path.join(folder, 'orders-cut.json'), text.slice(0, 60));
  await fs.writeFile(path.join(folder, 'orders-empty.json'), '{}');
  for (const args of [[], ['--json'], ['--last']]) {
    const r = await executionsCli(dir, args);
    expect([args, r.code]).toEqual([args, 0]);
    expect(r.stdout).toContain('orders-good');
    expect(r.stderr).toMatch(/orders-cut\.json is damaged/);
    expect(r.stderr).toMatch(/orders-empty\.json is damaged: it is no execution record of orders-empty/);
  }
}, 60_000);

it('a usage error is exit 2 whatever the lake; no lake there is exit 1', async () => {
  const none = path.join(await tempLake('executions-cli-none'), 'not-a-lake');
  for (const args of [['--limit=abc'], ['a', 'b'], ['retry'], ['--bogus']]) {
    const r = await executionsCli(none, args);
    expect([args, r.code, r.stderr]).toEqual([args, 2, expect.stringContaining('usage: npm run executions')]);
  }
  const r = await executionsCli(none, []);
  expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^no local lake in /)]);
}, 60_000);

/** A record of a run that FAILED with a Glue job run's JSON as its cause, as the local Glue stand-in writes it. */
function failedRecord(name: string): ExecutionRecord {
  return {
    name,
    executionArn: `arn:aws:states:local:000000000000:execution:etl:${name}`,
    stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:etl',
    status: 'FAILED',
    requestedBy: { pid: process.pid },
    input: { mode: 'replay', table: 'orders' },
    startDate: '2026-12-05T10:00:00.000Z',
    stopDate: '2026-12-05T10:00:02.000Z',
    error: 'States.TaskFailed',
    cause: JSON.stringify({
      Id: `jr_${'0'.repeat(64)}`,
      Attempt: 0,
      JobName: 'data-lake-local-etl',
      Arguments: { '--etl_mode': 'replay', '--table': 'orders' },
      ErrorMessage: 'the ETL run failed: _state/replayed/orders.json is damaged (not JSON)',
    }),
  } as unknown as ExecutionRecord;
}

it('an execution a command runs in its own process (no lake) is shown running, and --wait waits for it to end', async () => {
  const dir = await tempLake('executions-cli-in-command');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const name = 'rebuild-orders-20261207T200000000Z';
  const base = failedRecord(name);
  const running = {
    ...base,
    status: 'RUNNING',
    input: { mode: 'rebuild', table: 'orders' },
    startDate: new Date().toISOString(),
    runStartDate: new Date().toISOString(),
  } as unknown as ExecutionRecord;
  for (const k of ['stopDate', 'error', 'cause'] as const) delete (running as Partial<ExecutionRecord>)[k];
  await writeRecord(dir, ETL_STATE_MACHINE, running);
  // This test's process stands for `npm run rebuild`, holding the folder as etl-execution.ts does.
  const presence = await claimLakeDir(dir, undefined, undefined, undefined, `execution ${name}`);
  try {
    const list = await executionsCli(dir, []);
    expect(list.stdout).toMatch(new RegExp(`^${name} +RUNNING +`, 'm'));
    expect(list.stdout).not.toContain('next npm start');
    const waited = executionsCli(dir, ['--wait', '--last']);
    await new Promise((r) => setTimeout(r, 1_500));
    await writeRecord(dir, ETL_STATE_MACHINE, {
      ...running,
      status: 'SUCCEEDED',
      stopDate: new Date().toISOString(),
    } as ExecutionRecord);
    const r = await waited;
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/Status +SUCCEEDED/)]);
    expect(r.stderr).not.toContain('no local lake is running');
  } finally {
    await presence.stop();
  }
}, 60_000);

it("lists a failed run's reason (a Glue job run's ErrorMessage), not the job run's JSON cut short", async () => {
  const dir = await tempLake('executions-cli-cause');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeRecord(dir, ETL_STATE_MACHINE, failedRecord('replay-orders-failed'));
  const r = await executionsCli(dir, []);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    'States.TaskFailed: the ETL run failed: _state/replayed/orders.json is damaged (not JSON)',
  );
  expect(r.stdout).not.toContain('"JobName"');
}, 60_000);

it('retry: stops waiting, saying so, when the lake stops before the retry has ended (it runs at the next start)', async () => {
  const dir = await tempLake('executions-cli-retry-stop');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeRecord(dir, ETL_STATE_MACHINE, failedRecord('replay-orders-failed'));
  // A "lake" whose engine is a process this test stops: the engine file names it (lib/workflow/local.ts engineAlive).
  const lake = spawn('sleep', ['120'], { stdio: 'ignore' });
  try {
    const stat = readFileSync(`/proc/${lake.pid}/stat`, 'utf8');
    const identity = {
      pid: lake.pid,
      start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19],
      boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    };
    await fs.writeFile(engineFile(dir, ETL_STATE_MACHINE), JSON.stringify(identity));
    const running = executionsCli(dir, ['retry', 'replay-orders-failed']);
    setTimeout(() => lake.kill('SIGKILL'), 3000);
    const r = await running;
    expect(r.stdout).toBe(
      'requested replay-orders-failed-retry-1 with the input of replay-orders-failed\n' +
        'the local lake stopped; replay-orders-failed-retry-1 runs when it starts again\n',
    );
    expect(r.code).toBe(1);
  } finally {
    lake.kill('SIGKILL');
  }
}, 60_000);

it('retry: the start of a name will do when one execution begins so; several are named, nothing is started', async () => {
  const dir = await tempLake('executions-cli-retry-prefix');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeRecord(dir, ETL_STATE_MACHINE, failedRecord('replay-orders-20261205T100000000Z'));
  const one = await executionsCli(dir, ['retry', 'replay-orders']);
  expect(one.stdout).toBe(
    'requested replay-orders-20261205T100000000Z-retry-1 with the input of replay-orders-20261205T100000000Z\n' +
      `no local lake is running on ${dir}: it runs at the next npm start\n`,
  );
  expect(one.code).toBe(1);
  // Now two begin so (the retry is one of them): a retry is never a guess.
  const two = await executionsCli(dir, ['retry', 'replay-orders']);
  expect(two.stderr).toMatch(/^2 executions begin with replay-orders \(.*\): give the whole name\n$/);
  expect(two.stdout).toBe('');
  expect(two.code).toBe(1);
  // The list says the retry waits for the next npm start, with no time counted.
  const list = await executionsCli(dir, []);
  expect(list.stdout).toMatch(
    /replay-orders-20261205T100000000Z-retry-1 +RUNNING \(next npm start\) +\S+ +- /,
  );
}, 60_000);

it('retry: a replay is refused while schemas/ holds a change the lake refused, as POST /executions/{name}/retry refuses it', async () => {
  const dir = await tempLake('executions-cli-retry-refused');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeRecord(dir, ETL_STATE_MACHINE, failedRecord('replay-orders-failed'));
  // The lake used orders with item_count as text: the project's integer column narrows it, which the check refuses.
  const orders = lakeTables().find((t) => t.name === 'orders')!;
  writeSchemasInUse(dir, [
    {
      ...orders,
      columns: orders.columns.map((c) => (c.name === 'item_count' ? { ...c, type: 'string' as const } : c)),
    },
  ]);
  const r = await executionsCli(dir, ['retry', 'replay-orders-failed']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^schemas\/ has changes that are not safe:\n {2}REFUSED .*orders.*item_count/);
  // No lake runs on the folder: said as it is (not "the local lake refused them and runs on …").
  expect(r.stderr).toContain(
    '(npm start refuses these schemas too; the lake keeps what it stored: fix schemas/',
  );
  // Nothing was requested: the list holds the failed execution alone.
  const list = await executionsCli(dir, []);
  expect(list.stdout).not.toContain('retry-1');
}, 60_000);

it("shows a failed run's figures from its summary, as the command that ran it printed them; a Result names the tables it touched", async () => {
  const dir = await tempLake('executions-cli-failed');
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const name = 'replay-orders-20261207T082024673Z';
  const base = {
    executionArn: `arn:aws:states:local:000000000000:execution:etl:${name}`,
    stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:etl',
    startDate: '2026-12-07T08:20:24.673Z',
    stopDate: '2026-12-07T08:20:29.000Z',
    requestedBy: { pid: 1 },
    events: [],
  };
  await writeRecord(dir, ETL_STATE_MACHINE, {
    ...base,
    name,
    status: 'FAILED',
    input: { mode: 'replay', table: 'orders' },
    error: 'RejectedAboveThreshold',
    cause: 'orders: 100 of 1100 rows rejected, above its maxRejectedRatio',
  } as unknown as ExecutionRecord);
  const figures = (table: string, rowsRead: number, partitionCount: number) => ({
    table,
    schemaVersion: 1,
    rowsRead,
    rowsWritten: 0,
    rowsRejected: rowsRead ? 100 : 0,
    duplicatesRemoved: rowsRead ? 1000 : 0,
    partitions: [],
    partitionCount,
    maxRejectedRatio: 0.05,
  });
  const summary = {
    runId: name,
    jobRunId: null,
    mode: 'replay',
    engine: 'duckdb',
    startedAt: base.startDate,
    finishedAt: base.stopDate,
    inputCount: 1,
    tables: [figures('orders', 1100, 0)],
    rowsRead: 1100,
    rowsWritten: 0,
    rowsRejected: 100,
    rejectedRatio: 100 / 1100,
    rejectedAboveThreshold: true,
    rejectedAbove: 'orders: 100 of 1100 rows rejected',
    uploads: { taken: 0, succeeded: 0, failed: 0 },
    replay: { table: 'orders', rejectedFiles: 3, sources: 1, missing: [], missingCount: 0 },
  };
  const runs = path.join(dir, 'curated', '_state', 'runs');
  await fs.mkdir(runs, { recursive: true });
  await fs.writeFile(path.join(runs, `${name}.json`), JSON.stringify(summary));
  const failed = await executionsCli(dir, [name]);
  expect(failed.code).toBe(0);
  expect(failed.stdout).toContain(
    '  Error     RejectedAboveThreshold\n' +
      '  Cause     orders: 100 of 1100 rows rejected, above its maxRejectedRatio\n' +
      '  Figures   1100 rows read, 0 written, 1000 duplicate key(s) (stored rows kept or replaced), 100 rejected\n' +
      '            orders: 1100 read, 0 written, 1000 duplicate key(s) (stored rows kept or replaced), 100 rejected\n' +
      '            replay of orders: 3 rejected file(s) not replayed before, 1 raw object(s) read again, 0 gone or replaced\n',
  );

  // A file's execution whose file another execution's run loaded: its file's result, not its own run's summary
  // (which counted nothing of it).
  const fileExec = 'orders-g5-csv-1a2b3c4d';
  await writeRecord(dir, ETL_STATE_MACHINE, {
    ...base,
    name: fileExec,
    status: 'FAILED',
    input: { mode: 'file', table: 'orders', inputs: ['uploads/orders/g5.csv'], key: 'uploads/orders/g5.csv' },
    error: 'Etl.RejectedRowsAboveThreshold',
    cause: 'orders: 7 of 9 rows rejected, above its maxRejectedRatio',
  } as unknown as ExecutionRecord);
  await fs.writeFile(
    path.join(runs, `${fileExec}.json`),
    JSON.stringify({ ...summary, runId: fileExec, mode: 'file', tables: [], rowsRead: 0, rowsRejected: 0 }),
  );
  const done = path.join(dir, 'curated', '_state', 'uploads', 'done');
  await fs.mkdir(done, { recursive: true });
  await fs.writeFile(
    path.join(done, `${fileExec}.json`),
    JSON.stringify({
      execution: fileExec,
      runId: 'orders-g3-csv-9f8e7d6c',
      rowsRead: 9,
      rowsWritten: 2,
      rowsRejected: 7,
    }),
  );
  expect((await executionsCli(dir, [fileExec])).stdout).toContain(
    "  Figures   9 rows read, 2 written, 7 rejected (its file's result, loaded by run orders-g3-csv-9f8e7d6c)\n",
  );

  // A compaction's result lists every event table: those it did not touch are left out.
  const compaction = 'compact-20261207T090000000Z';
  await writeRecord(dir, ETL_STATE_MACHINE, {
    ...base,
    name: compaction,
    status: 'SUCCEEDED',
    input: { mode: 'events' },
    output: {
      rowsRead: 1100,
      rowsWritten: 0,
      rowsRejected: 100,
      tables: [figures('page_view', 1100, 2), figures('signup', 0, 0)],
    },
  } as unknown as ExecutionRecord);
  const result = (await executionsCli(dir, [compaction])).stdout;
  expect(result).toMatch(/^ {2}Result {4}1100 rows read, .*; page_view: 2 partitions$/m);
  expect(result).not.toContain('signup');
}, 60_000);

it.each([
  ['executions', []],
  ['executions', ['retry']],
  ['compact', []],
  ['replay', []],
  ['rebuild', []],
  ['schemas', ['check']],
])(
  'npm run %s %s --help: the usage, then what each option of it does (exit 0)',
  (cli, args) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', `local/cli/${cli}.ts`, ...args, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const [usage, blank, ...help] = run.stdout.trimEnd().split('\n');
    expect(usage).toMatch(/^usage: npm run /);
    expect(blank).toBe('');
    const described = help.join('\n');
    expect(described.length).toBeGreaterThan(80);
    const options = usage!.match(/--[a-z-]+/g)?.filter((o) => o !== '--') ?? [];
    for (const option of options) expect(described).toContain(option);
  },
  60_000,
);

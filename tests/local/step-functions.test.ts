/**
 * The local Step Functions engine: the ETL definition as serverless.yml resolves it for stage `local`, run with
 * injected task handlers; durable execution records, duplicate names, the concurrency limit, restart recovery.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EtlRunSummary } from '../../lib/etl/run';
import { runSummaryKey } from '../../lib/etl/run';
import { pendingUploadKey, uploadResultKey, type UploadResult } from '../../lib/etl/upload-queue';
import { LocalNotifier } from '../../lib/notify/local';
import type { Notice } from '../../lib/notify/types';
import type { Json } from '../../local/step-functions/config';
import {
  executionsDir,
  listExecutions,
  readExecution,
  writeRecord,
  type ExecutionRecord,
} from '../../lib/workflow/local';
import { LocalWorkflow, openLocalWorkflow } from '../../lib/workflow/local-workflow';
import { loadServiceConfig } from '../../local/service-config';
import { topicScopedNotifier } from '../../local/log-scopes';
import {
  LocalStateMachine,
  MAX_RESTARTS,
  RESOURCE,
  glueJobHandler,
  namedError,
  localDefinition,
  localResourceRefs,
  localSchedules,
  rateSeconds,
  resolveIntrinsics,
  s3GetObjectHandler,
  snsPublishHandler,
  startLocalEtl,
  stateMachineS3Access,
  type LocalStateMachineOptions,
  type ServiceConfigWithStateMachines,
  type TaskHandlers,
} from '../../local/step-functions';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

let config: ServiceConfigWithStateMachines;

beforeAll(async () => {
  config = (await loadServiceConfig('local')) as ServiceConfigWithStateMachines;
}, 120_000);

const fileInput = {
  mode: 'file',
  table: 'orders',
  inputs: ['uploads/orders/2025-01-02.csv'],
  bucket: 'raw',
  key: 'uploads/orders/2025-01-02.csv',
  size: 10,
  etag: '"e"',
};

function summaryFor(args: Record<string, string>, over: Partial<EtlRunSummary> = {}): EtlRunSummary {
  return {
    runId: args['--run_id']!,
    mode: args['--etl_mode'] as 'file' | 'events',
    engine: 'duckdb',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    jobRunId: args['--JOB_RUN_ID'] ?? null,
    inputCount: args['--inputs'] ? (JSON.parse(args['--inputs']) as string[]).length : 0,
    tables: [],
    rowsRead: 3,
    rowsWritten: 3,
    rowsRejected: 0,
    rejectedRatio: 0,
    rejectedAboveThreshold: false,
    rejectedAbove: '',
    uploads: { taken: 0, succeeded: 0, failed: 0 },
    ...over,
  };
}

function resultFor(args: Record<string, string>): UploadResult {
  const inputs = JSON.parse(args['--inputs'] ?? '[]') as string[];
  const figures = {
    table: args['--table']!,
    schemaVersion: 1,
    rowsRead: 3,
    rowsWritten: 3,
    rowsRejected: 0,
    duplicatesRemoved: 0,
    partitions: ['dt=2025-01-02'],
    partitionCount: 1,
    maxRejectedRatio: 0.05,
  };
  return {
    execution: args['--run_id']!,
    key: inputs[0]!,
    status: 'SUCCEEDED',
    mode: 'file',
    runId: args['--run_id']!,
    jobRunId: args['--JOB_RUN_ID'] ?? null,
    ...figures,
    rejectedRatio: 0,
    rejectedAboveThreshold: false,
    rejectedAbove: '',
    tables: [figures],
    processedAt: new Date().toISOString(),
  };
}

interface Lake {
  dir: string;
  notices: Notice[];
  runs: Record<string, string>[];
  /** The Glue stand-in: writes the summary the job would, unless told otherwise. */
  runner: jest.Mock<
    Promise<EtlRunSummary>,
    [Record<string, string>, { lakeDir: string; signal?: AbortSignal }]
  >;
  handlers: TaskHandlers;
}

async function lake(): Promise<Lake> {
  const dir = await tempLake('sfn');
  const notices: Notice[] = [];
  const runs: Record<string, string>[] = [];
  const runner = jest.fn(
    async (args: Record<string, string>, opts: { lakeDir: string; signal?: AbortSignal }) => {
      runs.push(args);
      const summary = summaryFor(args);
      const write = async (key: string, value: unknown) => {
        const file = path.join(opts.lakeDir, 'curated', key);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, JSON.stringify(value));
      };
      await write(runSummaryKey(args['--run_id']!), summary);
      // A file's run writes the file's result too, as the job does (lib/etl/upload-queue.ts).
      if (args['--etl_mode'] === 'file') await write(uploadResultKey(args['--run_id']!), resultFor(args));
      return summary;
    },
  );
  const handlers: TaskHandlers = {
    [RESOURCE.glueStartJobRunSync]: glueJobHandler(async () => runner, dir),
    [RESOURCE.snsPublish]: snsPublishHandler(() => ({ publish: async (n: Notice) => void notices.push(n) })),
    // Reads as the ETL state machine's role (EtlStateMachineRole) may.
    [RESOURCE.s3GetObject]: s3GetObjectHandler(dir, stateMachineS3Access(config, 'etl')),
  };
  return { dir, notices, runs, runner, handlers };
}

const opened: LocalStateMachine[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

async function engine(l: Lake, over: Partial<LocalStateMachineOptions> = {}): Promise<LocalStateMachine> {
  const { definition, name } = localDefinition(config);
  const e = await LocalStateMachine.open({
    lakeDir: l.dir,
    stateMachineName: name,
    definition,
    handlers: l.handlers,
    retryIntervalOverrides: { RunEtlJob: 0, ReadRunSummary: 0, ReadUploadResult: 0 },
    waitTimeOverrides: { WaitForLake: 0 },
    pollIntervalMs: 50,
    stopGraceMs: 2000,
    ...over,
  });
  opened.push(e);
  return e;
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the definition serverless.yml deploys, resolved for the local lake', () => {
  it('is the etl state machine from state-machines/etl.asl.json, with local names for the job, bucket and topic', async () => {
    const source = JSON.parse(
      await fs.readFile(path.resolve(__dirname, '../../state-machines/etl.asl.json'), 'utf8'),
    ) as { States: Record<string, { Parameters?: Record<string, unknown> }> };
    const { definition, name } = localDefinition(config);
    expect(name).toBe('data-lake-local-etl');
    const states = definition.States as unknown as Record<string, { Parameters: Record<string, unknown> }>;
    expect(Object.keys(states)).toEqual(Object.keys(source.States));
    expect(states.RunEtlJob!.Parameters.JobName).toBe('data-lake-local-etl');
    expect(states.ReadRunSummary!.Parameters.Bucket).toBe('curated');
    expect(states.PublishFailure!.Parameters.TopicArn).toBe(
      'arn:aws:sns:us-east-1:000000000000:data-lake-local-notifications',
    );
    expect(JSON.stringify(definition)).not.toMatch(/"Ref"|"Fn::/);
  });

  it('resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join and #{AWS::...} the same way everywhere', () => {
    const refs = localResourceRefs(config, { region: 'eu-west-1', accountId: '000000000000' });
    expect(
      resolveIntrinsics(
        {
          a: { 'Fn::Sub': '${CuratedBucket.Arn}/_state/${AWS::Region}/${!Literal}' },
          b: { 'Fn::GetAtt': ['NotificationsTopic', 'Arn'] },
          c: { 'Fn::Join': [':', ['x', { Ref: 'AWS::AccountId' }]] },
          d: 'region #{AWS::Region}',
          e: { 'Fn::Sub': ['${X}-y', { X: { Ref: 'RawBucket' } }] },
        },
        refs,
      ),
    ).toEqual({
      a: 'arn:aws:s3:::curated/_state/eu-west-1/${Literal}',
      b: 'arn:aws:sns:eu-west-1:000000000000:data-lake-local-notifications',
      c: 'x:000000000000',
      d: 'region eu-west-1',
      e: 'raw-y',
    });
    expect(() => resolveIntrinsics({ Ref: 'NoSuchThing' }, refs)).toThrow(/does not declare/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, refs)).toThrow(/cannot resolve/);
  });

  it('refuses a definition with a Task it has no stand-in for', async () => {
    const l = await lake();
    const { [RESOURCE.snsPublish]: _dropped, ...rest } = l.handlers;
    await expect(engine(l, { handlers: rest })).rejects.toThrow(/no local stand-in.*PublishSuccess/);
  });

  it('runs the schedule from serverless.yml, or LAKE_COMPACTION_INTERVAL_SECONDS (0 disables)', () => {
    const sm = config.stepFunctions!.stateMachines!.etl!;
    expect(localSchedules(sm, {})).toEqual([
      {
        intervalSeconds: rateSeconds(String((sm.events![0]!.schedule as { rate: string }).rate)),
        input: { mode: 'events' },
        source: expect.stringMatching(/^rate\(/),
      },
    ]);
    expect(localSchedules(sm, { LAKE_COMPACTION_INTERVAL_SECONDS: '30' })[0]!.intervalSeconds).toBe(30);
    expect(localSchedules(sm, { LAKE_COMPACTION_INTERVAL_SECONDS: '0' })).toEqual([]);
    expect(rateSeconds('rate(5 minutes)')).toBe(300);
    expect(rateSeconds('rate(1 hour)')).toBe(3600);
    expect(rateSeconds('cron(0 * * * ? *)')).toBeUndefined();
  });
});

describe('local executions', () => {
  it('runs an execution to SUCCEEDED and keeps its record: input, output, dates and transitions', async () => {
    const l = await lake();
    const e = await engine(l);
    const res = await e.startExecution('upload-1', fileInput);
    expect(res).toEqual({
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:upload-1',
      alreadyStarted: false,
      startDate: expect.any(String),
    });
    const rec = (await e.waitForExecution('upload-1'))!;
    expect(rec).toMatchObject({
      name: 'upload-1',
      status: 'SUCCEEDED',
      input: fileInput,
      output: expect.objectContaining({ runId: 'upload-1', rowsWritten: 3 }),
    });
    expect(Date.parse(rec.stopDate!)).toBeGreaterThanOrEqual(Date.parse(rec.startDate));
    const types = rec.events!.map((ev) => `${ev.type}${ev.state ? ':' + ev.state : ''}`);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types).toContain('StateEntered:RunEtlJob');
    expect(types).toContain('StateExited:ReadUploadResult');
    expect(types[types.length - 1]).toBe('ExecutionSucceeded');
    expect(l.runs).toEqual([
      {
        '--etl_mode': 'file',
        '--table': 'orders',
        '--inputs': JSON.stringify(fileInput.inputs),
        '--run_id': 'upload-1',
        '--execution_input': JSON.stringify(fileInput),
        // Glue gives every run its id as an argument; the local Glue handler does too.
        '--JOB_RUN_ID': expect.stringMatching(/^jr_[0-9a-f]{64}$/),
      },
    ]);
    expect(l.notices).toEqual([
      expect.objectContaining({ kind: 'ETL_SUCCEEDED', detail: expect.objectContaining({ rowsRead: 3 }) }),
    ]);
    // The record on disk is the same, and nothing is left pending or claimed.
    const onDisk = JSON.parse(
      await fs.readFile(path.join(executionsDir(l.dir), 'upload-1.json'), 'utf8'),
    ) as ExecutionRecord;
    expect(onDisk.status).toBe('SUCCEEDED');
    expect(await fs.readdir(path.join(executionsDir(l.dir), '.pending'))).toEqual([]);
    expect(await fs.readdir(path.join(executionsDir(l.dir), '.claims'))).toEqual([]);
  });

  it('starting an existing name answers alreadyStarted and runs nothing new', async () => {
    const l = await lake();
    const e = await engine(l);
    const first = await e.startExecution('upload-dup', fileInput);
    const second = await e.startExecution('upload-dup', { ...fileInput, size: 99 });
    expect(second).toEqual({ executionArn: first.executionArn, alreadyStarted: true });
    await e.waitForExecution('upload-dup');
    const third = await e.startExecution('upload-dup', fileInput);
    expect(third.alreadyStarted).toBe(true);
    expect(l.runner).toHaveBeenCalledTimes(1);
    expect((await readExecution(l.dir, 'etl', 'upload-dup'))!.input).toEqual(fileInput);
  });

  it('rejects names Step Functions would', async () => {
    const l = await lake();
    const e = await engine(l);
    await expect(e.startExecution('../escape', {})).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(e.startExecution('x'.repeat(81), {})).rejects.toMatchObject({ name: 'InvalidName' });
  });

  it('the workflow port (lib/workflow/local) starts executions that the lake engine runs', async () => {
    const l = await lake();
    const e = await engine(l, { pollIntervalMs: 0 }); // in-process requests only
    const saved = process.env.LAKE_DIR;
    process.env.LAKE_DIR = l.dir;
    try {
      const wf = await openLocalWorkflow();
      const res = await wf.startExecution('via-port', fileInput);
      expect(res.alreadyStarted).toBe(false);
      expect(res.executionArn).toMatch(/:execution:data-lake-local-etl:via-port$/);
      expect((await e.waitForExecution('via-port'))!.status).toBe('SUCCEEDED');
      expect((await wf.startExecution('via-port', fileInput)).alreadyStarted).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.LAKE_DIR;
      else process.env.LAKE_DIR = saved;
    }
  });

  it("failed job runs of a retry, whose file is in no queue: the notice says it is not loaded (the role's 403 read as not there)", async () => {
    const l = await lake();
    l.runner.mockRejectedValue(new Error('Binder Error: column "amount" not found'));
    const e = await engine(l);
    await e.startExecution('upload-bad-retry-1', fileInput);
    const rec = (await e.waitForExecution('upload-bad-retry-1'))!;
    expect([rec.status, rec.error]).toEqual(['FAILED', 'States.TaskFailed']);
    expect(l.runner).toHaveBeenCalledTimes(3);
    expect(l.notices[0]!.detail).toMatchObject({
      fileQueued: false,
      message: expect.stringMatching(/did not find in the upload queue .*: it is not loaded\. Fix the cause/),
    });
  });

  it('failed job runs: three for a file, then FAILED with States.TaskFailed, the cause, and a failure notice with the input', async () => {
    const l = await lake();
    l.runner.mockRejectedValue(new Error('Binder Error: column "amount" not found'));
    // Accepted by validateUpload: in the upload queue, which the notice then says it stays in.
    const pending = path.join(l.dir, 'curated', ...pendingUploadKey('upload-bad').split('/'));
    await fs.mkdir(path.dirname(pending), { recursive: true });
    await fs.writeFile(
      pending,
      JSON.stringify({ execution: 'upload-bad', table: 'orders', key: 'uploads/orders/a.csv' }),
    );
    const e = await engine(l);
    await e.startExecution('upload-bad', fileInput);
    const rec = (await e.waitForExecution('upload-bad'))!;
    expect(rec.status).toBe('FAILED');
    expect(rec.error).toBe('States.TaskFailed');
    expect(l.runner).toHaveBeenCalledTimes(3);
    // The last run's job run (as Step Functions reports it), then why the execution stopped trying.
    // The last run's job run, as Step Functions reports it; the notice says why the execution stopped trying.
    const cause = JSON.parse(rec.cause!) as Record<string, unknown>;
    expect(l.notices[0]!.detail).toMatchObject({
      fileQueued: true,
      message: expect.stringMatching(/3 runs of this execution failed.*stays queued/),
    });
    expect(cause).toMatchObject({
      JobRunState: 'FAILED',
      JobName: 'data-lake-local-etl',
      ErrorMessage: expect.stringContaining('amount'),
    });
    expect(l.notices).toEqual([
      {
        kind: 'ETL_FAILED',
        subject: expect.any(String),
        detail: expect.objectContaining({ error: 'States.TaskFailed', cause: rec.cause, input: fileInput }),
      },
    ]);
    expect(rec.events!.some((ev) => ev.type === 'StateCaught' && ev.state === 'RunEtlJob')).toBe(true);
  });

  it('a table that does not exist or bad job arguments end the job run FAILED (States.TaskFailed), as the job script fails on AWS', async () => {
    const l = await lake();
    // StartJobRun does not read argument values: on AWS the job script raises these, and the run ends FAILED.
    l.runner.mockRejectedValue(
      namedError('Glue.EntityNotFoundException', "table 'nosuch' does not exist (no schema in schemas/)"),
    );
    const e = await engine(l);
    await e.startExecution('replay-nosuch', { mode: 'replay', table: 'nosuch' });
    const rec = (await e.waitForExecution('replay-nosuch'))!;
    expect([rec.status, rec.error]).toEqual(['FAILED', 'States.TaskFailed']);
    expect(JSON.parse(rec.cause!)).toMatchObject({
      JobRunState: 'FAILED',
      ErrorMessage: "Glue.EntityNotFoundException: table 'nosuch' does not exist (no schema in schemas/)",
    });
    expect(l.notices[0]).toMatchObject({ kind: 'ETL_FAILED', detail: { error: 'States.TaskFailed' } });
  });

  it('waits for a busy lake as the definition says: looks for its result (a 403 without ListBucket), waits, asks again', async () => {
    const l = await lake();
    const busy = Object.assign(new Error('Concurrent runs exceeded'), {
      name: 'Glue.ConcurrentRunsExceededException',
    });
    l.runner.mockRejectedValueOnce(busy).mockRejectedValueOnce(busy);
    const e = await engine(l);
    await e.startExecution('upload-busy', fileInput);
    const rec = (await e.waitForExecution('upload-busy'))!;
    expect(rec.status).toBe('SUCCEEDED');
    const entered = rec.events!.filter((ev) => ev.type === 'StateEntered').map((ev) => ev.state);
    expect(entered.filter((s) => s === 'WaitForLake')).toHaveLength(2);
    // The role may not list the curated bucket: the missing result is S3's 403, which the ASL takes as "not yet".
    const caught = rec.events!.filter((ev) => ev.type === 'StateCaught' && ev.state === 'CheckUploadDone');
    expect(caught).toHaveLength(2);
    const failed = rec.events!.filter((ev) => ev.type === 'StateFailed' && ev.state === 'CheckUploadDone');
    expect(failed.map((ev) => ev.error)).toEqual(['S3.S3Exception', 'S3.S3Exception']);
    expect(l.runner).toHaveBeenCalledTimes(3);
  });

  it('runs at most maxConcurrency executions at once; the others wait in start order', async () => {
    const l = await lake();
    const gate = deferred();
    const real = l.runner.getMockImplementation()!;
    l.runner.mockImplementation(async (args, opts) => {
      await gate.promise;
      return real(args, opts);
    });
    const e = await engine(l, { maxConcurrency: 1 });
    await e.startExecution('first', fileInput);
    await e.startExecution('second', { mode: 'events' });
    await new Promise((r) => setTimeout(r, 200));
    expect((await e.describeExecution('first'))!.runStartDate).toBeDefined();
    expect((await e.describeExecution('second'))!.runStartDate).toBeUndefined();
    expect(l.runner).toHaveBeenCalledTimes(1);
    gate.resolve();
    expect((await e.waitForExecution('second'))!.status).toBe('SUCCEEDED');
    expect(l.runs.map((r) => r['--run_id'])).toEqual(['first', 'second']);
    const listed = await e.listExecutions();
    expect(listed.map((r) => r.name).sort()).toEqual(['first', 'second']);
  });

  it('picks up requests another process recorded (pending marker)', async () => {
    const l = await lake();
    const e = await engine(l);
    const dir = executionsDir(l.dir);
    const record: ExecutionRecord = {
      name: 'from-cli',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:from-cli',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl',
      status: 'RUNNING',
      input: { mode: 'events' },
      startDate: new Date().toISOString(),
      requestedBy: { pid: 1 },
    };
    await fs.writeFile(path.join(dir, 'from-cli.json'), JSON.stringify(record));
    await fs.writeFile(path.join(dir, '.pending', 'from-cli'), '');
    expect((await e.waitForExecution('from-cli', 10_000))!.status).toBe('SUCCEEDED');
    expect(l.runs).toEqual([
      { '--etl_mode': 'events', '--run_id': 'from-cli', '--JOB_RUN_ID': expect.stringMatching(/^jr_/) },
    ]);
  });

  it('after a restart: runs again what a dead process was running (at most MAX_RESTARTS times), runs what it had only requested', async () => {
    const l = await lake();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const dir = executionsDir(l.dir);
    await fs.mkdir(path.join(dir, '.claims'), { recursive: true });
    const base = {
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl',
      status: 'RUNNING' as const,
      requestedBy: { pid: deadPid },
    };
    const interrupted: ExecutionRecord = {
      ...base,
      name: 'was-running',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:was-running',
      input: fileInput,
      startDate: '2025-01-01T00:00:00.000Z',
      runStartDate: '2025-01-01T00:00:01.000Z',
      runBy: { pid: deadPid, instance: 'gone' },
    };
    const requested: ExecutionRecord = {
      ...base,
      name: 'was-requested',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:was-requested',
      input: { mode: 'events' },
      startDate: '2025-01-01T00:00:02.000Z',
    };
    await fs.writeFile(path.join(dir, 'was-running.json'), JSON.stringify(interrupted));
    await fs.writeFile(
      path.join(dir, '.claims', 'was-running'),
      JSON.stringify({ pid: deadPid, instance: 'gone' }),
    );
    await fs.writeFile(path.join(dir, 'was-requested.json'), JSON.stringify(requested)); // its marker was lost
    // Interrupted as often as it may be already: it is not run again.
    const tooOften = {
      ...interrupted,
      name: 'interrupted-too-often',
      executionArn: interrupted.executionArn.replace('was-running', 'interrupted-too-often'),
      restarts: MAX_RESTARTS,
    };
    /** An execution interrupted too often whose file is still in the upload queue, taken by `attempts` runs. */
    const interruptedTooOften = async (name: string, attempts: number) => {
      const record = {
        ...tooOften,
        name,
        executionArn: interrupted.executionArn.replace('was-running', name),
      };
      await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify(record));
      const pending = path.join(l.dir, 'curated', ...pendingUploadKey(name).split('/'));
      await fs.mkdir(path.dirname(pending), { recursive: true });
      const upload = { execution: name, table: 'orders', key: `uploads/orders/${name}.csv` };
      await fs.writeFile(
        pending,
        JSON.stringify({ ...upload, acceptedAt: '2025-01-01T00:00:00.000Z', attempts }),
      );
      await fs.writeFile(path.join(dir, '.claims', name), JSON.stringify({ pid: deadPid, instance: 'gone' }));
    };
    // Its file is still in the upload queue: the next ETL run takes it, which the failure says.
    await interruptedTooOften('interrupted-too-often', 1);
    // The same, whose file MAX_UPLOAD_ATTEMPTS runs took already: the next run gives it up, which the failure says.
    await interruptedTooOften('taken-too-often', 3);
    // The same, whose outcome was recorded (its swap rolled forward at the start): run once more, to end with it.
    await interruptedTooOften('loaded-at-last', 3);
    const done = path.join(l.dir, 'curated', ...uploadResultKey('loaded-at-last').split('/'));
    await fs.mkdir(path.dirname(done), { recursive: true });
    await fs.writeFile(done, JSON.stringify({ execution: 'loaded-at-last', status: 'SUCCEEDED' }));

    const e = await engine(l);
    const rerun = (await e.waitForExecution('was-running'))!;
    expect(rerun).toMatchObject({ status: 'SUCCEEDED', input: fileInput, restarts: 1 });
    expect(rerun.events!.map((ev) => ev.type)).toContain('ExecutionRestarted');
    expect((await e.waitForExecution('was-requested'))!.status).toBe('SUCCEEDED');
    const loaded = (await e.waitForExecution('loaded-at-last'))!;
    expect(loaded).toMatchObject({ status: 'SUCCEEDED', restarts: MAX_RESTARTS + 1 });
    expect(l.notices).not.toContainEqual(
      expect.objectContaining({
        detail: expect.objectContaining({ runId: 'loaded-at-last', error: 'Local.Interrupted' }),
      }),
    );
    expect(l.runs.map((r) => r['--run_id']).sort()).toEqual([
      'loaded-at-last',
      'was-requested',
      'was-running',
    ]);
    const failed = (await e.describeExecution('interrupted-too-often'))!;
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Local.Interrupted', input: fileInput });
    expect(failed.stopDate).toBeDefined();
    // With the notice its failure path would have sent (it never gets there).
    expect(l.notices).toContainEqual({
      kind: 'ETL_FAILED',
      subject: 'Data lake ETL run failed',
      detail: expect.objectContaining({
        runId: 'interrupted-too-often',
        error: 'Local.Interrupted',
        input: fileInput,
        cause: expect.stringMatching(
          /stopped before it finished, 3 times: .*Its file stays in the upload queue: the next ETL run/,
        ),
      }),
    });
    expect(l.notices).toContainEqual(
      expect.objectContaining({
        kind: 'ETL_FAILED',
        detail: expect.objectContaining({
          runId: 'taken-too-often',
          cause: expect.stringMatching(
            /but 3 ETL runs took it without an outcome: the next ETL run .* gives it up \(Etl\.UploadGivenUp, recorded in curated\/.*\); npm run executions -- retry taken-too-often runs it again\.$/,
          ),
        }),
      }),
    );
    // Starting a finished name again is a duplicate, as on AWS.
    expect((await e.startExecution('interrupted-too-often', fileInput)).alreadyStarted).toBe(true);
  });

  it('while it runs: runs again what another engine on the folder was running when its process died', async () => {
    const l = await lake();
    const e = await engine(l);
    // Another lake on the folder (this pid namespace) dies during a run: its record RUNNING, its claim left.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const dir = executionsDir(l.dir);
    const name = 'sibling-run';
    const record: ExecutionRecord = {
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl',
      status: 'RUNNING',
      requestedBy: { pid: deadPid },
      name,
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:${name}`,
      input: fileInput,
      startDate: new Date().toISOString(),
      runStartDate: new Date().toISOString(),
      runBy: { pid: deadPid, instance: 'sibling' },
    };
    await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify(record));
    await fs.writeFile(
      path.join(dir, '.claims', name),
      JSON.stringify({ pid: deadPid, instance: 'sibling' }),
    );
    const rerun = (await e.waitForExecution(name, 30_000))!;
    expect(rerun).toMatchObject({ status: 'SUCCEEDED', restarts: 1 });
    expect(rerun.events!.map((ev) => ev.type)).toContain('ExecutionRestarted');
    expect(l.runs.map((r) => r['--run_id'])).toEqual([name]);
  }, 40_000);

  it('an engine that stops lets running executions finish, or stops them after the grace period to run again at the next start; queued ones stay for the next start', async () => {
    const l = await lake();
    const hang = deferred();
    const real = l.runner.getMockImplementation()!;
    const order: string[] = [];
    l.runner.mockImplementation(async (args, opts) => {
      // Outlasts the grace period (released at the end, so that no timer outlives the test) unless stopped, as the
      // local job run is when its execution is.
      await Promise.race([
        hang.promise,
        new Promise((resolve) => opts.signal?.addEventListener('abort', resolve)),
      ]);
      if (opts.signal?.aborted) {
        await new Promise((r) => setTimeout(r, 50)); // its clean-up
        order.push(`job run stopped: ${args['--run_id']}`);
        throw new Error('stopped');
      }
      return real(args, opts);
    });
    const released: string[] = [];
    const onStopped = async (name: string) => {
      released.push(name);
      order.push(`released: ${name}`);
    };
    const e = await engine(l, { maxConcurrency: 1, stopGraceMs: 100, onStopped });
    await e.startExecution('long', fileInput);
    await e.startExecution('queued', { mode: 'events' });
    await new Promise((r) => setTimeout(r, 100));
    await e.close();
    // The job run was stopped, and had ended, before what it took was released and the engine closed.
    expect(order).toEqual(['job run stopped: long', 'released: long']);
    const stopped = (await readExecution(l.dir, 'etl', 'long'))!;
    // A stop of the lake is not a crash: not counted toward MAX_RESTARTS, however often it happens.
    expect(stopped).toMatchObject({ status: 'RUNNING' });
    expect(stopped.restarts ?? 0).toBe(0);
    expect(stopped.runStartDate).toBeUndefined();
    expect(stopped.events!.map((ev) => ev.type)).toContain('ExecutionRestarted');
    expect(released).toEqual(['long']);
    for (let stop = 2; stop <= MAX_RESTARTS + 2; stop++) {
      const again = await engine(l, { maxConcurrency: 1, stopGraceMs: 100, onStopped });
      await until(`run ${stop}`, async () =>
        (await readExecution(l.dir, 'etl', 'long'))?.runStartDate ? true : undefined,
      );
      await again.close();
    }
    expect(released).toHaveLength(MAX_RESTARTS + 2);
    expect((await readExecution(l.dir, 'etl', 'long'))!).toMatchObject({ status: 'RUNNING' });
    const queued = (await readExecution(l.dir, 'etl', 'queued'))!;
    expect(queued.status).toBe('RUNNING');
    expect(queued.runStartDate).toBeUndefined();

    l.runner.mockImplementation(real);
    const e2 = await engine(l);
    expect((await e2.waitForExecution('queued'))!.status).toBe('SUCCEEDED');
    expect((await e2.waitForExecution('long'))!.status).toBe('SUCCEEDED');
    expect((await listExecutions(l.dir)).map((r) => [r.name, r.status]).sort()).toEqual([
      ['long', 'SUCCEEDED'],
      ['queued', 'SUCCEEDED'],
    ]);
    hang.resolve();
  });

  it('an engine that stops starts no job run: an execution waiting for a busy lake is stopped before its next try, to run at the next start', async () => {
    const l = await lake();
    const busy = Object.assign(new Error('Concurrent runs exceeded'), {
      name: 'Glue.ConcurrentRunsExceededException',
    });
    // The lake is busy (another run holds it) until the stop begins.
    const stopping = deferred();
    l.runner.mockImplementationOnce(async () => {
      await stopping.promise;
      throw busy;
    });
    const e = await engine(l);
    await e.startExecution('waits', fileInput);
    await until('the first try', async () => (l.runner.mock.calls.length ? true : undefined));
    const closed = e.close();
    stopping.resolve();
    await closed;
    // Its wait ended during the stop: no job run was started then.
    expect(l.runner).toHaveBeenCalledTimes(1);
    const stopped = (await readExecution(l.dir, 'etl', 'waits'))!;
    expect(stopped).toMatchObject({ status: 'RUNNING' });
    expect(stopped.runStartDate).toBeUndefined();
    expect(stopped.restarts ?? 0).toBe(0);
    const again = await engine(l);
    expect((await again.waitForExecution('waits'))!.status).toBe('SUCCEEDED');
    expect(l.runner).toHaveBeenCalledTimes(2);
  });

  it('StopExecution stops the job run of its Glue task (as Step Functions stops a .sync job run), and waits for it', async () => {
    const l = await lake();
    const signals: AbortSignal[] = [];
    let ended = false;
    l.runner.mockImplementation(async (_args, opts) => {
      signals.push(opts.signal!);
      await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve));
      await new Promise((r) => setTimeout(r, 50)); // its clean-up
      ended = true;
      throw new Error('stopped');
    });
    const e = await engine(l);
    await e.startExecution('stop-me', fileInput);
    await until('the job run', async () => (signals.length ? true : undefined));
    expect(signals[0]!.aborted).toBe(false);
    expect(e.stopExecution('stop-me')).toBe(true);
    expect((await e.waitForExecution('stop-me'))!.status).toBe('ABORTED');
    expect(signals[0]!.aborted).toBe(true);
    expect(ended).toBe(true);
  });

  it('startLocalEtl: the definition from serverless.yml with the given handlers, and on-demand compaction', async () => {
    const l = await lake();
    const etl = await startLocalEtl({
      config,
      lakeDir: l.dir,
      handlers: l.handlers,
      schedule: false,
      engine: { pollIntervalMs: 0, retryIntervalOverrides: { RunEtlJob: 0 } },
    });
    try {
      const started = await etl.startScheduled('compact');
      expect(started.name).toMatch(/^compact-\d{8}T\d{6}Z$/);
      const rec = (await etl.engine.waitForExecution(started.name))!;
      expect(rec.status).toBe('SUCCEEDED');
      expect(rec.input).toEqual({ mode: 'events' });
      expect(l.notices.map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
    } finally {
      await etl.stop();
    }
  });
});

describe('the definition an execution ran', () => {
  it('is what describeExecution gives after the state machine changed (DescribeStateMachineForExecution), the current one for a new execution', async () => {
    const l = await lake();
    const run = async (cfg: ServiceConfigWithStateMachines, name: string) => {
      const etl = await startLocalEtl({
        config: cfg,
        lakeDir: l.dir,
        handlers: l.handlers,
        schedule: false,
        engine: { pollIntervalMs: 0, retryIntervalOverrides: { RunEtlJob: 0 } },
      });
      try {
        await etl.engine.startExecution(name, { mode: 'events' });
        expect((await etl.engine.waitForExecution(name))!.status).toBe('SUCCEEDED');
      } finally {
        await etl.stop();
      }
    };
    await run(config, 'before-upgrade');
    // An upgrade that changes the machine (here its Comment); the lake starts again with it.
    const changed = structuredClone(config);
    const sm = changed.stepFunctions!.stateMachines!.etl!;
    sm.definition = { ...(sm.definition as object), Comment: 'the upgraded machine' } as typeof sm.definition;
    await run(changed, 'after-upgrade');
    const wf = new LocalWorkflow(l.dir);
    const before = (await wf.describeExecution('before-upgrade'))!.definition as { Comment?: string };
    const after = (await wf.describeExecution('after-upgrade'))!.definition as { Comment?: string };
    expect(before.Comment).toBe(localDefinition(config).definition.Comment);
    expect(before.Comment).not.toBe('the upgraded machine');
    expect(after.Comment).toBe('the upgraded machine');
    // A record from before ids were kept gets the current definition.
    const old = (await readExecution(l.dir, 'etl', 'before-upgrade'))!;
    delete old.definitionId;
    await writeRecord(l.dir, 'etl', old);
    expect(((await wf.describeExecution('before-upgrade'))!.definition as { Comment?: string }).Comment).toBe(
      'the upgraded machine',
    );
  });
});

describe('sns:publish as Step Functions sends it', () => {
  const ctx = {
    executionName: 'e',
    stateName: 'PublishSuccess',
    resource: RESOURCE.snsPublish,
    signal: new AbortController().signal,
  };
  const published = (notice: Notice) => ({
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
    Subject: notice.subject,
    Message: notice as unknown as Json,
    MessageAttributes: { kind: { DataType: 'String', StringValue: notice.kind } },
  });

  it('publishes the Message serialized, as subscribers get it on AWS: no publishedAt of the notifier, never cut', async () => {
    const dir = await tempLake('sns-publish');
    const handler = snsPublishHandler(() => new LocalNotifier(dir, () => new Date(0)));
    const notice = { kind: 'ETL_SUCCEEDED', subject: 'Data lake ETL run succeeded', detail: { rowsRead: 3 } };
    await handler(published(notice), ctx);
    const line = await fs.readFile(path.join(dir, 'notifications.jsonl'), 'utf8');
    expect(line).toBe(JSON.stringify(notice) + '\n');
  });

  it("keeps the Message as it is through the lake's topic-scoped notifier too (npm start wraps the notifier)", async () => {
    const dir = await tempLake('sns-publish-scoped');
    const handler = snsPublishHandler(() => topicScopedNotifier(new LocalNotifier(dir, () => new Date(0))));
    // Over the notifier's own cut (255 KiB) and under SNS's 256 KiB: SNS delivers it whole.
    const notice = {
      kind: 'ETL_FAILED',
      subject: 'Data lake ETL run failed',
      detail: { cause: 'x'.repeat(255 * 1024 + 300) },
    };
    await handler(published(notice), ctx);
    const line = await fs.readFile(path.join(dir, 'notifications.jsonl'), 'utf8');
    const sent = JSON.stringify(notice) + '\n';
    expect(line === sent ? 'as sent' : `changed: …${line.slice(-120)}`).toBe('as sent');
  });

  it("fails a message over SNS's 256 KiB as SNS does (SNS.InvalidParameterException), publishing nothing", async () => {
    const dir = await tempLake('sns-publish-long');
    const handler = snsPublishHandler(() => new LocalNotifier(dir));
    const notice = { kind: 'ETL_SUCCEEDED', subject: 's', detail: { text: 'x'.repeat(256 * 1024) } };
    await expect(handler(published(notice), ctx)).rejects.toMatchObject({
      name: 'SNS.InvalidParameterException',
    });
    await expect(fs.readFile(path.join(dir, 'notifications.jsonl'), 'utf8')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

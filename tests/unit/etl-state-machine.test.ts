/**
 * The ETL state machine (state-machines/etl.asl.json) as the deployment and the local lake both run it: linted with
 * asl-validator and executed by aws-local-stepfunctions with the Glue, S3 and SNS tasks mocked per state.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ExecutionError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { EtlRunSummary } from '../../lib/etl/run';
import { runSummaryKey } from '../../lib/etl/run';
import {
  MAX_UPLOAD_ATTEMPTS,
  pendingUploadKey,
  uploadResultKey,
  type UploadResult,
} from '../../lib/etl/upload-queue';
import { resolveIntrinsics } from '../../local/step-functions';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

const file = path.resolve(__dirname, '../../state-machines/etl.asl.json');
const raw = readFileSync(file, 'utf8');
const source = JSON.parse(raw) as StateMachineDefinition;

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:data-lake-test-notifications';
const JOB = 'data-lake-test-etl';
const definition = resolveIntrinsics(source, {
  ref: (id) => {
    const names: Record<string, string> = {
      EtlGlueJob: JOB,
      CuratedBucket: 'curated',
      NotificationsTopic: TOPIC,
    };
    if (!names[id]) throw new Error(`unexpected Ref ${id}`);
    return names[id];
  },
  getAtt: (id, attr) => {
    throw new Error(`unexpected Fn::GetAtt ${id}.${attr}`);
  },
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type States = Record<string, Record<string, unknown>>;
const states = source.States as unknown as States;

const fileInput = {
  mode: 'file',
  table: 'orders',
  inputs: ['uploads/orders/2025-01-02.csv'],
  bucket: 'data-lake-test-raw',
  key: 'uploads/orders/2025-01-02.csv',
  size: 1234,
  etag: '"abc"',
  versionId: 'v1',
};

const orders = {
  table: 'orders',
  schemaVersion: 1,
  rowsRead: 10,
  rowsWritten: 9,
  rowsRejected: 1,
  duplicatesRemoved: 0,
  partitions: ['dt=2025-01-02'],
  partitionCount: 1,
  maxRejectedRatio: 0.2,
};

/** A run's summary (events executions read it). */
const summary = (over: Partial<EtlRunSummary> = {}): EtlRunSummary => ({
  runId: 'exec-1',
  jobRunId: 'jr_1',
  mode: 'events',
  engine: 'glue',
  startedAt: '2025-01-02T00:00:00.000Z',
  finishedAt: '2025-01-02T00:01:00.000Z',
  inputCount: 1,
  inputsKey: '_state/runs/exec-1.inputs.json',
  tables: [{ ...orders, table: 'page_view', maxRejectedRatio: 0 }],
  rowsRead: 10,
  rowsWritten: 9,
  rowsRejected: 1,
  rejectedRatio: 0.1,
  rejectedAboveThreshold: false,
  rejectedAbove: '',
  uploads: { taken: 0, succeeded: 0, failed: 0 },
  ...over,
});

/** The result a run wrote for a file (file executions read it). */
const result = (over: Partial<UploadResult> = {}): UploadResult => ({
  execution: 'exec-1',
  key: fileInput.key,
  status: 'SUCCEEDED',
  mode: 'file',
  runId: 'exec-1',
  jobRunId: 'jr_1',
  ...orders,
  rejectedRatio: 0.1,
  rejectedAboveThreshold: false,
  rejectedAbove: '',
  tables: [orders],
  processedAt: '2025-01-02T00:01:00.000Z',
  ...over,
});

const jobRun = (args: Json) => ({
  Id: 'jr_1',
  JobName: JOB,
  JobRunState: 'SUCCEEDED',
  Arguments: args,
  Attempt: 0,
});

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** S3 without s3:ListBucket (the state machine's role): a missing object is a 403, S3.S3Exception. */
const accessDenied = () =>
  named('S3.S3Exception', 'Access Denied (Service: S3, Status Code: 403, Request ID: 00000000)');

interface Harness {
  glue: jest.Mock<Promise<Json>, [Json]>;
  s3: jest.Mock<Promise<Json>, [Json]>;
  sns: jest.Mock<Promise<Json>, [Json]>;
  /** What the curated bucket holds, by key. */
  objects: Map<string, unknown>;
  notices: () => { kind: string; subject: string; detail: Record<string, unknown> }[];
}

/**
 * The Glue job mocked as the real one behaves: a run writes its summary and the result of the file that started it.
 * `writes: false`: a run that writes nothing (a faulty job).
 */
function harness(opts: { summary?: EtlRunSummary; result?: UploadResult; writes?: boolean } = {}): Harness {
  const objects = new Map<string, unknown>();
  const glue = jest.fn(async (p: Json) => {
    const args = (p as { Arguments: Record<string, string> }).Arguments;
    const runId = args['--run_id']!;
    if (opts.writes !== false) {
      objects.set(runSummaryKey(runId), { ...(opts.summary ?? summary()), runId, mode: args['--etl_mode'] });
      if (args['--etl_mode'] === 'file')
        objects.set(uploadResultKey(runId), { ...(opts.result ?? result()), execution: runId, runId });
    }
    return jobRun(args);
  });
  const s3 = jest.fn(async (p: Json) => {
    const { Bucket, Key } = p as { Bucket: string; Key: string };
    expect(Bucket).toBe('curated');
    if (!objects.has(Key)) throw accessDenied();
    return { Body: JSON.stringify(objects.get(Key)), ContentType: 'application/json' };
  });
  const sns = jest.fn(async (_p: Json): Promise<Json> => ({ MessageId: 'm-1' }));
  return {
    glue,
    s3,
    sns,
    objects,
    // Step Functions serializes a Message that is a JSON object (the notice) into the JSON text SNS delivers.
    notices: () => sns.mock.calls.map(([p]) => JSON.parse(JSON.stringify((p as { Message: Json }).Message))),
  };
}

function run(h: Harness, input: Json, name = 'exec-1', extra: RunOptions['overrides'] = {}) {
  const sm = new StateMachine(definition);
  const execution = sm.run(input, {
    overrides: {
      taskResourceLocalHandlers: {
        RunEtlJob: h.glue,
        CheckUploadDone: h.s3,
        CheckFileQueued: h.s3,
        ReadUploadResult: h.s3,
        ReadRunSummary: h.s3,
        PublishSuccess: h.sns,
        PublishRejectedRows: h.sns,
        PublishFailure: h.sns,
      },
      retryIntervalOverrides: {
        RunEtlJob: 0,
        ReadUploadResult: 0,
        ReadRunSummary: 0,
        PublishSuccess: 0,
        PublishFailure: 0,
      },
      waitTimeOverrides: { WaitForLake: 0, WaitWhileThrottled: 0 },
      ...extra,
    },
    context: {
      Execution: {
        Name: name,
        Id: `arn:aws:states:us-east-1:000000000000:execution:data-lake-test-etl:${name}`,
      },
    },
  });
  return execution;
}

async function failure(promise: Promise<unknown>): Promise<{ error: string; cause: string }> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(ExecutionError);
    const inner = (e as ExecutionError).cause as Error;
    return { error: inner.name, cause: inner.message };
  }
  throw new Error('the execution succeeded');
}

/** The one ETL_FAILED notice a failed execution publishes, with these fields among its detail's. */
const etlFailed = (detail: Record<string, unknown>) =>
  expect.objectContaining({ kind: 'ETL_FAILED', detail: expect.objectContaining(detail) });

describe('ETL state machine definition', () => {
  it('is valid ASL (asl-validator) in JSONPath, without Distributed Map', () => {
    const { isValid, errorsText } = aslValidator(source);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(raw).not.toMatch(/JSONata|QueryLanguage|DISTRIBUTED|ItemReader|"Arguments":/);
    // The deployment wraps the definition in Fn::Sub: no ${...} of its own.
    expect(raw).not.toContain('${');
  });

  it('gives every Task a TimeoutSeconds (the local engine would otherwise apply 60 s)', () => {
    for (const s of Object.values(states).filter((x) => x.Type === 'Task')) {
      expect(s.TimeoutSeconds).toEqual(expect.any(Number));
    }
    expect(states.RunEtlJob!.TimeoutSeconds).toBeGreaterThanOrEqual(3600);
    expect(source.TimeoutSeconds).toBeGreaterThan(states.RunEtlJob!.TimeoutSeconds as number);
  });

  it('passes the Glue job no argument Glue keeps for itself (--mode, --conf, --debug, --JOB_NAME, --endpoint)', () => {
    // AWS Glue's "Using job parameters" page: "AWS Glue uses the following arguments internally and you should never
    // use them". The job's own arguments in the state machine and its DefaultArguments (resources/glue.yml).
    const reserved = ['--conf', '--debug', '--mode', '--JOB_NAME', '--endpoint'];
    const names = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(collect);
      if (v === null || typeof v !== 'object') return;
      for (const [k, inner] of Object.entries(v)) {
        if (k.startsWith('--')) names.add(k.replace(/\.\$$/, ''));
        collect(inner);
      }
    };
    collect(source);
    const glueYml = readFileSync(path.resolve(__dirname, '../../resources/glue.yml'), 'utf8');
    for (const m of glueYml.matchAll(/['"]?(--[A-Za-z_-]+)['"]?\s*:/g)) names.add(m[1]!);
    expect(names).toContain('--etl_mode');
    expect([...names].filter((n) => reserved.includes(n))).toEqual([]);
  });

  it('runs the Glue job .sync by Ref, retries only Glue API errors, and waits for the lake when it is busy', () => {
    const task = states.RunEtlJob!;
    expect(task.Resource).toBe('arn:aws:states:::glue:startJobRun.sync');
    expect((task.Parameters as Record<string, unknown>).JobName).toEqual({ Ref: 'EtlGlueJob' });
    const retry = task.Retry as Record<string, unknown>[];
    expect(retry.flatMap((r) => r.ErrorEquals as string[]).sort()).toEqual([
      'Glue.AWSGlueException',
      'Glue.InternalServiceException',
      'Glue.OperationTimeoutException',
      'Glue.ThrottlingException',
    ]);
    for (const r of retry) {
      expect(r).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: expect.any(Number) });
      expect(r.BackoffRate).toBeGreaterThan(1);
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      expect(r.MaxAttempts).toBeGreaterThan(0);
      expect(r.MaxAttempts).toBeLessThanOrEqual(10);
    }
    // A busy lake is not an error with a bounded number of retries: the execution waits for it (WaitForLake).
    // Nor is Glue throttling StartJobRun past the retries for a file, a replay or a rebuild (GlueRefusedStart).
    expect(task.Catch).toEqual([
      { ErrorEquals: ['Glue.ConcurrentRunsExceededException'], ResultPath: '$.busy', Next: 'LakeBusy' },
      {
        ErrorEquals: [
          'Glue.ThrottlingException',
          'Glue.ResourceNumberLimitExceededException',
          'Glue.AWSGlueException',
        ],
        ResultPath: '$.error',
        Next: 'GlueRefusedStart',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RunFailed' },
    ]);
    expect(states.WaitForLake).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'RunEtlJob' });
  });

  it('reads the summary and the file results where lib/etl/run.ts and lib/etl/upload-queue.ts say the job writes them', () => {
    const keyOf = (state: string) => {
      const read = states[state]!;
      expect(read.Resource).toBe('arn:aws:states:::aws-sdk:s3:getObject');
      expect((read.Parameters as Record<string, unknown>).Bucket).toEqual({ Ref: 'CuratedBucket' });
      const key = (read.Parameters as Record<string, string>)['Key.$'];
      return /^States\.Format\('([^']*)', \$\$\.Execution\.Name\)$/.exec(key!)![1]!.replace('{}', 'RUN');
    };
    expect(keyOf('ReadRunSummary')).toBe(runSummaryKey('RUN'));
    expect(keyOf('ReadUploadResult')).toBe(uploadResultKey('RUN'));
    expect(keyOf('CheckUploadDone')).toBe(uploadResultKey('RUN'));
    // Without s3:ListBucket a missing object is a 403 (S3.S3Exception): the ASL names that, not only NoSuchKey.
    expect(states.CheckUploadDone!.Catch).toEqual([
      {
        ErrorEquals: ['S3.S3Exception', 'S3.NoSuchKeyException'],
        ResultPath: '$.notYet',
        Next: 'NotYet',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FailureNotice' },
    ]);
  });
});

describe('ETL state machine executions', () => {
  it("file mode: runs the job with the run arguments, reads the file's result and reports its figures", async () => {
    const h = harness();
    const output = (await run(h, fileInput).result) as Record<string, unknown>;

    expect(h.glue).toHaveBeenCalledTimes(1);
    expect(h.glue.mock.calls[0]![0]).toEqual({
      JobName: JOB,
      Arguments: {
        '--etl_mode': 'file',
        '--table': 'orders',
        '--inputs': JSON.stringify(fileInput.inputs),
        '--run_id': 'exec-1',
        // The version the upload check accepted travels with the run (a retry loads no other).
        '--execution_input': JSON.stringify(fileInput),
      },
    });
    expect(h.s3.mock.calls.map(([p]) => p)).toEqual([{ Bucket: 'curated', Key: uploadResultKey('exec-1') }]);
    expect(h.sns).toHaveBeenCalledTimes(1);
    const params = h.sns.mock.calls[0]![0] as Record<string, unknown>;
    expect(params).toMatchObject({
      TopicArn: TOPIC,
      Subject: expect.any(String),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'ETL_SUCCEEDED' } },
    });
    const [notice] = h.notices();
    expect(notice).toMatchObject({
      kind: 'ETL_SUCCEEDED',
      detail: {
        runId: 'exec-1',
        processedBy: 'exec-1',
        mode: 'file',
        jobRunId: 'jr_1',
        rowsRead: 10,
        rowsWritten: 9,
        rowsRejected: 1,
        rejectedRatio: 0.1,
        tables: [expect.objectContaining({ table: 'orders', rowsWritten: 9 })],
        input: fileInput,
      },
    });
    expect(output).toEqual(notice!.detail);
  });

  it('events mode: only --etl_mode and --run_id; reports the run from its summary', async () => {
    const h = harness();
    await run(h, { mode: 'events' }, 'events-1').result;
    expect(h.glue.mock.calls[0]![0]).toEqual({
      JobName: JOB,
      Arguments: { '--etl_mode': 'events', '--run_id': 'events-1' },
    });
    expect(h.s3.mock.calls.map(([p]) => p)).toEqual([{ Bucket: 'curated', Key: runSummaryKey('events-1') }]);
    expect(h.notices()[0]).toMatchObject({
      kind: 'ETL_SUCCEEDED',
      detail: { mode: 'events', processedBy: 'events-1', input: { mode: 'events' } },
    });
  });

  it('a busy lake: the file waits, looks for its result, and runs the job again once the lake is free', async () => {
    const h = harness();
    const busy = () => named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job');
    h.glue.mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy());
    const execution = run(h, fileInput);
    const events: string[] = [];
    const collecting = (async () => {
      for await (const ev of execution.eventLogs)
        if (ev.type === 'StateEntered') events.push('state' in ev ? ev.state.name : '');
    })();
    await execution.result;
    await collecting;
    expect(h.glue).toHaveBeenCalledTimes(3);
    expect(events.filter((e) => e === 'WaitForLake')).toHaveLength(2);
    expect(events.filter((e) => e === 'CheckUploadDone')).toHaveLength(2);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
  });

  it('a busy lake whose run took the file: the execution reports that run, without a run of its own', async () => {
    const h = harness();
    h.glue.mockRejectedValue(
      named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job'),
    );
    h.objects.set(uploadResultKey('exec-1'), result({ runId: 'other-run', jobRunId: 'jr_other' }));
    await run(h, fileInput).result;
    expect(h.glue).toHaveBeenCalledTimes(1);
    expect(h.notices()).toEqual([
      expect.objectContaining({
        kind: 'ETL_SUCCEEDED',
        detail: expect.objectContaining({ runId: 'exec-1', processedBy: 'other-run', jobRunId: 'jr_other' }),
      }),
    ]);
  });

  it.each([
    [
      'Glue.AWSGlueException',
      'Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException)',
    ],
    ['Glue.ThrottlingException', 'Rate exceeded'],
    // The account's quota of concurrent job runs (StartJobRun's other "busy").
    ['Glue.ResourceNumberLimitExceededException', 'Max concurrent runs exceeded for the account'],
  ])(
    "a file's StartJobRun throttled past its retries (%s): waited for as a busy lake, the other run's result reported, no failure",
    async (error, cause) => {
      // A thousand files waiting ask Glue together once a minute: throttling is the lake being busy (hunt v).
      const h = harness();
      let looks = 0;
      h.glue.mockRejectedValue(named(error, cause));
      const s3 = h.s3.getMockImplementation()!;
      h.s3.mockImplementation(async (p: Json) => {
        // The run in progress records this file's result at the fourth look.
        if (++looks >= 4)
          h.objects.set(uploadResultKey('exec-1'), result({ runId: 'other-run', jobRunId: 'jr_9' }));
        return s3(p);
      });
      await run(h, fileInput).result;
      expect(h.notices().map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
      expect(h.notices()[0]!.detail).toMatchObject({ processedBy: 'other-run' });
    },
  );

  it('StartJobRun timing out (Glue.OperationTimeoutException) is asked again: the run goes on', async () => {
    const h = harness();
    h.glue.mockRejectedValueOnce(named('Glue.OperationTimeoutException', 'The operation timed out'));
    await run(h, fileInput).result;
    expect(h.glue).toHaveBeenCalledTimes(2);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
  });

  it('any other Glue.AWSGlueException past the retries is a failed run of the file (counted, three end it)', async () => {
    const h = harness();
    h.glue.mockRejectedValue(named('Glue.AWSGlueException', 'Job argument --etl_mode is invalid'));
    const { error } = await failure(run(h, fileInput).result);
    expect(error).toBe('Glue.AWSGlueException');
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_FAILED']);
  });

  it('a busy lake in events mode: the execution ends, the run in progress compacts (no notice, no run)', async () => {
    const h = harness();
    h.glue.mockRejectedValue(
      named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job'),
    );
    await run(h, { mode: 'events' }, 'events-2').result;
    expect(h.glue).toHaveBeenCalledTimes(1);
    expect(h.s3).not.toHaveBeenCalled();
    expect(h.notices()).toEqual([]);
  });

  it('gives up on throttling after the bounded attempts: failure notice, then Fail (events)', async () => {
    const h = harness();
    h.glue.mockRejectedValue(named('Glue.ThrottlingException', 'Rate exceeded'));
    const { error } = await failure(run(h, { mode: 'events' }, 'events-3').result);
    expect(error).toBe('Glue.ThrottlingException');
    const retrier = (states.RunEtlJob!.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]).find((r) =>
      r.ErrorEquals.includes('Glue.ThrottlingException'),
    )!;
    expect(h.glue).toHaveBeenCalledTimes(retrier.MaxAttempts + 1);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_FAILED']);
  });

  it('a failed job run (events): failure notice with the error, the cause and the original input, then Fail', async () => {
    const h = harness();
    const cause = JSON.stringify({
      Id: 'jr_1',
      JobRunState: 'FAILED',
      ErrorMessage: 'AnalysisException: bad column',
    });
    h.glue.mockRejectedValue(named('States.TaskFailed', cause));
    const outcome = await failure(run(h, { mode: 'events' }, 'events-4').result);

    expect(outcome).toEqual({ error: 'States.TaskFailed', cause });
    expect(h.glue).toHaveBeenCalledTimes(1); // a failed run is not retried
    expect(h.s3).not.toHaveBeenCalled();
    expect(h.notices()).toEqual([
      {
        kind: 'ETL_FAILED',
        subject: expect.any(String),
        detail: {
          runId: 'events-4',
          executionArn: expect.stringContaining(':execution:'),
          error: 'States.TaskFailed',
          cause,
          input: { mode: 'events' },
        },
      },
    ]);
    expect((h.sns.mock.calls[0]![0] as Record<string, unknown>).MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'ETL_FAILED' },
    });
  });

  it("a file's run that fails as a whole: its execution tries again; three failures and no result end it, the file still queued", async () => {
    const h = harness();
    // Accepted by validateUpload: in the upload queue.
    h.objects.set(pendingUploadKey('exec-1'), { execution: 'exec-1', table: 'orders', key: fileInput.key });
    const cause = JSON.stringify({ Id: 'jr_1', JobRunState: 'FAILED', ErrorMessage: 'Worker lost' });
    h.glue.mockRejectedValue(named('States.TaskFailed', cause));
    const { error, cause: why } = await failure(run(h, fileInput).result);
    expect(error).toBe('States.TaskFailed');
    expect(why).toBe(cause);
    expect(h.glue).toHaveBeenCalledTimes(3);
    // Before each new attempt, and before giving up, it looks for the file's result; then whether it is queued.
    expect(h.s3.mock.calls.map(([p]) => (p as { Key: string }).Key)).toEqual([
      ...Array(3).fill(uploadResultKey('exec-1')),
      pendingUploadKey('exec-1'),
    ]);
    expect(h.notices()).toEqual([
      etlFailed({
        error: 'States.TaskFailed',
        cause,
        input: fileInput,
        fileQueued: true,
        message: expect.stringMatching(
          /3 runs of this execution failed.*stays queued.*_state\/uploads\/done\/exec-1\.json/,
        ),
      }),
    ]);
    // What the next run does with the file is the queue's rule: the notice names its bound (a file taken by
    // MAX_UPLOAD_ATTEMPTS runs without an outcome is given up, not loaded).
    expect(String(h.notices()[0]!.detail.message)).toContain(
      `unless ${MAX_UPLOAD_ATTEMPTS} runs have taken it already without an outcome: then it gives the file up (Etl.UploadGivenUp`,
    );
  });

  it("a retry whose own runs fail as a whole: its file is in no queue (only the retry's runs load it), which the notice says", async () => {
    const h = harness();
    const cause = JSON.stringify({ Id: 'jr_1', JobRunState: 'FAILED', ErrorMessage: 'Worker lost' });
    h.glue.mockRejectedValue(named('States.TaskFailed', cause));
    const { error } = await failure(run(h, fileInput, 'exec-1-retry-1').result);
    expect(error).toBe('States.TaskFailed');
    expect(h.glue).toHaveBeenCalledTimes(3);
    expect(h.s3.mock.calls.at(-1)![0]).toEqual({
      Bucket: 'curated',
      Key: pendingUploadKey('exec-1-retry-1'),
    });
    expect(h.notices()).toEqual([
      etlFailed({
        error: 'States.TaskFailed',
        cause,
        fileQueued: false,
        message:
          '3 runs of this execution failed and no run has recorded a result for its file, which this execution ' +
          'did not find in the upload queue (a retry loads its file in its own runs only): it is not loaded. Fix ' +
          'the cause (the error and cause of the last run below), then retry the execution',
      }),
    ]);
  });

  it("a file's run that fails, while another run takes the file: the execution reports that run's result", async () => {
    const h = harness();
    h.glue.mockImplementationOnce(async () => {
      // Meanwhile another run (started by another execution) took the file and recorded its result.
      h.objects.set(uploadResultKey('exec-1'), result({ runId: 'other-run' }));
      throw named('States.TaskFailed', '{"JobRunState":"FAILED"}');
    });
    await run(h, fileInput).result;
    expect(h.glue).toHaveBeenCalledTimes(1);
    expect(h.notices()).toEqual([
      expect.objectContaining({
        kind: 'ETL_SUCCEEDED',
        detail: expect.objectContaining({ runId: 'exec-1', processedBy: 'other-run' }),
      }),
    ]);
  });

  it('a file the run could not load: its result says why, and the execution fails with that', async () => {
    const h = harness({
      result: result({
        status: 'FAILED',
        error: 'Etl.InputMissing',
        cause: "input 'uploads/orders/2025-01-02.csv' does not exist in the raw bucket",
      }),
    });
    const { error, cause } = await failure(run(h, fileInput).result);
    expect(error).toBe('Etl.InputMissing');
    expect(cause).toMatch(/does not exist/);
    expect(h.notices()).toEqual([etlFailed({ error: 'Etl.InputMissing', input: fileInput })]);
  });

  it('a job that outlives the task TimeoutSeconds (events): States.Timeout is caught, noticed, and fails the execution', async () => {
    jest.useFakeTimers();
    try {
      const h = harness();
      h.glue.mockImplementation(() => new Promise<Json>(() => undefined)); // never ends
      const outcome = failure(run(h, { mode: 'events' }, 'events-5').result);
      await jest.advanceTimersByTimeAsync((states.RunEtlJob!.TimeoutSeconds as number) * 1000 + 1000);
      const { error } = await outcome;
      expect(error).toBe('States.Timeout');
      expect(h.notices()).toEqual([etlFailed({ error: 'States.Timeout' })]);
      expect(h.s3).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejected rows of the file above its threshold: a distinct notice, then Fail with Etl.RejectedRowsAboveThreshold', async () => {
    const h = harness({
      result: result({
        rowsRejected: 6,
        rowsWritten: 4,
        rejectedRatio: 0.6,
        rejectedAboveThreshold: true,
        rejectedAbove: 'orders: 6 of 10 rows rejected, above its maxRejectedRatio, 4 new rows loaded',
      }),
    });
    const { error, cause } = await failure(run(h, fileInput).result);
    expect(error).toBe('Etl.RejectedRowsAboveThreshold');
    expect(cause).toBe(
      'More rows rejected than a table allows: orders: 6 of 10 rows rejected, above its maxRejectedRatio, 4 new ' +
        'rows loaded; the rejected ones are under rejected/ in the curated bucket: fix the schema or the data, then ' +
        'replay the table (of an event table, a copy rejected because its event_id names another event is not ' +
        'replayed: send that event again with an id of its own)',
    );
    const notices = h.notices();
    expect(notices.map((n) => n.kind)).toEqual(['ETL_REJECTED_ROWS_ABOVE_THRESHOLD']);
    expect(notices[0]!.detail).toMatchObject({
      rowsRead: 10,
      rowsRejected: 6,
      rejectedRatio: 0.6,
      input: fileInput,
    });
  });

  it.each([
    ['file', fileInput],
    ['events', { mode: 'events' }],
  ])(
    "%s: a run that ended SUCCEEDED without writing its result is reported as the job's fault, with the read error",
    async (_mode, input) => {
      const h = harness({ writes: false });
      const { error, cause } = await failure(run(h, input).result);
      expect(error).toBe('Etl.RunResultUnreadable');
      expect(cause).toMatch(/ended SUCCEEDED.*S3\.S3Exception: Access Denied/);
      expect(h.s3).toHaveBeenCalledTimes(4); // bounded retries of the read
      expect(h.notices().map((n) => n.kind)).toEqual(['ETL_FAILED']);
    },
  );

  describe.each(['replay', 'rebuild'])('%s of a table', (mode) => {
    const input = { mode, table: 'orders' };
    const own = {
      table: 'orders',
      figures: { ...orders, rowsRejected: 0, rowsWritten: 10 },
      ...(mode === 'replay'
        ? { rejectedFiles: 2, sources: 1, missing: ['uploads/orders/gone.csv'], missingCount: 1 }
        : { sources: 3, skipped: [], skippedCount: 0, partitionsRewritten: 2 }),
    };

    it('runs the job with --etl_mode, --table and --run_id, and reports the run from its summary', async () => {
      const h = harness({ summary: summary({ [mode]: own, tables: [own.figures] }) });
      const output = (await run(h, input, `${mode}-1`).result) as Record<string, unknown>;
      expect(h.glue.mock.calls[0]![0]).toEqual({
        JobName: JOB,
        Arguments: { '--etl_mode': mode, '--table': 'orders', '--run_id': `${mode}-1` },
      });
      expect(h.s3.mock.calls.map(([p]) => p)).toEqual([
        { Bucket: 'curated', Key: runSummaryKey(`${mode}-1`) },
      ]);
      expect(h.notices()).toEqual([
        expect.objectContaining({
          kind: 'ETL_SUCCEEDED',
          detail: expect.objectContaining({
            mode,
            processedBy: `${mode}-1`,
            input,
            tables: [own.figures],
            // What it read again, what it could not (a replay's missing sources): in the notice itself.
            replay: mode === 'replay' ? own : null,
            rebuild: mode === 'rebuild' ? own : null,
          }),
        }),
      ]);
      expect(output).toMatchObject({ mode, rowsRead: 10 });
    });

    it('waits for a busy lake and runs again: no other run does its work', async () => {
      const h = harness();
      const busy = () => named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job');
      h.glue.mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy());
      const execution = run(h, input, `${mode}-2`);
      const events: string[] = [];
      const collecting = (async () => {
        for await (const ev of execution.eventLogs)
          if (ev.type === 'StateEntered') events.push('state' in ev ? ev.state.name : '');
      })();
      await execution.result;
      await collecting;
      expect(h.glue).toHaveBeenCalledTimes(3);
      expect(events.filter((e) => e === 'WaitForLake')).toHaveLength(2);
      // No file's result to look for, and it does not end as an events execution does.
      expect(events).not.toContain('CheckUploadDone');
      expect(events).not.toContain('EventsTakenByAnotherRun');
      expect(h.s3.mock.calls.map(([p]) => (p as { Key: string }).Key)).toEqual([runSummaryKey(`${mode}-2`)]);
      expect(h.notices().map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
    });

    it('a run that fails is reported at once, as an events run', async () => {
      const h = harness();
      h.glue.mockRejectedValue(named('States.TaskFailed', '{"JobRunState":"FAILED"}'));
      const { error } = await failure(run(h, input, `${mode}-3`).result);
      expect(error).toBe('States.TaskFailed');
      expect(h.glue).toHaveBeenCalledTimes(1);
      expect(h.notices()).toEqual([
        expect.objectContaining({ kind: 'ETL_FAILED', detail: expect.objectContaining({ input }) }),
      ]);
    });

    it('rows still rejected above the table threshold: the distinct notice, then Fail', async () => {
      const above = 'page_view: 1 of 10 rows rejected, above its maxRejectedRatio';
      const h = harness({ summary: summary({ rejectedAboveThreshold: true, rejectedAbove: above }) });
      const { error, cause } = await failure(run(h, input, `${mode}-4`).result);
      expect(error).toBe('Etl.RejectedRowsAboveThreshold');
      expect(cause).toContain(`More rows rejected than a table allows: ${above};`);
      expect(h.notices().map((n) => n.kind)).toEqual(['ETL_REJECTED_ROWS_ABOVE_THRESHOLD']);
    });
  });

  it.each([
    [{}],
    [{ mode: 'file', inputs: ['x'] }],
    [{ mode: 'other' }],
    [{ mode: 'replay' }],
    [{ mode: 'rebuild', table: 7 }],
    [{ mode: 'rebuild', table: ['orders'] }],
    // Not an object: the error could not be set at $.error (States.ResultPathMatchFailure, no notice).
    [[1, 2]],
    ['events'],
    [7],
    [null],
  ])('an input it does not know (%j) is reported, and no job runs', async (input) => {
    const h = harness();
    const { error } = await failure(run(h, input).result);
    expect(error).toBe('Etl.InvalidInput');
    expect(h.glue).not.toHaveBeenCalled();
    expect(h.notices()).toEqual([
      expect.objectContaining({ kind: 'ETL_FAILED', detail: expect.objectContaining({ input }) }),
    ]);
  });
});

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

const summary = (over: Partial<EtlRunSummary> = {}): EtlRunSummary => ({
  runId: 'exec-1',
  mode: 'file',
  engine: 'glue',
  startedAt: '2025-01-02T00:00:00.000Z',
  finishedAt: '2025-01-02T00:01:00.000Z',
  inputs: fileInput.inputs,
  tables: [
    {
      table: 'orders',
      rowsRead: 10,
      rowsWritten: 9,
      rowsRejected: 1,
      duplicatesRemoved: 0,
      partitions: ['dt=2025-01-02'],
      maxRejectedRatio: 0.2,
    },
  ],
  rowsRead: 10,
  rowsWritten: 9,
  rowsRejected: 1,
  rejectedRatio: 0.1,
  rejectedAboveThreshold: false,
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

interface Harness {
  glue: jest.Mock<Promise<Json>, [Json]>;
  s3: jest.Mock<Promise<Json>, [Json]>;
  sns: jest.Mock<Promise<Json>, [Json]>;
  notices: () => { kind: string; subject: string; detail: Record<string, unknown> }[];
}

/** runSummary null: no summary object (S3 NoSuchKey). */
function harness(runSummary: EtlRunSummary | null = summary()): Harness {
  const glue = jest.fn(async (p: Json) => jobRun((p as { Arguments: Json }).Arguments));
  const s3 = jest.fn(async (p: Json) => {
    const { Key } = p as { Key: string };
    if (!runSummary) throw named('S3.NoSuchKeyException', 'The specified key does not exist.');
    return { Body: JSON.stringify({ ...runSummary, runId: Key }), ContentType: 'application/json' };
  });
  const sns = jest.fn(async (_p: Json): Promise<Json> => ({ MessageId: 'm-1' }));
  return {
    glue,
    s3,
    sns,
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
        ReadRunSummary: h.s3,
        PublishSuccess: h.sns,
        PublishRejectedRows: h.sns,
        PublishFailure: h.sns,
      },
      retryIntervalOverrides: { RunEtlJob: 0, ReadRunSummary: 0, PublishSuccess: 0, PublishFailure: 0 },
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

  it('runs the Glue job .sync by Ref, retries only Glue API errors, with capped exponential backoff and full jitter', () => {
    const task = states.RunEtlJob!;
    expect(task.Resource).toBe('arn:aws:states:::glue:startJobRun.sync');
    expect((task.Parameters as Record<string, unknown>).JobName).toEqual({ Ref: 'EtlGlueJob' });
    const retry = task.Retry as Record<string, unknown>[];
    expect(retry.flatMap((r) => r.ErrorEquals as string[]).sort()).toEqual([
      'Glue.AWSGlueException',
      'Glue.ConcurrentRunsExceededException',
      'Glue.InternalServiceException',
      'Glue.ThrottlingException',
    ]);
    for (const r of retry) {
      expect(r).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: expect.any(Number) });
      expect(r.BackoffRate).toBeGreaterThan(1);
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      expect(r.MaxAttempts).toBeGreaterThan(0);
      expect(r.MaxAttempts).toBeLessThanOrEqual(10);
    }
    expect(task.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FailureNotice' },
    ]);
  });

  it('reads the summary where lib/etl/run.ts says the job writes it', () => {
    const read = states.ReadRunSummary!;
    expect(read.Resource).toBe('arn:aws:states:::aws-sdk:s3:getObject');
    const key = (read.Parameters as Record<string, string>)['Key.$'];
    const format = /^States\.Format\('([^']*)', \$\$\.Execution\.Name\)$/.exec(key!)![1]!;
    expect(format.replace('{}', 'RUN')).toBe(runSummaryKey('RUN'));
    expect((read.Parameters as Record<string, unknown>).Bucket).toEqual({ Ref: 'CuratedBucket' });
  });
});

describe('ETL state machine executions', () => {
  it('file mode: runs the job with the run arguments, reads the summary and reports its figures', async () => {
    const h = harness();
    const output = (await run(h, fileInput).result) as Record<string, unknown>;

    expect(h.glue).toHaveBeenCalledTimes(1);
    expect(h.glue.mock.calls[0]![0]).toEqual({
      JobName: JOB,
      Arguments: {
        '--mode': 'file',
        '--table': 'orders',
        '--inputs': JSON.stringify(fileInput.inputs),
        '--run_id': 'exec-1',
      },
    });
    expect(h.s3.mock.calls[0]![0]).toEqual({ Bucket: 'curated', Key: runSummaryKey('exec-1') });
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

  it('events mode: only --mode and --run_id', async () => {
    const h = harness(summary({ mode: 'events', inputs: [] }));
    await run(h, { mode: 'events' }, 'events-1').result;
    expect(h.glue.mock.calls[0]![0]).toEqual({
      JobName: JOB,
      Arguments: { '--mode': 'events', '--run_id': 'events-1' },
    });
    expect(h.notices()[0]).toMatchObject({
      kind: 'ETL_SUCCEEDED',
      detail: { mode: 'events', input: { mode: 'events' } },
    });
  });

  it('retries Glue.ConcurrentRunsExceededException, then succeeds', async () => {
    const h = harness();
    h.glue
      .mockRejectedValueOnce(
        named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job'),
      )
      .mockRejectedValueOnce(
        named('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for job'),
      );
    const execution = run(h, fileInput);
    const events: string[] = [];
    const collecting = (async () => {
      for await (const ev of execution.eventLogs)
        events.push(`${ev.type}:${'state' in ev ? ev.state.name : ''}`);
    })();
    await execution.result;
    await collecting;
    expect(h.glue).toHaveBeenCalledTimes(3);
    expect(events.filter((e) => e === 'StateRetried:RunEtlJob')).toHaveLength(2);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_SUCCEEDED']);
  });

  it('gives up on throttling after the bounded attempts: failure notice, then Fail', async () => {
    const h = harness();
    h.glue.mockRejectedValue(named('Glue.ThrottlingException', 'Rate exceeded'));
    const { error } = await failure(run(h, fileInput).result);
    expect(error).toBe('Glue.ThrottlingException');
    const retrier = (states.RunEtlJob!.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]).find((r) =>
      r.ErrorEquals.includes('Glue.ThrottlingException'),
    )!;
    expect(h.glue).toHaveBeenCalledTimes(retrier.MaxAttempts + 1);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_FAILED']);
  });

  it('a failed job run: failure notice with the error, the cause and the original input, then Fail', async () => {
    const h = harness();
    const cause = JSON.stringify({
      Id: 'jr_1',
      JobRunState: 'FAILED',
      ErrorMessage: 'AnalysisException: bad column',
    });
    h.glue.mockRejectedValue(named('States.TaskFailed', cause));
    const result = await failure(run(h, fileInput).result);

    expect(result).toEqual({ error: 'States.TaskFailed', cause });
    expect(h.glue).toHaveBeenCalledTimes(1); // a failed run is not retried
    expect(h.s3).not.toHaveBeenCalled();
    const notices = h.notices();
    expect(notices).toEqual([
      {
        kind: 'ETL_FAILED',
        subject: expect.any(String),
        detail: {
          runId: 'exec-1',
          executionArn: expect.stringContaining(':execution:'),
          error: 'States.TaskFailed',
          cause,
          input: fileInput,
        },
      },
    ]);
    expect((h.sns.mock.calls[0]![0] as Record<string, unknown>).MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'ETL_FAILED' },
    });
  });

  it('a job that outlives the task TimeoutSeconds: States.Timeout is caught, noticed, and fails the execution', async () => {
    jest.useFakeTimers();
    try {
      const h = harness();
      h.glue.mockImplementation(() => new Promise<Json>(() => undefined)); // never ends
      const outcome = failure(run(h, fileInput).result);
      await jest.advanceTimersByTimeAsync((states.RunEtlJob!.TimeoutSeconds as number) * 1000 + 1000);
      const { error } = await outcome;
      expect(error).toBe('States.Timeout');
      expect(h.notices()).toEqual([
        expect.objectContaining({
          kind: 'ETL_FAILED',
          detail: expect.objectContaining({ error: 'States.Timeout' }),
        }),
      ]);
      expect(h.s3).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejected rows above the threshold: a distinct notice, then Fail with Etl.RejectedRowsAboveThreshold', async () => {
    const h = harness(
      summary({ rowsRejected: 6, rowsWritten: 4, rejectedRatio: 0.6, rejectedAboveThreshold: true }),
    );
    const { error, cause } = await failure(run(h, fileInput).result);
    expect(error).toBe('Etl.RejectedRowsAboveThreshold');
    expect(cause).toContain('6 of 10 rows were rejected');
    const notices = h.notices();
    expect(notices.map((n) => n.kind)).toEqual(['ETL_REJECTED_ROWS_ABOVE_THRESHOLD']);
    expect(notices[0]!.detail).toMatchObject({
      rowsRead: 10,
      rowsRejected: 6,
      rejectedRatio: 0.6,
      input: fileInput,
    });
  });

  it('a missing run summary is not retried: failure notice, then Fail', async () => {
    const h = harness(null);
    const { error } = await failure(run(h, fileInput).result);
    expect(error).toBe('S3.NoSuchKeyException');
    expect(h.s3).toHaveBeenCalledTimes(1);
    expect(h.notices().map((n) => n.kind)).toEqual(['ETL_FAILED']);
  });

  it.each([[{}], [{ mode: 'file', inputs: ['x'] }], [{ mode: 'other' }]])(
    'an input it does not know (%j) is reported, and no job runs',
    async (input) => {
      const h = harness();
      const { error } = await failure(run(h, input).result);
      expect(error).toBe('Etl.InvalidInput');
      expect(h.glue).not.toHaveBeenCalled();
      expect(h.notices()).toEqual([
        expect.objectContaining({ kind: 'ETL_FAILED', detail: expect.objectContaining({ input }) }),
      ]);
    },
  );
});

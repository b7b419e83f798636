/**
 * One behaviour suite, two runtimes: the console's execution routes (functions/lake.ts, lib/lake-api/executions.ts)
 * against the AWS adapter (Step Functions mocked with aws-sdk-client-mock, as a store of executions and histories)
 * and against the local lake's execution records (real files). The same executions (tests/support/
 * execution-fixtures.ts) must come out of both the same way.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import { mockClient } from 'aws-sdk-client-mock';
import { lake } from '../../functions/lake';
import { ApiError } from '../../lib/errors';
import { pendingUploadKey, uploadResultKey } from '../../lib/etl/upload-queue';
import { setObjectStore } from '../../lib/objects';
import { LocalObjectStore } from '../../lib/objects/local';
import { S3ObjectStore } from '../../lib/objects/s3';
import { setExecutions } from '../../lib/workflow';
import {
  ETL_STATE_MACHINE,
  definitionFile,
  definitionId,
  definitionVersionFile,
  readExecution,
  recordPath,
  writeRecord,
} from '../../lib/workflow/local';
import { LocalWorkflow, writeLocalDefinition } from '../../lib/workflow/local-workflow';
import { SfnWorkflow } from '../../lib/workflow/sfn';
import { encodePageToken } from '../../lib/workflow/page-token';
import { apiEvent } from '../support/api-event';
import {
  DEFINITION,
  FAILED,
  FIXTURES,
  RUNNING,
  SUCCEEDED,
  iso,
  localRecord,
  sfnHistory,
  stopSecond,
  type ExecutionFixture,
} from '../support/execution-fixtures';
import { tempLake } from '../support/raw-zone';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-test-etl';

interface Stored {
  name: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

/** A runtime of the suite: `fail` ends an execution FAILED, as its run would. */
interface Runtime {
  done: () => void;
  fail: (name: string) => Promise<void>;
  /** The local lake's folder (local runtime only). */
  dir?: string;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** File executions that ended FAILED (the upload queue decides whether they may run again: lib/etl/upload-retry.ts). */
const fileExecution = (name: string, file: string, startSecond: number): ExecutionFixture => ({
  ...FAILED,
  name,
  startSecond,
  input: {
    mode: 'file',
    table: 'orders',
    inputs: [`uploads/orders/${file}`],
    key: `uploads/orders/${file}`,
    size: 9,
  },
});
const LOADED_LATER = fileExecution('orders-ra-csv-1', 'ra.csv', 10);
const STILL_QUEUED = fileExecution('orders-rq-csv-1', 'rq.csv', 20);
const TABLE_FAILED = fileExecution('orders-rt-csv-1', 'rt.csv', 30);
const DAMAGED = fileExecution('orders-rd-csv-1', 'rd.csv', 40);
const REJECTED_ABOVE = fileExecution('orders-rx-csv-1', 'rx.csv', 50);
const ALL = [...FIXTURES, LOADED_LATER, STILL_QUEUED, TABLE_FAILED, DAMAGED, REJECTED_ABOVE];

/** The upload queue's records of those files, in the curated bucket (lib/etl/upload-queue.ts). */
const result = (execution: string, over: Record<string, unknown>) =>
  JSON.stringify({
    execution,
    key: 'uploads/orders/x.csv',
    mode: 'file',
    runId: 'events-20261124T100000000Z',
    jobRunId: null,
    table: 'orders',
    rowsRead: 1,
    rowsWritten: 1,
    rowsRejected: 0,
    processedAt: iso(500),
    rejectedAboveThreshold: false,
    ...over,
  });
const QUEUE: Record<string, string> = {
  [uploadResultKey(LOADED_LATER.name)]: result(LOADED_LATER.name, { status: 'SUCCEEDED' }),
  [pendingUploadKey(STILL_QUEUED.name)]: JSON.stringify({ execution: STILL_QUEUED.name, table: 'orders' }),
  [uploadResultKey(DAMAGED.name)]: '{"execution": "orders-rd-csv-1", "status": "SUCC',
  // The run loaded its good rows and the execution failed for the rest (Etl.RejectedRowsAboveThreshold).
  [uploadResultKey(REJECTED_ABOVE.name)]: result(REJECTED_ABOVE.name, {
    status: 'SUCCEEDED',
    rowsRead: 3,
    rowsWritten: 1,
    rowsRejected: 2,
    rejectedAboveThreshold: true,
  }),
  [uploadResultKey(TABLE_FAILED.name)]: result(TABLE_FAILED.name, {
    status: 'FAILED',
    rowsWritten: 0,
    error: 'Etl.TableFailed',
  }),
};

/** Step Functions as a store: what the mocked commands read and StartExecution adds to. */
function awsRuntime(fixtures = FIXTURES): Runtime {
  const store = new Map<string, Stored>();
  for (const f of fixtures)
    store.set(f.name, {
      name: f.name,
      status: f.status,
      startDate: new Date(iso(f.startSecond)),
      ...(f.status !== 'RUNNING' ? { stopDate: new Date(iso(stopSecond(f))) } : {}),
      input: JSON.stringify(f.input),
      ...(f.output !== undefined ? { output: JSON.stringify(f.output) } : {}),
      ...(f.error ? { error: f.error, cause: f.cause } : {}),
      history: sfnHistory(f),
    });
  const byArn = (arn: string | undefined) => {
    const s = store.get(String(arn).split(':').at(-1)!);
    if (!s) throw named('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return s;
  };
  const sfn = mockClient(SFNClient);
  sfn.on(ListExecutionsCommand).callsFake((input) => {
    expect(input.stateMachineArn).toBe(ARN);
    const all = [...store.values()]
      .filter((s) => !input.statusFilter || s.status === input.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    // Step Functions refuses a token it did not give, or one older than 24 hours: 400 InvalidToken.
    if (input.nextToken && !/^sfn-token-\d+$/.test(input.nextToken))
      throw named('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    const from = input.nextToken ? Number(input.nextToken.replace('sfn-token-', '')) : 0;
    const page = all.slice(from, from + input.maxResults!);
    return {
      executions: page.map((s) => ({
        name: s.name,
        status: s.status,
        startDate: s.startDate,
        ...(s.stopDate ? { stopDate: s.stopDate } : {}),
      })),
      ...(from + page.length < all.length ? { nextToken: `sfn-token-${from + page.length}` } : {}),
    };
  });
  sfn.on(DescribeExecutionCommand).callsFake((input) => {
    const s = byArn(input.executionArn);
    const { history: _h, ...rest } = s;
    return { ...rest, executionArn: input.executionArn };
  });
  // Pages of 4 events: the adapter must read every page.
  sfn.on(GetExecutionHistoryCommand).callsFake((input) => {
    const s = byArn(input.executionArn);
    const from = Number(input.nextToken ?? 0);
    return {
      events: s.history.slice(from, from + 4),
      ...(from + 4 < s.history.length ? { nextToken: String(from + 4) } : {}),
    };
  });
  sfn.on(DescribeStateMachineForExecutionCommand).callsFake((input) => {
    byArn(input.executionArn);
    return {
      definition: JSON.stringify(DEFINITION),
      stateMachineArn: ARN,
      name: 'etl',
      roleArn: 'r',
      updateDate: new Date(),
    };
  });
  sfn.on(StartExecutionCommand).callsFake((input) => {
    // Same name and input as a running execution: success, that execution (idempotent); else a name is unique.
    const existing = store.get(input.name!);
    if (existing?.status === 'RUNNING' && existing.input === input.input)
      return { executionArn: `${ARN}:${input.name}`, startDate: existing.startDate };
    if (existing) throw named('ExecutionAlreadyExists', 'exists');
    const startDate = new Date();
    store.set(input.name!, {
      name: input.name!,
      status: 'RUNNING',
      startDate,
      input: input.input!,
      history: [],
    });
    return { executionArn: `${ARN}:${input.name}`, startDate };
  });
  setExecutions(new SfnWorkflow(new SFNClient({ region: 'us-east-1' }), ARN));
  // The upload queue in the curated bucket. The lake role reads its records without s3:ListBucket: a missing one is
  // a 403, as IAM answers it (resources/lake-role.yml).
  const s3 = mockClient(S3Client);
  const missing = () =>
    Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
  s3.on(HeadObjectCommand).callsFake((input) => {
    expect(input.Bucket).toBe('cur-bkt');
    const body = QUEUE[input.Key!];
    if (body === undefined) throw missing();
    return { ContentLength: Buffer.byteLength(body), ETag: '"e"' };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const body = QUEUE[input.Key!];
    if (body === undefined) throw missing();
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(input.Range!)!;
    const bytes = Buffer.from(body).subarray(Number(a), Number(b) + 1);
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never };
  });
  setObjectStore(
    new S3ObjectStore(new S3Client({ region: 'us-east-1' }), { raw: 'raw-bkt', curated: 'cur-bkt' }),
  );
  return {
    done: () => {
      sfn.restore();
      s3.restore();
    },
    fail: async (name) => {
      Object.assign(store.get(name)!, { status: 'FAILED', stopDate: new Date() });
    },
  };
}

async function localRuntime(fixtures = FIXTURES): Promise<Runtime> {
  const dir = await tempLake('lake-executions');
  for (const f of fixtures) await writeRecord(dir, ETL_STATE_MACHINE, localRecord(f, ARN));
  await writeLocalDefinition(dir, DEFINITION);
  setExecutions(new LocalWorkflow(dir));
  const objects = new LocalObjectStore(dir);
  for (const [key, body] of Object.entries(QUEUE)) await objects.put('curated', key, body);
  setObjectStore(objects);
  return {
    done: () => undefined,
    dir,
    fail: async (name) => {
      const r = (await readExecution(dir, ETL_STATE_MACHINE, name))!;
      await writeRecord(dir, ETL_STATE_MACHINE, {
        ...r,
        status: 'FAILED',
        stopDate: new Date().toISOString(),
      });
    },
  };
}

async function call(
  method: string,
  resource: string,
  opts: { name?: string; query?: Record<string, string>; body?: unknown } = {},
) {
  const event = apiEvent({
    method,
    path: resource.replace('{name}', opts.name ?? ''),
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
  });
  event.resource = resource;
  event.pathParameters = opts.name !== undefined ? { name: opts.name } : null;
  event.queryStringParameters = opts.query ?? null;
  try {
    const res = await lake(event);
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch (e) {
    if (e instanceof ApiError)
      return { status: e.status, body: { code: e.code, message: e.message, ...e.details } };
    throw e;
  }
}

/** Each test on a fresh runtime of `make`, its executions and object store unset after it; the runtime of the test. */
function useRuntime(make: () => Promise<Runtime>): () => Runtime {
  let rt: Runtime;
  beforeEach(async () => (rt = await make()));
  afterEach(() => {
    rt.done();
    setExecutions(undefined);
    setObjectStore(undefined);
  });
  return () => rt;
}

const runtimes: [string, () => Promise<Runtime>][] = [
  ['aws (Step Functions mocked)', async () => awsRuntime()],
  ['local (execution records)', localRuntime],
];

describe.each(runtimes)('execution routes on %s', (_name, make) => {
  const runtime = useRuntime(make);

  it('lists executions newest first with their input, durations, and pages them', async () => {
    const all = await call('GET', '/executions');
    expect(all.status).toBe(200);
    expect(all.body.executions).toEqual([
      {
        name: RUNNING.name,
        status: 'RUNNING',
        startDate: iso(300),
        stopDate: null,
        durationMs: null,
        input: RUNNING.input,
      },
      {
        name: FAILED.name,
        status: 'FAILED',
        startDate: iso(100),
        stopDate: iso(stopSecond(FAILED)),
        durationMs: FAILED.steps.length * 1000 + 1000,
        input: FAILED.input,
      },
      {
        name: SUCCEEDED.name,
        status: 'SUCCEEDED',
        startDate: iso(0),
        stopDate: iso(stopSecond(SUCCEEDED)),
        durationMs: 9000,
        input: SUCCEEDED.input,
      },
    ]);
    expect(all.body.nextToken).toBeNull();

    const failed = await call('GET', '/executions', { query: { status: 'FAILED' } });
    expect(failed.body.executions.map((e: { name: string }) => e.name)).toEqual([FAILED.name]);

    const first = await call('GET', '/executions', { query: { limit: '2' } });
    expect(first.body.executions.map((e: { name: string }) => e.name)).toEqual([RUNNING.name, FAILED.name]);
    expect(typeof first.body.nextToken).toBe('string');
    const second = await call('GET', '/executions', {
      query: { limit: '2', nextToken: first.body.nextToken },
    });
    expect(second.body).toMatchObject({ executions: [{ name: SUCCEEDED.name }], nextToken: null });

    // A token is bound to its filter, and must be one this list gave.
    const other = await call('GET', '/executions', {
      query: { status: 'FAILED', nextToken: first.body.nextToken },
    });
    expect(other).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', field: 'nextToken' } });
    const forged = await call('GET', '/executions', { query: { nextToken: 'not-a-token' } });
    expect(forged).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', field: 'nextToken' } });
    // Well formed, but not a page the engine gave (on AWS: Step Functions' token expired after 24 hours).
    const stale = await call('GET', '/executions', {
      query: { nextToken: encodePageToken('sfn-token-of-yesterday', undefined) },
    });
    expect(stale).toMatchObject({ status: 400, body: { code: 'INVALID_PARAMETER', field: 'nextToken' } });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ status: 'DONE' }, 'status'],
    [{ sort: 'asc' }, 'sort'],
  ])('refuses the parameters %j naming %s', async (query, field) => {
    expect(await call('GET', '/executions', { query })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PARAMETER', field },
    });
  });

  it('describes a failed execution: the states visited, retried, caught and failed, its notices, the definition', async () => {
    const { status, body } = await call('GET', '/executions/{name}', { name: FAILED.name });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: FAILED.name,
      status: 'FAILED',
      error: 'Etl.RunFailed',
      cause: 'the job failed',
      output: null,
      figures: null,
    });
    expect(body.states).toEqual([
      { name: 'CheckInput', type: 'Choice', status: 'succeeded', enteredAt: iso(101), exitedAt: iso(102) },
      {
        name: 'RunEtlJob',
        type: 'Task',
        status: 'retried',
        enteredAt: iso(103),
        exitedAt: iso(105),
        error: 'Glue.AWSGlueException',
        cause: 'boom 1',
      },
      {
        name: 'RunEtlJob',
        type: 'Task',
        status: 'caught',
        enteredAt: iso(105),
        exitedAt: iso(107),
        error: 'Glue.AWSGlueException',
        cause: 'boom 2',
      },
      { name: 'PublishFailure', type: 'Task', status: 'succeeded', enteredAt: iso(108), exitedAt: iso(109) },
      {
        name: 'Failed',
        type: 'Fail',
        status: 'failed',
        enteredAt: iso(110),
        exitedAt: iso(111),
        error: 'Etl.RunFailed',
        cause: 'the job failed',
      },
    ]);
    expect(body.notices).toEqual([{ at: iso(109), subject: 'Data lake ETL run failed', code: 'ETL_FAILED' }]);
    expect(body.definition).toEqual(DEFINITION);
  });

  it('describes a succeeded execution with its figures, and a running one with its open state', async () => {
    const ok = await call('GET', '/executions/{name}', { name: SUCCEEDED.name });
    expect(ok.body).toMatchObject({
      status: 'SUCCEEDED',
      output: SUCCEEDED.output,
      figures: { rowsRead: 2, rowsWritten: 2, rowsRejected: 0 },
      notices: [{ at: iso(6), subject: 'Data lake ETL run succeeded', code: 'ETL_SUCCEEDED' }],
      error: null,
    });
    expect(ok.body.states.map((s: { status: string }) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const running = await call('GET', '/executions/{name}', { name: RUNNING.name });
    expect(running.body.states.at(-1)).toEqual({
      name: 'RunEtlJob',
      type: 'Task',
      status: 'running',
      enteredAt: iso(303),
      exitedAt: null,
    });
    expect(running.body).toMatchObject({ stopDate: null, durationMs: null, figures: null, notices: [] });
  });

  it('answers 404 EXECUTION_NOT_FOUND for a name it does not have', async () => {
    for (const name of ['no-such-execution', 'bad name!'])
      expect(await call('GET', '/executions/{name}', { name })).toMatchObject({
        status: 404,
        body: { code: 'EXECUTION_NOT_FOUND', name },
      });
  });

  it('reads the name as the REST API hands it, percent-encoded (a hand-started name may hold @, = or é)', async () => {
    const encoded = encodeURIComponent(FAILED.name).replace(/-/g, '%2D');
    expect(encoded).not.toBe(FAILED.name);
    expect(await call('GET', '/executions/{name}', { name: encoded })).toMatchObject({
      status: 200,
      body: { name: FAILED.name, status: 'FAILED' },
    });
    expect(await call('GET', '/executions/{name}', { name: 'nightly%401' })).toMatchObject({
      status: 404,
      body: { code: 'EXECUTION_NOT_FOUND', name: 'nightly@1' },
    });
    // A malformed escape is the name as written: none has it.
    expect(await call('GET', '/executions/{name}', { name: 'run%zz' })).toMatchObject({
      status: 404,
      body: { name: 'run%zz' },
    });
  });

  it('starts a replay or a rebuild as the npm scripts do, and refuses an unknown table or mode, starting nothing', async () => {
    const started = await call('POST', '/executions', { body: { mode: 'rebuild', table: 'orders' } });
    expect(started.status).toBe(202);
    expect(started.body.name).toMatch(/^rebuild-orders-\d{8}T\d{9}Z$/);
    expect(Date.parse(started.body.startDate)).not.toBeNaN();
    const listed = (await call('GET', '/executions', { query: { status: 'RUNNING' } })).body.executions;
    expect(listed).toContainEqual(
      expect.objectContaining({
        name: started.body.name,
        input: { mode: 'rebuild', table: 'orders' },
        startDate: started.body.startDate,
      }),
    );
    const before = (await call('GET', '/executions')).body.executions.length;
    expect(await call('POST', '/executions', { body: { mode: 'replay', table: 'nope' } })).toMatchObject({
      status: 400,
      body: { code: 'UNKNOWN_TABLE', field: 'table' },
    });
    expect(await call('POST', '/executions', { body: { mode: 'events', table: 'orders' } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PARAMETER', field: 'mode' },
    });
    expect(
      await call('POST', '/executions', { body: { mode: 'replay', table: 'orders', extra: 1 } }),
    ).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PARAMETER', field: 'extra' },
    });
    expect(await call('POST', '/executions', { body: ['replay'] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_BODY' },
    });
    expect((await call('GET', '/executions')).body.executions).toHaveLength(before);
  });

  it('retries a failed execution with its input (-retry-1, then -retry-2 once that one ended); refuses a succeeded or running one', async () => {
    const first = await call('POST', '/executions/{name}/retry', { name: FAILED.name });
    expect(first).toMatchObject({ status: 202, body: { name: `${FAILED.name}-retry-1` } });
    const listed = (await call('GET', '/executions')).body.executions;
    expect(listed.find((e: { name: string }) => e.name === `${FAILED.name}-retry-1`)).toMatchObject({
      status: 'RUNNING',
      input: FAILED.input,
    });
    // Asked again while that retry runs (or waits for a stopped lake): refused, naming it — not a second run.
    const twice = await call('POST', '/executions/{name}/retry', { name: FAILED.name });
    expect(twice).toMatchObject({
      status: 409,
      body: { code: 'EXECUTION_NOT_RETRYABLE', name: FAILED.name, status: 'FAILED' },
    });
    expect(twice.body.message).toBe(
      `${FAILED.name}-retry-1, a retry of ${FAILED.name}, has not ended (RUNNING): a second retry would run the ` +
        'same input again beside it; wait for it to end, and retry it if it fails',
    );
    await runtime().fail(`${FAILED.name}-retry-1`);
    const again = await call('POST', '/executions/{name}/retry', { name: FAILED.name });
    expect(again).toMatchObject({ status: 202, body: { name: `${FAILED.name}-retry-2` } });
    for (const f of [SUCCEEDED, RUNNING])
      expect(await call('POST', '/executions/{name}/retry', { name: f.name })).toMatchObject({
        status: 409,
        body: { code: 'EXECUTION_NOT_RETRYABLE', name: f.name, status: f.status },
      });
    expect(await call('POST', '/executions/{name}/retry', { name: 'gone' })).toMatchObject({
      status: 404,
      body: { code: 'EXECUTION_NOT_FOUND' },
    });
  });
});

describe.each([
  ['aws (Step Functions and S3 mocked)', async () => awsRuntime(ALL)],
  ['local (execution records, the lake folder)', () => localRuntime(ALL)],
] as [string, () => Promise<Runtime>][])('retry of file executions on %s', (_name, make) => {
  useRuntime(make);

  it('refuses to retry a file execution whose file a later run loaded, or that is still queued; retries one whose table failed', async () => {
    // Loaded again as the newest run, the file's rows would replace a newer upload's (hunt r): refused, saying so.
    const loaded = await call('POST', '/executions/{name}/retry', { name: LOADED_LATER.name });
    expect(loaded).toMatchObject({
      status: 409,
      body: { code: 'EXECUTION_NOT_RETRYABLE', name: LOADED_LATER.name, status: 'FAILED' },
    });
    expect(loaded.body.message).toMatch(
      /^uploads\/orders\/ra\.csv was loaded by run events-20261124T100000000Z .*\(SUCCEEDED: 1 rows read, 1 written, 0 rejected.*replay of orders/,
    );
    const queued = await call('POST', '/executions/{name}/retry', { name: STILL_QUEUED.name });
    expect(queued).toMatchObject({ status: 409, body: { code: 'EXECUTION_NOT_RETRYABLE' } });
    expect(queued.body.message).toMatch(
      /upload of orders-rq-csv-1 \(uploads\/orders\/rq\.csv\) is still queued/,
    );
    const again = await call('POST', '/executions/{name}/retry', { name: TABLE_FAILED.name });
    expect(again).toMatchObject({ status: 202, body: { name: `${TABLE_FAILED.name}-retry-1` } });
    // A damaged result record: what became of the file cannot be told; refused, naming it (not a 500).
    const damaged = await call('POST', '/executions/{name}/retry', { name: DAMAGED.name });
    expect(damaged).toMatchObject({ status: 409, body: { code: 'EXECUTION_NOT_RETRYABLE' } });
    expect(damaged.body.message).toMatch(
      /result record _state\/uploads\/done\/orders-rd-csv-1\.json of uploads\/orders\/rd\.csv is damaged \(not JSON: .*README "Damaged state files"/,
    );
    // Loaded in part, the execution FAILED for its rejected rows: said as the execution ended, not as SUCCEEDED.
    const above = await call('POST', '/executions/{name}/retry', { name: REJECTED_ABOVE.name });
    expect(above).toMatchObject({ status: 409, body: { code: 'EXECUTION_NOT_RETRYABLE' } });
    expect(above.body.message).toMatch(
      /rx\.csv was loaded by run .* \(FAILED for its rejected rows, above the table's maxRejectedRatio: 3 rows read, 1 written, 2 rejected;/,
    );
    const names = (await call('GET', '/executions')).body.executions.map((e: { name: string }) => e.name);
    expect(names).not.toContain(`${LOADED_LATER.name}-retry-1`);
    expect(names).not.toContain(`${STILL_QUEUED.name}-retry-1`);
  });
});

describe('execution routes on the local runtime: a damaged execution record', () => {
  const runtime = useRuntime(() => localRuntime());

  it("is answered 500 INTERNAL_ERROR naming the record and README's section, for it and for a retry of its family", async () => {
    const record = recordPath(runtime().dir!, ETL_STATE_MACHINE, `${FAILED.name}-retry-1`);
    await fs.writeFile(record, '{"name": broken');
    const message = expect.stringMatching(
      new RegExp(
        `^the execution record .*${FAILED.name}-retry-1\\.json is damaged: .*; README "Damaged state files"`,
      ),
    );
    for (const [method, resource, name] of [
      ['GET', '/executions/{name}', `${FAILED.name}-retry-1`],
      ['POST', '/executions/{name}/retry', FAILED.name],
      ['POST', '/executions/{name}/retry', `${FAILED.name}-retry-1`],
    ] as const)
      expect([method, name, await call(method, resource, { name })]).toEqual([
        method,
        name,
        { status: 500, body: { code: 'INTERNAL_ERROR', message } },
      ]);
  });
});

describe('execution routes on the local runtime: a damaged state machine definition', () => {
  const runtime = useRuntime(() => localRuntime());

  it("is answered 500 INTERNAL_ERROR naming the file and README's section; the next start writes its own again", async () => {
    const dir = runtime().dir!;
    const r = (await readExecution(dir, ETL_STATE_MACHINE, FAILED.name))!;
    const version = definitionVersionFile(dir, ETL_STATE_MACHINE, definitionId(DEFINITION));
    // An execution the engine ran names its definition's file; one of before ids, the current one.
    for (const [file, record] of [
      [version, { ...r, definitionId: definitionId(DEFINITION) }],
      [definitionFile(dir, ETL_STATE_MACHINE), r],
    ] as const) {
      await writeRecord(dir, ETL_STATE_MACHINE, record);
      await fs.writeFile(file, '');
      expect(await call('GET', '/executions/{name}', { name: FAILED.name })).toEqual({
        status: 500,
        body: {
          code: 'INTERNAL_ERROR',
          message: expect.stringMatching(
            new RegExp(
              `^the state machine definition ${file.replace(/[.]/g, '\\.')} is damaged: not JSON .*; README "Damaged state files"`,
            ),
          ),
        },
      });
      // The engine's start writes the definition it runs again, under the id of its text.
      await writeLocalDefinition(dir, DEFINITION);
      const shown = await call('GET', '/executions/{name}', { name: FAILED.name });
      expect([shown.status, shown.body.definition]).toEqual([200, DEFINITION]);
    }
  });
});

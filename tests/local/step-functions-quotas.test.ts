/**
 * The local Step Functions engine enforces Step Functions' quotas, which aws-local-stepfunctions does not: the
 * 256 KiB payload quota (States.DataLimitExceeded in executions, ValidationException at StartExecution) and the
 * 25,000-event history quota (States.Runtime). Small ASL definitions with stub task handlers.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { requestExecution } from '../../lib/workflow/local';
import { HistoryEstimate, PAYLOAD_QUOTA_BYTES, RESOURCE, namedError } from '../../local/step-functions';
import { tempLake } from '../support/raw-zone';
import { STUB, closeEngines, engine, run, stub } from '../support/local-sfn-harness';

const OVER = 'a'.repeat(PAYLOAD_QUOTA_BYTES); // a string whose JSON alone is over the quota

afterEach(closeEngines);

/** Work (the stub) with the given Retry/Catch; each catcher goes to a Pass that says which one caught. */
function taskMachine(
  work: { Catch?: ({ Next: string } & Record<string, unknown>)[] } & Record<string, unknown>,
) {
  const handledBy: Record<string, string> = {
    ByName: 'caught by name',
    ByTaskFailed: 'caught by States.TaskFailed',
    ByAll: 'caught by States.ALL',
  };
  const catchers = Object.fromEntries(
    (work.Catch ?? []).map(({ Next }) => [
      Next,
      { Type: 'Pass', Result: handledBy[Next], ResultPath: '$.handledBy', End: true },
    ]),
  );
  return {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: STUB, End: true, ...work }, ...catchers },
  };
}

describe('the payload quota: 256 KiB of UTF-8 JSON', () => {
  it('StartExecution refuses a larger input (ValidationException) and records nothing; 262,144 bytes are fine', async () => {
    const e = await engine(
      taskMachine({}),
      stub(async () => ({})),
    );
    const atQuota = { x: 'a'.repeat(PAYLOAD_QUOTA_BYTES - 8) }; // {"x":"…"} is 262,144 bytes
    expect(Buffer.byteLength(JSON.stringify(atQuota))).toBe(PAYLOAD_QUOTA_BYTES);
    expect((await run(e, atQuota, 'at-quota')).status).toBe('SUCCEEDED');
    await expect(
      e.startExecution('one-byte-over', { x: 'a'.repeat(PAYLOAD_QUOTA_BYTES - 7) }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        "Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
      ),
    });
    // Bytes of UTF-8, not characters: 131,077 characters of 'é' are 262,146 bytes.
    await expect(e.startExecution('accents', { x: 'é'.repeat(131_069) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(await e.describeExecution('one-byte-over')).toBeUndefined();
    expect(await e.describeExecution('accents')).toBeUndefined();
  });

  it('an input requested by a path that does not check (another process) fails without running anything', async () => {
    const lakeDir = await tempLake('sfn-quotas');
    const handlers = stub(async () => ({}));
    const e = await engine(taskMachine({}), handlers, { lakeDir });
    await requestExecution(lakeDir, 'etl', 'unchecked', { x: OVER }, e.stateMachineArn);
    const rec = (await e.waitForExecution('unchecked', 30_000))!;
    expect(rec).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(rec.cause).toMatch(/StartExecution refuses it \(ValidationException\)/);
    expect(handlers[RESOURCE.lambdaFunction]).not.toHaveBeenCalled();
  });

  it("a Task's result over the quota is States.DataLimitExceeded: not retried nor caught by States.ALL", async () => {
    const handlers = stub(async () => ({ Body: OVER }));
    const e = await engine(
      taskMachine({
        // The quota applies to the connector's result, before ResultSelector makes it small.
        ResultSelector: { small: true },
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3 }],
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], Next: 'ByTaskFailed' },
          { ErrorEquals: ['States.ALL'], Next: 'ByAll' },
        ],
      }),
      handlers,
    );
    const rec = await run(e);
    expect(rec).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(rec.cause).toContain("The state/task 'Work' returned a result with a size exceeding");
    expect(rec.cause).toContain(`${(PAYLOAD_QUOTA_BYTES + 11).toLocaleString('en-US')} bytes`); // {"Body":"…"}
    expect(rec.cause).toContain('262,144 bytes');
    expect(handlers[RESOURCE.lambdaFunction]).toHaveBeenCalledTimes(1);
    expect(rec.events!.map((ev) => ev.type)).not.toContain('StateCaught');
  });

  it('a retrier or catcher that names States.DataLimitExceeded matches it, even after a wildcard', async () => {
    const handlers = stub(async () => ({ Body: OVER }));
    const e = await engine(
      taskMachine({
        Retry: [
          { ErrorEquals: ['States.TaskFailed'], MaxAttempts: 5 },
          { ErrorEquals: ['States.DataLimitExceeded'], MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
        ],
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], Next: 'ByTaskFailed' },
          { ErrorEquals: ['States.DataLimitExceeded'], ResultPath: '$.error', Next: 'ByName' },
          { ErrorEquals: ['States.ALL'], Next: 'ByAll' },
        ],
      }),
      handlers,
    );
    const rec = await run(e, { keep: 1 });
    expect(rec.status).toBe('SUCCEEDED');
    expect(rec.output).toMatchObject({
      keep: 1,
      handledBy: 'caught by name',
      error: { Error: 'States.DataLimitExceeded', Cause: expect.stringContaining("'Work'") },
    });
    // The first attempt and the one retry of the retrier that names it; the wildcards' 5 attempts are not used.
    expect(handlers[RESOURCE.lambdaFunction]).toHaveBeenCalledTimes(2);
  });

  it("a Task's input after Parameters over the quota fails before the stand-in runs", async () => {
    const half = 'a'.repeat(PAYLOAD_QUOTA_BYTES / 2);
    const handlers = stub(async () => ({}));
    const e = await engine(
      taskMachine({
        Parameters: { 'a.$': '$.half', 'b.$': '$.half' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ByAll' }],
      }),
      handlers,
    );
    const rec = await run(e, { half });
    expect(rec).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(rec.cause).toMatch(/'Work' has an input \(after Parameters\)/);
    expect(handlers[RESOURCE.lambdaFunction]).not.toHaveBeenCalled();
  });

  it("a Pass state's output over the quota fails the execution (seen on the event log)", async () => {
    const half = 'a'.repeat(PAYLOAD_QUOTA_BYTES / 2);
    const e = await engine(
      {
        StartAt: 'Double',
        States: {
          Double: { Type: 'Pass', Parameters: { 'a.$': '$.half', 'b.$': '$.half' }, Next: 'Shrink' },
          Shrink: { Type: 'Pass', Result: 'small', End: true },
        },
      },
      {},
    );
    const rec = await run(e, { half });
    expect(rec).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(rec.cause).toContain("The state/task 'Double' returned a result with a size exceeding");
    expect(rec.cause).toContain(`${(PAYLOAD_QUOTA_BYTES + 15).toLocaleString('en-US')} bytes`);
    const last = rec.events![rec.events!.length - 1]!;
    expect(last).toMatchObject({ type: 'ExecutionFailed', error: 'States.DataLimitExceeded' });
    expect(rec.output).toBeUndefined();
  });
});

/** Pass → Choice → back, until $.count reaches `until`. */
const loop = (until: number) => ({
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { count: 0 }, Next: 'Tick' },
    Tick: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)' }, Next: 'Again' },
    Again: {
      Type: 'Choice',
      Choices: [{ Variable: '$.count', NumericLessThan: until, Next: 'Tick' }],
      Default: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});

describe('the history quota: 25,000 events', () => {
  it('a loop whose history reaches the quota fails with States.Runtime, as Step Functions reports it', async () => {
    const e = await engine(loop(1_000_000), {}, { historyQuota: 200 });
    const rec = await run(e);
    expect(rec).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(rec.cause).toMatch(/^The execution reached the maximum number of history events \(200\)\./);
    // Pass and Choice states log what AWS logs (…StateEntered, …StateExited): 200 events, then the failure.
    expect(rec.events).toHaveLength(201);
    expect(rec.events!.filter((ev) => ev.type === 'StateEntered' && ev.state === 'Tick')).toHaveLength(50);
    expect(rec.events![200]).toMatchObject({ type: 'ExecutionFailed', error: 'States.Runtime' });
  });

  it('a loop that ends below the quota succeeds', async () => {
    const e = await engine(loop(10), {}, { historyQuota: 200 });
    const rec = await run(e);
    expect(rec).toMatchObject({ status: 'SUCCEEDED', output: { count: 10 } });
  });

  it("counts a shortened Wait's loop as AWS would pass it: once per the Wait's Seconds (the local 1 s looks are not AWS's)", () => {
    const definition = {
      StartAt: 'Look',
      States: {
        Look: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun.sync',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Wait' }],
          Next: 'Done',
        },
        Wait: { Type: 'Wait', Seconds: 60, Next: 'Look' },
        Done: { Type: 'Succeed' },
      },
    };
    const state = (name: string, type: string) => ({ state: { name, type } });
    /** One pass: the look fails, is caught, and the Wait is entered and left; 8 AWS events. */
    const pass = (estimate: HistoryEstimate, at: number) => {
      for (const ev of [
        { type: 'StateEntered', ...state('Look', 'Task') },
        { type: 'StateFailed', ...state('Look', 'Task') },
        { type: 'StateCaught', ...state('Look', 'Task') },
        { type: 'StateExited', ...state('Look', 'Task') },
        { type: 'StateEntered', ...state('Wait', 'Wait') },
        { type: 'StateExited', ...state('Wait', 'Wait') },
      ])
        estimate.add(ev, at);
    };
    const waited = (spacingMs: number, passes: number) => {
      const estimate = new HistoryEstimate(definition);
      estimate.add({ type: 'ExecutionStarted' }, 0);
      for (let i = 0; i < passes; i++) pass(estimate, i * spacingMs);
      return estimate.count;
    };
    // At AWS's pace every pass counts; at the local engine's 1 s, one pass a minute does: 25 minutes of waiting is
    // the history AWS writes in 25 minutes, far below the quota (it failed at 25,000 before).
    expect(waited(60_000, 1_500)).toBe(1 + 1_500 * 8);
    const local = waited(1_000, 1_500);
    expect([local >= 1 + 25 * 8, local <= 1 + 27 * 8]).toEqual([true, true]);
    // Out of the loop every event counts again.
    const estimate = new HistoryEstimate(definition);
    pass(estimate, 0);
    pass(estimate, 1_000);
    estimate.add({ type: 'StateEntered', ...state('Look', 'Task') }, 2_000);
    estimate.add({ type: 'StateExited', ...state('Look', 'Task') }, 2_000);
    const before = estimate.count;
    estimate.add({ type: 'StateEntered', ...state('Done', 'Succeed') }, 2_000);
    estimate.add({ type: 'StateExited', ...state('Done', 'Succeed') }, 2_000);
    expect(estimate.count).toBe(before + 2);
  });

  it('counts the events AWS writes for each event the library logs (default mapping)', async () => {
    const definition = {
      StartAt: 'Job',
      States: {
        Job: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun.sync',
          Parameters: { JobName: 'job' },
          Retry: [{ ErrorEquals: ['Glue.ConcurrentRunsExceededException'], MaxAttempts: 2 }],
          Next: 'Read',
        },
        Read: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'curated', Key: 'missing.json' },
          Catch: [{ ErrorEquals: ['S3.NoSuchKeyException'], ResultPath: '$.error', Next: 'Missing' }],
          Next: 'Done',
        },
        Missing: { Type: 'Pass', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;
    let attempts = 0;
    const execution = new StateMachine(definition).run(
      {},
      {
        overrides: {
          retryIntervalOverrides: { Job: 0 },
          taskResourceLocalHandlers: {
            Job: async () => {
              if (attempts++ === 0) throw namedError('Glue.ConcurrentRunsExceededException', 'busy');
              return { JobRunState: 'SUCCEEDED' };
            },
            Read: async () => {
              throw namedError('S3.NoSuchKeyException', 'The specified key does not exist.');
            },
          },
        },
      },
    );
    const estimate = new HistoryEstimate(definition);
    await execution.result;
    for await (const ev of execution.eventLogs) estimate.add(ev as unknown as Record<string, unknown>);
    // The history AWS writes for this execution (event types: API reference, HistoryEvent).
    const aws = [
      'ExecutionStarted',
      ...['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed'], // Job, busy
      ...['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited'], // Job, retried
      ...['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskStateExited'], // Read, caught
      ...['PassStateEntered', 'PassStateExited', 'SucceedStateEntered', 'SucceedStateExited'],
      'ExecutionSucceeded',
    ];
    expect(estimate.count).toBe(aws.length);
  });
});

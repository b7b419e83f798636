/**
 * A Task state's TimeoutSeconds stops its run: Step Functions fails the task with States.Timeout and stops a `.sync`
 * Glue job run (BatchStopJobRun); locally the job run's signal is aborted then, so that a run the execution reports
 * as failed does not go on and commit (local/step-functions/execution-run.ts). Every Task of the deployed state
 * machines sets TimeoutSeconds: aws-local-stepfunctions gives one without it 60 s, where AWS gives no limit.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadServiceConfig } from '../../local/service-config';
import {
  glueJobHandler,
  glueJobTimeouts,
  LocalStateMachine,
  localDefinition,
  RESOURCE,
  s3GetObjectHandler,
  snsPublishHandler,
  stateMachineS3Access,
} from '../../local/step-functions';
import { taskStates, taskTimeouts } from '../../local/step-functions/task-states';
import { tempLake } from '../support/raw-zone';

it('aborts the Glue job run when RunEtlJob times out; the execution fails with States.Timeout', async () => {
  const lakeDir = await tempLake('task-timeout');
  const config = await loadServiceConfig('local');
  const { definition, name } = localDefinition(config as never);
  const def = JSON.parse(JSON.stringify(definition)) as {
    States: Record<string, { TimeoutSeconds?: number }>;
  };
  def.States.RunEtlJob!.TimeoutSeconds = 1;
  let abortedAfter: number | undefined;
  const started = Date.now();
  const runner = async () => async (_args: Record<string, string>, opts: { signal?: AbortSignal }) => {
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 10_000);
      opts.signal?.addEventListener('abort', () => {
        abortedAfter = Date.now() - started;
        clearTimeout(done);
        resolve();
      });
    });
    throw new Error('the run was stopped');
  };
  const engine = await LocalStateMachine.open({
    lakeDir,
    stateMachineName: name,
    definition: def as never,
    pollIntervalMs: 0,
    handlers: {
      [RESOURCE.glueStartJobRunSync]: glueJobHandler(runner as never, lakeDir),
      [RESOURCE.snsPublish]: snsPublishHandler((() => ({ publish: async () => undefined })) as never),
      [RESOURCE.s3GetObject]: s3GetObjectHandler(lakeDir, stateMachineS3Access(config as never, 'etl')),
    },
  });
  try {
    await engine.startExecution('rebuild-orders-1', { mode: 'rebuild', table: 'orders' });
    const r = await engine.waitForExecution('rebuild-orders-1', 30_000);
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    // Stopped at the timeout, not left to run its 10 s (no wall-clock bound asserted beyond that).
    expect(abortedAfter).toBeDefined();
    expect(abortedAfter!).toBeLessThan(10_000);
  } finally {
    await engine.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  }
}, 60_000);

it("stops a Glue job run past the job's Timeout: it ends TIMEOUT, as Glue ends it, and the task fails", async () => {
  const config = await loadServiceConfig('local');
  // The job's Timeout is serverless.yml's glueTimeoutMinutes for the stage (resources/glue.yml).
  const jobs = glueJobTimeouts(config as never);
  expect(jobs(`${config.service}-local-etl`)).toBe(30);
  expect(jobs('another-job')).toBeUndefined();
  let aborted = false;
  const runner = async () => async (_args: Record<string, string>, opts: { signal?: AbortSignal }) => {
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 10_000);
      opts.signal?.addEventListener('abort', () => {
        aborted = true;
        clearTimeout(done);
        resolve();
      });
    });
    throw new Error('the run was stopped');
  };
  // A Timeout of 0.001 minutes (60 ms) for the test.
  const handler = glueJobHandler(runner as never, '/nonexistent', (name) =>
    name === 'j' ? 0.001 : undefined,
  );
  const failure = await (handler({ JobName: 'j', Arguments: {} }, {} as never) as Promise<unknown>).catch(
    (e: Error) => e,
  );
  expect(aborted).toBe(true);
  expect(failure).toMatchObject({ name: 'States.TaskFailed' });
  expect(JSON.parse((failure as Error).message)).toMatchObject({
    JobName: 'j',
    JobRunState: 'TIMEOUT',
    ErrorMessage: "The job run exceeded the job's Timeout of 0.001 minutes and was stopped",
  });
}, 60_000);

it('every Task state of the deployed state machines sets TimeoutSeconds', () => {
  const dir = path.join(__dirname, '../../state-machines');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const definition = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      States: Record<string, unknown>;
    };
    const timeouts = taskTimeouts(definition);
    const without = [...taskStates(definition).keys()].filter((s) => !timeouts.has(s));
    expect({ file, without }).toEqual({ file, without: [] });
  }
});

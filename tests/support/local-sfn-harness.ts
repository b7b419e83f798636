/**
 * Runs small ASL definitions on the local engine (LocalStateMachine) with stub task handlers, for the tests of the
 * contracts it enforces (step-functions-quotas.test.ts, step-functions-s3-role.test.ts).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionRecord } from '../../lib/workflow/local';
import { LocalStateMachine, RESOURCE, type TaskHandler, type TaskHandlers } from '../../local/step-functions';
import { tempLake } from './raw-zone';

/** A Lambda function ARN: the Resource of a Task whose stand-in is `stub`. */
export const STUB = 'arn:aws:lambda:us-east-1:000000000000:function:stub';

export const stub = (fn: TaskHandler) => ({ [RESOURCE.lambdaFunction]: jest.fn(fn) });

const opened: LocalStateMachine[] = [];

/** Closes the engines the test opened (call in afterEach). */
export async function closeEngines(): Promise<void> {
  await Promise.all(opened.splice(0).map((e) => e.close()));
}

/** An engine for `definition` on a new lake (or `lakeDir`); retries of the states Work and Job do not wait. */
export async function engine(
  definition: object,
  handlers: TaskHandlers,
  over: { historyQuota?: number; lakeDir?: string } = {},
): Promise<LocalStateMachine> {
  const e = await LocalStateMachine.open({
    lakeDir: over.lakeDir ?? (await tempLake('sfn-contracts')),
    stateMachineName: 'contracts',
    definition: definition as StateMachineDefinition,
    handlers,
    pollIntervalMs: 0,
    stopGraceMs: 2000,
    retryIntervalOverrides: { Work: 0, Job: 0 },
    ...(over.historyQuota !== undefined ? { historyQuota: over.historyQuota } : {}),
  });
  opened.push(e);
  return e;
}

/** Starts an execution and waits for its final record. */
export async function run(
  e: LocalStateMachine,
  input: unknown = {},
  name = 'run-1',
): Promise<ExecutionRecord> {
  await e.startExecution(name, input);
  return (await e.waitForExecution(name, 30_000))!;
}

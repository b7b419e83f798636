/**
 * Executions described once, rendered for both runtimes: as the local engine records them (aws-local-stepfunctions'
 * events, lib/workflow/local.ts) and as Step Functions keeps them (DescribeExecution + GetExecutionHistory events).
 * The console routes must answer the same for both.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionEvent, ExecutionRecord } from '../../lib/workflow/local';

export type Step =
  | { enter: string; type: string; input?: unknown }
  | { exit: true; output?: unknown }
  | { fail: string; cause: string }
  | { retry: true }
  | { caught: true }
  | { executionFailed: string; cause: string };

export interface ExecutionFixture {
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startSecond: number;
  input: Record<string, unknown>;
  output?: unknown;
  error?: string;
  cause?: string;
  steps: Step[];
}

const BASE = Date.parse('2026-11-24T09:00:00.000Z');
export const at = (second: number) => new Date(BASE + second * 1000);
export const iso = (second: number) => at(second).toISOString();

/** The step's time: the execution's start + its index + 1 seconds. */
const stepTime = (f: ExecutionFixture, i: number) => f.startSecond + i + 1;
export const stopSecond = (f: ExecutionFixture) => stepTime(f, f.steps.length);

export function localRecord(f: ExecutionFixture, arn: string): ExecutionRecord {
  const events: ExecutionEvent[] = [
    { type: 'ExecutionStarted', timestamp: iso(f.startSecond), input: f.input },
  ];
  let open: { state: string; stateType: string } | undefined;
  f.steps.forEach((s, i) => {
    const timestamp = iso(stepTime(f, i));
    if ('enter' in s) {
      open = { state: s.enter, stateType: s.type };
      events.push({ type: 'StateEntered', timestamp, ...open, input: s.input ?? {} });
    } else if ('exit' in s) events.push({ type: 'StateExited', timestamp, ...open!, output: s.output ?? {} });
    else if ('fail' in s)
      events.push({ type: 'StateFailed', timestamp, ...open!, error: s.fail, cause: s.cause });
    else if ('retry' in s) events.push({ type: 'StateRetried', timestamp, ...open!, attempt: 1 });
    else if ('caught' in s)
      events.push({ type: 'StateCaught', timestamp, ...open! }, { type: 'StateExited', timestamp, ...open! });
    else {
      events.push(
        { type: 'StateFailed', timestamp, ...open!, error: s.executionFailed, cause: s.cause },
        { type: 'ExecutionFailed', timestamp, error: s.executionFailed, cause: s.cause },
      );
    }
  });
  if (f.status === 'SUCCEEDED')
    events.push({ type: 'ExecutionSucceeded', timestamp: iso(stopSecond(f)), output: f.output });
  return {
    name: f.name,
    executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${f.name}`,
    stateMachineArn: arn,
    status: f.status,
    input: f.input,
    startDate: iso(f.startSecond),
    runStartDate: iso(f.startSecond),
    ...(f.status !== 'RUNNING' ? { stopDate: iso(stopSecond(f)) } : {}),
    ...(f.output !== undefined ? { output: f.output } : {}),
    ...(f.error ? { error: f.error, cause: f.cause } : {}),
    requestedBy: { pid: 1 },
    events,
  };
}

export function sfnHistory(f: ExecutionFixture): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const push = (type: string, second: number, more: Partial<HistoryEvent> = {}) =>
    out.push({ type: type as HistoryEvent['type'], timestamp: at(second), id: out.length + 1, ...more });
  push('ExecutionStarted', f.startSecond, {
    executionStartedEventDetails: { input: JSON.stringify(f.input) },
  });
  let open: { name: string; type: string } | undefined;
  f.steps.forEach((s, i) => {
    const t = stepTime(f, i);
    if ('enter' in s) {
      open = { name: s.enter, type: s.type };
      push(`${s.type}StateEntered`, t, {
        stateEnteredEventDetails: { name: s.enter, input: JSON.stringify(s.input ?? {}) },
      });
      if (s.type === 'Task') push('TaskScheduled', t);
    } else if ('exit' in s || 'caught' in s)
      push(`${open!.type}StateExited`, t, {
        stateExitedEventDetails: {
          name: open!.name,
          output: JSON.stringify('exit' in s ? (s.output ?? {}) : {}),
        },
      });
    else if ('fail' in s)
      push('TaskFailed', t, { taskFailedEventDetails: { error: s.fail, cause: s.cause } } as never);
    else if ('retry' in s) push('TaskScheduled', t);
    else
      push('ExecutionFailed', t, {
        executionFailedEventDetails: { error: s.executionFailed, cause: s.cause },
      });
  });
  if (f.status === 'SUCCEEDED')
    push('ExecutionSucceeded', stopSecond(f), {
      executionSucceededEventDetails: { output: JSON.stringify(f.output) },
    });
  return out;
}

const notice = (kind: string, subject: string, detail: Record<string, unknown> = {}) => ({
  notice: { kind, subject, detail },
});

export const SUCCEEDED: ExecutionFixture = {
  name: 'orders-a-csv-1',
  status: 'SUCCEEDED',
  startSecond: 0,
  input: { bucket: 'raw', key: 'uploads/orders/a.csv', table: 'orders' },
  output: { rowsRead: 2, rowsWritten: 2, rowsRejected: 0 },
  steps: [
    { enter: 'CheckInput', type: 'Choice' },
    { exit: true },
    { enter: 'RunEtlJob', type: 'Task' },
    { exit: true },
    { enter: 'PublishSuccess', type: 'Task', input: notice('ETL_SUCCEEDED', 'Data lake ETL run succeeded') },
    { exit: true },
    { enter: 'Succeeded', type: 'Succeed' },
    { exit: true },
  ],
};

export const FAILED: ExecutionFixture = {
  name: 'orders-b-csv-2',
  status: 'FAILED',
  startSecond: 100,
  input: { bucket: 'raw', key: 'uploads/orders/b.csv', table: 'orders' },
  error: 'Etl.RunFailed',
  cause: 'the job failed',
  steps: [
    { enter: 'CheckInput', type: 'Choice' },
    { exit: true },
    { enter: 'RunEtlJob', type: 'Task' },
    { fail: 'Glue.AWSGlueException', cause: 'boom 1' },
    { retry: true },
    { fail: 'Glue.AWSGlueException', cause: 'boom 2' },
    { caught: true },
    { enter: 'PublishFailure', type: 'Task', input: notice('ETL_FAILED', 'Data lake ETL run failed') },
    { exit: true },
    { enter: 'Failed', type: 'Fail' },
    { executionFailed: 'Etl.RunFailed', cause: 'the job failed' },
  ],
};

export const RUNNING: ExecutionFixture = {
  name: 'replay-orders-20261124T090500000Z',
  status: 'RUNNING',
  startSecond: 300,
  input: { mode: 'replay', table: 'orders' },
  steps: [{ enter: 'CheckInput', type: 'Choice' }, { exit: true }, { enter: 'RunEtlJob', type: 'Task' }],
};

export const FIXTURES = [SUCCEEDED, FAILED, RUNNING];

/** A definition with the states the fixtures visit (the publishing ones are sns:publish Tasks). */
export const DEFINITION = {
  StartAt: 'CheckInput',
  States: {
    CheckInput: { Type: 'Choice', Choices: [], Default: 'RunEtlJob' },
    RunEtlJob: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync', Next: 'PublishSuccess' },
    PublishSuccess: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Next: 'Succeeded' },
    Succeeded: { Type: 'Succeed' },
    PublishFailure: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Next: 'Failed' },
    Failed: { Type: 'Fail' },
  },
};

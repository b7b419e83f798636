/**
 * One run of an execution by aws-local-stepfunctions: the Task stand-ins wrapped with the payload quota checks
 * (payload-quota.ts), the event log watched for the quotas the library does not know (execution-watch.ts), and the
 * outcome as the execution record reports it. The engine (state-machine.ts) decides what to do with it.
 */
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT_ID, type ExecutionEvent, type ExecutionRecord } from '../../lib/workflow/local';
import type { Json } from './config';
import { watchExecution } from './execution-watch';
import { checkTaskPayload, taskErrorHandling, type TaskErrorHandling } from './payload-quota';
import type { TaskHandler, TaskHandlers } from './task-handlers';
import { handlerFor, taskStates, taskTimeouts } from './task-states';

export type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

/** A Task state's stand-in, and the Retry/Catch that decide who may match States.DataLimitExceeded. */
export interface TaskStandIn {
  resource: string;
  handler: TaskHandler;
  handling: TaskErrorHandling;
  /** The state's TimeoutSeconds: its run is stopped then, as Step Functions stops a .sync job run. */
  timeoutSeconds?: number;
}

/** Task state name → its stand-in; throws naming the Task states no handler runs. */
export function taskStandIns(
  definition: StateMachineDefinition,
  handlers: TaskHandlers,
): Map<string, TaskStandIn> {
  const out = new Map<string, TaskStandIn>();
  const missing: string[] = [];
  const handling = taskErrorHandling(definition);
  const timeouts = taskTimeouts(definition);
  for (const [stateName, resource] of taskStates(definition)) {
    const handler = handlerFor(handlers, resource);
    const timeoutSeconds = timeouts.get(stateName);
    if (!handler) missing.push(`${stateName} (${resource})`);
    else
      out.set(stateName, {
        resource,
        handler,
        handling: handling.get(stateName) ?? {},
        ...(timeoutSeconds ? { timeoutSeconds } : {}),
      });
  }
  if (missing.length) throw new Error(`no local stand-in for the Task states ${missing.join(', ')}`);
  return out;
}

export interface RunOptions {
  definition: StateMachineDefinition;
  tasks: Map<string, TaskStandIn>;
  stateMachineArn: string;
  stateMachineName: string;
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Wait states by name → how long they wait, in ms (aws-local-stepfunctions' waitTimeOverrides). */
  waitTimeOverrides?: Record<string, number>;
  historyQuota?: number;
  /** Each event of the run as it happens, with the run's events so far (execution-watch.ts). */
  onEvent?: (ev: ExecutionEvent, events: readonly ExecutionEvent[]) => void;
  /** How long a stopped execution waits for its running tasks to end (default TASK_STOP_WAIT_MS). */
  taskStopWaitMs?: number;
}

export interface RunResult {
  outcome: Outcome;
  /** The run was stopped by abort() (not by a quota: that is a FAILED outcome). */
  aborted: boolean;
  events: ExecutionEvent[];
  eventsTruncated: boolean;
}

/** Starts the run; `abort` stops it (ABORTED), `settled` resolves once it has ended and its events are read. */
export function startRun(
  stateMachine: StateMachine,
  record: ExecutionRecord,
  opts: RunOptions,
): { abort: () => void; settled: Promise<RunResult> } {
  // A stopped execution stops its tasks (TaskContext signal); they are waited for, within a bound, before it ends.
  const stop = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const execution = stateMachine.run(record.input as Json, {
    overrides: {
      taskResourceLocalHandlers: taskOverrides(opts.tasks, record.name, stop.signal, inFlight),
      ...(opts.retryIntervalOverrides ? { retryIntervalOverrides: opts.retryIntervalOverrides } : {}),
      ...(opts.waitTimeOverrides ? { waitTimeOverrides: opts.waitTimeOverrides } : {}),
    },
    context: {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-step-functions`,
        RedriveCount: 0,
      },
      StateMachine: { Id: opts.stateMachineArn, Name: opts.stateMachineName },
    },
  });
  const abort = () => {
    stop.abort();
    execution.abort();
  };
  const watch = watchExecution(execution.eventLogs, {
    definition: opts.definition,
    abort,
    historyQuota: opts.historyQuota,
    onEvent: opts.onEvent,
  });
  const settled = (async (): Promise<RunResult> => {
    let outcome: Outcome;
    let aborted = false;
    try {
      outcome = { status: 'SUCCEEDED', output: await execution.result };
    } catch (e) {
      outcome = outcomeOf(e);
      aborted = e instanceof ExecutionAbortedError;
    }
    // What a stopped task still does (a job run cleaning up after its interrupt) ends before the execution does.
    if (stop.signal.aborted) await tasksEnded(inFlight, opts.taskStopWaitMs ?? TASK_STOP_WAIT_MS);
    // The library closes its event log with the outcome; don't hang on it should that ever not happen.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([watch.done, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    // A quota breach is where AWS would have failed the execution, whatever the library did after it.
    if (watch.failure) {
      outcome = { status: 'FAILED', ...watch.failure };
      aborted = false;
    }
    return { outcome, aborted, events: watch.events, eventsTruncated: watch.eventsTruncated };
  })();
  return { abort, settled };
}

/** How long an aborted execution waits for its running tasks to end (a job run interrupted cleans up first). */
export const TASK_STOP_WAIT_MS = 10_000;

async function tasksEnded(inFlight: Set<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...inFlight]),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * The stand-ins by state name (aws-local-stepfunctions overrides Task states by name), each checked against the
 * payload quota: its effective input before it runs, its raw result (before ResultSelector) after.
 */
function taskOverrides(
  tasks: Map<string, TaskStandIn>,
  executionName: string,
  signal: AbortSignal,
  inFlight: Set<Promise<unknown>>,
): Record<string, (input: Json) => Promise<Json>> {
  return Object.fromEntries(
    [...tasks].map(([stateName, { resource, handler, handling, timeoutSeconds }]) => [
      stateName,
      async (input: Json) => {
        checkTaskPayload(stateName, 'input', input, handling);
        // Stopped with the execution, or when the state's TimeoutSeconds pass (the engine fails the task with
        // States.Timeout then; the run must not go on and commit what the execution reports as failed).
        const own = new AbortController();
        const stop = () => own.abort();
        signal.addEventListener('abort', stop, { once: true });
        if (signal.aborted) own.abort();
        let timedOut = false;
        const timer = timeoutSeconds
          ? setTimeout(() => {
              timedOut = true;
              stop();
            }, timeoutSeconds * 1000)
          : undefined;
        timer?.unref();
        const running = handler(input, { executionName, stateName, resource, signal: own.signal });
        inFlight.add(running);
        // Once timed out, the task's outcome is the engine's States.Timeout (its own timer, set just after this
        // one for the same time): the stopped run's failure must not come first as another error.
        let settled: { result: Json } | { error: unknown };
        try {
          settled = { result: await running };
        } catch (error) {
          settled = { error };
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          inFlight.delete(running);
        }
        if (timedOut) return new Promise<never>(() => undefined);
        if ('error' in settled) throw settled.error;
        checkTaskPayload(stateName, 'result', settled.result, handling);
        return settled.result;
      },
    ]),
  );
}

/** The outcome of a run whose result rejected. */
function outcomeOf(e: unknown): Outcome {
  if (e instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (e instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution ran longer than its TimeoutSeconds',
    };
  }
  if (e instanceof ExecutionError) {
    const inner = e.cause as Error | undefined;
    return { status: 'FAILED', error: inner?.name ?? 'States.Runtime', cause: inner?.message ?? e.message };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: (e as Error)?.message ?? String(e) };
}

/**
 * Step Functions' payload quota on the local engine: 256 KiB (262,144 bytes) of UTF-8 JSON for the input and output
 * of an execution, a state and a task.
 *
 * What AWS does (Step Functions Developer Guide, "Step Functions service quotas": "Maximum input or output size for a
 * task, state, or execution: 256 KiB of data as a UTF-8 encoded string"; API reference, StateEnteredEventDetails /
 * StateExitedEventDetails / TaskScheduledEventDetails: "Maximum length of 262144", bytes in UTF-8):
 *  - StartExecution refuses a larger input: `ValidationException: 1 validation error detected: Value at 'input'
 *    failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding` (the
 *    message AWS returns, as captured in public client code; the API reference lists ValidationException among
 *    StartExecution's errors). No execution is created.
 *  - During an execution ("Handling errors in Step Functions workflows", States.DataLimitExceeded): a connector's
 *    output larger than the quota, a state's output larger than the quota, or a state's input after Parameters larger
 *    than the quota raise States.DataLimitExceeded, "a terminal error that can't be caught by the States.ALL error
 *    type". The cause AWS writes: "The state/task '<resource or state>' returned a result with a size exceeding the
 *    maximum number of bytes service limit."
 *
 * How the local engine reproduces it:
 *  - checkExecutionInput: the start path throws ValidationException with AWS's message.
 *  - checkTaskPayload (called by the engine's Task wrapper, execution-run.ts): the effective input (after InputPath and
 *    Parameters) before the stand-in runs, and the stand-in's raw result (before ResultSelector). It throws
 *    DataLimitExceededError, which Retry/Catch treat as the docs say: the wildcards States.ALL and States.TaskFailed
 *    never match it, a retrier or catcher that names States.DataLimitExceeded does (ErrorEquals matches error names).
 *  - oversizedStatePayload: the engine watches the event log (execution-watch.ts) for StateEntered/StateExited
 *    payloads over the quota (Pass, Choice, Parallel, Map and the output of a Task after ResultSelector/ResultPath):
 *    the execution is stopped and recorded FAILED with States.DataLimitExceeded, which nothing catches.
 *
 * Differences that remain (named here rather than silent):
 *  - AWS's recorded behaviour is more lenient than its documentation: executions recorded against AWS in 2024
 *    (LocalStack's AWS-validated snapshots, test_states_errors.snapshot.json) show an oversized Lambda result caught
 *    by a `States.ALL` catcher. The local engine follows the documentation (terminal for the wildcards), so a
 *    definition that relies on States.ALL to catch it fails here; name States.DataLimitExceeded explicitly.
 *  - For non-Task states the check runs when the event is logged: the next state may already have started (its Task
 *    stand-in may even have run) by the time the execution is stopped. The record is FAILED either way.
 */
import type { Json } from './config';

export { PAYLOAD_QUOTA_BYTES, checkExecutionInput, payloadBytes } from '../../lib/workflow/execution-input';
import { PAYLOAD_QUOTA_BYTES, payloadBytes } from '../../lib/workflow/execution-input';

export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

const bytes = (n: number) => n.toLocaleString('en-US');

interface Matcher {
  ErrorEquals?: string[];
}

/** Index of the first retrier/catcher that names States.DataLimitExceeded (-1: none). */
const explicitMatcher = (list: Matcher[] | undefined) =>
  (list ?? []).findIndex((m) => m.ErrorEquals?.includes(DATA_LIMIT_EXCEEDED));

/**
 * States.DataLimitExceeded raised in a Task state. aws-local-stepfunctions asks an error `isRetryable` once per
 * retrier and `isCatchable` once per catcher, in the order of the state's Retry and Catch lists, and a `true` lets
 * that retrier/catcher match by name or by wildcard (StateExecutor.shouldRetry / catchError, v3). Answering `true`
 * only at the index of the first retrier/catcher that names States.DataLimitExceeded makes exactly that one match:
 * the wildcards before it are skipped, those after it are never asked. An error that leaves the state (into a
 * Parallel or Map) answers `false` to every further question: terminal.
 * tests/local/step-functions-quotas.test.ts pins this on the library's behaviour.
 */
export class DataLimitExceededError extends Error {
  readonly retryable = false;
  readonly catchable = false;
  private retryQuestions = 0;
  private catchQuestions = 0;

  constructor(
    message: string,
    private readonly explicitRetrier: number,
    private readonly explicitCatcher: number,
  ) {
    super(message);
    this.name = DATA_LIMIT_EXCEEDED;
  }

  get isRetryable(): boolean {
    return this.retryQuestions++ === this.explicitRetrier;
  }

  get isCatchable(): boolean {
    return this.catchQuestions++ === this.explicitCatcher;
  }
}

/** The Retry and Catch lists of a Task state (those decide who may match States.DataLimitExceeded). */
export interface TaskErrorHandling {
  Retry?: Matcher[];
  Catch?: Matcher[];
}

interface StateNode extends TaskErrorHandling {
  Type?: string;
  Branches?: { States: Record<string, StateNode> }[];
  Iterator?: { States: Record<string, StateNode> };
  ItemProcessor?: { States: Record<string, StateNode> };
}

/** Task state name → its Retry and Catch, through Parallel branches and Map iterators (names are unique). */
export function taskErrorHandling(definition: {
  States: Record<string, unknown>;
}): Map<string, TaskErrorHandling> {
  const out = new Map<string, TaskErrorHandling>();
  const visit = (states: Record<string, StateNode>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') out.set(name, { Retry: s.Retry, Catch: s.Catch });
      for (const b of s.Branches ?? []) visit(b.States);
      if (s.Iterator) visit(s.Iterator.States);
      if (s.ItemProcessor) visit(s.ItemProcessor.States);
    }
  };
  visit(definition.States as Record<string, StateNode>);
  return out;
}

/**
 * Throws DataLimitExceededError when a Task's effective input (`input`: after InputPath and Parameters) or its raw
 * result (`result`: before ResultSelector) is over the quota.
 */
export function checkTaskPayload(
  stateName: string,
  kind: 'input' | 'result',
  value: Json,
  handling: TaskErrorHandling,
  quota = PAYLOAD_QUOTA_BYTES,
): void {
  const size = payloadBytes(value);
  if (size <= quota) return;
  const what =
    kind === 'result'
      ? `returned a result with a size exceeding the maximum number of bytes service limit`
      : `has an input (after Parameters) with a size exceeding the maximum number of bytes service limit`;
  throw new DataLimitExceededError(
    `The state/task '${stateName}' ${what} (${bytes(size)} bytes; the quota is ${bytes(quota)} bytes of UTF-8 ` +
      `JSON). Terminal: States.ALL and States.TaskFailed do not match it, only a retrier or catcher naming ` +
      `States.DataLimitExceeded.`,
    explicitMatcher(handling.Retry),
    explicitMatcher(handling.Catch),
  );
}

export interface QuotaFailure {
  error: string;
  cause: string;
}

/**
 * The failure an event of aws-local-stepfunctions' log reports when its payload is over the quota: a state's input
 * (StateEntered), a state's output (StateExited) or the execution's input (ExecutionStarted).
 */
export function oversizedStatePayload(
  ev: Record<string, unknown>,
  quota = PAYLOAD_QUOTA_BYTES,
): QuotaFailure | undefined {
  const state = ev.state as { name?: string; input?: unknown; output?: unknown } | undefined;
  let payload: unknown;
  let what: string;
  if (ev.type === 'StateExited') {
    payload = state?.output;
    what = `The state/task '${state?.name}' returned a result with a size exceeding the maximum number of bytes service limit`;
  } else if (ev.type === 'StateEntered') {
    payload = state?.input;
    what = `The state '${state?.name}' was entered with an input exceeding the maximum number of bytes service limit`;
  } else if (ev.type === 'ExecutionStarted') {
    payload = ev.input;
    what =
      `The execution input exceeds the maximum number of bytes service limit: on AWS StartExecution refuses it ` +
      `(ValidationException) and no execution exists; it reached the local engine by a path that does not check`;
  } else {
    return undefined;
  }
  const size = payloadBytes(payload);
  if (size <= quota) return undefined;
  return {
    error: DATA_LIMIT_EXCEEDED,
    cause: `${what} (${bytes(size)} bytes; the quota is ${bytes(quota)} bytes of UTF-8 JSON).`,
  };
}

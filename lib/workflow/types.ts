/** The workflow port: Step Functions on AWS, aws-local-stepfunctions on the local lake. */
export interface StartResult {
  executionArn: string;
  /** An execution with this name already existed (a duplicate trigger): nothing new was started. */
  alreadyStarted: boolean;
  /** When the execution started (ISO-8601), where the runtime says (StartExecution's answer, the local record). */
  startDate?: string;
}

/** Step Functions' execution statuses (PENDING_REDRIVE is not used: the ETL is never redriven). */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** An execution as a list shows it. Dates are ISO-8601 (UTC). */
export interface ExecutionListItem {
  name: string;
  status: ExecutionStatus;
  /** When the execution was started (Step Functions' startDate; locally, when it was requested). */
  startDate: string;
  stopDate: string | null;
  input: unknown;
}

/**
 * A state transition or outcome of an execution, in one shape for both runtimes: aws-local-stepfunctions' event log
 * (compacted, local/step-functions/execution-events.ts) as is, and Step Functions' history mapped onto it
 * (lib/workflow/sfn-history.ts).
 */
export interface ExecutionEvent {
  type: string;
  timestamp: string;
  state?: string;
  stateType?: string;
  error?: string;
  cause?: string;
  /** StateRetried: the retrier's attempt number. */
  attempt?: number;
  /** StateEntered / ExecutionStarted: the input; StateExited / ExecutionSucceeded: the output (when small). */
  input?: unknown;
  output?: unknown;
}

/** One execution, whole: what DescribeExecution and GetExecutionHistory give on AWS, the record locally. */
export interface ExecutionDetail extends ExecutionListItem {
  output: unknown;
  error: string | null;
  cause: string | null;
  events: ExecutionEvent[];
  /** The state machine's definition the execution ran (ASL as JSON); null where the runtime cannot tell. */
  definition: unknown;
}

export interface ExecutionPage<T> {
  items: T[];
  /** Opaque; undefined on the last page. */
  nextToken?: string;
}

export interface ListExecutionsOptions {
  status?: ExecutionStatus;
  limit: number;
  nextToken?: string;
}

/** The runtime could not read a paging token (a token of another list, or altered). */
export class InvalidNextTokenError extends Error {
  override name = 'InvalidNextTokenError';
}

/**
 * A local execution record, or the definition one ran, that does not read (a disk error, a hand edit): named, with
 * where to read what to do.
 */
export class DamagedExecutionRecordError extends Error {
  override name = 'DamagedExecutionRecordError';
  constructor(
    readonly record: string,
    why: string,
    what = 'execution record',
  ) {
    super(`the ${what} ${record} is damaged: ${why}; README "Damaged state files" says what to do with it`);
  }
}

/** A retry of an execution that is running or succeeded: only FAILED, TIMED_OUT or ABORTED ones run again. */
export class NotRetryableError extends Error {
  override name = 'NotRetryableError';
  constructor(
    readonly executionName: string,
    readonly status: ExecutionStatus,
    /** Why an execution that ended without succeeding may not run again (RetryCheck); else its status is why. */
    reason?: string,
  ) {
    super(
      reason ?? `${executionName} is ${status}: only a FAILED, TIMED_OUT or ABORTED execution is retried`,
    );
  }
}

/**
 * What a retry asks before it starts the execution again: why the execution's input may not run again (its file was
 * loaded since, lib/etl/upload-retry.ts), or undefined. `family`: the execution's own name, the name it was a retry
 * of, and every retry of that one so far.
 */
export type RetryCheck = (input: string, family: string[]) => Promise<string | undefined>;

export interface Workflow {
  /** Starts the ETL state machine with a deterministic execution name (at most 80 characters). */
  startExecution(name: string, input: Record<string, unknown>): Promise<StartResult>;
}

/** The workflow port with what the console's routes read and do (lib/lake-api/executions.ts). */
export interface Executions extends Workflow {
  /** Executions of the ETL state machine, newest first. */
  listExecutions(opts: ListExecutionsOptions): Promise<ExecutionPage<ExecutionListItem>>;
  /** One execution with its history and definition; undefined when there is none of that name. */
  describeExecution(name: string): Promise<ExecutionDetail | undefined>;
  /**
   * Starts a FAILED, TIMED_OUT or ABORTED execution again with the same input, as `<name>-retry-<n>` (the first n
   * not taken); undefined when there is no execution of that name, NotRetryableError when it may not run again (by
   * its status, or by `check`).
   */
  retryExecution(name: string, check?: RetryCheck): Promise<{ name: string; startDate: string } | undefined>;
  /**
   * Why a run asked for by hand (a replay, rebuild or compaction: POST /executions, a retry of one) may not start
   * now, or undefined: the local lake refuses them while schemas/ holds a change it refused (lib/catalog/
   * refused-edits.ts); on AWS what runs is what deployed.
   */
  startRefusal?(): Promise<string | undefined>;
}

/**
 * Execution names, the same on both runtimes: Step Functions' rule for a name, the names of the runs started by hand
 * (`npm run replay|rebuild`, POST /executions) and of retries (`npm run executions -- retry`, POST
 * /executions/{name}/retry).
 */
import { createHash } from 'node:crypto';

/**
 * The names the lake gives its executions: 1-80 characters of letters, digits, '-' and '_' (what Step Functions
 * advises for CloudWatch logging; locally also a safe file name).
 */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Any name Step Functions takes (StartExecution's `name`): 1-80 characters, none of them white space, brackets
 * `< > { } [ ]`, wildcards `? *`, `" # % \ ^ | ~ \` $ & , ; : /`, control characters (U+0000-001F, U+007F-009F),
 * U+FFFE-FFFF or a lone surrogate. An execution started by hand (`aws stepfunctions start-execution --name run.1`)
 * may have one: it is listed, so it can be opened and retried by its name.
 */
export const AWS_EXECUTION_NAME =
  /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff]{1,80}$/u;

/**
 * <prefix>-<yyyyMMddTHHmmssSSSZ>: two runs asked for in the same millisecond are one execution. A prefix too long
 * for the 80 characters (rebuild-<a table name of 63>) is cut, and a hash of it keeps two such names apart.
 */
export function executionName(prefix: string, at = new Date()): string {
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z');
  const room = 80 - time.length - 1;
  const fitted =
    prefix.length <= room
      ? prefix
      : `${prefix.slice(0, room - 9)}-${createHash('sha256').update(prefix).digest('hex').slice(0, 8)}`;
  return `${fitted}-${time}`;
}

/** The name of the n-th retry of an execution (at most 80 characters, as Step Functions allows). */
export function retryName(name: string, n: number): string {
  const suffix = `-retry-${n}`;
  return retriedName(name).slice(0, 80 - suffix.length) + suffix;
}

/** The execution a retry is of (its name without `-retry-<n>`), or the name itself. */
export const retriedName = (name: string): string => name.replace(/-retry-\d+$/, '');

/** An execution, the one it is a retry of, and that one's first `count` retries (RetryCheck's family). */
export const retryFamily = (name: string, count: number): string[] => [
  ...new Set([name, retriedName(name), ...Array.from({ length: count }, (_, i) => retryName(name, i + 1))]),
];

/** The statuses of an execution that has ended. */
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Why a retry may not start while the latest retry of the same execution has not ended (a second request, the lake
 * stopped or the first still running), or undefined: both would run the same input.
 */
export const retryInFlight = (name: string, latest: string, status: string): string | undefined =>
  !ENDED.has(status) // RUNNING; on AWS also PENDING_REDRIVE
    ? `${latest}, a retry of ${retriedName(name)}, has not ended (${status}): a second retry would run the same ` +
      'input again beside it; wait for it to end, and retry it if it fails'
    : undefined;

/**
 * The next retry of `name` on either runtime, found by the status of each retry so far (`statusOf`: undefined when
 * there is none of that name): its name, the family a RetryCheck judges, and why it may not start yet (the latest
 * retry has not ended), if so.
 */
export async function nextRetry(
  name: string,
  statusOf: (execution: string) => Promise<string | undefined>,
): Promise<{ again: string; family: string[]; inFlight: string | undefined }> {
  let n = 1;
  let latest: string | undefined;
  for (let status; (status = await statusOf(retryName(name, n))) !== undefined; n++) latest = status;
  return {
    again: retryName(name, n),
    family: retryFamily(name, n - 1),
    inFlight: latest === undefined ? undefined : retryInFlight(name, retryName(name, n - 1), latest),
  };
}

/** Whether an execution of this status may run again (a retry): it ended without succeeding. */
export const retryable = (status: string) =>
  status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';

/**
 * Execution names, the same on both runtimes: Step Functions' rule for a name, the names of the runs started by hand
 * (`npm run replay|rebuild`, POST /executions) and of retries (`npm run executions -- retry`, POST
 * /executions/{name}/retry).
 */

/** Step Functions execution names: 1-80 characters of letters, digits, '-' and '_'. */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** <prefix>-<yyyyMMddTHHmmssSSSZ>: two runs asked for in the same second are two executions. */
export function executionName(prefix: string, at = new Date()): string {
  return `${prefix}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z')}`;
}

/** The name of the n-th retry of an execution (at most 80 characters, as Step Functions allows). */
export function retryName(name: string, n: number): string {
  const suffix = `-retry-${n}`;
  return name.replace(/-retry-\d+$/, '').slice(0, 80 - suffix.length) + suffix;
}

/** Whether an execution of this status may run again (a retry): it ended without succeeding. */
export const retryable = (status: string) =>
  status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';

/**
 * Step Functions' history quota on the local engine: an execution whose history reaches 25,000 events fails.
 *
 * What AWS does (Step Functions Developer Guide, "Step Functions service quotas": maximum execution history size
 * 25,000 events; "Using Standard workflows to avoid the execution history quota"): the execution fails with error
 * States.Runtime and the cause "The execution reached the maximum number of history events (25000)." (the answer
 * AWS gives, as reported in e.g. loads/ardere#86 and aws-samples/aws-organizations-tag-inventory#16).
 *
 * aws-local-stepfunctions logs fewer, coarser events than AWS's history, so the engine counts the events AWS would
 * have written for each one it logs (event types: API reference, HistoryEvent; sequences: histories recorded
 * against AWS, e.g. LocalStack's AWS-validated snapshots):
 *
 *   library event        AWS history events                                                          count
 *   ExecutionStarted     ExecutionStarted                                                            1
 *   StateEntered         Task: TaskStateEntered, TaskScheduled, TaskStarted (+ TaskSubmitted for      3 (4)
 *                          .sync / .waitForTaskToken); Lambda ARNs: LambdaFunctionScheduled/Started
 *                        Parallel / Map: …StateEntered, …StateStarted                                 2
 *                        Pass, Choice, Wait, Succeed, Fail: …StateEntered                             1
 *   StateFailed          Task: TaskFailed or TaskTimedOut; Parallel / Map: …StateFailed               1
 *                        other states: none of their own (the failure is ExecutionFailed)             0
 *   StateRetried         Task: TaskScheduled, TaskStarted (+ TaskSubmitted); Parallel / Map: …Started 2 (3) / 1
 *   StateCaught          none: the StateExited that follows is AWS's …StateExited                      0
 *   StateExited          Task / Parallel / Map: …Succeeded and …StateExited; after a catch only       2 / 1
 *                          …StateExited; other states: …StateExited                                   1
 *   MapIteration*        MapIterationStarted / Succeeded / Failed                                     1
 *   ParallelBranch*      none (AWS logs no per-branch events)                                         0
 *   Execution(Succeeded|Failed|Aborted|Timeout)   the matching Execution… event                        1
 *
 * The count is an estimate (AWS adds events this library does not model, e.g. MapRun events); the engine fails the
 * execution when the estimate reaches the quota. The execution record keeps its own, separate cap on the library
 * events it stores (execution-events.ts MAX_EVENTS).
 */
import { taskStates } from './task-states';

/** Step Functions Standard's history quota, in events. */
export const HISTORY_QUOTA_EVENTS = 25_000;

/** Task resources that wait for a callback or a job: AWS logs TaskSubmitted after TaskStarted. */
const submits = (resource: string) => /\.(sync(:\d+)?|waitForTaskToken)$/.test(resource);

/** Counts the history events AWS would have written, one library event at a time. */
export class HistoryEstimate {
  private total = 0;
  /** Task resources by state name (through Parallel branches and Map iterators). */
  private readonly resources: Map<string, string>;
  /** States whose last attempt failed and was caught (name#iteration): their StateExited is a single event. */
  private readonly caught = new Set<string>();

  constructor(definition: { States: Record<string, unknown> }) {
    this.resources = taskStates(definition);
  }

  get count(): number {
    return this.total;
  }

  /** Adds the AWS events of one library event; answers the running total. */
  add(ev: Record<string, unknown>): number {
    this.total += this.eventsFor(ev);
    return this.total;
  }

  private eventsFor(ev: Record<string, unknown>): number {
    const state = ev.state as { name: string; type: string } | undefined;
    const type = state?.type;
    const key = `${state?.name}#${String(ev.index ?? '')}`;
    const task = type === 'Task';
    const nested = type === 'Parallel' || type === 'Map';
    const submitted = task && submits(this.resources.get(state!.name) ?? '') ? 1 : 0;
    switch (ev.type) {
      case 'StateEntered':
        return task ? 3 + submitted : nested ? 2 : 1;
      case 'StateFailed':
        return task || nested ? 1 : 0;
      case 'StateRetried':
        return task ? 2 + submitted : 1;
      case 'StateCaught':
        this.caught.add(key);
        return 0;
      case 'StateExited':
        if (this.caught.delete(key)) return 1;
        return task || nested ? 2 : 1;
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        return 0;
      default:
        // ExecutionStarted/Succeeded/Failed/Aborted/Timeout, MapIterationStarted/Succeeded/Failed.
        return 1;
    }
  }
}

/** The failure AWS reports when the history reaches the quota. */
export function historyQuotaFailure(estimate: number, quota = HISTORY_QUOTA_EVENTS) {
  return {
    error: 'States.Runtime',
    cause:
      `The execution reached the maximum number of history events (${quota}). ` +
      `(Local estimate of the AWS history: ${estimate.toLocaleString('en-US')} events, counted from the local ` +
      `engine's event log as local/step-functions/history-quota.ts describes.)`,
  };
}

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
 *
 * A Wait state the local engine shortens (LAKE_SFN_WAIT_MS: the ETL's WaitForLake waits 1 s, not 60: wait-tracker.ts)
 * loops through its states more often than AWS would in the same time: a look at the lake every second wrote 17
 * events a second, and a file waiting 25 minutes behind a long run failed, where AWS's look a minute keeps a day's
 * wait within the quota. So in a streak of waits (a Wait state entered, and its loop's states until one outside it),
 * a pass through the loop counts only when the Wait's Seconds have passed since the last pass counted: the history
 * AWS would have written for the same wait.
 */
import { taskStates } from './task-states';
import { waitLoops } from './wait-tracker';

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
  /** Each Wait state of the top level with Seconds → its loop's states, and its Seconds. */
  private readonly waits = new Map<string, { loop: Set<string>; ms: number }>();
  /** A streak of waits: its loop, and when its last pass counted. */
  private streak: { loop: Set<string>; counted: number } | undefined;
  /** The pass through the loop now is one AWS would not have made in the time (not counted). */
  private skipping = false;

  constructor(definition: { States: Record<string, unknown> }) {
    this.resources = taskStates(definition);
    for (const [name, loop] of waitLoops(definition)) {
      const seconds = (definition.States[name] as { Seconds?: unknown }).Seconds;
      if (typeof seconds === 'number' && seconds > 0) this.waits.set(name, { loop, ms: seconds * 1000 });
    }
  }

  get count(): number {
    return this.total;
  }

  /** Adds the AWS events of one library event (at `now`); answers the running total. */
  add(ev: Record<string, unknown>, now = Date.now()): number {
    const name = (ev.state as { name?: string } | undefined)?.name;
    if (ev.type === 'StateEntered' && name !== undefined) {
      if (this.streak && !this.streak.loop.has(name)) {
        this.streak = undefined;
        this.skipping = false;
      }
      const wait = this.waits.get(name);
      if (wait && !this.streak) this.streak = { loop: wait.loop, counted: now };
      else if (wait && this.streak) {
        this.skipping = now - this.streak.counted < wait.ms;
        if (!this.skipping) this.streak.counted = now;
      }
    }
    const events = this.eventsFor(ev);
    if (!this.skipping) this.total += events;
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

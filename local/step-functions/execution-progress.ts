/**
 * What a running execution shows of itself while it waits (issue 12 §3: a busy lake was waited for with nothing
 * logged and no state in `npm run executions` until the end):
 *  - a log line when it starts waiting ('execution waiting': the Wait state, the run that holds the lake, why) and
 *    one when it resumes ('execution resumed': looks, time waited, the state it goes on with) — wait-tracker.ts;
 *  - its record, rewritten with the history so far when it starts waiting, at most every PERSIST_EVERY_MS while it
 *    waits, when it runs a state of the loop again (the job, once the lake is free: not waiting then) and waits
 *    again, and when it resumes, so that `npm run executions -- <name>` shows the waits of a RUNNING execution; and
 *    when it enters any other state (a state of a loop at most every PERSIST_EVERY_MS), so that the states visited
 *    and the one running show while it runs, as on AWS.
 * The engine settles it before it writes the final record: no progress write lands after that one.
 */
import type { ExecutionEvent } from '../../lib/workflow/local';
import { WaitTracker } from './wait-tracker';

/** How often, at most, the record of a waiting execution is rewritten. */
export const PERSIST_EVERY_MS = 10_000;

export interface ProgressOptions {
  name: string;
  definition: { States: Record<string, unknown> };
  /** waitLoops(definition). */
  loops: Map<string, Set<string>>;
  /** Each Wait state's local wait (ms), or undefined for the ASL's own. */
  waitTimes: Record<string, number> | undefined;
  log: Record<'info' | 'warn', (message: string, attrs: Record<string, unknown>) => void>;
  /** Writes the record with these events (the run's so far). */
  write: (events: ExecutionEvent[]) => Promise<void>;
}

export interface ExecutionProgress {
  waitTimeOverrides: Record<string, number> | undefined;
  onEvent: (ev: ExecutionEvent, events: readonly ExecutionEvent[]) => void;
  /** Waits for the progress writes under way; none starts after. */
  settle: () => Promise<void>;
}

export function executionProgress(opts: ProgressOptions): ExecutionProgress {
  const { name } = opts;
  const tracker = new WaitTracker(opts.definition, opts.loops, opts.waitTimes, {
    waiting: (w) => opts.log.info('execution waiting', { name, ...w }),
    resumed: (w) => opts.log.info('execution resumed', { name, ...w }),
  });
  let writes = Promise.resolve();
  let settled = false;
  let lastWrite = -Infinity;
  /** The record last written ends with a Wait entered: it reads as waiting now (local/cli/execution-summary.ts). */
  let shownWaiting = false;
  const persist = (events: readonly ExecutionEvent[]) => {
    lastWrite = performance.now();
    const copy = events.slice();
    writes = writes
      .then(() => (settled ? undefined : opts.write(copy)))
      .catch((e) => opts.log.warn('could not record the progress of an execution', { name, error: e }));
  };
  /** The states of the wait loops: entered again and again while an execution waits, so recorded at a pace. */
  const loopStates = new Set([...opts.loops.values()].flatMap((states) => [...states]));
  return {
    waitTimeOverrides: tracker.waitTimeOverrides,
    onEvent: (ev, events) => {
      const before = tracker.waiting;
      tracker.observe(ev);
      const entered = ev.type === 'StateEntered' && !!ev.state;
      const waitEntered = entered && opts.loops.has(ev.state!);
      if (
        tracker.waiting !== before ||
        (waitEntered && (!shownWaiting || performance.now() - lastWrite >= PERSIST_EVERY_MS)) ||
        // A state of the loop after the Wait (the job run again: the lake was free): no longer waiting now.
        (entered && !waitEntered && shownWaiting) ||
        // Any other state entered: the record shows the states visited and the one running, as GetExecutionHistory
        // does on AWS for a running execution (the console's and `npm run executions -- <name>`'s view of it);
        // a state of a loop at most every PERSIST_EVERY_MS.
        (entered &&
          !waitEntered &&
          (!loopStates.has(ev.state!) || performance.now() - lastWrite >= PERSIST_EVERY_MS))
      ) {
        persist(events);
        shownWaiting = waitEntered;
      }
    },
    settle: async () => {
      settled = true;
      await writes;
    },
  };
}

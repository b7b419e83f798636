/**
 * Waiting made visible, and kept short, on the local engine. An execution that finds the lake busy loops through a
 * Wait state (the ETL's WaitForLake, between two looks at the lake: RunEtlJob → LakeBusy → CheckUploadDone → NotYet
 * → WaitForLake → RunEtlJob …). Per execution, a WaitTracker:
 *  - says when the execution starts waiting (the first Wait of a streak), with why: the last error of the state the
 *    Wait leads back to (RunEtlJob's Glue.ConcurrentRunsExceededException, which names the run that holds the lake),
 *    and when it resumes: the first state entered outside the Wait's loop, with the looks and the time it waited;
 *  - paces the waits of a streak: the first look after FIRST_LOOK_MS, then twice as long each time, up to the
 *    state's local wait (LAKE_SFN_WAIT_MS, waitTimesFromEnv). A short run in progress is noticed soon after it ends;
 *    a long one costs no more looks than the fixed wait would (the history quota bounds how many looks a wait may
 *    take); the states and their order stay the ASL's.
 * A Wait's loop is the set of states from which the Wait can be reached again and which it can reach (its strongly
 * connected component in the definition's transitions: Next, Default, Choices, Catch).
 */
import type { ExecutionEvent } from '../../lib/workflow/local';

/** The first look of a streak of waits (ms), when the state's wait is longer. */
export const FIRST_LOOK_MS = 100;

interface StateDef {
  Type?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
}

const successors = (s: StateDef) =>
  [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(
    (n): n is string => typeof n === 'string',
  );

/** Each Wait state of the top level → the states of its loop (itself included). */
export function waitLoops(definition: { States: Record<string, unknown> }): Map<string, Set<string>> {
  const states = definition.States as Record<string, StateDef>;
  const reach = (from: string, next: (name: string) => string[]) => {
    const seen = new Set<string>([from]);
    for (const todo = [from]; todo.length > 0;)
      for (const n of next(todo.pop()!)) if (!seen.has(n)) todo.push(seen.add(n) && n);
    return seen;
  };
  const preds = new Map<string, string[]>();
  for (const [name, s] of Object.entries(states))
    for (const n of successors(s)) preds.set(n, [...(preds.get(n) ?? []), name]);
  const out = new Map<string, Set<string>>();
  for (const [name, s] of Object.entries(states)) {
    if (s.Type !== 'Wait') continue;
    const forward = reach(name, (n) => (states[n] ? successors(states[n]) : []));
    const backward = reach(name, (n) => preds.get(n) ?? []);
    out.set(name, new Set([...forward].filter((n) => backward.has(n))));
  }
  return out;
}

/** The run that holds the lake, as the local Glue runner names it ("… (run <id>, process <pid>) …"). */
export const holderOf = (cause: string | undefined) => /\(run ([^,)\s]+)/.exec(cause ?? '')?.[1];

export interface WaitStarted {
  /** The Wait state. */
  state: string;
  /** Why: the last error of the state the Wait leads back to. */
  error?: string;
  cause?: string;
  /** The run that holds the lake, when the cause names it. */
  heldBy?: string;
  /** How long a look takes at most (the state's local wait). */
  maxWaitMs?: number;
}

export interface WaitEnded {
  state: string;
  /** Looks (Wait states entered) in the streak, and the time since the first. */
  waits: number;
  waitedMs: number;
  /** The state it resumed with. */
  next: string;
}

export class WaitTracker {
  /** Per Wait state, how long it waits now (aws-local-stepfunctions reads it at each Wait). */
  readonly waitTimeOverrides: Record<string, number> | undefined;
  private streak?: { state: string; since: number; waits: number };
  /** Waits read since the streak began (the library reads a Wait's time as it runs the state). */
  private looks = 0;
  private readonly lastError = new Map<string, { error?: string; cause?: string }>();

  constructor(
    private readonly definition: { States: Record<string, unknown> },
    private readonly loops: Map<string, Set<string>>,
    private readonly caps: Record<string, number> | undefined,
    private readonly on: { waiting?: (w: WaitStarted) => void; resumed?: (w: WaitEnded) => void },
  ) {
    if (caps) {
      const paced: Record<string, number> = {};
      for (const [state, cap] of Object.entries(caps))
        Object.defineProperty(paced, state, {
          enumerable: true,
          get: () => Math.min(cap, FIRST_LOOK_MS * 2 ** Math.min(this.looks++, 20)),
        });
      this.waitTimeOverrides = paced;
    }
  }

  /** The execution is in a streak of waits (entered a Wait and has not left its loop since). */
  get waiting(): boolean {
    return this.streak !== undefined;
  }

  /** Follows the execution's events (in order). */
  observe(ev: ExecutionEvent): void {
    if (!ev.state) return;
    if (ev.error && (ev.type === 'StateFailed' || ev.type === 'StateCaught' || ev.type === 'StateRetried'))
      this.lastError.set(ev.state, { error: ev.error, cause: ev.cause });
    if (ev.type !== 'StateEntered') return;
    const at = Date.parse(ev.timestamp);
    const s = this.streak;
    if (s && !this.loops.get(s.state)?.has(ev.state)) {
      this.streak = undefined;
      this.looks = 0;
      this.on.resumed?.({ state: s.state, waits: s.waits, waitedMs: at - s.since, next: ev.state });
    }
    if (!this.loops.has(ev.state)) return;
    if (this.streak) {
      this.streak.waits++;
      return;
    }
    this.streak = { state: ev.state, since: at, waits: 1 };
    const next = (this.definition.States[ev.state] as StateDef).Next;
    const why = (next && this.lastError.get(next)) || {};
    this.on.waiting?.({
      state: ev.state,
      ...why,
      ...(holderOf(why.cause) ? { heldBy: holderOf(why.cause) } : {}),
      ...(this.caps?.[ev.state] !== undefined ? { maxWaitMs: this.caps[ev.state] } : {}),
    });
  }
}

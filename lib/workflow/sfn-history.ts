/**
 * Step Functions' execution history (GetExecutionHistory) mapped onto the event shape of the local engine's record
 * (lib/workflow/types.ts ExecutionEvent, aws-local-stepfunctions' event log), so that one reading of the events
 * (lib/workflow/state-path.ts) serves both runtimes:
 *   <Type>StateEntered / <Type>StateExited        → StateEntered / StateExited (stateType <Type>)
 *   a failure inside a state (TaskFailed, TaskTimedOut, Lambda…Failed, …)  → StateFailed (error, cause), then
 *     the next attempt scheduled in the same state → StateRetried; the state exited → StateCaught + StateExited
 *   a Fail state's ExecutionFailed                 → StateFailed + ExecutionFailed (the library reports both)
 *   ExecutionStarted / Succeeded / Failed / Aborted / TimedOut → Execution… (TimedOut: ExecutionTimeout)
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionEvent } from './types';

const ENTERED = /^(\w+)StateEntered$/;
const EXITED = /^(\w+)StateExited$/;
/** An attempt at a state's work begins: after a failure in the same state, a retry. */
const ATTEMPT = /^(Task|LambdaFunction|Activity)Scheduled$/;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** error and cause of whichever `…EventDetails` of the event carries them. */
function failureOf(e: HistoryEvent): { error?: string; cause?: string } | undefined {
  for (const [k, v] of Object.entries(e)) {
    if (!k.endsWith('EventDetails') || typeof v !== 'object' || v === null) continue;
    const d = v as { error?: string; cause?: string };
    if (d.error !== undefined || d.cause !== undefined)
      return {
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.cause !== undefined ? { cause: d.cause } : {}),
      };
  }
  return undefined;
}

const isStateFailure = (type: string) => !type.startsWith('Execution') && /(Failed|TimedOut)$/.test(type);

export function fromSfnHistory(history: HistoryEvent[]): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  let open: { state: string; stateType: string } | undefined;
  let failed = false;
  let attempts = 0;
  for (const e of history) {
    const type = String(e.type ?? '');
    const timestamp = (e.timestamp ?? new Date(0)).toISOString();
    const entered = ENTERED.exec(type);
    const exited = EXITED.exec(type);
    if (entered) {
      open = { state: e.stateEnteredEventDetails?.name ?? '', stateType: entered[1]! };
      failed = false;
      attempts = 0;
      out.push({
        type: 'StateEntered',
        timestamp,
        ...open,
        input: parseJson(e.stateEnteredEventDetails?.input),
      });
    } else if (exited) {
      const state = { state: e.stateExitedEventDetails?.name ?? open?.state ?? '', stateType: exited[1]! };
      if (failed) out.push({ type: 'StateCaught', timestamp, ...state });
      out.push({
        type: 'StateExited',
        timestamp,
        ...state,
        output: parseJson(e.stateExitedEventDetails?.output),
      });
      open = undefined;
      failed = false;
    } else if (ATTEMPT.test(type)) {
      if (open && failed) out.push({ type: 'StateRetried', timestamp, ...open, attempt: ++attempts });
      failed = false;
    } else if (isStateFailure(type)) {
      if (open) out.push({ type: 'StateFailed', timestamp, ...open, ...failureOf(e) });
      failed = true;
    } else if (type === 'ExecutionStarted') {
      out.push({ type, timestamp, input: parseJson(e.executionStartedEventDetails?.input) });
    } else if (type === 'ExecutionSucceeded') {
      out.push({ type, timestamp, output: parseJson(e.executionSucceededEventDetails?.output) });
    } else if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      const failure = failureOf(e) ?? {};
      if (type === 'ExecutionFailed' && open && !failed)
        out.push({ type: 'StateFailed', timestamp, ...open, ...failure });
      out.push({ type: type === 'ExecutionTimedOut' ? 'ExecutionTimeout' : type, timestamp, ...failure });
      open = undefined;
    }
  }
  return out;
}

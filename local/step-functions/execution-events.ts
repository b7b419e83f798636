/** The state transitions an execution record keeps, compacted. */
import type { ExecutionEvent } from '../../lib/workflow/local';

/**
 * The most library events a record keeps (then eventsTruncated). A cap on the record's size only: Step Functions'
 * 25,000-event history quota is enforced on the estimate of AWS's history (history-quota.ts), which counts several
 * AWS events for most library events, so an execution normally fails on the quota before its record reaches this cap.
 */
export const MAX_EVENTS = 25_000;
const MAX_EVENT_PAYLOAD_BYTES = 8 * 1024;

function small(value: unknown): unknown {
  const s = JSON.stringify(value);
  return s !== undefined && s.length <= MAX_EVENT_PAYLOAD_BYTES ? value : '(too large to keep)';
}

export function compactEvent(ev: Record<string, unknown>): ExecutionEvent {
  const out: ExecutionEvent = {
    type: String(ev.type),
    timestamp: new Date(Number(ev.timestamp)).toISOString(),
  };
  const state = ev.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
  if (state) {
    out.state = state.name;
    out.stateType = state.type;
  }
  if ('Error' in ev) {
    out.error = String(ev.Error);
    out.cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause);
  }
  if (ev.type === 'StateRetried') out.attempt = (ev.retry as { attempt: number }).attempt;
  if (ev.type === 'StateEntered') out.input = small(state?.input);
  if (ev.type === 'StateExited') out.output = small(state?.output);
  if (ev.type === 'ExecutionStarted') out.input = small(ev.input);
  if (ev.type === 'ExecutionSucceeded') out.output = small(ev.output);
  return out;
}

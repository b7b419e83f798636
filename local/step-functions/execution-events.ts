/** The state transitions an execution record keeps, compacted. */
import type { ExecutionEvent } from '../../lib/workflow/local';
import { PAYLOAD_QUOTA_BYTES } from '../../lib/workflow/execution-input';

/**
 * The most library events a record keeps (then eventsTruncated). A cap on the record's size only: Step Functions'
 * 25,000-event history quota is enforced on the estimate of AWS's history (history-quota.ts), which counts several
 * AWS events for most library events, so an execution normally fails on the quota before its record reaches this cap.
 */
export const MAX_EVENTS = 25_000;
/**
 * A state's input or output is kept whole up to Step Functions' payload quota, as GetExecutionHistory (with
 * includeExecutionData) keeps it: the notices an execution published are read from its publish states' inputs
 * (lib/workflow/state-path.ts publishedNotices), and a rebuild's notice with a few tables' partitions is over 8 KiB,
 * where the local record once stopped (notices: [] on the local lake, listed on AWS). A payload over the quota fails
 * the execution (payload-quota.ts) before it is kept; one is still cut here, as AWS marks it truncated.
 */
const MAX_EVENT_PAYLOAD_BYTES = PAYLOAD_QUOTA_BYTES;

function small(value: unknown): unknown {
  const s = JSON.stringify(value);
  return s !== undefined && Buffer.byteLength(s) <= MAX_EVENT_PAYLOAD_BYTES ? value : '(too large to keep)';
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

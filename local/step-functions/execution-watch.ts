/**
 * Reads one execution's event log (aws-local-stepfunctions' `eventLogs`): keeps the compacted events for the record
 * and enforces the Step Functions quotas the library does not know, stopping the execution at the first breach:
 *  - a state's input or output over the payload quota (payload-quota.ts): States.DataLimitExceeded;
 *  - a history that reaches the history quota (history-quota.ts): States.Runtime.
 * The log is read as the library writes it, so a breach is seen shortly after the event: the execution may have
 * moved on a little (for Pass/Choice states, into the next state) before it is stopped. Whatever it did after the
 * breach, the record reports the breach (`failure`), as AWS would have failed there.
 */
import type { ExecutionEvent } from '../../lib/workflow/local';
import { compactEvent, MAX_EVENTS } from './execution-events';
import { HISTORY_QUOTA_EVENTS, HistoryEstimate, historyQuotaFailure } from './history-quota';
import { oversizedStatePayload, type QuotaFailure } from './payload-quota';

export interface WatchOptions {
  definition: { States: Record<string, unknown> };
  /** Stops the execution (aws-local-stepfunctions' abort). */
  abort: () => void;
  historyQuota?: number;
  /** Called with each event kept, and every event kept so far (the execution's history while it runs). */
  onEvent?: (ev: ExecutionEvent, events: readonly ExecutionEvent[]) => void;
}

export interface ExecutionWatch {
  /** The compacted events (at most MAX_EVENTS); a breach ends them with the ExecutionFailed it caused. */
  events: ExecutionEvent[];
  eventsTruncated: boolean;
  /** The first quota breach, if any. */
  failure?: QuotaFailure;
  /** The AWS history estimate so far. */
  historyEvents: number;
  /** Resolves when the log is closed (the library closes it with the outcome). */
  done: Promise<void>;
}

export function watchExecution(eventLogs: AsyncIterable<unknown>, opts: WatchOptions): ExecutionWatch {
  const historyQuota = opts.historyQuota ?? HISTORY_QUOTA_EVENTS;
  const estimate = new HistoryEstimate(opts.definition);
  const watch: ExecutionWatch = {
    events: [],
    eventsTruncated: false,
    historyEvents: 0,
    done: Promise.resolve(),
  };
  const keep = (ev: ExecutionEvent) => {
    if (watch.events.length < MAX_EVENTS) watch.events.push(ev);
    else watch.eventsTruncated = true;
  };
  // The outcome events (ExecutionSucceeded, ...) end the history: reaching the quota with them is not a breach.
  const isOutcome = (type: unknown) =>
    typeof type === 'string' && type.startsWith('Execution') && type !== 'ExecutionStarted';
  watch.done = (async () => {
    for await (const raw of eventLogs) {
      const ev = raw as Record<string, unknown>;
      if (watch.failure) continue; // what the library did after the breach is not AWS's history
      const kept = compactEvent(ev);
      keep(kept);
      opts.onEvent?.(kept, watch.events);
      watch.historyEvents = estimate.add(ev);
      const failure =
        oversizedStatePayload(ev) ??
        (!isOutcome(ev.type) && watch.historyEvents >= historyQuota
          ? historyQuotaFailure(watch.historyEvents, historyQuota)
          : undefined);
      if (!failure) continue;
      watch.failure = failure;
      keep({ type: 'ExecutionFailed', timestamp: new Date().toISOString(), ...failure });
      opts.abort();
    }
  })();
  return watch;
}

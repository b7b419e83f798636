/**
 * A query a section of a page reads for itself (a table's sample rows, the rejected rows): run through the query API
 * and, while it runs, cancelled once nothing would show its result — the section left (another page of the console,
 * another table, a Refresh that reads it again) or the browser's page closed or reloaded (pagehide; the cancel is
 * sent with keepalive), as the Query page cancels its own.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { QueryRun, type QueryOutcome } from '../lib/query-run';
import { useAsync, type AsyncState } from './use-async';

/**
 * Leaves the run `running` holds when the component goes (another page, another table) or the browser's page is
 * closed or reloaded (pagehide: the cancel is sent with keepalive, so it outlives the page).
 */
export function useLeaveOnExit(
  running: { readonly current: QueryRun | null },
  /** Told first, while the run is still there (the Query page records it in its history, synchronously). */
  onLeave?: () => void,
): void {
  useEffect(() => {
    const leave = () => {
      if (running.current) onLeave?.();
      running.current?.leave();
    };
    addEventListener('pagehide', leave);
    return () => {
      removeEventListener('pagehide', leave);
      leave();
    };
  }, []);
}

export function useQueryOutcome(
  api: LakeApi,
  sql: string,
  pageRows: number,
  deps: unknown[],
): AsyncState<QueryOutcome> {
  const running = useRef<QueryRun | null>(null);
  useLeaveOnExit(running);
  return useAsync<QueryOutcome>(() => {
    running.current?.leave();
    const run = new QueryRun(api);
    running.current = run;
    const outcome = run.run(sql, pageRows);
    // Ended: nothing left to cancel.
    const ended = () => {
      if (running.current === run) running.current = null;
    };
    outcome.then(ended, ended);
    return outcome;
  }, deps);
}

/**
 * What an execution's events say about the path it took, for a page that draws the state machine: each state
 * visit in order with how it ended, the notices it published and the run's figures. One reading of the events for
 * both runtimes (lib/workflow/types.ts ExecutionEvent: the local engine's log as is, Step Functions' history mapped
 * onto it by lib/workflow/sfn-history.ts).
 *
 * A visit is one attempt at a state: entered, then exited (`succeeded`), failed and retried (`retried`: the next
 * attempt is a new visit of the same state), failed and caught by a Catch (`caught`), failed with the execution
 * (`failed`), or still `running`.
 */
import type { ExecutionEvent, ExecutionStatus } from './types';

export type VisitStatus = 'succeeded' | 'failed' | 'caught' | 'retried' | 'running';

export interface StateVisit {
  name: string;
  type: string;
  status: VisitStatus;
  enteredAt: string;
  exitedAt: string | null;
  error?: string;
  cause?: string;
}

export interface Notice {
  at: string;
  subject: string;
  code?: string;
}

export interface RunFigures {
  rowsRead?: number;
  rowsWritten?: number;
  rowsRejected?: number;
}

interface OpenVisit extends StateVisit {
  input?: unknown;
}

/** The visits of `events`, in order; `status` is the execution's (an open visit of an ended execution failed). */
export function stateVisits(events: ExecutionEvent[], status: ExecutionStatus): StateVisit[] {
  return visitsWithInput(events, status).map(({ input: _input, ...v }) => v);
}

function visitsWithInput(events: ExecutionEvent[], status: ExecutionStatus): OpenVisit[] {
  const visits: OpenVisit[] = [];
  let open: OpenVisit | undefined;
  let failure: { error?: string; cause?: string } | undefined;
  /** The visit an ExecutionAborted just closed (a stop of the local lake, told by the ExecutionRestarted after it). */
  let stopped: OpenVisit | undefined;
  const close = (v: OpenVisit, how: VisitStatus, at: string) => {
    v.status = how;
    v.exitedAt = at;
    if (how !== 'succeeded' && failure?.error) v.error = failure.error;
    if (how !== 'succeeded' && failure?.cause) v.cause = failure.cause;
  };
  for (const e of events) {
    switch (e.type) {
      case 'StateEntered':
        open = {
          name: e.state ?? '',
          type: e.stateType ?? '',
          status: 'running',
          enteredAt: e.timestamp,
          exitedAt: null,
          input: e.input,
        };
        failure = undefined;
        visits.push(open);
        break;
      case 'StateFailed':
        failure = { error: e.error, cause: e.cause };
        break;
      case 'StateRetried':
        if (open) {
          close(open, 'retried', e.timestamp);
          open = { ...open, status: 'running', enteredAt: e.timestamp, exitedAt: null };
          delete open.error;
          delete open.cause;
          visits.push(open);
        }
        failure = undefined;
        break;
      case 'StateCaught':
        if (open) close(open, 'caught', e.timestamp);
        open = undefined;
        failure = undefined;
        break;
      case 'StateExited':
        if (open) close(open, 'succeeded', e.timestamp);
        open = undefined;
        failure = undefined;
        break;
      case 'ExecutionFailed':
      case 'ExecutionTimeout':
      case 'ExecutionAborted':
        if (open) {
          failure ??= { error: e.error, cause: e.cause };
          close(open, 'failed', e.timestamp);
          if (e.type === 'ExecutionAborted') stopped = open;
        }
        open = undefined;
        break;
      case 'ExecutionRestarted': {
        // The local lake stopped (or crashed) in the visit, and the execution ran again from its start: said so
        // on the visit it cut short (the one an ExecutionAborted just closed, or the one still open).
        if (open) close(open, 'failed', e.timestamp);
        const cut = open ?? stopped;
        if (cut && !cut.cause)
          cut.cause = `${e.cause ?? 'the local lake stopped'}: the execution ran again from its start`;
        open = undefined;
        break;
      }
    }
    if (e.type !== 'ExecutionAborted') stopped = undefined;
  }
  // An execution that ended without a last event for its open state (a record cut short): that state failed.
  if (open && status !== 'RUNNING') close(open, 'failed', open.enteredAt);
  return visits;
}

const objectOf = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The notices an execution published: each successful visit of a Task state of `definition` whose Resource is
 * sns:publish, with the notice its input carries (the ETL's `$.notice`: {kind, subject}).
 */
export function publishedNotices(
  events: ExecutionEvent[],
  status: ExecutionStatus,
  definition: unknown,
): Notice[] {
  const states = objectOf(objectOf(definition)?.States) ?? {};
  const publishes = (name: string) => /:sns:publish$/.test(String(objectOf(states[name])?.Resource ?? ''));
  const out: Notice[] = [];
  for (const v of visitsWithInput(events, status)) {
    if (v.status !== 'succeeded' || !publishes(v.name)) continue;
    const notice = objectOf(objectOf(v.input)?.notice);
    if (typeof notice?.subject !== 'string') continue;
    out.push({
      at: v.exitedAt ?? v.enteredAt,
      subject: notice.subject,
      ...(typeof notice.kind === 'string' ? { code: notice.kind } : {}),
    });
  }
  return out;
}

/** The notice details the ETL publishes (the run's figures), last first. */
function noticeDetails(events: ExecutionEvent[]): Record<string, unknown>[] {
  return events
    .filter((e) => e.type === 'StateEntered')
    .map((e) => objectOf(objectOf(objectOf(e.input)?.notice)?.detail))
    .filter((d): d is Record<string, unknown> => d !== undefined)
    .reverse();
}

/** rowsRead / rowsWritten / rowsRejected from the output, else from the last notice's detail; null if neither. */
export function runFigures(output: unknown, events: ExecutionEvent[]): RunFigures | null {
  for (const source of [objectOf(output), ...noticeDetails(events)]) {
    if (!source) continue;
    const figures: RunFigures = {};
    for (const k of ['rowsRead', 'rowsWritten', 'rowsRejected'] as const)
      if (typeof source[k] === 'number') figures[k] = source[k];
    if (Object.keys(figures).length) return figures;
  }
  return null;
}

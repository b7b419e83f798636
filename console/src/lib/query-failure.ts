/**
 * What the Query page says of a run that ended in an error rather than an outcome, and what its history records.
 * The lake answered (a 4xx) about a query it had accepted: after the query ended (its page of results is over the
 * 6 MB a response carries, 409 ROW_TOO_LARGE), it ran and its results could not be shown; before the page saw it end
 * (403 after a key change, 404 from a lake that forgot it), its outcome is unknown. Neither is a lost query. Only an
 * accepted query the lake stopped answering about (no answer, a 5xx) may still be running.
 */
import { ApiFailure } from './api-error';
import { isTransient } from './query-run';

/** The states a query ends in (Athena's QueryExecutionState). */
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface QueryFailure {
  /** The box's title. */
  title: string;
  /** The state the history records. */
  state: string;
  /** The query the lake stopped answering about (it may still be running), else null. */
  lost: string | null;
}

/**
 * `accepted`: the id the lake gave the query, if it did; `lastState`: the last state the page saw of it.
 */
export function queryFailure(e: unknown, accepted: string | null, lastState: string | null): QueryFailure {
  // A 408 or 429 is no answer about the query (query-run.ts isTransient): it may still be running.
  const answered = e instanceof ApiFailure && !isTransient(e);
  const named = answered && typeof e.details.id === 'string' ? e.details.id : null;
  const id = accepted ?? named;
  if (id && answered) {
    // A page over the response's size is only ever a succeeded query's.
    if (e.code === 'ROW_TOO_LARGE')
      return { title: `Query ${id} ran, but its results could not be shown`, state: 'SUCCEEDED', lost: null };
    if (lastState !== null && ENDED.has(lastState))
      return { title: `Query ${id} ran, but its results could not be shown`, state: lastState, lost: null };
    // Refused while it ran (the key changed, the lake forgot it): how it ended is not known here.
    return {
      title: `The lake refused to answer about query ${id} before it ended: its outcome is unknown`,
      state: 'UNKNOWN',
      lost: null,
    };
  }
  if (id)
    return {
      title: `The lake stopped answering while query ${id} ran: it may still be running there`,
      state: 'UNKNOWN',
      lost: id,
    };
  if (!(e instanceof ApiFailure))
    return {
      title: 'The lake could not answer (it may be stopped or unreachable)',
      state: 'NOT_SENT',
      lost: null,
    };
  return e.status < 500
    ? { title: 'The query was refused', state: 'REFUSED', lost: null }
    : { title: 'The lake could not answer (it may be stopped or unreachable)', state: 'FAILED', lost: null };
}

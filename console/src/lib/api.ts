/**
 * The lake's HTTP API as the console calls it: the same routes everyone uses, each call with the tab's key in
 * `x-api-key`. A refused key (401/403) signs the tab out (onKeyRefused), so that nothing but the refusal shows.
 */
import { ApiFailure, failureOf } from './api-error';
import { keepDigits } from './exact-number';
import type {
  ExecutionDetail,
  ExecutionPage,
  IngestStats,
  QuarantinePage,
  QueryAnswer,
  QueryStatus,
  ResultPage,
  StartedExecution,
  TableListing,
} from './api-types';

type Query = Record<string, string | number | null | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * An execution's name as one URL path segment. '.' and '..' cannot be one (the browser resolves them as the path's
 * own dots, %2E too: /executions/. asked for the list): no such execution is asked for.
 */
function executionSegment(name: string): string {
  if (name === '.' || name === '..')
    throw failureOf(404, {
      code: 'EXECUTION_NOT_FOUND',
      message: `there is no execution '${name}' (a URL path cannot name one so)`,
    });
  return encodeURIComponent(name);
}

/** A call of a closed LakeApi (signed out, or another key): refused before it reaches the lake. */
export class SignedOutError extends Error {
  override readonly name = 'SignedOutError';
  constructor() {
    super('signed out: the console no longer calls the lake with this key');
  }
}

export class LakeApi {
  private ended = false;
  /** The queries this session started: each may still be cancelled once it has ended (close()). */
  private readonly started = new Set<string>();

  constructor(
    private readonly key: string,
    private readonly onKeyRefused: (failure: ApiFailure) => void = () => undefined,
    private readonly base = '',
  ) {}

  /** Whether close() was called: the session this API belongs to has ended. */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Ends this API's session (sign-out, or a new key): later calls are refused (SignedOutError), so that nothing is
   * sent with a key the console has forgotten, and a late refusal of the old key cannot sign out a newer session.
   * Calls in flight finish (a query's cancel sent as its page closes still reaches the lake), and so does the cancel
   * of a query the session started whose id came back after it ended (signed out while the query was starting).
   */
  close(): void {
    this.ended = true;
  }

  /** `keepalive`: the request outlives the page (a cancel sent as it is closed or reloaded). */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    keepalive = false,
    afterEnd = false,
  ): Promise<T> {
    if (this.ended && !afterEnd) throw new SignedOutError();
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'x-api-key': this.key,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
      ...(keepalive ? { keepalive } : {}),
    });
    return this.read<T>(res);
  }

  private async read<T>(res: Response): Promise<T> {
    const raw = await res.text();
    let parsed: unknown = null;
    try {
      // A json cell's integer beyond a double is kept as written (exact-number.ts).
      parsed = raw ? JSON.parse(raw, keepDigits) : null;
    } catch {
      parsed = { message: raw.slice(0, 300) };
    }
    if (!res.ok) {
      const failure = failureOf(res.status, parsed, res.statusText);
      if (failure.refusesKey && !this.closed) this.onKeyRefused(failure);
      throw failure;
    }
    return parsed as T;
  }

  /**
   * Starts a query, its id answered at once (wait 0): a page closed or reloaded while a POST waited for a quick answer
   * had no id to cancel, and its query ran on (two of them held up every later query of the lake).
   */
  async startQuery(sql: string, maxRows: number, wait = 0): Promise<QueryAnswer> {
    const answer = await this.call<QueryAnswer>('POST', '/queries', { sql, wait, maxRows });
    this.started.add(answer.id);
    return answer;
  }
  /** `signal`: a read that must not wait forever (a lake that accepts the connection and never answers). */
  queryStatus(id: string, signal?: AbortSignal): Promise<QueryStatus> {
    return this.call('GET', `/queries/${encodeURIComponent(id)}`, undefined, signal);
  }
  results(id: string, maxRows: number, nextToken?: string | null): Promise<ResultPage> {
    return this.call('GET', withQuery(`/queries/${encodeURIComponent(id)}/results`, { maxRows, nextToken }));
  }
  /** Sent with keepalive: a query's page closed or reloaded still cancels it. */
  cancelQuery(id: string): Promise<QueryStatus> {
    const path = `/queries/${encodeURIComponent(id)}`;
    return this.call('DELETE', path, undefined, undefined, true, this.started.has(id));
  }
  tables(): Promise<TableListing> {
    return this.call('GET', '/tables');
  }
  executions(
    query: { status?: string; limit?: number; nextToken?: string | null } = {},
  ): Promise<ExecutionPage> {
    return this.call('GET', withQuery('/executions', query));
  }
  async execution(name: string): Promise<ExecutionDetail> {
    return this.call('GET', `/executions/${executionSegment(name)}`);
  }
  async retry(name: string): Promise<StartedExecution> {
    return this.call('POST', `/executions/${executionSegment(name)}/retry`);
  }
  startTableRun(mode: 'replay' | 'rebuild', table: string): Promise<StartedExecution> {
    return this.call('POST', '/executions', { mode, table });
  }
  quarantine(query: { limit?: number; nextToken?: string | null } = {}): Promise<QuarantinePage> {
    return this.call('GET', withQuery('/uploads/quarantine', query));
  }
  ingestStats(hours: number): Promise<IngestStats> {
    return this.call('GET', withQuery('/ingest/stats', { hours }));
  }
}

export { ApiFailure };

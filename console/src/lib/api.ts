/**
 * The lake's HTTP API as the console calls it: the same routes everyone uses, each call with the tab's key in
 * `x-api-key`. A refused key (401/403) signs the tab out (onKeyRefused), so that nothing but the refusal shows.
 */
import { ApiFailure, failureOf } from './api-error';
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

/** A call of a closed LakeApi (signed out, or another key): refused before it reaches the lake. */
export class SignedOutError extends Error {
  override readonly name = 'SignedOutError';
  constructor() {
    super('signed out: the console no longer calls the lake with this key');
  }
}

export class LakeApi {
  private ended = false;

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
   * Calls in flight finish (a query's cancel sent as its page closes still reaches the lake).
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
  ): Promise<T> {
    if (this.ended) throw new SignedOutError();
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
      parsed = raw ? JSON.parse(raw) : null;
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

  startQuery(sql: string, maxRows: number, wait = 2): Promise<QueryAnswer> {
    return this.call('POST', '/queries', { sql, wait, maxRows });
  }
  queryStatus(id: string): Promise<QueryStatus> {
    return this.call('GET', `/queries/${encodeURIComponent(id)}`);
  }
  results(id: string, maxRows: number, nextToken?: string | null): Promise<ResultPage> {
    return this.call('GET', withQuery(`/queries/${encodeURIComponent(id)}/results`, { maxRows, nextToken }));
  }
  /** Sent with keepalive: a query's page closed or reloaded still cancels it. */
  cancelQuery(id: string): Promise<QueryStatus> {
    return this.call('DELETE', `/queries/${encodeURIComponent(id)}`, undefined, undefined, true);
  }
  tables(): Promise<TableListing> {
    return this.call('GET', '/tables');
  }
  executions(
    query: { status?: string; limit?: number; nextToken?: string | null } = {},
  ): Promise<ExecutionPage> {
    return this.call('GET', withQuery('/executions', query));
  }
  execution(name: string): Promise<ExecutionDetail> {
    return this.call('GET', `/executions/${encodeURIComponent(name)}`);
  }
  retry(name: string): Promise<StartedExecution> {
    return this.call('POST', `/executions/${encodeURIComponent(name)}/retry`);
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

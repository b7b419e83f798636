/**
 * One query's life as the console runs it: start (waiting briefly for a quick answer), poll its status until it
 * ends (riding out a lake that does not answer for a while), then read the first page. `cancel()` asks the lake to
 * stop it (DELETE /queries/{id}); `leave()` too, and stops polling (its page was closed).
 */
import type { LakeApi } from './api';
import type { QueryStatus, ResultPage } from './api-types';

export interface QueryOutcome {
  status: QueryStatus;
  /** The first page, when the query SUCCEEDED. */
  page: ResultPage | null;
  /** Wall time from the request to the first page, as the console saw it. */
  elapsedMs: number;
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long polling keeps trying while the lake does not answer (a network drop, a restart, 5xx, throttling). */
export const POLL_PATIENCE_MS = 60_000;
/**
 * How long one status read waits for its answer: a lake that accepts the connection and never answers (a process
 * stopped, a network that drops the replies) would hold a fetch forever, and the silence would never be told.
 */
export const STATUS_READ_TIMEOUT_MS = 10_000;

/** A status read not answered for this long is silence, told every second while it lasts (not only at its end). */
export const SILENT_READ_MS = 2_000;

/**
 * Whether a failed status read may succeed if tried again: no answer at all (fetch's TypeError), a 5xx, or 408/429.
 * An answer that refuses (the key, an unknown id) is final.
 */
export function isTransient(e: unknown): boolean {
  const status = (e as { status?: unknown }).status;
  // No answer: the request failed (TypeError), or got none in time (AbortSignal.timeout's TimeoutError).
  if (typeof status !== 'number') return e instanceof TypeError || (e as Error)?.name === 'TimeoutError';
  return status >= 500 || status === 408 || status === 429;
}

/** The run was left (its page closed): it stops polling; the query was asked to stop. */
export class RunLeftError extends Error {
  override readonly name = 'RunLeftError';
  constructor() {
    super('the query was left: its page was closed');
  }
}

export class QueryRun {
  private id: string | null = null;
  private state: string | null = null;
  private cancelled = false;
  private left = false;

  /**
   * `onSilence`: while status reads get no answer (retried for up to patienceMs), how long since the first failed
   * one (ms); null again once the lake answers.
   */
  constructor(
    private readonly api: LakeApi,
    private readonly onStatus: (status: QueryStatus) => void = () => undefined,
    private readonly patienceMs = POLL_PATIENCE_MS,
    private readonly onSilence: (sinceMs: number | null) => void = () => undefined,
    private readonly readTimeoutMs = STATUS_READ_TIMEOUT_MS,
    private readonly silentAfterMs = SILENT_READ_MS,
  ) {}

  /** The query's id once the lake has given one. */
  get queryId(): string | null {
    return this.id;
  }

  /** The last state the lake gave of the query, if any. */
  get lastState(): string | null {
    return this.state;
  }

  async run(sql: string, pageRows: number): Promise<QueryOutcome> {
    const t0 = performance.now();
    const first = await this.api.startQuery(sql, pageRows);
    this.id = first.id;
    if (this.left) {
      if (!FINISHED.has(first.state)) void this.stop().catch(() => undefined);
      throw new RunLeftError();
    }
    this.state = first.state;
    this.onStatus(first);
    let status: QueryStatus = first;
    if (this.cancelled && !FINISHED.has(status.state)) status = await this.stop();
    // Asked at once for its id (startQuery), a quick query is read again soon.
    let pause = 100;
    while (!FINISHED.has(status.state)) {
      await sleep(pause);
      pause = Math.min(pause * 1.5, 2000);
      status = await this.statusOf(first.id);
      this.state = status.state;
      this.onStatus(status);
    }
    // Left as it ended: nothing shows its results.
    if (this.left) throw new RunLeftError();
    let page: ResultPage | null = null;
    if (status.state === 'SUCCEEDED')
      page =
        first.columns && first.rows && first.state === 'SUCCEEDED'
          ? { columns: first.columns, rows: first.rows, nextToken: first.nextToken ?? null }
          : await this.api.results(first.id, pageRows);
    return { status, page, elapsedMs: performance.now() - t0 };
  }

  /** Asks the lake to cancel the query (once it has an id; before that, as soon as it gets one). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    if (this.id) await this.stop();
  }

  /**
   * The page that runs the query is closed: polling stops, results are not read (run() rejects with RunLeftError)
   * and a query still running is cancelled, since nothing would show its result (Athena's console keeps it; this
   * one has no list of queries to find it in again).
   */
  leave(): void {
    this.left = true;
    this.cancelled = true;
    // A query seen ended is not cancelled (the lake would answer 409 QUERY_ALREADY_FINISHED).
    if (this.id && !FINISHED.has(this.state ?? '')) void this.stop().catch(() => undefined);
  }

  /**
   * The query's status, read again while the lake does not answer (isTransient), for up to patienceMs; a refusal,
   * or silence beyond that, is thrown.
   */
  private async statusOf(id: string): Promise<QueryStatus> {
    const since = performance.now();
    let pause = 500;
    let silent = false;
    const tell = () => {
      silent = true;
      this.onSilence(performance.now() - since);
    };
    for (;;) {
      if (this.left) throw new RunLeftError();
      // A read that hangs (a stopped lake) is told as it lasts, every second past silentAfterMs.
      const asked = performance.now();
      const ticker = setInterval(
        () => {
          if (performance.now() - asked >= this.silentAfterMs) tell();
        },
        Math.min(1000, this.silentAfterMs),
      );
      try {
        const status = await this.api.queryStatus(id, AbortSignal.timeout(this.readTimeoutMs));
        if (silent) this.onSilence(null);
        return status;
      } catch (e) {
        if (!isTransient(e) || performance.now() - since + pause > this.patienceMs) throw e;
        tell();
      } finally {
        clearInterval(ticker);
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 5000);
    }
  }

  private async stop(): Promise<QueryStatus> {
    try {
      return await this.api.cancelQuery(this.id!);
    } catch (e) {
      // 409: it ended meanwhile; its status says how.
      if ((e as { status?: number }).status === 409) return this.api.queryStatus(this.id!);
      throw e;
    }
  }
}

/**
 * One query's life as the console runs it: start (waiting briefly for a quick answer), poll its status until it
 * ends, then read the first page. `cancel()` asks the lake to stop it (DELETE /queries/{id}).
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

export class QueryRun {
  private id: string | null = null;
  private cancelled = false;

  constructor(
    private readonly api: LakeApi,
    private readonly onStatus: (status: QueryStatus) => void = () => undefined,
  ) {}

  /** The query's id once the lake has given one. */
  get queryId(): string | null {
    return this.id;
  }

  async run(sql: string, pageRows: number): Promise<QueryOutcome> {
    const t0 = performance.now();
    const first = await this.api.startQuery(sql, pageRows);
    this.id = first.id;
    this.onStatus(first);
    let status: QueryStatus = first;
    if (this.cancelled && !FINISHED.has(status.state)) status = await this.stop();
    let pause = 250;
    while (!FINISHED.has(status.state)) {
      await sleep(pause);
      pause = Math.min(pause * 1.5, 2000);
      status = await this.api.queryStatus(first.id);
      this.onStatus(status);
    }
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

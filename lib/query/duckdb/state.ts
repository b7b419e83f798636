/**
 * Query state on disk: each query's folder <LAKE_DIR>/.queries/<id>/ holds state.json (QueryStatus + columns,
 * rowCount) and, once it succeeded, its results (results.ts) — so finished queries can be read after a restart; a
 * query a stopped process left QUEUED or RUNNING reads as FAILED. The folders are the query history too (list(),
 * newest first: the local lake's Athena API, ListQueryExecutions).
 */
import { writeFileDurably } from '../../durable-fs';
import { isThisProcess, processRunning } from '../../process-identity';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  InvalidPageTokenError,
  isFinished,
  QUERY_ID,
  type PageRequest,
  type QueryIdPage,
  type QueryStatus,
  type ResultColumn,
} from '../types';

/** What state.json holds. */
export interface StoredQuery extends QueryStatus {
  /** The statement DuckDB ran (after the Trino compatibility rewrites). */
  duckdbSql?: string;
  tables: string[];
  startedAt?: string;
  filesRead?: number;
  columns?: ResultColumn[];
  rowCount?: number;
  /** The engine that owns a QUEUED or RUNNING query, and its process (told apart from a later one with its pid). */
  owner: string;
  pid: number;
  start?: string;
  boot?: string;
}

/** A position in the history: after the query submitted at `submittedAt` with id `id` (newest first). */
interface HistoryKey {
  submittedAt: string;
  id: string;
}

/** Newest first; queries submitted in the same millisecond by id, descending. */
const newerFirst = (a: HistoryKey, b: HistoryKey): number =>
  a.submittedAt !== b.submittedAt
    ? a.submittedAt < b.submittedAt
      ? 1
      : -1
    : a.id === b.id
      ? 0
      : a.id < b.id
        ? 1
        : -1;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function historyToken(k: HistoryKey): string {
  return Buffer.from(`${k.submittedAt}/${k.id}`).toString('base64url');
}

function historyKey(token: string): HistoryKey {
  const [submittedAt = '', id = '', ...rest] = Buffer.from(token, 'base64url').toString('utf8').split('/');
  const key = { submittedAt, id };
  if (rest.length || !ISO_UTC.test(submittedAt) || !QUERY_ID.test(id) || historyToken(key) !== token)
    throw new InvalidPageTokenError('nextToken is not a token the query history returned');
  return key;
}

/** The queries' folders under <LAKE_DIR>/.queries/. */
export class QueryStore {
  /** Submission times by id, read once per query (they never change): the history is listed without rereading. */
  private readonly submitted = new Map<string, string>();

  constructor(private readonly queriesDir: string) {}

  dir(id: string): string {
    return path.join(this.queriesDir, id);
  }

  /** Replaces a query's state file, whole and on disk (temporary file, fsync, rename). */
  async save(q: StoredQuery): Promise<void> {
    await writeFileDurably(path.join(this.dir(q.id), 'state.json'), JSON.stringify(q, null, 1));
  }

  async load(id: string): Promise<StoredQuery | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir(id), 'state.json'), 'utf8')) as StoredQuery;
    } catch {
      return undefined;
    }
  }

  /**
   * A query this process is not running, as stored; one left unfinished by a process that stopped is recorded
   * FAILED. `owner`: the asking engine's (the queries it owns are its own to finish).
   */
  async read(id: string, owner: string): Promise<StoredQuery | undefined> {
    const q = await this.load(id);
    if (!q || isFinished(q.state) || q.owner === owner) return q;
    // Another local process runs it (a process, not a pid: a lake restarted in a container has the dead one's pid).
    const runner = { pid: q.pid, start: q.start ?? '', boot: q.boot ?? '' };
    if (!isThisProcess(runner) && processRunning(runner)) return q;
    // Left unfinished by a process that stopped.
    q.state = 'FAILED';
    q.reason = 'the local lake stopped before the query finished; run it again';
    q.errorCategory = 'SYSTEM';
    q.completedAt = q.completedAt ?? new Date().toISOString();
    await this.save(q).catch(() => undefined);
    return q;
  }

  /**
   * The recorded queries' ids, newest first (by submission time), `page.maxRows` at a time. A token names the last
   * query of its page, so queries started meanwhile do not shift the pages that follow.
   */
  async list(page: PageRequest): Promise<QueryIdPage> {
    const after = page.nextToken === undefined ? undefined : historyKey(page.nextToken);
    let names: string[];
    try {
      names = (await fs.readdir(this.queriesDir, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && QUERY_ID.test(e.name))
        .map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ids: [], nextToken: null };
      throw e;
    }
    const keys: HistoryKey[] = [];
    for (const id of names) {
      let submittedAt = this.submitted.get(id);
      if (submittedAt === undefined) {
        // A folder without its state file yet (a query being recorded) is listed once it has one.
        submittedAt = (await this.load(id))?.submittedAt;
        if (submittedAt === undefined) continue;
        this.submitted.set(id, submittedAt);
      }
      keys.push({ submittedAt, id });
    }
    keys.sort(newerFirst);
    const start = after ? keys.findIndex((k) => newerFirst(after, k) < 0) : 0;
    const rest = start < 0 ? [] : keys.slice(start);
    const listed = rest.slice(0, page.maxRows);
    const last = listed[listed.length - 1];
    return {
      ids: listed.map((k) => k.id),
      nextToken: rest.length > listed.length && last ? historyToken(last) : null,
    };
  }
}

/** The status the API returns: the stored query without the engine's own fields. */
export function publicStatus(q: StoredQuery): QueryStatus {
  return {
    id: q.id,
    state: q.state,
    sql: q.sql,
    submittedAt: q.submittedAt,
    completedAt: q.completedAt,
    dataScannedBytes: q.dataScannedBytes,
    engineTimeMs: q.engineTimeMs,
    ...(q.reason ? { reason: q.reason } : {}),
    ...(q.errorCategory ? { errorCategory: q.errorCategory } : {}),
    ...(q.timedOut ? { timedOut: true } : {}),
    ...(q.errorType !== undefined ? { errorType: q.errorType } : {}),
    engine: 'duckdb',
  };
}

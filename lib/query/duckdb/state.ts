/**
 * Query state on disk: each query's folder <LAKE_DIR>/.queries/<id>/ holds state.json (QueryStatus + columns,
 * rowCount) and, once it succeeded, its results (results.ts) — so finished queries can be read after a restart; a
 * query a stopped process left QUEUED or RUNNING reads as FAILED.
 */
import { writeFileDurably } from '../../durable-fs';
import { isThisProcess, processRunning } from '../../process-identity';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isFinished, type QueryStatus, type ResultColumn } from '../types';

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

/** The queries' folders under <LAKE_DIR>/.queries/. */
export class QueryStore {
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
    q.completedAt = q.completedAt ?? new Date().toISOString();
    await this.save(q).catch(() => undefined);
    return q;
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
    engine: 'duckdb',
  };
}

/**
 * The local query engine, DuckDbQueryEngine: DuckDB over the local lake (views.ts), with Athena's asynchronous
 * lifecycle.
 *
 * Lifecycle: start() records the query QUEUED and returns; queries run off the request path on a pool of
 * LAKE_QUERY_CONCURRENCY connections, FIFO; each is interrupted on cancel or after LAKE_QUERY_TIMEOUT_SECONDS.
 * State and results live under <LAKE_DIR>/.queries/<id>/ (state.ts, results.ts); data scanned is counted from
 * DuckDB's FileSystem log (scanned.ts). Each reading of a query: read-results.ts; how a stop ends one: stop.ts.
 *
 * Sandbox (shared/README.md), set before the configuration is locked: allowed_directories = the curated tables and
 * the rejected store,
 * enable_external_access = false, lock_configuration = true; integer_division = true (Trino's 7 / 2 = 3); time
 * zone UTC. Before running, each statement must be exactly one statement of type SELECT per DuckDB's own parser.
 */
import { sqlIdent } from '../../duckdb-sql';
import { thisProcess } from '../../process-identity';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { TableDef } from '../../catalog/tables';
import { REJECTED_TABLE } from '../../etl/rejected';
import layout from '../../lake-layout.json';
import { CATALOG, openQuerySandbox } from '../duckdb-sandbox';
import { rejectedDir } from '../rejected-view';
import { localGlueTables } from '../../catalog/describe';
import { metadataSql, parseMetadataStatement } from '../metadata/statements';
import { tokenize } from '../sql-guard';
import { macroStatements, toDuckDbSql } from '../trino-compat';
import { registerJsonSorted } from './json-sorted';
import {
  EngineBusyError,
  QUERY_ID,
  QueryNotFoundError,
  QueryNotSucceededError,
  type CheckedQuery,
  type PageRequest,
  type QueryEngine,
  type QueryState,
  type QueryStatus,
  type ResultPage,
} from '../types';
import { DEFAULT_MAX_RESULT_BYTES } from '../settings';
import { Mutex } from './mutex';
import { readQueryInto, type QueryRead } from './read-results';
import { readResultsPage, RESULTS_FILE, RESULTS_TMP_FILE } from './results';
import { scanned } from './scanned';
import { publicStatus, QueryStore, type StoredQuery } from './state';
import { interruptWithin, overdueReason, STOP_GRACE_MS, stoppedRun, type StopReason } from './stop';
import { explainEngineError } from './trino-functions';
import { PartitionPaths } from './partition-paths';
import { checkTableNames, LakeViews } from './views';

export interface LocalQueryEngineOptions {
  lakeDir: string;
  /** The schema the views live in (the Glue database name, e.g. data_lake_local). */
  database: string;
  tables: TableDef[];
  concurrency: number;
  maxQueued: number;
  timeoutMs: number;
  maxResultRows: number;
  /** LAKE_QUERY_MAX_RESULT_BYTES (default DEFAULT_MAX_RESULT_BYTES). */
  maxResultBytes?: number;
  memoryLimit: string;
  /** 0: DuckDB's default (one per core). */
  threads: number;
  /** How long a cancel, the time limit or a stop waits for DuckDB to end a run (stop.ts; default STOP_GRACE_MS). */
  stopGraceMs?: number;
}

interface Active {
  stored: StoredQuery;
  query: CheckedQuery;
  /** Resolved once its connection is free (execute() ended). */
  done: Promise<void>;
  finish: () => void;
  /** Resolved once its final state is recorded (a run past a stop's bound is recorded before its connection is free). */
  recorded: Promise<void>;
  markRecorded: () => void;
  connection?: DuckDBConnection;
  stop?: StopReason;
  /** Its final state is recorded: the first one recorded wins (a run that ends past a stop's bound). */
  settled?: boolean;
}

/** How often a query whose files an ETL run replaced while it started is synced and run again. */
const MAX_FILE_CHANGE_RETRIES = 5;

export class DuckDbQueryEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  private readonly owner = randomUUID();
  private readonly active = new Map<string, Active>();
  /**
   * Runs whose connection DuckDB holds: those of `active`, and those recorded as ended that DuckDB has not let go of
   * (a cancel or timeout past the grace, which leaves `active`).
   */
  private readonly executing = new Set<Active>();
  private readonly queue: Active[] = [];
  private readonly idle: DuckDBConnection[] = [];
  private readonly setupLock = new Mutex();
  private readonly views: LakeViews;
  private readonly store: QueryStore;
  /** Stopping (stopQueries): nothing new starts. */
  private closed = false;
  private stopped: Promise<void> = Promise.resolve();
  /** Released (close). */
  private released = false;
  private running = 0;
  /** The lake's tables (replaced by useTables). */
  private tables: TableDef[];

  private constructor(
    private readonly opts: LocalQueryEngineOptions,
    private readonly instance: DuckDBInstance,
    private readonly setup: DuckDBConnection,
    private readonly connections: DuckDBConnection[],
    queriesDir: string,
    private readonly curatedDir: string,
    /** The sandbox: the curated tables (<LAKE_DIR>/curated/tables/), ending with a separator. */
    private readonly tablesDir: string,
    /** And the rejected store (<LAKE_DIR>/curated/rejected/), ending with a separator. */
    private readonly rejectedDir: string,
    private readonly paths: PartitionPaths,
  ) {
    this.idle.push(...connections);
    this.tables = opts.tables;
    this.views = new LakeViews(setup, this.setupLock, curatedDir, paths, opts.database, opts.tables);
    this.store = new QueryStore(queriesDir);
  }

  /**
   * The lake's tables changed (an edit of schemas/ the check let through: a column added, deprecated, renamed or
   * retired, a table added): each changed table's view is made again before the next query that reads it.
   */
  useTables(tables: TableDef[]): void {
    this.tables = tables;
    this.views.useTables(tables);
  }

  /**
   * The statement DuckDB runs: a metadata statement (SHOW …, DESCRIBE …) answered from the Glue TableInputs of the
   * lake's current tables, anything else through the dialect rewrites (lib/query/dialect/).
   */
  private duckDbSql(sql: string): string {
    const database = this.opts.database;
    const names = [...this.tables.map((t) => t.name), REJECTED_TABLE];
    const statement = parseMetadataStatement(tokenize(sql, { backquotes: true }).tokens, {
      database,
      tables: names,
    });
    if (!statement) return toDuckDbSql(sql);
    const inputs = localGlueTables(this.tables, pathToFileURL(this.curatedDir).href + '/');
    return metadataSql(statement, database, inputs);
  }

  static async open(opts: LocalQueryEngineOptions): Promise<DuckDbQueryEngine> {
    checkTableNames(opts.tables);
    const queriesDir = path.join(opts.lakeDir, '.queries');
    const tmpDir = path.join(queriesDir, '.tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const paths = await PartitionPaths.open(queriesDir);
    // DuckDB compares real paths: resolve symlinks (e.g. /tmp on macOS) once.
    const curated = path.join(opts.lakeDir, 'curated');
    await fs.mkdir(path.join(curated, layout.curated.tablesPrefix), { recursive: true });
    const curatedDir = await fs.realpath(curated);
    const tablesDir = path.join(curatedDir, layout.curated.tablesPrefix);
    const rejected = rejectedDir(curatedDir) + path.sep;

    const { instance, setup } = await openQuerySandbox({
      database: opts.database,
      allowedDirectories: [tablesDir, rejected],
      tmpDir,
      memoryLimit: opts.memoryLimit,
      threads: opts.threads,
    });
    const db = sqlIdent(opts.database);

    const connections: DuckDBConnection[] = [];
    for (let i = 0; i < opts.concurrency; i++) {
      const c = await instance.connect();
      await c.run(`USE ${CATALOG}.${db}`);
      registerJsonSorted(c);
      for (const statement of macroStatements()) await c.run(statement);
      connections.push(c);
    }
    const engine = new DuckDbQueryEngine(
      opts,
      instance,
      setup,
      connections,
      queriesDir,
      curatedDir,
      tablesDir,
      rejected,
      paths,
    );
    await engine.views.createEmpty();
    return engine;
  }

  // ---- state ----------------------------------------------------------------------------------------------------

  private async stored(id: string): Promise<StoredQuery | undefined> {
    if (!QUERY_ID.test(id)) return undefined; // ids name directories: nothing else reaches the file system
    const a = this.active.get(id);
    if (a) return a.stored;
    return this.store.read(id, this.owner);
  }

  // ---- the port -------------------------------------------------------------------------------------------------

  async start(query: CheckedQuery): Promise<QueryStatus> {
    if (this.closed) throw new EngineBusyError('the local query engine is shutting down');
    // Those in the queue that a free connection takes at once do not wait (LAKE_QUERY_MAX_QUEUED=0: none waits).
    const waiting = this.queue.length - this.idle.length;
    if (waiting >= this.opts.maxQueued) {
      throw new EngineBusyError(`${Math.max(0, waiting)} queries are already queued; try again shortly`);
    }
    const stored = await this.record(query.sql, [...query.tables], { state: 'QUEUED', completedAt: null });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    let markRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => (markRecorded = resolve));
    const entry: Active = { stored, query, done, finish, recorded, markRecorded };
    this.active.set(stored.id, entry);
    this.queue.push(entry);
    setImmediate(() => this.pump());
    return publicStatus(stored);
  }

  async recordFailed(sql: string, reason: string, errorType: number): Promise<QueryStatus> {
    if (this.closed) throw new EngineBusyError('the local query engine is shutting down');
    const now = new Date().toISOString();
    return publicStatus(
      await this.record(sql, [], {
        state: 'FAILED',
        submittedAt: now,
        completedAt: now,
        reason,
        errorCategory: 'USER',
        errorType,
      }),
    );
  }

  /** A new query's record, saved in its folder: submitted now unless told, nothing read yet. */
  private async record(
    sql: string,
    tables: string[],
    fields: Pick<StoredQuery, 'state' | 'completedAt'> & Partial<StoredQuery>,
  ): Promise<StoredQuery> {
    const id = randomUUID();
    const stored: StoredQuery = {
      id,
      sql,
      tables,
      submittedAt: new Date().toISOString(),
      dataScannedBytes: 0,
      engineTimeMs: 0,
      engine: 'duckdb',
      owner: this.owner,
      ...thisProcess(),
      ...fields,
    };
    await fs.mkdir(this.store.dir(id), { recursive: true });
    await this.store.save(stored);
    return stored;
  }

  async status(id: string): Promise<QueryStatus | undefined> {
    const q = await this.stored(id);
    return q && publicStatus(q);
  }

  async wait(id: string, timeoutMs: number): Promise<QueryStatus | undefined> {
    const a = this.active.get(id);
    if (a && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      // Its final state, not its connection: a run stopped past the bound is answered FAILED at once.
      await Promise.race([a.recorded, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    return this.status(id);
  }

  async cancel(id: string): Promise<QueryStatus | undefined> {
    const a = this.active.get(id);
    if (!a) return this.status(id);
    const queued = this.queue.indexOf(a);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      await this.complete(a, 'CANCELLED', { reason: 'cancelled before it started' });
    } else {
      await this.stopRun(a, 'cancel');
    }
    return this.status(id);
  }

  async results(id: string, page: PageRequest): Promise<ResultPage> {
    const q = await this.stored(id);
    if (!q) throw new QueryNotFoundError(id);
    if (q.state !== 'SUCCEEDED') throw new QueryNotSucceededError(publicStatus(q));
    return readResultsPage(
      id,
      path.join(this.store.dir(id), RESULTS_FILE),
      q.rowCount ?? 0,
      q.columns ?? [],
      page,
    );
  }

  /** The queries recorded under <LAKE_DIR>/.queries/, newest first (QueryEngine.list). */
  list(page: PageRequest): ReturnType<QueryStore['list']> {
    return this.store.list(page);
  }

  /**
   * The lake is stopping: nothing new starts, queued queries fail and running ones are stopped, while the records
   * stay readable — a request in flight that waits on a query (POST /queries with `wait`) is answered with its final
   * state at once, not RUNNING when its wait runs out. close() then releases the engine.
   */
  async stopQueries(): Promise<void> {
    if (this.closed) return this.stopped;
    this.closed = true;
    this.stopped = (async () => {
      for (const a of this.queue.splice(0)) {
        await this.complete(a, 'FAILED', {
          reason: 'the local lake stopped before the query started; run it again',
          errorCategory: 'SYSTEM',
        });
      }
      await Promise.all([...this.active.values()].map((a) => this.stopRun(a, 'shutdown')));
    })();
    return this.stopped;
  }

  async close(): Promise<{ runsNotEnded: number }> {
    if (this.released) return { runsNotEnded: 0 };
    this.released = true;
    await this.stopQueries();
    // A run DuckDB has not let go of keeps its connection, and the database with it, open: the process ends them.
    // Closing such a connection would wait for DuckDB on the main thread, and no signal would be heard again.
    const busy = new Set([...this.executing].map((a) => a.connection));
    for (const c of this.connections) if (!busy.has(c)) c.closeSync();
    if (busy.size > 0) return { runsNotEnded: busy.size };
    this.setup.closeSync();
    this.instance.closeSync();
    return { runsNotEnded: 0 };
  }

  /** Stops a run within the bound (stop.ts); past it, records the final state the stop gives it. */
  private async stopRun(a: Active, why: StopReason): Promise<void> {
    const grace = this.opts.stopGraceMs ?? STOP_GRACE_MS;
    if (await interruptWithin(a, why, grace)) return;
    const overdue = overdueReason(a.stop ?? why, grace, this.opts.timeoutMs);
    await this.complete(a, a.stop === 'cancel' ? 'CANCELLED' : 'FAILED', overdue, false);
  }

  // ---- execution ------------------------------------------------------------------------------------------------

  /** One reading of the query into `tmpResults` (read-results.ts), the views synced first. */
  private async readInto(a: Active, c: DuckDBConnection, tmpResults: string): Promise<QueryRead> {
    await this.views.sync(a.query.tables);
    if (a.stop) throw new Error('stopped');
    return readQueryInto(
      c,
      {
        query: a.query,
        tables: this.tables,
        duckDbSql: (sql) => this.duckDbSql(sql),
        maxResultRows: this.opts.maxResultRows,
        maxResultBytes: this.opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES,
        stopped: () => a.stop !== undefined,
        onDuckDbSql: (sql) => (a.stored.duckdbSql = sql),
      },
      tmpResults,
    );
  }

  /** DuckDB could not open a file of the lake a view named (replaced since by an ETL run's swap). */
  private lakeFileGone(e: unknown): boolean {
    const m = /^IO Error: (?:Cannot open file|No files found that match the pattern) "([^"]+)"/.exec(
      (e as Error)?.message ?? '',
    );
    return !!m && [this.tablesDir, this.paths.dir].some((dir) => m[1]!.startsWith(dir));
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && this.idle.length > 0) {
      const a = this.queue.shift()!;
      const c = this.idle.pop()!;
      this.running++;
      this.execute(a, c)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.idle.push(c);
          if (this.running === 0 && this.queue.length === 0) this.truncateLogs();
          this.pump();
        });
    }
  }

  /** The FileSystem log only grows; clear it whenever no query is running. */
  private truncateLogs(): void {
    if (this.closed) return;
    void this.setupLock.run(() => this.setup.run('CALL truncate_duckdb_logs()')).catch(() => undefined);
  }

  /** Records the final state. `finish` is false when execute() releases the query itself, once its connection is free. */
  private async complete(
    a: Active,
    state: QueryState,
    fields: Partial<StoredQuery>,
    finish = true,
  ): Promise<void> {
    if (a.settled) {
      if (finish) a.finish();
      return;
    }
    a.settled = true;
    Object.assign(a.stored, fields, { state, completedAt: new Date().toISOString() });
    await this.store.save(a.stored).catch(() => undefined);
    this.active.delete(a.stored.id);
    a.markRecorded();
    if (finish) a.finish();
  }

  private async execute(a: Active, c: DuckDBConnection): Promise<void> {
    const started = performance.now();
    a.connection = c;
    a.stored.state = 'RUNNING';
    a.stored.startedAt = new Date().toISOString();
    await this.store.save(a.stored);
    const timer = setTimeout(() => void this.stopRun(a, 'timeout'), this.opts.timeoutMs);
    const dir = this.store.dir(a.stored.id);
    const tmpResults = path.join(dir, RESULTS_TMP_FILE);
    try {
      this.executing.add(a);
      // A run of the ETL can replace a file a view names between the view's sync and the read (a partition swapped
      // in: its new files have new names): DuckDB then fails to open it. Read-only, so synced and run again.
      let read: QueryRead;
      for (let attempt = 1; ; attempt++) {
        try {
          read = await this.readInto(a, c, tmpResults);
          break;
        } catch (e) {
          if (a.stop || !this.lakeFileGone(e)) throw e;
          if (attempt >= MAX_FILE_CHANGE_RETRIES)
            throw new Error(
              `the files of ${a.query.tables.join(', ')} were replaced by ETL runs each of the ${attempt} times ` +
                'this query read them (a table is rewritten while a run swaps its partitions in): run it again',
            );
          // Once the swap that replaced them has ended (lib/curated-swaps.ts).
          await this.views.swapsSettled(a.query.tables);
        }
      }
      const { before, columns, intervals, rows } = read;
      const [bytes, files] = await scanned(c, before, [this.tablesDir, this.rejectedDir, this.paths.dir]);
      await fs.rename(tmpResults, path.join(dir, RESULTS_FILE));
      await this.complete(
        a,
        'SUCCEEDED',
        {
          columns: intervals.typed(columns),
          rowCount: rows,
          dataScannedBytes: bytes,
          filesRead: files,
          engineTimeMs: Math.round(performance.now() - started),
        },
        false,
      );
    } catch (e) {
      await fs.rm(tmpResults, { force: true });
      const engineTimeMs = Math.round(performance.now() - started);
      const { state, ...failure } = a.stop
        ? stoppedRun(a.stop, this.opts.timeoutMs)
        : {
            state: 'FAILED' as const,
            reason: explainEngineError(this.paths.unlinked((e as Error).message), a.query.sql).slice(0, 4000),
            errorCategory: 'USER' as const,
          };
      await this.complete(a, state, { ...failure, engineTimeMs }, false);
    } finally {
      clearTimeout(timer);
      a.connection = undefined;
      this.executing.delete(a);
      a.finish();
    }
  }
}

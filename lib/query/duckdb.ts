/**
 * The local query engine: DuckDB over the local lake, with Athena's asynchronous lifecycle. Only the local runtime
 * loads this module (lib/query/index.ts imports it lazily; serverless.yml keeps @duckdb/node-api out of bundles).
 *
 * Tables: every table of lib/catalog/tables.ts is a view in schema awsdatacatalog.<database> over its curated
 * Parquet, <LAKE_DIR>/curated/<prefix><partition key>=<value>/*.parquet (names starting with _ or . skipped, as
 * Athena does), read with hive_partitioning (partition filters prune files); union_by_name only when the files'
 * columns differ (older files may lack newer columns) — it makes DuckDB read every file's footer before pruning, so
 * each file's schema is read once (cached by path, size and mtime) and compared. A table without data is an empty
 * view with the right columns. A view is rebuilt when the files under its prefix change (checked before each query
 * that reads the table). The rejected store is the view lake_rejected over its JSON-lines files (rejected-view.ts),
 * kept up to date the same way.
 *
 * Lifecycle: start() records the query QUEUED and returns; queries run off the request path on a pool of
 * LAKE_QUERY_CONCURRENCY connections, FIFO; each is interrupted on cancel or after LAKE_QUERY_TIMEOUT_SECONDS.
 * State and results live under <LAKE_DIR>/.queries/<id>/ — state.json (QueryStatus + columns, rowCount) and
 * results.jsonl (one JSON array per row) — so finished queries can be read after a restart; a query a stopped
 * process left QUEUED or RUNNING reads as FAILED.
 *
 * Data scanned: DuckDB's FileSystem log records every read of a file; the engine sums the bytes of the reads of
 * the query's own statements (its connection and query ids) under the curated tables — the Parquet footers and
 * column chunks actually read after partition pruning. The external file cache is off so repeated queries count
 * their reads again, as Athena would.
 *
 * Sandbox (shared/README.md), set before the configuration is locked: allowed_directories = the curated tables and
 * the rejected store,
 * enable_external_access = false, lock_configuration = true; integer_division = true (Trino's 7 / 2 = 3); time
 * zone UTC. Before running, each statement must be exactly one statement of type SELECT per DuckDB's own parser.
 */
import { DUCKDB_TYPES, sqlIdent, sqlString } from '../duckdb-sql';
import { writeFileDurably } from '../durable-fs';
import { isThisProcess, processRunning, thisProcess } from '../process-identity';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DuckDBConnection,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTypeId,
  StatementType,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { TableDef } from '../catalog/tables';
import layout from '../lake-layout.json';
import { REJECTED_TABLE } from '../etl/rejected';
import { CATALOG, openQuerySandbox } from './duckdb-sandbox';
import { rejectedDir, rejectedFiles, rejectedViewSql } from './rejected-view';
import { macroStatements, toDuckDbSql } from './trino-compat';
import {
  EngineBusyError,
  InvalidPageTokenError,
  isFinished,
  QUERY_ID,
  QueryNotFoundError,
  QueryNotSucceededError,
  type Cell,
  type CheckedQuery,
  type PageRequest,
  type QueryEngine,
  type QueryState,
  type QueryStatus,
  type ResultColumn,
  type ResultPage,
} from './types';

export interface LocalQueryEngineOptions {
  lakeDir: string;
  /** The schema the views live in (the Glue database name, e.g. data_lake_local). */
  database: string;
  tables: TableDef[];
  concurrency: number;
  maxQueued: number;
  timeoutMs: number;
  maxResultRows: number;
  memoryLimit: string;
  /** 0: DuckDB's default (one per core). */
  threads: number;
}

/** What state.json holds. */
interface StoredQuery extends QueryStatus {
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

interface Active {
  stored: StoredQuery;
  query: CheckedQuery;
  done: Promise<void>;
  finish: () => void;
  connection?: DuckDBConnection;
  stop?: 'cancel' | 'timeout' | 'shutdown';
}

class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values and types → Athena's names and JSON

const pad = (n: number | bigint, w = 2) => String(n).padStart(w, '0');

/** yyyy-MM-dd HH:mm:ss.SSS from microseconds since the epoch (UTC), as Athena renders timestamp(3). */
export function formatMicros(micros: bigint): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(micros);
  const year = d.getUTCFullYear();
  return (
    `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

export function trinoType(t: DuckDBType): string {
  switch (t.typeId) {
    case DuckDBTypeId.VARCHAR:
      return t.alias?.toUpperCase() === 'JSON' ? 'json' : 'varchar';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
      return 'tinyint';
    case DuckDBTypeId.SMALLINT:
      return 'smallint';
    case DuckDBTypeId.INTEGER:
      return 'integer';
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: // DuckDB's sum(bigint); Trino's is bigint
    case DuckDBTypeId.UHUGEINT:
      return 'bigint';
    case DuckDBTypeId.FLOAT:
      return 'real';
    case DuckDBTypeId.DOUBLE:
      return 'double';
    case DuckDBTypeId.DECIMAL:
      return `decimal(${t.width},${t.scale})`;
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp with time zone';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return 'time';
    case DuckDBTypeId.TIME_TZ:
      return 'time with time zone';
    case DuckDBTypeId.INTERVAL:
      return 'interval day to second';
    case DuckDBTypeId.UUID:
      return 'uuid';
    case DuckDBTypeId.BLOB:
      return 'varbinary';
    case DuckDBTypeId.ENUM:
      return 'varchar';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `array(${trinoType(t.valueType)})`;
    case DuckDBTypeId.MAP:
      return `map(${trinoType(t.keyType)}, ${trinoType(t.valueType)})`;
    case DuckDBTypeId.STRUCT:
      return `row(${t.entryNames.map((n, i) => `${n ? `${n} ` : ''}${trinoType(t.entryTypes[i]!)}`).join(', ')})`;
    case DuckDBTypeId.SQLNULL:
      return 'unknown';
    default:
      return t.toString().toLowerCase();
  }
}

/**
 * Athena names an expression without an alias _col<position>; DuckDB names it after its text (count_star(),
 * (a + 1)). Names that are not plain identifiers are taken for such expressions and renamed as Athena would.
 */
export function columnName(name: string, index: number): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== 'count_star' ? name : `_col${index}`;
}

function integer(v: bigint | number): Cell {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
}

function float(v: number): Cell {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** A DuckDB value as the JSON cell the API returns (see Cell in lib/query/types.ts). */
export function toCell(v: DuckDBValue, t: DuckDBType): Cell {
  if (v === null || v === undefined) return null;
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Boolean(v);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return integer(v as bigint | number);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return float(v as number);
    case DuckDBTypeId.DECIMAL: {
      const text = (v as DuckDBDecimalValue).toString();
      return t.width <= 15 ? Number(text) : text;
    }
    case DuckDBTypeId.VARCHAR:
      if (t.alias?.toUpperCase() === 'JSON') {
        try {
          return JSON.parse(v as string) as Cell;
        } catch {
          return v as string;
        }
      }
      return v as string;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const micros = (v as { micros: bigint }).micros;
      const text = formatMicros(micros);
      return t.typeId === DuckDBTypeId.TIMESTAMP_TZ ? `${text} UTC` : text;
    }
    case DuckDBTypeId.TIMESTAMP_S:
      return formatMicros((v as { seconds: bigint }).seconds * 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return formatMicros((v as { millis: bigint }).millis * 1000n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return formatMicros((v as { nanos: bigint }).nanos / 1000n);
    case DuckDBTypeId.BLOB:
      return Buffer.from((v as { bytes: Uint8Array }).bytes)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return (v as { items: readonly DuckDBValue[] }).items.map((x) => toCell(x, t.valueType));
    case DuckDBTypeId.STRUCT: {
      const entries = (v as { entries: Record<string, DuckDBValue> }).entries;
      const out: Record<string, Cell> = {};
      // Anonymous fields (ROW(1, 'x')) are field0, field1, … as Athena renders them.
      t.entryNames.forEach(
        (name, i) => (out[name || `field${i}`] = toCell(entries[name] ?? null, t.entryTypes[i]!)),
      );
      return out;
    }
    case DuckDBTypeId.MAP: {
      const out: Record<string, Cell> = {};
      for (const e of (v as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries) {
        out[String(toCell(e.key, t.keyType))] = toCell(e.value, t.valueType);
      }
      return out;
    }
    default:
      return String(v);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Page tokens: row index and byte offset in results.jsonl

function encodeToken(row: number, byte: number): string {
  return Buffer.from(`${row}:${byte}`).toString('base64url');
}

function decodeToken(token: string): { row: number; byte: number } {
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m || Buffer.from(`${m[1]}:${m[2]}`).toString('base64url') !== token) throw new InvalidPageTokenError();
  return { row: Number(m[1]), byte: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------------------------------

export class DuckDbQueryEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  private readonly owner = randomUUID();
  private readonly active = new Map<string, Active>();
  private readonly queue: Active[] = [];
  private readonly idle: DuckDBConnection[] = [];
  private readonly viewSignatures = new Map<string, string>();
  /** Each data file's columns (names and types, in order), by path, for the stamp (path, size, mtime) read. */
  private readonly fileSchemas = new Map<string, { stamp: string; columns: string }>();
  private readonly setupLock = new Mutex();
  private closed = false;
  private running = 0;
  /** The lake's tables (replaced by useTables when schemas/ changes). */
  private tables: readonly TableDef[];

  private constructor(
    private readonly opts: LocalQueryEngineOptions,
    private readonly instance: DuckDBInstance,
    private readonly setup: DuckDBConnection,
    private readonly connections: DuckDBConnection[],
    private readonly queriesDir: string,
    private readonly curatedDir: string,
    /** The sandbox: the curated tables (<LAKE_DIR>/curated/tables/), ending with a separator. */
    private readonly tablesDir: string,
    /** And the rejected store (<LAKE_DIR>/curated/rejected/), ending with a separator. */
    private readonly rejectedDir: string,
  ) {
    this.idle.push(...connections);
    this.tables = opts.tables;
  }

  /**
   * The lake's tables changed (an edit of schemas/ the check let through: a column added, deprecated, renamed or
   * retired, a table added): each changed table's view is made again before the next query that reads it.
   */
  useTables(tables: TableDef[]): void {
    if (tables.some((t) => t.name === REJECTED_TABLE)) {
      throw new Error(`a lake table is named ${REJECTED_TABLE}, the rejected store's name`);
    }
    void this.setupLock.run(async () => {
      const before = new Map(this.tables.map((t) => [t.name, JSON.stringify(t)]));
      this.tables = tables;
      for (const t of tables) {
        if (before.get(t.name) !== JSON.stringify(t)) this.viewSignatures.delete(t.name);
      }
    });
  }

  static async open(opts: LocalQueryEngineOptions): Promise<DuckDbQueryEngine> {
    if (opts.tables.some((t) => t.name === REJECTED_TABLE)) {
      throw new Error(`a lake table is named ${REJECTED_TABLE}, the rejected store's name`);
    }
    const queriesDir = path.join(opts.lakeDir, '.queries');
    const tmpDir = path.join(queriesDir, '.tmp');
    await fs.mkdir(tmpDir, { recursive: true });
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
    );
    for (const t of opts.tables) {
      await engine.createView(t, []);
      engine.viewSignatures.set(t.name, '');
    }
    await setup.run(rejectedViewSql(engine.viewName(REJECTED_TABLE), []));
    engine.viewSignatures.set(REJECTED_TABLE, '');
    return engine;
  }

  // ---- views ----------------------------------------------------------------------------------------------------

  private tableDir(t: TableDef): string {
    return path.join(this.curatedDir, ...t.prefix.split('/').filter(Boolean));
  }

  /**
   * The table's data files, <prefix><key>=<value>/*.parquet, skipping names that start with '_' or '.' as Athena
   * (and the ETL) do. Each with its size and mtime, which make the view's signature.
   */
  private async tableFiles(t: TableDef): Promise<{ file: string; stamp: string }[]> {
    const dir = this.tableDir(t);
    const key = t.partitionKeys[0]?.name;
    const out: { file: string; stamp: string }[] = [];
    const hidden = (name: string) => name.startsWith('_') || name.startsWith('.');
    let parts: import('node:fs').Dirent[];
    try {
      parts = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return out;
    }
    for (const p of parts) {
      if (!p.isDirectory() || (key && !p.name.startsWith(`${key}=`))) continue;
      for (const f of await fs.readdir(path.join(dir, p.name), { withFileTypes: true }).catch(() => [])) {
        if (f.isFile() && f.name.endsWith('.parquet') && !hidden(f.name)) {
          const file = path.join(dir, p.name, f.name);
          const st = await fs.stat(file).catch(() => undefined);
          if (st) out.push({ file, stamp: `${file}:${st.size}:${st.mtimeMs}` });
        }
      }
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  /** The file's columns (names and types, in order), read from its Parquet footer once per stamp. */
  private async fileColumns(f: { file: string; stamp: string }): Promise<string> {
    const cached = this.fileSchemas.get(f.file);
    if (cached?.stamp === f.stamp) return cached.columns;
    const described = await this.setup.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(f.file)}, hive_partitioning = false)`,
    );
    const columns = JSON.stringify(
      described.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    this.fileSchemas.set(f.file, { stamp: f.stamp, columns });
    return columns;
  }

  /**
   * (Re)creates the table's view over exactly these files (hive partitioning prunes them by partition filters),
   * with union_by_name only if their columns differ.
   */
  private viewName(table: string): string {
    return `${CATALOG}.${sqlIdent(this.opts.database)}.${sqlIdent(table)}`;
  }

  private async createView(t: TableDef, entries: { file: string; stamp: string }[]): Promise<void> {
    const files = entries.map((f) => f.file);
    const view = this.viewName(t.name);
    const keys = t.partitionKeys.map((k) => k.name);
    let sql: string;
    if (files.length === 0) {
      const cols = [
        ...t.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${sqlIdent(c.name)}`),
        ...keys.map((k) => `CAST(NULL AS VARCHAR) AS ${sqlIdent(k)}`),
      ];
      sql = `CREATE OR REPLACE VIEW ${view} AS SELECT ${cols.join(', ')} WHERE false`;
    } else {
      const hiveTypes = keys.map((k) => `${sqlString(k)}: VARCHAR`).join(', ');
      const schemas = new Set<string>();
      for (const f of entries) schemas.add(await this.fileColumns(f));
      const unionByName = schemas.size > 1 ? ', union_by_name = true' : '';
      const source =
        `read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = true${unionByName}` +
        (hiveTypes ? `, hive_types = {${hiveTypes}})` : ')');
      const present = new Set(
        (await (await this.setup.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS()).map(
          (r) => String(r.column_name),
        ),
      );
      const cols = [
        ...t.columns.map((c) =>
          present.has(c.name)
            ? `CAST(${sqlIdent(c.name)} AS ${DUCKDB_TYPES[c.type]}) AS ${sqlIdent(c.name)}`
            : `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${sqlIdent(c.name)}`,
        ),
        ...keys.map((k) => sqlIdent(k)),
      ];
      sql = `CREATE OR REPLACE VIEW ${view} AS SELECT ${cols.join(', ')} FROM ${source}`;
    }
    await this.setup.run(sql);
  }

  /** Rebuilds the views of these tables whose files changed since their view was made. */
  private syncViews(tables: readonly string[]): Promise<void> {
    return this.setupLock.run(async () => {
      for (const name of tables) {
        if (name === REJECTED_TABLE) {
          const files = await rejectedFiles(this.curatedDir);
          const signature = files.map((f) => f.stamp).join('\n');
          if (this.viewSignatures.get(name) === signature) continue;
          await this.setup.run(
            rejectedViewSql(
              this.viewName(name),
              files.map((f) => f.file),
            ),
          );
          this.viewSignatures.set(name, signature);
          continue;
        }
        const t = this.tables.find((x) => x.name === name);
        if (!t) continue;
        const files = await this.tableFiles(t);
        const signature = files.map((f) => f.stamp).join('\n');
        if (this.viewSignatures.get(name) === signature) continue;
        // Forget the schemas of the table's files that are gone.
        const inTable = this.tableDir(t) + path.sep;
        const current = new Set(files.map((f) => f.file));
        for (const file of this.fileSchemas.keys()) {
          if (file.startsWith(inTable) && !current.has(file)) this.fileSchemas.delete(file);
        }
        await this.createView(t, files);
        this.viewSignatures.set(name, signature);
      }
    });
  }

  // ---- state ----------------------------------------------------------------------------------------------------

  private dir(id: string): string {
    return path.join(this.queriesDir, id);
  }

  /** Replaces a query's state file, whole and on disk (temporary file, fsync, rename). */
  private async save(q: StoredQuery): Promise<void> {
    await writeFileDurably(path.join(this.dir(q.id), 'state.json'), JSON.stringify(q, null, 1));
  }

  private async load(id: string): Promise<StoredQuery | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir(id), 'state.json'), 'utf8')) as StoredQuery;
    } catch {
      return undefined;
    }
  }

  private static public(q: StoredQuery): QueryStatus {
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

  private async stored(id: string): Promise<StoredQuery | undefined> {
    if (!QUERY_ID.test(id)) return undefined; // ids name directories: nothing else reaches the file system
    const a = this.active.get(id);
    if (a) return a.stored;
    const q = await this.load(id);
    if (!q || isFinished(q.state) || q.owner === this.owner) return q;
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

  // ---- the port -------------------------------------------------------------------------------------------------

  async start(query: CheckedQuery): Promise<QueryStatus> {
    if (this.closed) throw new EngineBusyError('the local query engine is shutting down');
    if (this.queue.length >= this.opts.maxQueued) {
      throw new EngineBusyError(`${this.queue.length} queries are already queued; try again shortly`);
    }
    const id = randomUUID();
    const stored: StoredQuery = {
      id,
      state: 'QUEUED',
      sql: query.sql,
      tables: [...query.tables],
      submittedAt: new Date().toISOString(),
      completedAt: null,
      dataScannedBytes: 0,
      engineTimeMs: 0,
      engine: 'duckdb',
      owner: this.owner,
      ...thisProcess(),
    };
    await fs.mkdir(this.dir(id), { recursive: true });
    await this.save(stored);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const entry: Active = { stored, query, done, finish };
    this.active.set(id, entry);
    this.queue.push(entry);
    setImmediate(() => this.pump());
    return DuckDbQueryEngine.public(stored);
  }

  async status(id: string): Promise<QueryStatus | undefined> {
    const q = await this.stored(id);
    return q && DuckDbQueryEngine.public(q);
  }

  async wait(id: string, timeoutMs: number): Promise<QueryStatus | undefined> {
    const a = this.active.get(id);
    if (a && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([a.done, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
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
      a.stop ??= 'cancel';
      a.connection?.interrupt();
      await a.done;
    }
    return this.status(id);
  }

  async results(id: string, page: PageRequest): Promise<ResultPage> {
    const q = await this.stored(id);
    if (!q) throw new QueryNotFoundError(id);
    if (q.state !== 'SUCCEEDED') throw new QueryNotSucceededError(DuckDbQueryEngine.public(q));
    const total = q.rowCount ?? 0;
    const file = path.join(this.dir(id), 'results.jsonl');
    let { row, byte } = page.nextToken ? decodeToken(page.nextToken) : { row: 0, byte: 0 };
    const handle = await fs.open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      if (row > total || byte > size || (row === 0) !== (byte === 0) || (row === total) !== (byte === size)) {
        throw new InvalidPageTokenError();
      }
      if (byte > 0) {
        const prev = Buffer.alloc(1);
        await handle.read(prev, 0, 1, byte - 1);
        if (prev[0] !== 0x0a) throw new InvalidPageTokenError();
      }
      const rows: Cell[][] = [];
      let pending = Buffer.alloc(0);
      const chunk = Buffer.alloc(256 * 1024);
      while (rows.length < page.maxRows && byte < size) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, byte + pending.length);
        if (bytesRead === 0) break;
        pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        let nl: number;
        while (rows.length < page.maxRows && (nl = pending.indexOf(0x0a)) >= 0) {
          rows.push(JSON.parse(pending.subarray(0, nl).toString('utf8')) as Cell[]);
          byte += nl + 1;
          row++;
          pending = pending.subarray(nl + 1);
        }
      }
      return { columns: q.columns ?? [], rows, nextToken: row < total ? encodeToken(row, byte) : null };
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.queue.splice(0)) {
      await this.complete(a, 'FAILED', {
        reason: 'the local lake stopped before the query started; run it again',
      });
    }
    for (const a of this.active.values()) {
      a.stop ??= 'shutdown';
      a.connection?.interrupt();
    }
    await Promise.all([...this.active.values()].map((a) => a.done));
    for (const c of this.connections) c.closeSync();
    this.setup.closeSync();
    this.instance.closeSync();
  }

  // ---- execution ------------------------------------------------------------------------------------------------

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
    Object.assign(a.stored, fields, { state, completedAt: new Date().toISOString() });
    await this.save(a.stored).catch(() => undefined);
    this.active.delete(a.stored.id);
    if (finish) a.finish();
  }

  private async execute(a: Active, c: DuckDBConnection): Promise<void> {
    const started = performance.now();
    a.connection = c;
    a.stored.state = 'RUNNING';
    a.stored.startedAt = new Date().toISOString();
    await this.save(a.stored);
    const timer = setTimeout(() => {
      a.stop ??= 'timeout';
      c.interrupt();
    }, this.opts.timeoutMs);
    const dir = this.dir(a.stored.id);
    const tmpResults = path.join(dir, 'results.jsonl.tmp');
    let out: import('node:fs/promises').FileHandle | undefined;
    let preparedStatement: { destroySync(): void } | undefined;
    try {
      await this.syncViews(a.query.tables);
      if (a.stop) throw new Error('stopped');
      const sql = toDuckDbSql(a.query.sql);
      a.stored.duckdbSql = sql;
      const before = Number((await (await c.runAndReadAll('SELECT current_query_id()')).getRowsJS())[0]![0]);
      // DuckDB's own parser must agree: exactly one statement, a SELECT.
      const extracted = await c.extractStatements(sql);
      if (extracted.count !== 1) throw new Error(`expected one statement, DuckDB found ${extracted.count}`);
      const prepared = await extracted.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) {
        throw new Error('only SELECT statements are allowed (DuckDB read another statement type)');
      }
      preparedStatement = prepared;
      const result = await prepared.stream();
      const types = result.columnTypes();
      const columns = result
        .columnNames()
        .map((name, i) => ({ name: columnName(name, i), type: trinoType(types[i]!) }));
      out = await fs.open(tmpResults, 'w');
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        rows += chunk.rowCount;
        if (rows > this.opts.maxResultRows) {
          throw new Error(
            `the result has more than ${this.opts.maxResultRows} rows (LAKE_QUERY_MAX_RESULT_ROWS); add a LIMIT or aggregate`,
          );
        }
        const lines = chunk
          .getRows()
          .map((r) => JSON.stringify(r.map((v, i) => toCell(v, types[i]!))))
          .join('\n');
        await out.write(lines + '\n');
      }
      await out.close();
      out = undefined;
      const [bytes, files] = await this.scanned(c, before);
      await fs.rename(tmpResults, path.join(dir, 'results.jsonl'));
      await this.complete(
        a,
        'SUCCEEDED',
        {
          columns,
          rowCount: rows,
          dataScannedBytes: bytes,
          filesRead: files,
          engineTimeMs: Math.round(performance.now() - started),
        },
        false,
      );
    } catch (e) {
      await out?.close().catch(() => undefined);
      await fs.rm(tmpResults, { force: true });
      const engineTimeMs = Math.round(performance.now() - started);
      if (a.stop === 'cancel') {
        await this.complete(a, 'CANCELLED', { reason: 'cancelled by request', engineTimeMs }, false);
      } else if (a.stop === 'timeout') {
        await this.complete(
          a,
          'FAILED',
          {
            reason: `the query ran longer than ${this.opts.timeoutMs / 1000} s (LAKE_QUERY_TIMEOUT_SECONDS) and was stopped`,
            engineTimeMs,
          },
          false,
        );
      } else if (a.stop === 'shutdown') {
        await this.complete(
          a,
          'FAILED',
          { reason: 'the local lake stopped before the query finished; run it again', engineTimeMs },
          false,
        );
      } else {
        await this.complete(
          a,
          'FAILED',
          { reason: (e as Error).message.slice(0, 4000), engineTimeMs },
          false,
        );
      }
    } finally {
      clearTimeout(timer);
      preparedStatement?.destroySync();
      a.connection = undefined;
      a.finish();
    }
  }

  /** Bytes and files the connection's statements after `afterQueryId` read from the curated tables and rejected store. */
  private async scanned(c: DuckDBConnection, afterQueryId: number): Promise<[number, number]> {
    const reader = await c.runAndReadAll(
      `SELECT coalesce(sum(bytes), 0), count(DISTINCT path) FROM duckdb_logs_parsed('FileSystem') ` +
        `WHERE op = 'READ' AND connection_id = current_connection_id() AND query_id > ${afterQueryId} ` +
        `AND (starts_with(path, ${sqlString(this.tablesDir)}) OR starts_with(path, ${sqlString(this.rejectedDir)}))`,
    );
    const [bytes, files] = reader.getRowsJS()[0] ?? [0, 0];
    return [Number(bytes), Number(files)];
  }
}

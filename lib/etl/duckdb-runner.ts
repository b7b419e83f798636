/**
 * The local Glue job: runs the shared ETL plans (lib/etl/plan.ts) on DuckDB over the local lake
 * (<lakeDir>/raw/ is the raw bucket, <lakeDir>/curated/ the curated bucket), with the job arguments, output layout,
 * compaction manifests and run summary of the Glue job (resources/glue/etl_job.py, lib/etl/run.ts, lib/etl/plans.ts).
 *
 * How a plan runs (plan.ts's header, step by step):
 *  1. raw_input: every input column as VARCHAR — CSV with its own header row (read_csv, all text, RFC 4180 quoting),
 *     JSON lines / JSON documents (read_json with explicit columns: STRUCT(... VARCHAR) for nested paths, so objects
 *     and arrays come out as JSON text), Parquet (each column cast to text, nested values as JSON); .gz inputs are
 *     read as such. Plus lake_source_file (the raw key) and lake_ingested_at (run start, ISO-8601 UTC).
 *  2. typed (materialised once), rejected rows → JSON lines, incoming, existing (the current Parquet rows of the
 *     partitions incoming touches, typed), merged (mergeSql).
 *  3. The merged rows are written as ONE Parquet file (zstd) per partition into a staging folder
 *     (curated/_state/tmp/<run_id>/...), fsynced, then a swap journal is written and each partition folder is
 *     swapped by rename (the old folder is moved aside, the staged one moved in, the old one removed). A crash during
 *     the swap is finished by the next run of the table (roll forward from the journal), so no partition stays
 *     half-written or missing; re-running the same input changes no row but the datasets' lake_ingested_at (the
 *     newest run wins ties, as the plan says; events keep the first received copy).
 *
 * Rows that do not even parse (a CSV line with the wrong number of fields or an unterminated quote, a JSON line
 * that is not an object) are not dropped: they go to the rejected rows with the reason and the raw text in
 * `raw_record`, and count as read and rejected.
 *
 * Figures (as the Glue job): rowsRead = rowsWritten + rowsRejected + duplicatesRemoved, where rowsWritten counts the
 * keys that are new to the table and duplicatesRemoved the rows the merge dropped (a key repeated in the input, or
 * one the table already had — replaced or kept).
 *
 * Errors carry a `name` the state machine (state-machines/etl.asl.json) can catch: Glue.InvalidInputException (bad
 * arguments), Glue.EntityNotFoundException (unknown table, missing input object),
 * Glue.ConcurrentRunsExceededException (the table is being processed by another run), States.TaskFailed (the run
 * itself failed, as a Glue job run that ends FAILED).
 */
import { DUCKDB_TYPES, sqlIdent, sqlString, sqlStringList } from '../duckdb-sql';
import { fsyncDir, fsyncFile, pidAlive, writeFileDurably } from '../durable-fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { once } from 'node:events';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { lakeTable, lakeTables, type TableDef } from '../catalog/tables';
import layout from '../lake-layout.json';
import { buildPlan, DUCKDB_PRELUDE, type EtlPlan } from './plan';
import { arrivalDateOf, compactionManifestKey, rawEventsPrefix, rejectedRowsPrefix } from './plans';
import { runSummaryKey, type EtlMode, type EtlRunSummary, type EtlTableFigures } from './run';

// ---------------------------------------------------------------------------------------------------------------
// Errors

export const EtlErrorName = {
  InvalidInput: 'Glue.InvalidInputException',
  EntityNotFound: 'Glue.EntityNotFoundException',
  ConcurrentRunsExceeded: 'Glue.ConcurrentRunsExceededException',
  /** What Step Functions reports when a Glue job run (startJobRun.sync) ends FAILED. */
  RunFailed: 'States.TaskFailed',
} as const;

export class EtlJobError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

const invalid = (message: string) => new EtlJobError(EtlErrorName.InvalidInput, message);
const notFound = (message: string) => new EtlJobError(EtlErrorName.EntityNotFound, message);
const failed = (message: string, cause?: unknown) =>
  new EtlJobError(EtlErrorName.RunFailed, message, cause === undefined ? undefined : { cause });

// ---------------------------------------------------------------------------------------------------------------
// Options

/** Fault injection for tests: called at the named points of a run; a throw there fails the run. */
export interface EtlRunnerHooks {
  /** The merged partitions (and rejected rows) are staged and fsynced; nothing is swapped yet. */
  afterStaging?(info: { table: string; partitions: string[] }): void | Promise<void>;
  /** One partition folder has been swapped into place. */
  afterPartitionSwap?(info: { table: string; partition: string }): void | Promise<void>;
}

/** A hook may throw this to act like a process crash: the run stops where it is, without any clean-up. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

export interface EtlRunnerOptions {
  lakeDir: string;
  now?: () => Date;
  /** DuckDB threads per run (default: min(2, CPUs)). */
  threads?: number;
  /** DuckDB memory_limit per run (default '1GB'); larger work spills to curated/_state/tmp/<run_id>/spill. */
  memoryLimit?: string;
  /** Mode 'events': raw objects of one table compacted per batch, in gzip bytes (default 64 MiB). */
  maxBatchBytes?: number;
  hooks?: EtlRunnerHooks;
  /** Called after each step of a batch with its duration (read, rejected, existing, merge, write, fsync, swap). */
  onStep?: (info: { table: string; step: string; ms: number }) => void;
}

/** Runs at once in this process; more wait for a slot (each run uses `threads` DuckDB threads). */
export const MAX_CONCURRENT_RUNS = 2;
const DEFAULT_MEMORY_LIMIT = '1GB';
const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
/**
 * Largest JSON object (one line or one document element) read_json takes (DuckDB's default; it reads in buffers
 * of twice this size); larger records are rejected by the line-by-line fallback. Events are at most 1,000 KiB.
 */
const MAX_JSON_OBJECT_BYTES = 16 * 1024 * 1024;
/** Largest CSV line (DuckDB's default; its read buffer is 16 lines of this size); longer lines are rejected. */
const MAX_CSV_LINE_BYTES = 2 * 1024 * 1024;
/** How many bytes of a .json input tell JSON lines from one JSON document (as the Glue job). */
const JSON_SNIFF_BYTES = 65536;
/** A JSON document (not lines) that needs the line-by-line fallback is parsed whole up to this size. */
const MAX_JSON_DOCUMENT_FALLBACK_BYTES = 256 * 1024 * 1024;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FORMATS = ['csv', 'json', 'jsonl', 'parquet'] as const;
type InputFormat = (typeof FORMATS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Files below a folder, as paths relative to it with '/' separators, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------
// Arguments

interface JobArgs {
  mode: EtlMode;
  table?: string;
  inputs: string[];
  runId: string;
}

function parseArgs(args: Record<string, string>): JobArgs {
  if (!isPlainObject(args)) throw invalid('job arguments must be an object of --name: value');
  const named = new Map<string, string>();
  for (const [k, v] of Object.entries(args)) {
    const name = k.startsWith('--') ? k.slice(2) : k;
    if (typeof v !== 'string') throw invalid(`--${name} must be a string`);
    if (named.has(name) && named.get(name) !== v)
      throw invalid(`--${name} is given twice with different values`);
    named.set(name, v);
  }
  const mode = named.get('mode');
  if (mode !== 'file' && mode !== 'events')
    throw invalid(`--mode must be 'file' or 'events', got '${mode ?? ''}'`);
  const runId = named.get('run_id') ?? '';
  if (!RUN_ID.test(runId))
    throw invalid(`--run_id must be 1-128 letters, digits, '.', '_' or '-', got '${runId}'`);
  const table = named.get('table') || undefined;
  let inputs: string[] = [];
  const rawInputs = named.get('inputs');
  if (mode === 'file') {
    if (!table) throw invalid("--table is required in mode 'file'");
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawInputs ?? '');
    } catch {
      throw invalid('--inputs must be a JSON array of raw-bucket keys');
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((k) => typeof k === 'string' && k !== '')
    ) {
      throw invalid('--inputs must be a non-empty JSON array of raw-bucket keys');
    }
    inputs = parsed as string[];
    for (const key of inputs) checkKey(key);
  } else if (rawInputs !== undefined && rawInputs !== '' && rawInputs.replace(/\s/g, '') !== '[]') {
    throw invalid("--inputs is not used in mode 'events' (every pending raw event object is compacted)");
  }
  return { mode, ...(table ? { table } : {}), inputs, runId };
}

/** A raw-bucket key that stays inside the bucket: relative, no empty, '.' or '..' segments. */
function checkKey(key: string): void {
  if (
    key.length > 1024 ||
    key.startsWith('/') ||
    /[\\\0]/.test(key) ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw invalid(`input key '${key}' is not a plain raw-bucket key`);
  }
}

function inputFormat(key: string): { format: InputFormat; gz: boolean } {
  let name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const gz = name.endsWith('.gz');
  if (gz) name = name.slice(0, -3);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  const format = FORMATS.find((f) => f === ext);
  if (!format)
    throw invalid(
      `cannot tell the format of '${key}' (expected .csv, .json, .jsonl or .parquet, optionally .gz)`,
    );
  if (format === 'parquet' && gz) throw invalid(`'${key}': gzip-compressed Parquet is not supported`);
  return { format, gz };
}

// ---------------------------------------------------------------------------------------------------------------
// Concurrency: a process-wide run limit, per-table locks (in this process and across processes via lock files)

let slotsInUse = 0;
const slotWaiters: (() => void)[] = [];

async function acquireSlot(): Promise<void> {
  if (slotsInUse < MAX_CONCURRENT_RUNS) {
    slotsInUse++;
    return;
  }
  await new Promise<void>((resolve) => slotWaiters.push(resolve));
}

function releaseSlot(): void {
  const next = slotWaiters.shift();
  if (next) next();
  else slotsInUse--;
}

/** `${curatedDir}\0${table}` of the tables locked by runs of this process. */
const heldTables = new Set<string>();
/** Temporary folders of the runs in progress in this process. */
const activeRunDirs = new Set<string>();

/** Who holds a lock or owns a run folder: a process (its pid and, on Linux, its start time) and the run. */
interface LockFile {
  pid: number;
  /** /proc/<pid>/stat start time: tells a live holder from a new process that got the same pid. */
  start?: string;
  runId: string;
}

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const selfStart = processStart(process.pid);

async function owner(runId: string): Promise<LockFile> {
  const start = await selfStart;
  return { pid: process.pid, ...(start ? { start } : {}), runId };
}

/** The holder is another process that is still running. */
async function heldByOther(holder: LockFile): Promise<boolean> {
  // This process's pid: either this process (whose runs are tracked in memory) or an ended one that had it.
  if (holder.pid === process.pid || !pidAlive(holder.pid)) return false;
  const start = holder.start ? await processStart(holder.pid) : undefined;
  return start === undefined || start === holder.start;
}

async function lockTables(curatedDir: string, tables: string[], runId: string): Promise<() => Promise<void>> {
  const locksDir = path.join(curatedDir, layout.curated.statePrefix, 'locks');
  await fs.mkdir(locksDir, { recursive: true });
  const taken: { key: string; file: string }[] = [];
  const release = async () => {
    for (const t of taken.reverse()) {
      heldTables.delete(t.key);
      await fs.rm(t.file, { force: true });
    }
  };
  try {
    for (const table of [...tables].sort()) {
      const key = `${curatedDir}\0${table}`;
      if (heldTables.has(key)) {
        throw new EtlJobError(
          EtlErrorName.ConcurrentRunsExceeded,
          `a run for table '${table}' is already in progress`,
        );
      }
      heldTables.add(key);
      const file = path.join(locksDir, `${table}.lock`);
      for (let attempt = 0; ; attempt++) {
        try {
          const fh = await fs.open(file, 'wx');
          try {
            await fh.writeFile(JSON.stringify(await owner(runId)));
          } finally {
            await fh.close();
          }
          taken.push({ key, file });
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
            heldTables.delete(key);
            throw e;
          }
          const holder = await readJsonFile<LockFile>(file).catch(() => undefined);
          // An unreadable lock may be one being written right now; a lock of this process that no run here
          // holds, or of a process that has ended, is stale.
          const young =
            Date.now() -
              (await fs.stat(file).then(
                (st) => st.mtimeMs,
                () => 0,
              )) <
            10_000;
          if (holder ? await heldByOther(holder) : young) {
            heldTables.delete(key);
            throw new EtlJobError(
              EtlErrorName.ConcurrentRunsExceeded,
              `a run for table '${table}' is already in progress` +
                (holder ? ` (run ${holder.runId}, process ${holder.pid})` : ''),
            );
          }
          await fs.rm(file, { force: true });
        }
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  return release;
}

// ---------------------------------------------------------------------------------------------------------------
// Swap journal: staged partitions → place, finished by the next run after a crash

interface SwapJournal {
  table: string;
  /** Paths relative to the curated folder. */
  partitions: { name: string; target: string; staged: string; aside: string }[];
  rejected?: { staged: string; target: string };
}

const JOURNAL = 'journal.json';

async function rollForward(curatedDir: string, j: SwapJournal, hooks?: EtlRunnerHooks): Promise<void> {
  const abs = (rel: string) => path.join(curatedDir, rel);
  if (j.rejected && (await exists(abs(j.rejected.staged)))) {
    const target = abs(j.rejected.target);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(abs(j.rejected.staged), target);
    await fsyncDir(path.dirname(target));
  }
  for (const p of j.partitions) {
    const staged = abs(p.staged);
    const target = abs(p.target);
    const aside = abs(p.aside);
    if (await exists(staged)) {
      if (await exists(target)) {
        await fs.mkdir(path.dirname(aside), { recursive: true });
        await fs.rename(target, aside);
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(staged, target);
      await fsyncDir(path.dirname(target));
      await hooks?.afterPartitionSwap?.({ table: j.table, partition: p.name });
    }
  }
  for (const p of j.partitions) await fs.rm(abs(p.aside), { recursive: true, force: true });
}

/**
 * Finishes or discards what crashed runs left in curated/_state/tmp/: a batch with a swap journal is rolled
 * forward (its staged data is complete), one without is discarded. Only tables this run holds are touched.
 */
async function recoverLeftovers(curatedDir: string, tables: Set<string>, ownRunDir: string): Promise<void> {
  const tmpRoot = path.join(curatedDir, layout.curated.statePrefix, 'tmp');
  let runs: string[];
  try {
    runs = await fs.readdir(tmpRoot);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const run of runs) {
    const runDir = path.join(tmpRoot, run);
    if (runDir !== ownRunDir && activeRunDirs.has(runDir)) continue;
    const holder = await readJsonFile<LockFile>(path.join(runDir, 'owner.json')).catch(() => undefined);
    if (holder && (await heldByOther(holder))) continue;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(runDir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    let left = 0;
    for (const e of entries) {
      if (!e.isDirectory() || !e.name.startsWith('table=')) continue;
      const table = e.name.slice('table='.length);
      if (!tables.has(table)) {
        left++;
        continue;
      }
      const tableDir = path.join(runDir, e.name);
      for (const batch of (await fs.readdir(tableDir).catch(() => [] as string[])).sort()) {
        const journal = await readJsonFile<SwapJournal>(path.join(tableDir, batch, JOURNAL));
        if (journal) await rollForward(curatedDir, journal);
      }
      await fs.rm(tableDir, { recursive: true, force: true });
    }
    if (left === 0) await fs.rm(runDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading inputs into raw_input

interface InputFile {
  key: string;
  file: string;
  format: InputFormat;
  gz: boolean;
}

interface Segment {
  sql: string;
  /** CSV: the rejects table DuckDB fills with the lines it could not parse. */
  csvRejects?: { table: string; scan: string; key: string };
}

interface ReadContext {
  conn: DuckDBConnection;
  plan: EtlPlan;
  rawDir: string;
  ingestedAt: string;
  workDir: string;
  seq: { n: number };
}

function inputStream(file: string, gz: boolean): Readable {
  const s = createReadStream(file);
  if (!gz) return s;
  const g = createGunzip();
  s.on('error', (e) => g.destroy(e));
  g.on('close', () => s.destroy());
  return s.pipe(g);
}

async function headText(
  file: string,
  gz: boolean,
  maxBytes: number,
  until?: (text: string) => boolean,
): Promise<string> {
  const stream = inputStream(file, gz);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= maxBytes) break;
      if (until && until(Buffer.concat(chunks).toString('utf8'))) break;
    }
  } catch (e) {
    throw failed(`cannot read '${file}': ${(e as Error).message}`, e);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** The first record of a CSV text (RFC 4180), or undefined if it is not complete in `text`. */
function firstCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      fields.push(field);
      return fields;
    } else field += ch;
  }
  return undefined;
}

async function csvHeader(input: InputFile): Promise<string[]> {
  const text = await headText(
    input.file,
    input.gz,
    MAX_CSV_LINE_BYTES,
    (t) => firstCsvRecord(t) !== undefined,
  );
  const record = firstCsvRecord(text) ?? (text === '' ? [] : firstCsvRecord(text + '\n'));
  if (!record) throw failed(`'${input.key}': the CSV header row is not complete`);
  return record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
}

function lineageSql(ctx: ReadContext, key: string | null): string {
  const source =
    key === null
      ? `substr(filename, ${[...ctx.rawDir].length + 2})` // '<rawDir>/' removed from the file path
      : sqlString(key);
  return `${source} AS lake_source_file, ${sqlString(ctx.ingestedAt)} AS lake_ingested_at`;
}

async function csvSegment(ctx: ReadContext, input: InputFile): Promise<Segment | undefined> {
  const header = await csvHeader(input);
  if (header.length === 0) return undefined; // an empty file
  const position = new Map<string, number>();
  header.forEach((h, i) => {
    if (!position.has(h)) position.set(h, i);
  });
  const cols = ctx.plan.input.columns.map((c) => {
    const i = c.path.length === 1 ? position.get(c.path[0]!) : undefined;
    return `${i === undefined ? 'CAST(NULL AS VARCHAR)' : `c${i}`} AS ${c.name}`;
  });
  const n = ctx.seq.n++;
  const rejects = { table: `lake_csv_rejects_${n}`, scan: `lake_csv_scans_${n}`, key: input.key };
  const columns = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const sql =
    `SELECT ${cols.join(', ')}, ${lineageSql(ctx, input.key)} FROM read_csv(${sqlString(input.file)}, ` +
    `header = true, columns = {${columns}}, delim = ',', quote = '"', escape = '"', auto_detect = false, ` +
    `compression = ${input.gz ? "'gzip'" : "'none'"}, max_line_size = ${MAX_CSV_LINE_BYTES}, ` +
    `store_rejects = true, rejects_table = '${rejects.table}', rejects_scan = '${rejects.scan}')`;
  return { sql, csvRejects: rejects };
}

/** read_json's columns for the input paths: {"id": 'VARCHAR', "data": 'STRUCT("x" VARCHAR, ...)'}. */
function jsonColumns(plan: EtlPlan): string {
  interface Node {
    leaf: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { leaf: false, children: new Map() };
  for (const c of plan.input.columns) {
    if (c.path.length === 0) throw failed(`${plan.table}: input column ${c.name} has an empty path`);
    let node = root;
    c.path.forEach((field, depth) => {
      const leaf = depth === c.path.length - 1;
      let child = node.children.get(field);
      if (!child) node.children.set(field, (child = { leaf, children: new Map() }));
      else if (leaf || child.leaf)
        throw failed(`${plan.table}: input path ${c.path.join('.')} conflicts with another`);
      node = child;
    });
  }
  const typeOf = (n: Node): string =>
    n.leaf
      ? 'VARCHAR'
      : `STRUCT(${[...n.children].map(([name, child]) => `${sqlIdent(name)} ${typeOf(child)}`).join(', ')})`;
  return `{${[...root.children].map(([name, child]) => `${sqlString(name)}: ${sqlString(typeOf(child))}`).join(', ')}}`;
}

function pathSql(p: string[]): string {
  let expr = sqlIdent(p[0]!);
  for (const field of p.slice(1)) expr = `struct_extract(${expr}, ${sqlString(field)})`;
  return expr;
}

function jsonSegment(
  ctx: ReadContext,
  files: string[],
  layoutKind: 'lines' | 'document',
  key: string | null,
): Segment {
  const cols = ctx.plan.input.columns.map((c) => `${pathSql(c.path)} AS ${c.name}`);
  const format = layoutKind === 'lines' ? 'newline_delimited' : 'auto';
  return {
    sql:
      `SELECT ${cols.join(', ')}, ${lineageSql(ctx, key)} FROM read_json(${sqlStringList(files)}, ` +
      `columns = ${jsonColumns(ctx.plan)}, format = '${format}', maximum_object_size = ${MAX_JSON_OBJECT_BYTES})`,
  };
}

async function parquetSegment(ctx: ReadContext, input: InputFile): Promise<Segment> {
  const source = `read_parquet(${sqlString(input.file)}, hive_partitioning = false)`;
  const cols: string[] = [];
  for (const c of ctx.plan.input.columns) {
    const expr = pathSql(c.path);
    // The column's type, or undefined when the file has no such column (or nested field).
    const type = await query(ctx.conn, `DESCRIBE SELECT ${expr} AS v FROM ${source}`).then(
      (rows) => String(rows[0]?.column_type),
      () => undefined,
    );
    if (type === undefined) cols.push(`CAST(NULL AS VARCHAR) AS ${c.name}`);
    else if (/^(STRUCT|MAP|UNION)\b/.test(type) || type.endsWith(']')) {
      cols.push(`CAST(to_json(${expr}) AS VARCHAR) AS ${c.name}`);
    } else if (type === 'TIMESTAMP WITH TIME ZONE') {
      cols.push(`CAST(CAST(${expr} AS TIMESTAMP) AS VARCHAR) AS ${c.name}`); // UTC (the session time zone)
    } else cols.push(`CAST(${expr} AS VARCHAR) AS ${c.name}`);
  }
  return { sql: `SELECT ${cols.join(', ')}, ${lineageSql(ctx, input.key)} FROM ${source}` };
}

async function jsonLayoutOf(input: InputFile): Promise<'lines' | 'document'> {
  if (input.format === 'jsonl') return 'lines';
  const text = (await headText(input.file, input.gz, JSON_SNIFF_BYTES)).replace(/^[\uFEFF \t\r\n]+/, '');
  if (text.startsWith('[')) return 'document';
  const first = text.split('\n', 1)[0]!.trim();
  try {
    return isPlainObject(JSON.parse(first)) ? 'lines' : 'document';
  } catch {
    return 'document';
  }
}

interface Malformed {
  lake_source_file: string;
  reject_reason: string;
  raw_record: string;
}

/** Rejected records that never became rows, written to a JSON-lines file as they are found. */
class MalformedSink {
  count = 0;
  longest = 0;
  private readonly out;
  constructor(readonly file: string) {
    this.out = createWriteStream(file);
  }
  async add(m: Malformed): Promise<void> {
    const line = JSON.stringify(m) + '\n';
    this.count++;
    this.longest = Math.max(this.longest, Buffer.byteLength(line));
    if (!this.out.write(line)) await once(this.out, 'drain');
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/**
 * The line-by-line fallback for JSON that read_json refuses as a whole (a line that is not JSON, not an object, or
 * whose nested path holds a non-object): good records are copied to a clean JSON-lines file, the others are
 * returned as rejected records with their text.
 */
async function cleanJson(
  ctx: ReadContext,
  input: InputFile,
  layoutKind: 'lines' | 'document',
  out: string,
  malformed: MalformedSink,
): Promise<void> {
  const parents = ctx.plan.input.columns
    .filter((c) => c.path.length > 1)
    .flatMap((c) => c.path.slice(0, -1).map((_, i) => c.path.slice(0, i + 1)));
  const problem = (value: unknown): string | undefined => {
    if (!isPlainObject(value)) return 'not a JSON object';
    for (const p of parents) {
      let v: unknown = value;
      for (const f of p) v = isPlainObject(v) ? v[f] : undefined;
      if (v !== undefined && v !== null && !isPlainObject(v)) return `${p.join('.')} is not an object`;
    }
    return undefined;
  };
  const sink = createWriteStream(out);
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  try {
    if (layoutKind === 'lines') {
      const rl = readline.createInterface({ input: inputStream(input.file, input.gz), crlfDelay: Infinity });
      let n = 0;
      for await (const line of rl) {
        n++;
        if (line.trim() === '') continue;
        let reason: string | undefined;
        if (Buffer.byteLength(line) > MAX_JSON_OBJECT_BYTES)
          reason = `larger than ${MAX_JSON_OBJECT_BYTES} bytes`;
        else {
          try {
            reason = problem(JSON.parse(line));
          } catch (e) {
            reason = `not valid JSON (${(e as Error).message})`;
          }
        }
        if (reason) {
          await malformed.add({
            lake_source_file: input.key,
            reject_reason: `line ${n}: ${reason}`,
            raw_record: line,
          });
        } else await write(line + '\n');
      }
    } else {
      const size = (await fs.stat(input.file)).size;
      if (size > MAX_JSON_DOCUMENT_FALLBACK_BYTES)
        throw failed(`'${input.key}' is not a readable JSON document`);
      const chunks: Buffer[] = [];
      for await (const c of inputStream(input.file, input.gz)) chunks.push(c as Buffer);
      let doc: unknown;
      try {
        doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        throw failed(`'${input.key}' is not valid JSON: ${(e as Error).message}`, e);
      }
      const items = Array.isArray(doc) ? doc : [doc];
      for (const [i, item] of items.entries()) {
        const reason = problem(item);
        if (reason) {
          await malformed.add({
            lake_source_file: input.key,
            reject_reason: `element ${i}: ${reason}`,
            raw_record: JSON.stringify(item),
          });
        } else await write(JSON.stringify(item) + '\n');
      }
    }
  } finally {
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/** Builds the segments of raw_input; with `clean`, JSON inputs go through the line-by-line fallback first. */
async function rawSegments(ctx: ReadContext, inputs: InputFile[], clean: boolean): Promise<Segment[]> {
  const segments: Segment[] = [];
  const byFormat = new Map<string, InputFile[]>();
  for (const input of inputs) {
    const kind =
      input.format === 'csv' || input.format === 'parquet' ? input.format : await jsonLayoutOf(input);
    byFormat.set(kind, [...(byFormat.get(kind) ?? []), input]);
  }
  const malformed = clean
    ? new MalformedSink(path.join(ctx.workDir, `malformed-${ctx.seq.n++}.jsonl`))
    : undefined;
  // DuckDB's filename column names the file a row came from, unless the input has a column of that name.
  const together = !ctx.plan.input.columns.some((c) => c.path[0] === 'filename');
  for (const [kind, group] of [...byFormat].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (kind === 'csv') {
      for (const input of group) {
        const s = await csvSegment(ctx, input);
        if (s) segments.push(s);
      }
    } else if (kind === 'parquet') {
      for (const input of group) segments.push(await parquetSegment(ctx, input));
    } else {
      const layoutKind = kind as 'lines' | 'document';
      if (!malformed && together) {
        // The files read together; lake_source_file from DuckDB's filename column (absolute paths under rawDir).
        segments.push(
          jsonSegment(
            ctx,
            group.map((g) => g.file),
            layoutKind,
            null,
          ),
        );
        continue;
      }
      for (const input of group) {
        if (!malformed) {
          segments.push(jsonSegment(ctx, [input.file], layoutKind, input.key));
          continue;
        }
        const out = path.join(ctx.workDir, `clean-${ctx.seq.n++}.jsonl`);
        await cleanJson(ctx, input, layoutKind, out, malformed);
        segments.push(jsonSegment(ctx, [out], 'lines', input.key));
      }
    }
  }
  if (malformed) {
    await malformed.close();
    if (malformed.count > 0) {
      await ctx.conn.run(
        `INSERT INTO lake_malformed SELECT lake_source_file, reject_reason, raw_record FROM read_json(` +
          `${sqlString(malformed.file)}, columns = {'lake_source_file': 'VARCHAR', 'reject_reason': 'VARCHAR', ` +
          `'raw_record': 'VARCHAR'}, format = 'newline_delimited', ` +
          `maximum_object_size = ${Math.max(MAX_JSON_OBJECT_BYTES, malformed.longest + 1024)})`,
      );
    }
  }
  return segments;
}

// ---------------------------------------------------------------------------------------------------------------
// DuckDB

type Row = Record<string, unknown>;

async function query(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/** Drops every temporary table and view (what the previous batch of the run left). */
async function dropTempObjects(conn: DuckDBConnection): Promise<void> {
  for (const r of await query(
    conn,
    'SELECT view_name AS name FROM duckdb_views() WHERE temporary AND NOT internal',
  )) {
    await conn.run(`DROP VIEW IF EXISTS ${sqlIdent(String(r.name))}`);
  }
  for (const r of await query(conn, 'SELECT table_name AS name FROM duckdb_tables() WHERE temporary')) {
    await conn.run(`DROP TABLE IF EXISTS ${sqlIdent(String(r.name))}`);
  }
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = await query(conn, `SELECT count(*) AS n FROM (${sql})`);
  return Number(rows[0]?.n ?? 0);
}

async function openDuckDb(opts: { threads: number; memoryLimit: string; spillDir: string; lakeDir: string }) {
  await fs.mkdir(opts.spillDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads),
    memory_limit: opts.memoryLimit,
    temp_directory: opts.spillDir,
    // Row order only matters where a statement says ORDER BY (the Parquet files are sorted by primary key).
    preserve_insertion_order: 'false',
  });
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    // Partitions are written by one COPY; keep every partition's file open so each gets exactly one.
    await conn.run('SET partitioned_write_max_open_files = 100000');
    for (const s of DUCKDB_PRELUDE) await conn.run(s);
    // The run reads and writes only the lake.
    await conn.run(`SET allowed_directories = ${sqlStringList([opts.lakeDir + path.sep])}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  } catch (e) {
    conn.closeSync();
    instance.closeSync();
    throw e;
  }
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One plan over one batch of inputs

interface RunContext {
  lakeDir: string;
  rawDir: string;
  curatedDir: string;
  runId: string;
  runDir: string;
  startedAt: Date;
  ingestedAt: string;
  runDate: string;
  conn: DuckDBConnection;
  hooks?: EtlRunnerHooks;
  onStep?: EtlRunnerOptions['onStep'];
}

interface BatchFigures {
  rowsRead: number;
  rowsRejected: number;
  existingRows: number;
  mergedRows: number;
  partitions: string[];
  rejectedLocation?: string;
}

const PARTITION_VALUE = /^[A-Za-z0-9_.:-]+$/;

async function runBatch(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  inputs: InputFile[],
  batch: number,
): Promise<BatchFigures> {
  const { conn } = ctx;
  const tableDir = path.join(ctx.runDir, `table=${table.name}`);
  const batchDir = path.join(tableDir, `batch-${batch}`);
  const stagedData = path.join(batchDir, 'data');
  await fs.rm(batchDir, { recursive: true, force: true });
  await fs.mkdir(batchDir, { recursive: true });
  const tableColumns = table.columns.map((c) => c.name);
  const typeOf = new Map(table.columns.map((c) => [c.name, DUCKDB_TYPES[c.type]]));
  let lap = performance.now();
  const step = (name: string) => {
    const t = performance.now();
    ctx.onStep?.({ table: table.name, step: name, ms: t - lap });
    lap = t;
  };

  await dropTempObjects(conn);
  await conn.run(
    'CREATE TEMP TABLE lake_malformed (lake_source_file VARCHAR, reject_reason VARCHAR, raw_record VARCHAR)',
  );

  // 1-2. raw_input → typed (materialised once; read_json refusing a file as a whole → the line-by-line fallback)
  const readCtx: ReadContext = {
    conn,
    plan,
    rawDir: ctx.rawDir,
    ingestedAt: ctx.ingestedAt,
    workDir: batchDir,
    seq: { n: 0 },
  };
  const hasJson = inputs.some((i) => i.format === 'json' || i.format === 'jsonl');
  let segments: Segment[] = [];
  for (let clean = false; ; clean = true) {
    segments = await rawSegments(readCtx, inputs, clean);
    const rawSql =
      segments.length > 0
        ? segments.map((s) => s.sql).join('\nUNION ALL\n')
        : `SELECT ${[...plan.input.columns.map((c) => c.name), 'lake_source_file', 'lake_ingested_at']
            .map((n) => `CAST(NULL AS VARCHAR) AS ${n}`)
            .join(', ')} WHERE false`;
    await conn.run(`CREATE OR REPLACE TEMP VIEW raw_input AS ${rawSql}`);
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE typed AS ${plan.typedSql}`);
      break;
    } catch (e) {
      const message = (e as Error).message;
      if (!clean && hasJson && /json/i.test(message)) {
        await conn.run('DELETE FROM lake_malformed');
        for (const s of segments) {
          if (s.csvRejects) {
            await conn.run(`DROP TABLE IF EXISTS ${s.csvRejects.table}`);
            await conn.run(`DROP TABLE IF EXISTS ${s.csvRejects.scan}`);
          }
        }
        continue;
      }
      throw failed(`${table.name}: reading the input failed: ${message}`, e);
    }
  }
  for (const s of segments) {
    if (!s.csvRejects) continue;
    const r = s.csvRejects;
    // One rejected record per bad CSV line (DuckDB may list several errors for one line, e.g. one per missing
    // column: the kinds, and the message of the first).
    await conn.run(
      `INSERT INTO lake_malformed SELECT ${sqlString(r.key)}, ` +
        `'line ' || line || ': ' || string_agg(DISTINCT error_type, ', ') || ' (' || arg_min(error_message, column_idx) || ')', ` +
        `arg_min(csv_line, column_idx) FROM ${r.table} GROUP BY line ORDER BY line`,
    );
  }

  const typedCount = await count(conn, 'SELECT 1 FROM typed');
  const typedRejected = await count(conn, 'SELECT 1 FROM typed WHERE reject_reason IS NOT NULL');
  const malformedCount = await count(conn, 'SELECT 1 FROM lake_malformed');
  const rowsRead = typedCount + malformedCount;
  const rowsRejected = typedRejected + malformedCount;
  step('read');

  // 3. rejected rows → JSON lines (staged)
  let rejected: SwapJournal['rejected'];
  let rejectedLocation: string | undefined;
  if (rowsRejected > 0) {
    const staged = path.join(batchDir, 'rejected.json');
    await conn.run(
      `COPY (SELECT * FROM (${plan.rejectedSql}) UNION ALL BY NAME SELECT * FROM lake_malformed) ` +
        `TO ${sqlString(staged)} (FORMAT json)`,
    );
    await fsyncFile(staged);
    rejectedLocation = rejectedRowsPrefix(table.name, ctx.runDate, ctx.runId);
    rejected = {
      staged: path.relative(ctx.curatedDir, staged),
      target: path.join(rejectedLocation, `part-${batch}.json`),
    };
  }
  step('rejected');

  // 4-5. incoming, and existing: the current rows of the partitions incoming touches
  await conn.run('CREATE TEMP VIEW incoming AS SELECT * FROM typed WHERE reject_reason IS NULL');
  const keys = plan.partitionKeys;
  const partitionRows = await query(conn, `SELECT DISTINCT ${keys.join(', ')} FROM incoming ORDER BY ALL`);
  const partitions = partitionRows.map((r) => {
    const values = keys.map((k) => r[k]);
    if (values.some((v) => typeof v !== 'string' || !PARTITION_VALUE.test(v) || v === '.' || v === '..')) {
      throw failed(
        `${table.name}: a row with an unusable partition value ${JSON.stringify(values)} was not rejected`,
      );
    }
    return { values: values as string[], name: keys.map((k, i) => `${k}=${values[i]}`).join('/') };
  });

  const existingFiles: { file: string; values: string[] }[] = [];
  for (const p of partitions) {
    const dir = path.join(ctx.curatedDir, plan.prefix, p.name);
    for (const f of await listFiles(dir)) {
      const base = f.slice(f.lastIndexOf('/') + 1);
      if (!f.includes('/') && f.endsWith('.parquet') && !base.startsWith('.') && !base.startsWith('_')) {
        existingFiles.push({ file: path.join(dir, f), values: p.values });
      }
    }
  }
  const outputTyped = (name: string, present: boolean) =>
    `CAST(${present ? sqlIdent(name) : 'NULL'} AS ${typeOf.get(name) ?? 'VARCHAR'}) AS ${name}`;
  if (existingFiles.length > 0) {
    const source = (withFile: boolean) =>
      `read_parquet(${sqlStringList(existingFiles.map((f) => f.file))}, union_by_name = true, hive_partitioning = false` +
      `${withFile ? ", filename = 'lake_file'" : ''})`;
    const present = new Set(
      (await query(conn, `DESCRIBE SELECT * FROM ${source(false)}`)).map((r) => String(r.column_name)),
    );
    await conn.run(
      `CREATE TEMP TABLE lake_existing_files AS SELECT * FROM (VALUES ${existingFiles
        .map((f) => `(${[f.file, ...f.values].map(sqlString).join(', ')})`)
        .join(', ')}) v(lake_file, ${keys.join(', ')})`,
    );
    await conn.run(
      `CREATE TEMP TABLE existing AS SELECT ${tableColumns.map((c) => outputTyped(c, present.has(c))).join(', ')}, ` +
        `${keys.map((k) => `f.${k}`).join(', ')} FROM ${source(true)} p JOIN lake_existing_files f USING (lake_file)`,
    );
  } else {
    await conn.run(
      `CREATE TEMP VIEW existing AS SELECT ${tableColumns.map((c) => outputTyped(c, false)).join(', ')}, ` +
        `${keys.map((k) => `CAST(NULL AS VARCHAR) AS ${k}`).join(', ')} WHERE false`,
    );
  }

  // 6. merged → one Parquet file per partition, staged
  const existingRows = await count(conn, 'SELECT 1 FROM existing');
  step('existing');
  const incomingRows = rowsRead - rowsRejected;
  // mergeSql keeps one row per key. When the table has no rows in these partitions yet and no key repeats in the
  // input, every row is its key's only candidate and the merge is the identity: skip its window.
  const mergeNeeded =
    existingRows > 0 ||
    (await count(conn, `SELECT DISTINCT ${plan.primaryKey.join(', ')} FROM incoming`)) !== incomingRows;
  let merged = 'incoming';
  if (mergeNeeded) {
    await conn.run(`CREATE TEMP TABLE lake_merged AS ${plan.mergeSql}`);
    merged = 'lake_merged';
  }
  step('merge');
  const mergedRows = await count(conn, `SELECT 1 FROM ${merged}`);
  if (partitions.length > 0) {
    await conn.run(
      `COPY (SELECT ${[...tableColumns, ...keys].join(', ')} FROM ${merged} ORDER BY ${plan.primaryKey.join(', ')}) ` +
        `TO ${sqlString(stagedData)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${keys.join(', ')}), ` +
        `FILENAME_PATTERN ${sqlString(`part-{i}-${ctx.runId}`)}, WRITE_PARTITION_COLUMNS false)`,
    );
  }
  step('write');
  const staged = await listFiles(stagedData);
  const stagedByPartition = new Map<string, string[]>();
  for (const f of staged) {
    const dir = f.slice(0, f.lastIndexOf('/'));
    stagedByPartition.set(dir, [...(stagedByPartition.get(dir) ?? []), f]);
  }
  const expected = new Set(partitions.map((p) => p.name));
  for (const dir of stagedByPartition.keys()) {
    if (!expected.has(dir)) throw failed(`${table.name}: DuckDB wrote an unexpected partition '${dir}'`);
  }
  for (const p of partitions) {
    const files = stagedByPartition.get(p.name) ?? [];
    if (files.length === 0) throw failed(`${table.name}: partition ${p.name} was not written`);
    const dir = path.join(stagedData, p.name);
    if (files.length > 1) {
      // Never expected (every partition file stays open), but a partition must be one file: combine.
      const single = path.join(dir, `part-0-${ctx.runId}.parquet.tmp`);
      await conn.run(
        `COPY (SELECT * FROM read_parquet(${sqlStringList(files.map((f) => path.join(stagedData, f)))}, hive_partitioning = false) ` +
          `ORDER BY ${plan.primaryKey.join(', ')}) TO ${sqlString(single)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      for (const f of files) await fs.rm(path.join(stagedData, f));
      await fs.rename(single, path.join(dir, `part-0-${ctx.runId}.parquet`));
    }
    for (const f of await listFiles(dir)) await fsyncFile(path.join(dir, f));
    // The folder and its entry in each parent up to the batch folder (the journal names them).
    for (let d = dir; d.startsWith(stagedData); d = path.dirname(d)) await fsyncDir(d);
  }
  await fsyncDir(batchDir);
  await dropTempObjects(conn);
  step('fsync');

  await ctx.hooks?.afterStaging?.({ table: table.name, partitions: partitions.map((p) => p.name) });

  // Swap: journal first (durable), then partition by partition.
  const journal: SwapJournal = {
    table: table.name,
    partitions: partitions.map((p) => ({
      name: p.name,
      target: path.join(plan.prefix, p.name),
      staged: path.relative(ctx.curatedDir, path.join(stagedData, p.name)),
      aside: path.relative(ctx.curatedDir, path.join(batchDir, 'aside', p.name)),
    })),
    ...(rejected ? { rejected } : {}),
  };
  await writeFileDurably(path.join(batchDir, JOURNAL), JSON.stringify(journal, null, 2));
  try {
    await rollForward(ctx.curatedDir, journal, ctx.hooks);
  } catch (e) {
    if (e instanceof SimulatedCrash) throw e;
    // Finish the swap now if possible (the run still fails); otherwise the next run of the table does.
    const finished = await rollForward(ctx.curatedDir, journal).then(
      () => true,
      () => false,
    );
    if (finished) await fs.rm(batchDir, { recursive: true, force: true });
    throw e;
  }
  await fs.rm(batchDir, { recursive: true, force: true });
  step('swap');

  return {
    rowsRead,
    rowsRejected,
    existingRows,
    mergedRows,
    partitions: partitions.map((p) => p.name),
    ...(rejectedLocation ? { rejectedLocation } : {}),
  };
}

function emptyFigures(plan: EtlPlan): EtlTableFigures {
  return {
    table: plan.table,
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    duplicatesRemoved: 0,
    partitions: [],
    maxRejectedRatio: plan.maxRejectedRatio,
  };
}

function addFigures(f: EtlTableFigures, b: BatchFigures): void {
  f.rowsRead += b.rowsRead;
  f.rowsRejected += b.rowsRejected;
  f.rowsWritten += b.mergedRows - b.existingRows;
  f.duplicatesRemoved += b.rowsRead - b.rowsRejected + b.existingRows - b.mergedRows;
  f.partitions = [...new Set([...f.partitions, ...b.partitions])].sort();
  if (b.rejectedLocation) f.rejectedLocation = b.rejectedLocation;
}

// ---------------------------------------------------------------------------------------------------------------
// Modes

async function resolveInputs(rawDir: string, keys: string[]): Promise<InputFile[]> {
  const realRaw = await fs.realpath(rawDir).catch(() => rawDir);
  const out: InputFile[] = [];
  for (const key of [...new Set(keys)]) {
    checkKey(key);
    const { format, gz } = inputFormat(key);
    const file = path.join(rawDir, ...key.split('/'));
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw notFound(`input '${key}' does not exist in the raw bucket`);
      throw e;
    }
    if (path.relative(realRaw, real).startsWith('..') || path.isAbsolute(path.relative(realRaw, real))) {
      throw invalid(`input '${key}' leads outside the raw bucket`);
    }
    if (!(await fs.stat(real)).isFile()) throw notFound(`input '${key}' is not an object`);
    out.push({ key, file, format, gz });
  }
  return out;
}

interface Manifest {
  processed: string[];
}

async function runEvents(
  ctx: RunContext,
  tables: TableDef[],
  maxBatchBytes: number,
): Promise<{ inputs: string[]; figures: EtlTableFigures[] }> {
  const inputs: string[] = [];
  const figures: EtlTableFigures[] = [];
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const plan = buildPlan(table);
    const f = emptyFigures(plan);
    figures.push(f);
    const prefix = rawEventsPrefix(table.name);
    const keys = (await listFiles(path.join(ctx.rawDir, prefix)))
      .map((rel) => prefix + rel)
      .filter(
        (k) => k.endsWith(layout.rawEvents.fileExtension) && !k.split('/').some((s) => s.startsWith('.')),
      );
    const byDate = new Map<string, string[]>();
    for (const key of keys) {
      const date = arrivalDateOf(key);
      if (!date) throw failed(`raw event object '${key}' has no arrival_date in its key`);
      byDate.set(date, [...(byDate.get(date) ?? []), key]);
    }
    const manifests = new Map<string, Set<string>>();
    const pending: { key: string; date: string; bytes: number }[] = [];
    for (const [date, dateKeys] of [...byDate].sort((a, b) => a[0].localeCompare(b[0]))) {
      const file = path.join(ctx.curatedDir, compactionManifestKey(table.name, date));
      const m = await readJsonFile<Manifest>(file);
      const processed = new Set(Array.isArray(m?.processed) ? m.processed : []);
      manifests.set(date, processed);
      for (const key of dateKeys) {
        if (!processed.has(key)) {
          pending.push({ key, date, bytes: (await fs.stat(path.join(ctx.rawDir, key))).size });
        }
      }
    }
    // Batches of bounded size, in key order (arrival order within a day).
    const batches: (typeof pending)[] = [];
    let current: typeof pending = [];
    let bytes = 0;
    for (const p of pending) {
      if (current.length > 0 && bytes + p.bytes > maxBatchBytes) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(p);
      bytes += p.bytes;
    }
    if (current.length > 0) batches.push(current);

    for (const [i, batch] of batches.entries()) {
      const files = batch.map((p) => ({
        key: p.key,
        file: path.join(ctx.rawDir, ...p.key.split('/')),
        format: 'jsonl' as const,
        gz: true,
      }));
      addFigures(f, await runBatch(ctx, table, plan, files, i));
      // Only now that the rows are in the table: a crash before this re-runs these objects (deduplicated).
      const touched = new Set<string>();
      for (const p of batch) {
        manifests.get(p.date)!.add(p.key);
        touched.add(p.date);
      }
      for (const date of [...touched].sort()) {
        const manifest: Manifest = { processed: [...manifests.get(date)!].sort() };
        await writeFileDurably(
          path.join(ctx.curatedDir, compactionManifestKey(table.name, date)),
          JSON.stringify(manifest, null, 2) + '\n',
        );
      }
      inputs.push(...batch.map((p) => p.key));
    }
  }
  return { inputs, figures };
}

// ---------------------------------------------------------------------------------------------------------------
// The job

/**
 * Runs one ETL job on the local lake. `args` are the Glue job arguments of lib/etl/run.ts (keys with or without
 * the leading `--`). Returns the run summary, also written to curated/_state/runs/<run_id>.json.
 */
export async function runEtlJob(
  args: Record<string, string>,
  opts: EtlRunnerOptions,
): Promise<EtlRunSummary> {
  const a = parseArgs(args);
  const now = opts.now ?? (() => new Date());
  const lakeDir = path.resolve(opts.lakeDir);
  const rawDir = path.join(lakeDir, 'raw');
  const curatedDir = path.join(lakeDir, 'curated');

  let tables: TableDef[];
  if (a.mode === 'file') {
    const t = lakeTable(a.table!);
    if (!t) throw notFound(`table '${a.table}' does not exist (no schema in schemas/)`);
    tables = [t];
  } else {
    const all = lakeTables().filter((t) => t.kind === 'events');
    if (a.table) {
      const t = all.find((x) => x.name === a.table);
      if (!t) throw notFound(`event table '${a.table}' does not exist (no schema in schemas/events/)`);
      tables = [t];
    } else tables = all;
  }
  const inputs = a.mode === 'file' ? await resolveInputs(rawDir, a.inputs) : [];

  const runDir = path.join(curatedDir, layout.curated.statePrefix, 'tmp', a.runId);
  if (activeRunDirs.has(runDir)) {
    throw new EtlJobError(EtlErrorName.ConcurrentRunsExceeded, `run '${a.runId}' is already in progress`);
  }
  activeRunDirs.add(runDir);
  let keepRunDir = true;
  try {
    await fs.mkdir(curatedDir, { recursive: true });
    const unlock = await lockTables(
      curatedDir,
      tables.map((t) => t.name),
      a.runId,
    );
    try {
      await acquireSlot();
      try {
        return await runLocked();
      } finally {
        releaseSlot();
      }
    } finally {
      await unlock();
    }
  } finally {
    activeRunDirs.delete(runDir);
    if (!keepRunDir) await fs.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  async function runLocked(): Promise<EtlRunSummary> {
    // What crashed runs left for these tables (an earlier attempt of this run id included).
    await recoverLeftovers(curatedDir, new Set(tables.map((t) => t.name)), runDir);
    if (await exists(runDir)) {
      throw failed(
        `curated/_state/tmp/${a.runId} holds an unfinished earlier run of other tables; run those first`,
      );
    }
    keepRunDir = false;
    await fs.mkdir(runDir, { recursive: true });
    await writeFileDurably(path.join(runDir, 'owner.json'), JSON.stringify(await owner(a.runId)));

    const startedAt = now();
    const db = await openDuckDb({
      threads: opts.threads ?? Math.max(1, Math.min(2, os.availableParallelism())),
      memoryLimit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      spillDir: path.join(runDir, 'spill'),
      lakeDir,
    }).catch((e) => {
      throw failed(`DuckDB could not start: ${(e as Error).message}`, e);
    });
    let result: { inputs: string[]; figures: EtlTableFigures[] };
    try {
      const ctx: RunContext = {
        lakeDir,
        rawDir,
        curatedDir,
        runId: a.runId,
        runDir,
        startedAt,
        ingestedAt: startedAt.toISOString(),
        runDate: startedAt.toISOString().slice(0, 10),
        conn: db.conn,
        ...(opts.hooks ? { hooks: opts.hooks } : {}),
        ...(opts.onStep ? { onStep: opts.onStep } : {}),
      };
      if (a.mode === 'file') {
        const table = tables[0]!;
        const plan = buildPlan(table);
        const f = emptyFigures(plan);
        addFigures(f, await runBatch(ctx, table, plan, inputs, 0));
        result = { inputs: a.inputs, figures: [f] };
      } else {
        result = await runEvents(ctx, tables, opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
      }
    } catch (e) {
      if (e instanceof SimulatedCrash) keepRunDir = true;
      // A swap that could not be finished keeps its journal for the next run of the table.
      else keepRunDir = (await listFiles(runDir)).some((f) => f.endsWith(`/${JOURNAL}`));
      if (e instanceof EtlJobError || e instanceof SimulatedCrash) throw e;
      throw failed(`the ETL run failed: ${(e as Error).message}`, e);
    } finally {
      db.close();
    }

    const rowsRead = result.figures.reduce((s, t) => s + t.rowsRead, 0);
    const rowsRejected = result.figures.reduce((s, t) => s + t.rowsRejected, 0);
    const summary: EtlRunSummary = {
      runId: a.runId,
      mode: a.mode,
      engine: 'duckdb',
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      inputs: result.inputs,
      tables: result.figures,
      rowsRead,
      rowsWritten: result.figures.reduce((s, t) => s + t.rowsWritten, 0),
      rowsRejected,
      rejectedRatio: rowsRead > 0 ? rowsRejected / rowsRead : 0,
      rejectedAboveThreshold: result.figures.some(
        (t) => t.rowsRead > 0 && t.rowsRejected / t.rowsRead > t.maxRejectedRatio,
      ),
    };
    await writeFileDurably(
      path.join(curatedDir, runSummaryKey(a.runId)),
      JSON.stringify(summary, null, 2) + '\n',
    );
    return summary;
  }
}

/**
 * Section: ETL on the local lake (lib/etl/duckdb-runner/, the local Glue job).
 *
 *  - Files → curated Parquet: a generated orders CSV and a customers JSON-lines file (BENCH_ETL_ROWS rows each,
 *    default 1,000,000) go through runEtlJob (typing, rejection, merge, one zstd Parquet file per partition,
 *    staged and swapped); in the same run, with the same DuckDB settings (threads, memory limit), a bare DuckDB
 *    `COPY (SELECT * FROM read_csv/read_json(file)) TO file.parquet (FORMAT parquet)` of the same file is the
 *    baseline. Target: runEtlJob rows/s >= 0.8 x the baseline's.
 *  - Events → curated Parquet: BENCH_ETL_EVENTS realistic events (default 500,000; the ingest bench's generator,
 *    stamped by the real envelope code) are written into the raw layout by the local Firehose (gzip JSON lines),
 *    then compacted (mode 'events'). Target: curated Parquet bytes <= 0.15 x the raw JSON, uncompressed (the
 *    bytes of the JSON lines themselves); the ratio to the gzip'd raw objects is reported beside it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { prepareEvents } from '../lib/envelope';
import { runEtlJob } from '../lib/etl/duckdb-runner';
import { LocalFirehose } from '../lib/firehose/local';
import { customersFile, ordersFile } from './etl-files';
import { generateBodies } from './events';
import { peakSampler } from './processes';
import {
  emptyResult,
  fmtBytes,
  fmtInt,
  fmtNum,
  target,
  targetCells,
  type BenchContext,
  type Cell,
  type Section,
  type SectionResult,
} from './report';

const TARGET_RATIO = 0.8;
const TARGET_SIZE_RATIO = 0.15;
const THREADS = Math.max(1, Math.min(2, os.availableParallelism()));
const MEMORY_LIMIT = '1GB';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** This process's CPU time (user + system, all threads: DuckDB's included), in ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function bareCopy(source: string, out: string): Promise<{ ms: number; cpuMs: number }> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(THREADS),
    memory_limit: MEMORY_LIMIT,
    temp_directory: path.join(path.dirname(out), 'spill'),
  });
  const conn = await instance.connect();
  try {
    const t0 = performance.now();
    const c0 = cpuMs();
    await conn.run(`COPY (SELECT * FROM ${source}) TO '${out.replaceAll("'", "''")}' (FORMAT parquet)`);
    return { ms: performance.now() - t0, cpuMs: cpuMs() - c0 };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function dirBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        files++;
        bytes += (await fs.stat(p)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

interface FileCase {
  name: string;
  table: string;
  key: string;
  rows: number;
  fileBytes: number;
  baselineMs: number;
  etlMs: number;
  /** CPU time of the bare COPY and of runEtlJob (both threads of DuckDB and Node's): steadier than wall time. */
  baselineCpuMs: number;
  etlCpuMs: number;
  rowsWritten: number;
  rowsRejected: number;
  partitions: number;
  curatedBytes: number;
  baselineBytes: number;
  steps: Record<string, number>;
  stepsCpu: Record<string, number>;
  /** Resident memory of this process before the run, and its peak during the run (DuckDB runs in it). */
  rssBeforeBytes: number;
  peakRssBytes: number;
}

/** Each step's wall time (from onStep) and this process's CPU time since the step before. */
function stepRecorder(): {
  steps: Record<string, number>;
  stepsCpu: Record<string, number>;
  onStep: (i: { step: string; ms: number }) => void;
} {
  const steps: Record<string, number> = {};
  const stepsCpu: Record<string, number> = {};
  let lap = cpuMs();
  return {
    steps,
    stepsCpu,
    onStep: ({ step, ms }) => {
      const now = cpuMs();
      steps[step] = (steps[step] ?? 0) + ms;
      stepsCpu[step] = (stepsCpu[step] ?? 0) + now - lap;
      lap = now;
    },
  };
}

const stepsText = (steps: Record<string, number>, cpu?: Record<string, number>) =>
  Object.entries(steps)
    .map(
      ([k, v]) =>
        `${k} ${fmtNum(v / 1000, 2)} s${cpu?.[k] !== undefined ? ` (CPU ${fmtNum(cpu[k] / 1000, 2)} s)` : ''}`,
    )
    .join(', ');

async function fileCase(
  ctx: BenchContext,
  workDir: string,
  name: string,
  table: string,
  key: string,
  rows: number,
  make: (file: string, rows: number) => Promise<number>,
  bareSource: (file: string) => string,
): Promise<FileCase> {
  const lake = path.join(workDir, `lake-${table}`);
  const file = path.join(lake, 'raw', key);
  ctx.progress(`etl: generating ${fmtInt(rows)} ${table} rows (${name})`);
  await make(file, rows);
  const fileBytes = (await fs.stat(file)).size;

  ctx.progress(`etl: bare DuckDB COPY of ${path.basename(file)} (${fmtBytes(fileBytes)})`);
  const baselineOut = path.join(workDir, `baseline-${table}.parquet`);
  const baseline = await bareCopy(bareSource(file), baselineOut);
  const baselineMs = baseline.ms;
  const baselineBytes = (await fs.stat(baselineOut)).size;
  await fs.rm(baselineOut);

  ctx.progress(`etl: runEtlJob --table ${table}`);
  const rec = stepRecorder();
  const rssBeforeBytes = process.memoryUsage.rss();
  const rss = peakSampler(() => process.memoryUsage.rss(), 50);
  const t0 = performance.now();
  const c0 = cpuMs();
  const summary = await runEtlJob(
    {
      '--etl_mode': 'file',
      '--table': table,
      '--inputs': JSON.stringify([key]),
      '--run_id': `bench-${table}`,
    },
    { lakeDir: lake, threads: THREADS, memoryLimit: MEMORY_LIMIT, onStep: rec.onStep },
  );
  const etlMs = performance.now() - t0;
  const etlCpuMs = cpuMs() - c0;
  const peakRssBytes = rss.stop() ?? rssBeforeBytes;
  const curated = await dirBytes(path.join(lake, 'curated', 'tables'));
  ctx.progress(
    `etl: ${table}: ETL ${fmtInt(rows / (etlMs / 1000))} rows/s, bare COPY ${fmtInt(rows / (baselineMs / 1000))} rows/s`,
  );
  await fs.rm(lake, { recursive: true, force: true });
  return {
    name,
    table,
    key,
    rows,
    fileBytes,
    baselineMs,
    etlMs,
    baselineCpuMs: baseline.cpuMs,
    etlCpuMs,
    rowsWritten: summary.rowsWritten,
    rowsRejected: summary.rowsRejected,
    partitions: summary.tables[0]?.partitions.length ?? 0,
    curatedBytes: curated.bytes,
    baselineBytes,
    steps: rec.steps,
    stepsCpu: rec.stepsCpu,
    rssBeforeBytes,
    peakRssBytes,
  };
}

interface EventsCase {
  events: number;
  objects: number;
  gzipBytes: number;
  jsonBytes: number;
  writeMs: number;
  compactMs: number;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  duplicatesRemoved: number;
  curatedFiles: number;
  curatedBytes: number;
  steps: Record<string, number>;
  perType: { table: string; rows: number; partitions: number }[];
}

async function eventsCase(ctx: BenchContext, workDir: string, events: number): Promise<EventsCase> {
  const lake = path.join(workDir, 'lake-events');
  const perBody = 500;
  const bodiesPerChunk = 20;
  ctx.progress(`etl: writing ${fmtInt(events)} events into the raw zone (local Firehose, gzip JSON lines)`);
  const stream = await LocalFirehose.open({
    lakeDir: lake,
    streamName: 'events',
    bufferBytes: 16 * 1024 * 1024,
    bufferIntervalMs: 3_600_000,
  });
  const limits = { maxEvents: perBody, maxFutureSkewSeconds: 86_400 };
  const t0 = performance.now();
  let written = 0;
  for (let chunk = 0; written < events; chunk++) {
    const set = generateBodies(bodiesPerChunk, perBody, 20240601 + chunk);
    for (const body of set.bodies) {
      if (written >= events) break;
      const records = prepareEvents(JSON.parse(body.toString('utf8')), limits).slice(0, events - written);
      const res = await stream.putRecords(records);
      if (res.failed.length > 0) throw new Error(`local Firehose refused ${res.failed.length} records`);
      written += records.length;
    }
  }
  await stream.close();
  const writeMs = performance.now() - t0;

  const raw = path.join(lake, 'raw', 'events');
  let objects = 0;
  let gzipBytes = 0;
  let jsonBytes = 0;
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.gz')) {
        const gz = await fs.readFile(p);
        objects++;
        gzipBytes += gz.length;
        jsonBytes += gunzipSync(gz).length;
      }
    }
  };
  await walk(raw);

  ctx.progress(
    `etl: compacting ${fmtInt(objects)} raw objects (${fmtBytes(gzipBytes)} gzip, ${fmtBytes(jsonBytes)} JSON)`,
  );
  const rec = stepRecorder();
  const t1 = performance.now();
  const summary = await runEtlJob(
    { '--etl_mode': 'events', '--run_id': 'bench-events' },
    { lakeDir: lake, threads: THREADS, memoryLimit: MEMORY_LIMIT, onStep: rec.onStep },
  );
  const compactMs = performance.now() - t1;
  const curated = await dirBytes(path.join(lake, 'curated', 'tables', 'events'));
  await fs.rm(lake, { recursive: true, force: true });
  return {
    events: written,
    objects,
    gzipBytes,
    jsonBytes,
    writeMs,
    compactMs,
    rowsRead: summary.rowsRead,
    rowsWritten: summary.rowsWritten,
    rowsRejected: summary.rowsRejected,
    duplicatesRemoved: summary.tables.reduce((s, t) => s + t.duplicatesRemoved, 0),
    curatedFiles: curated.files,
    curatedBytes: curated.bytes,
    steps: rec.steps,
    perType: summary.tables.map((t) => ({
      table: t.table,
      rows: t.rowsWritten,
      partitions: t.partitions.length,
    })),
  };
}

async function run(ctx: BenchContext): Promise<SectionResult> {
  const result = emptyResult();
  const rows = intEnv('BENCH_ETL_ROWS', 1_000_000);
  const events = intEnv('BENCH_ETL_EVENTS', 500_000);
  const workDir = await fs.mkdtemp(path.join(ctx.tmpBase, 'etl-bench-'));
  try {
    const cases = [
      await fileCase(
        ctx,
        workDir,
        'CSV',
        'orders',
        'uploads/orders/orders.csv',
        rows,
        ordersFile,
        (f) => `read_csv('${f.replaceAll("'", "''")}')`,
      ),
      await fileCase(
        ctx,
        workDir,
        'JSON lines',
        'customers',
        'uploads/customers/customers.jsonl',
        rows,
        customersFile,
        (f) => `read_json('${f.replaceAll("'", "''")}')`,
      ),
    ];
    const fileRows: Cell[][] = [];
    for (const c of cases) {
      const etlRate = c.rows / (c.etlMs / 1000);
      const bareRate = c.rows / (c.baselineMs / 1000);
      const t = target(
        `${c.name} (${c.table}) runEtlJob / bare COPY`,
        etlRate / bareRate,
        'x',
        '>=',
        TARGET_RATIO,
      );
      result.targets.push(t);
      fileRows.push([
        `${c.name} (${c.table})`,
        fmtInt(c.rows),
        fmtBytes(c.fileBytes),
        fmtInt(etlRate),
        fmtInt(bareRate),
        `${fmtNum(etlRate / bareRate, 2)}x`,
        fmtNum(c.etlMs / 1000, 1),
        fmtNum(c.baselineMs / 1000, 1),
        fmtBytes(c.curatedBytes),
        fmtBytes(c.baselineBytes),
        fmtBytes(c.peakRssBytes),
        ...targetCells(t),
      ]);
      result.checks.push({
        name: `${c.table}: every generated row is curated`,
        ok: c.rowsWritten === c.rows && c.rowsRejected === 0,
        detail: `${fmtInt(c.rowsWritten)} rows written of ${fmtInt(c.rows)}, ${fmtInt(c.rowsRejected)} rejected, ${c.partitions} partitions`,
      });
    }
    result.tables.push({
      title: `Files → curated Parquet (${THREADS} DuckDB threads, memory_limit ${MEMORY_LIMIT} for both)`,
      columns: [
        'input',
        'rows',
        'file',
        'ETL rows/s',
        'bare rows/s',
        'ETL/bare',
        'ETL s',
        'bare s',
        'curated',
        'bare out',
        'peak RSS',
        'target',
        'status',
      ],
      rows: fileRows,
    });

    const ev = await eventsCase(ctx, workDir, events);
    const ratioJson = ev.curatedBytes / ev.jsonBytes;
    const ratioGzip = ev.curatedBytes / ev.gzipBytes;
    const sizeTarget = target(
      'events: curated Parquet / raw JSON (uncompressed)',
      ratioJson,
      'x',
      '<=',
      TARGET_SIZE_RATIO,
    );
    result.targets.push(sizeTarget);
    result.tables.push({
      title: `Events → curated Parquet (compaction, mode 'events'): ${fmtInt(ev.events)} events in ${fmtInt(ev.objects)} raw objects`,
      columns: ['measure', 'value', 'target', 'status'],
      rows: [
        ['raw objects, gzip JSON lines (as stored)', fmtBytes(ev.gzipBytes), '', ''],
        ['raw JSON lines, uncompressed', fmtBytes(ev.jsonBytes), '', ''],
        [`curated Parquet (zstd, ${ev.curatedFiles} files)`, fmtBytes(ev.curatedBytes), '', ''],
        ['curated / raw JSON uncompressed', `${fmtNum(ratioJson, 3)}x`, ...targetCells(sizeTarget)],
        ['curated / raw gzip objects', `${fmtNum(ratioGzip, 2)}x`, '', ''],
        ['compaction events/s', fmtInt(ev.rowsRead / (ev.compactMs / 1000)), '', ''],
        ['compaction time', `${fmtNum(ev.compactMs / 1000, 1)} s`, '', ''],
      ],
    });
    result.checks.push({
      name: 'events: every event compacted exactly once',
      ok: ev.rowsRead === ev.events && ev.rowsWritten === ev.events && ev.rowsRejected === 0,
      detail: `${fmtInt(ev.events)} events written, ${fmtInt(ev.rowsRead)} read, ${fmtInt(ev.rowsWritten)} rows curated (${ev.perType
        .map((t) => `${t.table} ${fmtInt(t.rows)} in ${t.partitions} partition(s)`)
        .join(', ')}), ${fmtInt(ev.rowsRejected)} rejected, ${fmtInt(ev.duplicatesRemoved)} duplicates`,
    });
    result.notes.push(
      'ETL time is the whole runEtlJob call: read, type and check every value (plan.ts), write rejected rows, merge with the ' +
        'partitions it touches, write one zstd Parquet file per partition (staged, fsynced, swapped), write the summary',
      'bare COPY = DuckDB reading the same file with type auto-detection and writing one Parquet file (default snappy), ' +
        'no checks, no partitions; both in this process, one after the other, on a warm page cache',
      `the size target compares with the raw JSON lines uncompressed (${fmtBytes(ev.jsonBytes)}); the raw objects as stored are ` +
        `gzip'd (${fmtBytes(ev.gzipBytes)}), and curated Parquet is ${fmtNum(ratioGzip, 2)}x that`,
      ...cases.map(
        (c) =>
          `${c.table}: where the ETL time goes — ${stepsText(c.steps, c.stepsCpu)}; in all ` +
          `${fmtNum(c.etlMs / 1000, 2)} s (CPU ${fmtNum(c.etlCpuMs / 1000, 2)} s) against the bare COPY's ` +
          `${fmtNum(c.baselineMs / 1000, 2)} s (CPU ${fmtNum(c.baselineCpuMs / 1000, 2)} s): CPU ratio ` +
          `${fmtNum(c.baselineCpuMs / c.etlCpuMs, 2)}x`,
      ),
      "the steps (CPU: this process, both DuckDB threads; the first step's includes opening DuckDB): read = read, type and check every value into one table (plan.ts typedSql; the count of rows and " +
        'rejects by file); existing = the current rows of the partitions touched; merge = the duplicate-key check ' +
        "and, if needed, the merge's window; count = rows and partitions by file; write = one COPY sorted by primary key " +
        '(~0.35 s of CPU of it), one zstd Parquet file per partition (DuckDB: ~1.5 s of CPU for 1 M rows in 90 partition ' +
        'files, against ~0.7 s for one unpartitioned file); fsync = the staged files and folders, 16 at a time; ' +
        'swap = journal, then partition folders renamed into place',
      `peak RSS = this process's resident memory at its largest during runEtlJob (DuckDB runs in it, memory_limit ${MEMORY_LIMIT}); ` +
        `before the runs it was ${cases.map((c) => `${fmtBytes(c.rssBeforeBytes)} (${c.table})`).join(', ')}`,
      `events compaction: where the time goes — ${stepsText(ev.steps)}`,
      `writing the ${fmtInt(ev.events)} events through the local Firehose took ${fmtNum(ev.writeMs / 1000, 1)} s (not measured as ETL)`,
    );
    result.data = { threads: THREADS, memoryLimit: MEMORY_LIMIT, files: cases, events: ev };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  return result;
}

export const etlSection: Section = {
  id: 'etl',
  title: 'ETL: files and events → curated Parquet (local Glue runner on DuckDB)',
  run,
};

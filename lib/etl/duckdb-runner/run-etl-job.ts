/**
 * The job: arguments, tables and inputs checked, table locks and a run slot taken, leftovers of crashed runs
 * recovered, then the batches run on DuckDB and the run summary written.
 */
import { writeFileDurably } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeTable, lakeTables, type TableDef } from '../../catalog/tables';
import layout from '../../lake-layout.json';
import { buildPlan } from '../plan';
import { runSummaryKey, type EtlRunSummary, type EtlTableFigures } from '../run';
import { parseArgs } from './args';
import { runBatch, type RunContext } from './batch';
import { openDuckDb } from './duckdb';
import { EtlErrorName, EtlJobError, failed, notFound } from './errors';
import { runEvents } from './events';
import { addFigures, emptyFigures } from './figures';
import { exists, listFiles } from './fs-util';
import {
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MEMORY_LIMIT,
  SimulatedCrash,
  type EtlRunnerOptions,
} from './options';
import { resolveInputs } from './resolve-inputs';
import { activeRunDirs, owner } from './run-ownership';
import { acquireSlot, releaseSlot } from './run-slots';
import { JOURNAL, recoverLeftovers } from './swap-journal';
import { lockTables } from './table-locks';

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

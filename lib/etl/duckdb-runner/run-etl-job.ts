/**
 * The job: arguments checked, the lake's run lock taken, leftovers of crashed runs recovered, then the pending
 * uploads, the mode's own work (a replay or a rebuild of --table) and the pending events run on DuckDB, and the run
 * summary written.
 */
import { damagedParquetReason } from '../../duckdb-sql';
import { writeFileDurably } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeTables } from '../../catalog/tables';
import layout from '../../lake-layout.json';
import { runInputsKey, runSummaryKey, type EtlRunSummary, type EtlTableFigures } from '../run';
import { parseArgs } from './args';
import type { RunContext } from './batch';
import { openDuckDb } from './duckdb';
import { EtlErrorName, EtlJobError, failed, notFound, withDiskFullNote } from './errors';
import { runEvents } from './events';
import { combinedFigures, rejectedAboveText, tableFigures, type TableTally } from './figures';
import { exists, listFiles } from './fs-util';
import {
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MEMORY_LIMIT,
  SimulatedCrash,
  type EtlRunnerOptions,
} from './options';
import { activeRunDirs, owner } from './run-ownership';
import { JOURNAL, recoverLeftovers } from './swap-journal';
import { lockLake } from './lake-lock';
import { runRebuild, type RebuildTaken } from './rebuild';
import { runReplay, type ReplayTaken } from './replay';
import { takeUploads, type UploadsTaken } from './uploads';

/**
 * Runs one ETL job on the local lake. `args` are the Glue job arguments of lib/etl/run.ts (keys with or without
 * the leading `--`). Whatever its mode, a run takes every pending upload (lib/etl/upload-queue.ts) and compacts the
 * pending streamed events (mode 'events' with --table: that event table only); modes 'replay' and 'rebuild' do
 * their table's work in between (replay.ts, rebuild.ts). Returns the run summary, also written to
 * curated/_state/runs/<run_id>.json.
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

  const realClock = opts.realClock ?? Date.now;
  const tablesReadAt = realClock();
  const tables = opts.tables ?? lakeTables();
  const modeTable = a.table ? tables.find((t) => t.name === a.table) : undefined;
  if (a.mode !== 'events' && !modeTable) {
    throw notFound(`table '${a.table}' does not exist (no schema in schemas/)`);
  }
  let eventTables = tables.filter((t) => t.kind === 'events');
  if (a.mode === 'events' && a.table) {
    const t = eventTables.find((x) => x.name === a.table);
    if (!t) throw notFound(`event table '${a.table}' does not exist (no schema in schemas/events/)`);
    eventTables = [t];
  }

  const runDir = path.join(curatedDir, layout.curated.statePrefix, 'tmp', a.runId);
  if (activeRunDirs.has(runDir)) {
    throw new EtlJobError(EtlErrorName.ConcurrentRunsExceeded, `run '${a.runId}' is already in progress`);
  }
  activeRunDirs.add(runDir);
  let keepRunDir = true;
  try {
    await fs.mkdir(curatedDir, { recursive: true });
    const unlock = await lockLake(curatedDir, a.runId);
    try {
      return await runLocked();
    } finally {
      await unlock();
    }
  } finally {
    activeRunDirs.delete(runDir);
    if (!keepRunDir) await fs.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  async function runLocked(): Promise<EtlRunSummary> {
    // What crashed runs left (an earlier attempt of this run id included): the lake lock is ours.
    await recoverLeftovers(curatedDir, new Set(tables.map((t) => t.name)), runDir);
    if (await exists(runDir)) {
      throw failed(`curated/_state/tmp/${a.runId} holds an unfinished earlier run; run it again first`);
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
    // A stop interrupts the statement running then, and again every 20 ms until the run lets go of DuckDB (an
    // interrupt sent between two statements is lost).
    let interrupting: NodeJS.Timeout | undefined;
    const interrupt = () => {
      db.conn.interrupt();
      interrupting ??= setInterval(() => db.conn.interrupt(), 20);
    };
    opts.signal?.addEventListener('abort', interrupt, { once: true });
    const maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    let uploads: UploadsTaken;
    let events: Awaited<ReturnType<typeof runEvents>>;
    let replay: ReplayTaken | undefined;
    let rebuild: RebuildTaken | undefined;
    try {
      const ctx: RunContext = {
        lakeDir,
        rawDir,
        curatedDir,
        runId: a.runId,
        ...(a.jobRunId ? { jobRunId: a.jobRunId } : {}),
        runDir,
        startedAt,
        tablesReadAt,
        realClock,
        ingestedAt: startedAt.toISOString(),
        runDate: startedAt.toISOString().slice(0, 10),
        conn: db.conn,
        tables,
        batches: { n: 0 },
        rejectedWritten: new Set(),
        ...(opts.hooks ? { hooks: opts.hooks } : {}),
        ...(opts.onStep ? { onStep: opts.onStep } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      };
      uploads = await takeUploads(ctx, a, maxBatchBytes);
      // After the uploads (a file's result reports its own rows), before the compaction (a rebuilt event type's
      // objects are then all in the manifests: nothing left pending).
      if (a.mode === 'replay') replay = await runReplay(ctx, modeTable!, maxBatchBytes);
      if (a.mode === 'rebuild') rebuild = await runRebuild(ctx, modeTable!, maxBatchBytes);
      events = await runEvents(ctx, eventTables, maxBatchBytes);
    } catch (e) {
      if (e instanceof SimulatedCrash) keepRunDir = true;
      // A swap that could not be finished keeps its journal for the next run.
      else keepRunDir = (await listFiles(runDir)).some((f) => f.endsWith(`/${JOURNAL}`));
      if (e instanceof EtlJobError || e instanceof SimulatedCrash) throw e;
      const message = (e as Error).message;
      throw failed(`the ETL run failed: ${damagedParquetReason(message) ?? withDiskFullNote(message)}`, e);
    } finally {
      opts.signal?.removeEventListener('abort', interrupt);
      clearInterval(interrupting);
      db.close();
    }
    // A table whose swap could not be finished failed its own uploads; its journal stays for the next run.
    keepRunDir = (await listFiles(runDir)).some((f) => f.endsWith(`/${JOURNAL}`));

    const own = replay ?? rebuild;
    const figures = combinedFigures([...uploads.figures, ...(own ? [own.tally] : []), ...events.figures]).map(
      tableFigures,
    );
    const eventNames = new Set(eventTables.map((t) => t.name));
    const inputs = [...uploads.inputs, ...(own?.inputs ?? []), ...events.inputs];
    const rowsRead = figures.reduce((s, t) => s + t.rowsRead, 0);
    const rowsRejected = figures.reduce((s, t) => s + t.rowsRejected, 0);
    const ownFigures: EtlTableFigures | undefined = (replay?.replay ?? rebuild?.rebuild)?.figures;
    // Uploads are judged in their own results: the event tables and the replay's or rebuild's own table.
    const rejectedAboveAll = rejectedAboveText([
      ...figures.filter((t) => eventNames.has(t.table)),
      ...(ownFigures ? [ownFigures] : []),
    ]);
    let inputsKey: string | undefined;
    if (inputs.length > 0) {
      inputsKey = runInputsKey(a.runId);
      await writeFileDurably(path.join(curatedDir, inputsKey), JSON.stringify({ inputs }) + '\n');
    }
    const summary: EtlRunSummary = {
      runId: a.runId,
      jobRunId: a.jobRunId ?? null,
      mode: a.mode,
      engine: 'duckdb',
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      inputCount: inputs.length,
      ...(inputsKey ? { inputsKey } : {}),
      tables: figures,
      rowsRead,
      rowsWritten: figures.reduce((s, t) => s + t.rowsWritten, 0),
      rowsRejected,
      rejectedRatio: rowsRead > 0 ? rowsRejected / rowsRead : 0,
      rejectedAboveThreshold: rejectedAboveAll !== '',
      rejectedAbove: rejectedAboveAll,
      uploads: { taken: uploads.taken, succeeded: uploads.succeeded, failed: uploads.failed },
      eventObjectsLeft: events.objectsLeft,
      ...(replay ? { replay: replay.replay } : {}),
      ...(rebuild ? { rebuild: rebuild.rebuild } : {}),
    };
    await writeFileDurably(
      path.join(curatedDir, runSummaryKey(a.runId)),
      JSON.stringify(summary, null, 2) + '\n',
    );
    return summary;
  }
}

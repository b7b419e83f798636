/**
 * One plan over one batch of inputs: read, merge with the existing rows, reject, stage, swap.
 *
 * The batch's swap journal is its commit point (swap-journal.ts). A failure before it — a full disk while staging,
 * a failed fsync of a staged file or of the journal — discards the batch at once (its staging freed, so that the
 * failure can be recorded even on a full disk): the table is as it was and the batch fails. A failure after it is
 * finished now, or, if that fails too, by the next run: the run then fails as a whole (RunFailure), so that its
 * uploads stay queued instead of being reported FAILED while their rows arrive.
 */
import { NO_HIVE_PARTITIONS, sqlString, sqlStringList } from '../../duckdb-sql';
import { fsyncDir, fsyncFile, writeFileDurably } from '../../durable-fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableDef } from '../../catalog/tables';
import type { EtlPlan } from '../plan';
import { otherRejectedObjectKey, rejectedObjectKey, rejectedRowsPrefix } from '../rejected';
import { countMerged, countRead, figuresBySource } from './batch-counts';
import type { BatchOutcome } from './batch-outcome';
import { count, dropTempObjects, query } from './duckdb';
import { failed, RunFailure } from './errors';
import { loadExisting, type Partition } from './existing';
import type { BatchFigures } from './figures';
import { fsyncAll } from './fsync-all';
import { partitionsHoldingKeys } from './held-keys';
import { copyPartitioned } from './partitioned-copy';
import { exists, listFiles } from './fs-util';
import { SimulatedCrash, type EtlRunnerHooks, type EtlRunnerOptions } from './options';
import type { InputFile } from './readers/types';
import { readTyped } from './readers/typed-input';
import { createRecordedConflicts, type RecordedConflict } from './recorded-conflicts';
import { holdsLakeLock } from './lake-lock';
import { JOURNAL, rollForward, type SwapJournal } from './swap-journal';
import { createUploadOrderTable } from './upload-order-table';

export interface RunContext {
  lakeDir: string;
  rawDir: string;
  curatedDir: string;
  runId: string;
  /** The Glue job run id of this run (--JOB_RUN_ID), recorded in results and the summary. */
  jobRunId?: string;
  runDir: string;
  startedAt: Date;
  /**
   * When the run read its tables (the real clock, ms): raw event objects delivered after it may hold events of a
   * schema the run does not know, and are left to the next run (events.ts).
   */
  tablesReadAt: number;
  /** The real clock (EtlRunnerOptions.realClock): whether something was written since the tables were read. */
  realClock: () => number;
  ingestedAt: string;
  runDate: string;
  conn: DuckDBConnection;
  /** The lake's tables (EtlRunnerOptions.tables). */
  tables: TableDef[];
  /** Numbers the run's batches: names their work folders and rejected files (<run_id>-<n>.json). */
  batches: { n: number };
  /** The rejected files this run wrote (curated keys): a replay in the same run does not take them. */
  rejectedWritten: Set<string>;
  hooks?: EtlRunnerHooks;
  onStep?: EtlRunnerOptions['onStep'];
  /** EtlRunnerOptions signal: aborted, the batch stops before its commit and the run fails as a whole. */
  signal?: AbortSignal;
}

/**
 * Throws when the run was stopped (its execution stopped): a RunFailure, so that the uploads it took stay queued
 * rather than fail, and the batch, not committed yet, is discarded (runBatch).
 */
function stopIfAborted(ctx: RunContext, cause?: unknown): void {
  if (ctx.signal?.aborted)
    throw new RunFailure(
      'the run was stopped with its execution (StopExecution, or the local lake stopping): the batch it was ' +
        'writing is discarded, and what it had not finished is taken by the next run',
      cause,
    );
}

export interface BatchOptions {
  /** Raw objects read again (replay, rebuild): the plan's reloadMergeSql instead of mergeSql. */
  reload?: boolean;
  /** With reload: record an event id's conflicting copies too (objects no compaction has taken yet; a replay's). */
  conflicts?: boolean;
  /** Copies recorded as conflicts already, not recorded again (a replay's: recorded-conflicts.ts). */
  recordedConflicts?: readonly RecordedConflict[];
  /** Partitions (k=v[/k2=v2]) to rewrite from their existing rows even if no input row goes there. */
  rewrite?: string[];
  /**
   * Called once the inputs are read, before anything is written: throws (UnreadableInput) when an input is no
   * longer the one the batch was for (a file replaced while it was read).
   */
  afterRead?: () => Promise<void>;
  /**
   * What the batch's inputs came to, given its figures: recorded with the swap, as its last step (batch-outcome.ts),
   * so that the caller only notes it.
   */
  outcome?: (figures: BatchFigures) => BatchOutcome;
}

const PARTITION_VALUE = /^[A-Za-z0-9_.:-]+$/;

/** How far a batch got: its work folder, and whether its journal is durable (the swap decided). */
interface SwapState {
  batchDir?: string;
  committed: boolean;
}

export async function runBatch(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  inputs: InputFile[],
  opts: BatchOptions = {},
): Promise<BatchFigures> {
  const state: SwapState = { committed: false };
  try {
    return await stageAndSwap(ctx, table, plan, inputs, opts, state);
  } catch (e) {
    if (e instanceof SimulatedCrash) throw e;
    if (!state.committed && state.batchDir) await discard(table, state.batchDir);
    // DuckDB's interrupt of a stopped run ends its statement with an error: the stop, not the batch's own failure.
    if (!(e instanceof RunFailure) && !state.committed) stopIfAborted(ctx, e);
    throw e;
  }
}

/**
 * Removes a batch that failed before its commit. A journal whose write failed half-way may be there: it goes first
 * (durably), else the next run would swap in what this one reports as failed.
 */
async function discard(table: TableDef, batchDir: string): Promise<void> {
  const journal = path.join(batchDir, JOURNAL);
  try {
    if (await exists(journal)) {
      await fs.rm(journal);
      await fsyncDir(batchDir);
    }
  } catch (e) {
    throw new RunFailure(
      `${table.name}: a failed batch could not be discarded (${(e as Error).message}); the next run decides it`,
      e,
    );
  }
  await fs.rm(batchDir, { recursive: true, force: true }).catch(() => undefined);
}

async function stageAndSwap(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  inputs: InputFile[],
  opts: BatchOptions,
  state: SwapState,
): Promise<BatchFigures> {
  const { conn } = ctx;
  const batch = ctx.batches.n++;
  const tableDir = path.join(ctx.runDir, `table=${table.name}`);
  const batchDir = path.join(tableDir, `batch-${batch}`);
  state.batchDir = batchDir;
  const stagedData = path.join(batchDir, 'data');
  await fs.rm(batchDir, { recursive: true, force: true });
  await fs.mkdir(batchDir, { recursive: true });
  const tableColumns = table.columns.map((c) => c.name);
  let lap = performance.now();
  const step = (name: string) => {
    const t = performance.now();
    ctx.onStep?.({ table: table.name, step: name, ms: t - lap });
    lap = t;
    // Past its journal a batch is committed: it ends (and its inputs are recorded), whatever stop comes meanwhile.
    if (!state.committed) stopIfAborted(ctx);
  };
  stopIfAborted(ctx);

  await dropTempObjects(conn);
  await createRecordedConflicts(conn, opts.recordedConflicts);
  await conn.run(
    'CREATE TEMP TABLE lake_malformed (lake_source_file VARCHAR, reject_reason VARCHAR, raw_record VARCHAR)',
  );
  await conn.run(
    `CREATE TEMP VIEW lake_run AS SELECT ${sqlString(ctx.runId)} AS run_id, ${sqlString(ctx.ingestedAt)} AS rejected_at`,
  );

  // 1-3. raw_input → typed, and lake_malformed (readers/typed-input.ts)
  await ctx.hooks?.beforeRead?.({ table: table.name, keys: inputs.map((i) => i.key) });
  await readTyped(
    { conn, plan, rawDir: ctx.rawDir, ingestedAt: ctx.ingestedAt, workDir: batchDir, seq: { n: 0 } },
    table.name,
    inputs,
  );

  const read = await countRead(conn);
  const { rowsRead } = read;
  step('read');
  await opts.afterRead?.();

  // 4-5. incoming, and existing: the current rows of the partitions incoming touches (and those to rewrite, and
  // those that hold an incoming key under another partition value)
  await conn.run('CREATE TEMP VIEW incoming AS SELECT * FROM typed WHERE reject_reason IS NULL');
  const keys = plan.partitionKeys;
  const partitionRows = await query(conn, `SELECT DISTINCT ${keys.join(', ')} FROM incoming ORDER BY ALL`);
  const incoming: Partition[] = partitionRows.map((r) => {
    const values = keys.map((k) => r[k]);
    if (values.some((v) => typeof v !== 'string' || !PARTITION_VALUE.test(v) || v === '.' || v === '..')) {
      throw failed(
        `${table.name}: a row with an unusable partition value ${JSON.stringify(values)} was not rejected`,
      );
    }
    return { values: values as string[], name: keys.map((k, i) => `${k}=${values[i]}`).join('/') };
  });
  const partitions = [...incoming];
  for (const name of opts.rewrite ?? []) {
    if (partitions.some((p) => p.name === name)) continue;
    const parts = name.split('/');
    const values = parts.map((part, i) =>
      part.startsWith(`${keys[i]}=`) ? part.slice(`${keys[i]}=`.length) : '',
    );
    if (
      parts.length !== keys.length ||
      values.some((v) => !PARTITION_VALUE.test(v) || v === '.' || v === '..')
    ) {
      throw failed(`${table.name}: '${name}' is not a partition of the table`);
    }
    partitions.push({ values, name });
  }
  // Partitions that hold a key of an incoming row under another partition value join the merge (held-keys.ts).
  const held =
    incoming.length > 0
      ? await partitionsHoldingKeys(conn, ctx.curatedDir, plan, new Set(partitions.map((p) => p.name)))
      : [];
  partitions.push(...held);
  partitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const existingRows = await loadExisting(conn, ctx.curatedDir, table, plan, partitions);

  // 6. merged → one Parquet file per partition, staged
  step('existing');
  const incomingRows = rowsRead - read.rowsRejected;
  // mergeSql keeps one row per key. When the table has no rows in these partitions yet and no key repeats in the
  // input, every row is its key's only candidate and the merge is the identity: skip its window.
  const mergeNeeded =
    existingRows > 0 ||
    (await count(conn, `SELECT DISTINCT ${plan.primaryKey.join(', ')} FROM incoming`)) !== incomingRows;
  let merged = 'incoming';
  if (mergeNeeded) {
    if (opts.reload) await createUploadOrderTable(ctx, table);
    await conn.run(`CREATE TEMP TABLE lake_merged AS ${opts.reload ? plan.reloadMergeSql : plan.mergeSql}`);
    merged = 'lake_merged';
  }
  step('merge');
  // The merged rows, by partition (and source): after a merge a partition may end without rows, its keys' kept
  // copies being in other partitions (a retry across a UTC midnight, in one batch or with a held partition).
  const withSources = tableColumns.includes('lake_source_file');
  const kept = await countMerged(conn, merged, keys, withSources);
  const mergedRows = kept.rows;
  const keptIn = kept.partitions;
  const sources = withSources
    ? await figuresBySource(conn, read, kept, merged, plan.primaryKey, existingRows)
    : undefined;
  step('count');

  // 7. rejected records → JSON lines (staged), one per rejected row (lib/etl/rejected.ts): the rows that failed
  // typing or did not parse, and incoming copies of an event id with other data than the row kept for it
  // (lib/etl/event-conflicts.ts; none without a merge: then no id repeats). Raw objects a rebuild reads again that a
  // compaction took had theirs recorded then, and stay out of the table now; those no compaction took yet (all of
  // them once the curated zone is lost), and a replay's (their current reason), have theirs recorded (`conflicts`).
  let conflicts = 0;
  if (plan.conflicts && merged === 'lake_merged' && (!opts.reload || opts.conflicts)) {
    conflicts = Number((await query(conn, plan.conflicts.countSql))[0]!.n);
    if (conflicts > 0) {
      // Their records, from the input typed again with its raw texts: the same rows, else the batch fails.
      await conn.run(`CREATE TEMP TABLE lake_conflicts AS ${plan.conflicts.recordsSql.duckdb}`);
      const records = await count(conn, 'SELECT * FROM lake_conflicts');
      if (records !== conflicts)
        throw failed(
          `${table.name}: ${conflicts} copies of an id with other data, but ${records} records of them`,
        );
    }
  }
  const rowsRejected = read.rowsRejected + conflicts;
  let rejected: SwapJournal['rejected'];
  let rejectedLocation: string | undefined;
  if (rowsRejected > 0) {
    const staged = path.join(batchDir, 'rejected.json');
    const records =
      conflicts > 0
        ? `${plan.rejectedSql.duckdb}\nUNION ALL\nSELECT * FROM lake_conflicts`
        : plan.rejectedSql.duckdb;
    await conn.run(`COPY (${records}) TO ${sqlString(staged)} (FORMAT json)`);
    await fsyncFile(staged);
    rejectedLocation = rejectedRowsPrefix(table.name, ctx.runDate);
    const named = rejectedObjectKey(table.name, ctx.runDate, ctx.runId, batch);
    let target = named;
    // A run again under the same run id (after a failed one) numbers its batches from 0 again: a taken name is kept.
    for (let i = 1; ctx.rejectedWritten.has(target) || (await exists(path.join(ctx.curatedDir, target))); i++)
      target = otherRejectedObjectKey(named, i);
    rejected = { staged: path.relative(ctx.curatedDir, staged), target };
    ctx.rejectedWritten.add(target);
  }
  step('rejected');
  if (partitions.length > 0) {
    // Sorted by primary key (the Glue job: within each partition). DuckDB's partitioned write keeps the order of
    // each thread's share, so a file of 1 M rows on 2 threads is 1-2 sorted runs; sorting by partition first did
    // not help and cost more CPU (README: Benchmark).
    await copyPartitioned(conn, {
      columns: [...tableColumns, ...keys],
      keys,
      from: merged,
      orderBy: plan.primaryKey,
      partitions,
      target: stagedData,
      pattern: `part-{i}-${ctx.runId}`,
    });
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
  // Every partition the merged rows are in must have been written. A partition only to rewrite that holds no rows
  // is left as it is; one the merge left without rows (its keys kept in another partition, held-keys.ts) is swapped
  // for an empty folder where the table has it, and is not written where it does not.
  const emptied = new Set<string>();
  for (const p of [...incoming, ...held]) {
    if (!keptIn.has(p.name) && (await exists(path.join(ctx.curatedDir, plan.prefix, p.name))))
      emptied.add(p.name);
  }
  const written = partitions.filter(
    (p) => stagedByPartition.has(p.name) || keptIn.has(p.name) || emptied.has(p.name),
  );
  const toSync = { files: [] as string[], dirs: [batchDir] };
  for (const p of written) {
    const files = stagedByPartition.get(p.name) ?? [];
    const dir = path.join(stagedData, p.name);
    if (files.length === 0 && emptied.has(p.name)) await fs.mkdir(dir, { recursive: true });
    else if (files.length === 0) throw failed(`${table.name}: partition ${p.name} was not written`);
    if (files.length > 1) {
      // Never expected (every partition file stays open), but a partition must be one file: combine.
      const single = path.join(dir, `part-0-${ctx.runId}.parquet.tmp`);
      await conn.run(
        `COPY (SELECT * FROM read_parquet(${sqlStringList(files.map((f) => path.join(stagedData, f)))}, ${NO_HIVE_PARTITIONS}) ` +
          `ORDER BY ${plan.primaryKey.join(', ')}) TO ${sqlString(single)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      for (const f of files) await fs.rm(path.join(stagedData, f));
      await fs.rename(single, path.join(dir, `part-0-${ctx.runId}.parquet`));
    }
    for (const f of await listFiles(dir)) toSync.files.push(path.join(dir, f));
    // The folder and its entry in each parent up to the batch folder (the journal names them).
    for (let d = dir; d.startsWith(stagedData); d = path.dirname(d)) toSync.dirs.push(d);
  }
  await fsyncAll(toSync.files, toSync.dirs);
  await dropTempObjects(conn);
  step('fsync');

  await ctx.hooks?.afterStaging?.({ table: table.name, partitions: written.map((p) => p.name) });
  stopIfAborted(ctx);
  if (!(await holdsLakeLock(ctx.curatedDir, ctx.runId)))
    throw new RunFailure(
      `${table.name}: this run no longer holds the lake's lock (another lake took it over, judging this one gone: ` +
        'a container paused or stalled?): the batch is discarded before its swap; the lake that holds the lock ' +
        'takes what this run had not finished',
    );

  const figures: BatchFigures = {
    rowsRead,
    rowsRejected,
    existingRows,
    mergedRows,
    partitions: written.map((p) => p.name),
    ...(rejectedLocation ? { rejectedLocation } : {}),
    ...(sources ? { sources } : {}),
  };
  const outcome = opts.outcome?.(figures);

  // Swap: journal first (durable), then partition by partition, then the outcome.
  const journal: SwapJournal = {
    table: table.name,
    partitions: written.map((p) => ({
      name: p.name,
      target: path.join(plan.prefix, p.name),
      staged: path.relative(ctx.curatedDir, path.join(stagedData, p.name)),
      aside: path.relative(ctx.curatedDir, path.join(batchDir, 'aside', p.name)),
    })),
    ...(rejected ? { rejected } : {}),
    ...(outcome ? { outcome } : {}),
  };
  await writeFileDurably(path.join(batchDir, JOURNAL), JSON.stringify(journal, null, 2));
  state.committed = true;
  try {
    await rollForward(ctx.curatedDir, journal, ctx.hooks);
  } catch (e) {
    if (e instanceof SimulatedCrash) throw e;
    // The swap is decided: redo it now (each step once, each folder synced again); else the next run finishes it.
    await rollForward(ctx.curatedDir, journal).catch((again: unknown) => {
      throw new RunFailure(
        `${table.name}: the swap could not be finished (${(again as Error).message}); the next run finishes it`,
        again,
      );
    });
  }
  // The journal and the old partitions moved aside; should this fail, the next run removes them.
  await fs.rm(batchDir, { recursive: true, force: true }).catch(() => undefined);
  step('swap');
  return figures;
}

/**
 * Every run takes the queue of accepted uploads (lib/etl/upload-queue.ts): each pending upload gets its result —
 * SUCCEEDED with the file's figures, or FAILED with the reason — written before its pending record is deleted.
 * Uploads are grouped by table and run through the table's plan in batches of bounded size; a table that fails
 * fails its own uploads only. A run in mode 'file' also takes its own --inputs when validateUpload recorded no
 * pending upload for them (an execution started by hand, or by a validateUpload of before the queue).
 */
import { damagedParquetReason } from '../../duckdb-sql';
import { writeFileDurably } from '../../durable-fs';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { logger } from '../../logger';
import { localVersionId, md5File } from '../../objects/local';
import { buildPlan, type EtlPlan } from '../plan';
import type { EtlTableFigures } from '../run';
import {
  MAX_UPLOAD_ATTEMPTS,
  UploadError,
  listedPartitions,
  pendingUploadKey,
  pendingUploadsPrefix,
  uploadResultKey,
  type PendingUpload,
  type UploadResult,
} from '../upload-queue';
import type { JobArgs } from './args';
import { runBatch, type RunContext } from './batch';
import { recordOutcome } from './batch-outcome';
import { EtlErrorName, EtlJobError, RunFailure, UnreadableInput, withDiskFullNote } from './errors';
import { gzipProblem } from './gzip-check';
import { addFigures, emptyFigures, rejectedAboveText, type SourceFigures, type TableTally } from './figures';
import { exists, readJsonFile } from './fs-util';
import { SimulatedCrash } from './options';
import { resolveInputs } from './resolve-inputs';
import { writtenAfterTablesRead } from './tables-read';
import type { InputFile } from './readers/types';
import { byCodePoint } from '../../code-point-order';

export interface UploadsTaken {
  inputs: string[];
  figures: TableTally[];
  taken: number;
  succeeded: number;
  failed: number;
}

/** A pending upload of this run, with the keys it reads (`keys`: more than one only for hand-started runs). */
interface Taken {
  pending: PendingUpload;
  keys: string[];
}

export async function takeUploads(
  ctx: RunContext,
  args: JobArgs,
  maxBatchBytes: number,
): Promise<UploadsTaken> {
  const curated = (key: string) => path.join(ctx.curatedDir, ...key.split('/'));
  const out: UploadsTaken = { inputs: [], figures: [], taken: 0, succeeded: 0, failed: 0 };
  const results: UploadResult[] = [];
  // An outcome recorded: counted (a batch's successes are recorded with its swap, batch-outcome.ts).
  const noted = (r: UploadResult) => {
    results.push(r);
    out[r.status === 'SUCCEEDED' ? 'succeeded' : 'failed']++;
  };
  /** An upload's outcome as batch-outcome.ts records it (its result written, then its pending record removed). */
  const outcomeOf = (r: UploadResult) => ({
    result: uploadResultKey(r.execution),
    pending: pendingUploadKey(r.execution),
    body: r,
  });
  const finish = async (r: UploadResult) => {
    await recordOutcome(ctx.curatedDir, { uploads: [outcomeOf(r)] });
    noted(r);
  };

  // The queue, oldest first.
  const pendingDir = curated(pendingUploadsPrefix);
  const names = (await fs.readdir(pendingDir).catch(() => [] as string[])).filter(
    (n) => n.endsWith('.json') && !n.startsWith('.'),
  );
  const queue: Taken[] = [];
  for (const name of names) {
    const p = await readJsonFile<PendingUpload>(path.join(pendingDir, name)).catch(() => undefined);
    if (
      !p ||
      typeof p.execution !== 'string' ||
      `${p.execution}.json` !== name ||
      typeof p.key !== 'string'
    ) {
      logger.warn('a pending upload record is unreadable: left in place', { record: name });
      continue;
    }
    // Accepted after the run read its tables: its dataset's schema may have changed since, and this run's plan
    // would load the file without its new columns. The next run, which reads the tables again, takes it.
    if (writtenAfterTablesRead(ctx, Date.parse(p.acceptedAt))) continue;
    queue.push({ pending: p, keys: [p.key] });
  }
  if (args.mode === 'file' && !queue.some((t) => t.pending.execution === args.runId)) {
    if (!(await exists(curated(uploadResultKey(args.runId))))) {
      queue.push({
        pending: {
          execution: args.runId,
          table: args.table!,
          key: args.inputs[0]!,
          // The version the execution's input names: another written under the name since is not loaded here.
          ...(args.accepted ?? {}),
          acceptedAt: ctx.startedAt.toISOString(),
        },
        keys: args.inputs,
      });
    }
  }
  // Oldest first, by code point as the Glue job sorts them; a record without acceptedAt first (taken, as there).
  const acceptedAt = (t: Taken) => (typeof t.pending.acceptedAt === 'string' ? t.pending.acceptedAt : '');
  queue.sort(
    (a, b) =>
      byCodePoint(acceptedAt(a), acceptedAt(b)) || byCodePoint(a.pending.execution, b.pending.execution),
  );

  /**
   * An upload's attempt, counted once per run as its batch starts (not as the run takes the queue: a run that ends
   * before it reaches an upload — a backlog longer than the job's timeout, a crash on another file — is none of its
   * attempts). takenBy: the run, so that a run stopped with the lake gives it back (releaseUploadsTakenBy).
   */
  const counted = new Set<string>();
  const takenIn = randomUUID();
  runsInThisProcess.set(args.runId, takenIn);
  const countAttempt = async (t: Taken) => {
    if (counted.has(t.pending.execution)) return;
    counted.add(t.pending.execution);
    if (!(await exists(curated(pendingUploadKey(t.pending.execution))))) return;
    t.pending = { ...t.pending, attempts: (t.pending.attempts ?? 0) + 1, takenBy: args.runId, takenIn };
    await writeFileDurably(
      curated(pendingUploadKey(t.pending.execution)),
      JSON.stringify(t.pending, null, 2),
    );
  };

  const byTable = new Map<string, Taken[]>();
  for (const t of queue) {
    const { pending } = t;
    // Taken by a run that recorded its outcome and stopped before deleting the record.
    if (await exists(curated(uploadResultKey(pending.execution)))) {
      await fs.rm(curated(pendingUploadKey(pending.execution)), { force: true });
      continue;
    }
    out.taken++;
    if ((pending.attempts ?? 0) >= MAX_UPLOAD_ATTEMPTS) {
      await finish(
        failure(ctx, t, UploadError.GivenUp, [
          `${MAX_UPLOAD_ATTEMPTS} ETL runs took this upload and none finished it (they failed or stopped as a `,
          'whole): it is given up so that it cannot hold up the others. See those runs, fix the cause, then ',
          'replay the file.',
        ]),
      );
      continue;
    }
    byTable.set(pending.table, [...(byTable.get(pending.table) ?? []), t]);
  }

  for (const [tableName, taken] of [...byTable].sort((a, b) => byCodePoint(a[0], b[0]))) {
    const table = ctx.tables.find((t) => t.name === tableName);
    if (!table || table.kind !== 'dataset') {
      for (const t of taken)
        await finish(
          failure(ctx, t, UploadError.TableFailed, [`there is no dataset '${tableName}' (schemas/datasets)`]),
        );
      continue;
    }
    const plan = buildPlan(table);
    const tally = emptyFigures(plan);
    // The files, each checked to exist (a missing one fails its own upload).
    const ready: Ready[] = [];
    for (const t of taken) {
      try {
        const files = await resolveInputs(ctx.rawDir, t.keys);
        let bytes = 0;
        for (const f of files) bytes += (await fs.stat(f.file)).size;
        const replaced = await replacedSinceAccepted(t.pending, files);
        if (replaced) {
          await finish(failure(ctx, t, UploadError.InputMissing, [replaced]));
          continue;
        }
        const cut = await firstGzipProblem(files);
        if (cut) {
          await finish(failure(ctx, t, UploadError.InvalidInput, [cut]));
          continue;
        }
        ready.push({ t, files, bytes });
      } catch (e) {
        if (!(e instanceof EtlJobError)) {
          // Not the file's own answer (a disk that fails, a file it may not read): the run fails as a whole, and
          // counts the upload's attempt, so that one that fails every run is given up at last.
          await countAttempt(t);
          throw e;
        }
        const missing = e.name === EtlErrorName.EntityNotFound;
        await finish(
          failure(ctx, t, missing ? UploadError.InputMissing : UploadError.InvalidInput, [
            `${(e as Error).message}${missing ? ': the file was moved or deleted after it was accepted' : ''}`,
          ]),
        );
      }
    }
    // Batches of bounded size, in queue order; an upload an earlier run took without an outcome in a batch of its
    // own (it may be what ended that run: it must not take others with it).
    const batches: (typeof ready)[] = [];
    let bytes = 0;
    let alone = false;
    for (const r of ready) {
      const suspect = (r.t.pending.attempts ?? 0) > 0;
      if (batches.length === 0 || suspect || alone || bytes + r.bytes > maxBatchBytes) {
        batches.push([]);
        bytes = 0;
      }
      batches.at(-1)!.push(r);
      bytes += r.bytes;
      alone = suspect;
    }
    // What fails, fails alone: a file that cannot be read as rows fails its upload and the batch runs without it;
    // a batch that fails otherwise is run again upload by upload, so that one file cannot fail the others.
    const runUploads = async (batch: Ready[]): Promise<void> => {
      for (const r of batch) await countAttempt(r.t);
      let figures;
      let succeeded: UploadResult[] = [];
      try {
        figures = await runBatch(
          ctx,
          table,
          plan,
          // A file once, however many uploads of the batch name it (the same bytes accepted again as a new
          // version: two executions, one object), as the Glue job reads a set of keys.
          [...new Map(batch.flatMap((r) => r.files).map((f) => [f.key, f])).values()],
          {
            // A file replaced after the check above and before or while it was read: its upload fails, the rest
            // of the batch runs again without it (what was read of it is never written).
            afterRead: async () => {
              for (const r of batch) {
                const replaced = await replacedSinceAccepted(r.t.pending, r.files);
                if (replaced)
                  throw new UnreadableInput(
                    r.t.pending.key,
                    replaced,
                    UploadError.InputMissing,
                    r.t.pending.execution,
                  );
              }
            },
            // Each upload's result, recorded with the batch's swap.
            outcome: (f) => {
              succeeded = batch.map((r) => {
                const mine = r.t.keys.map((k) => f.sources?.[k]).filter((x): x is SourceFigures => !!x);
                return success(ctx, r.t, plan, mine, f.rejectedLocation);
              });
              return { uploads: succeeded.map(outcomeOf) };
            },
          },
        );
      } catch (e) {
        if (e instanceof SimulatedCrash || e instanceof RunFailure) throw e;
        if (e instanceof UnreadableInput) {
          const bad = batch.filter((r) =>
            e.execution ? r.t.pending.execution === e.execution : r.files.some((f) => f.key === e.key),
          );
          for (const r of bad) await finish(failure(ctx, r.t, e.uploadError, [e.message]));
          const rest = batch.filter((r) => !bad.includes(r));
          if (rest.length && bad.length) await runUploads(rest);
          if (bad.length) return;
        }
        if (batch.length > 1) {
          for (const r of batch) await runUploads([r]);
          return;
        }
        // The table's failure is its uploads' outcome; the other tables of the run go on.
        for (const r of batch) {
          await finish(
            failure(ctx, r.t, UploadError.TableFailed, [
              // A stored Parquet file of the table that does not read: named, with README's section.
              `${table.name}: ${damagedParquetReason((e as Error).message) ?? withDiskFullNote((e as Error).message)}`,
            ]),
          );
        }
        return;
      }
      addFigures(tally, figures);
      // A table is in the run's figures once a batch of it loaded (as the Glue job's): not when every upload failed.
      if (!out.figures.includes(tally)) out.figures.push(tally);
      out.inputs.push(...new Set(batch.flatMap((r) => r.files.map((f) => f.key))));
      for (const r of succeeded) noted(r);
    };
    for (const batch of batches) await runUploads(batch);
  }
  return out;
}

function base(ctx: RunContext, t: Taken) {
  return {
    execution: t.pending.execution,
    key: t.pending.key,
    // The version accepted: a rebuild reads the file again only while it is this one (accepted-uploads.ts).
    ...(t.pending.etag ? { etag: t.pending.etag } : {}),
    ...(t.pending.versionId ? { versionId: t.pending.versionId } : {}),
    mode: 'file' as const,
    runId: ctx.runId,
    jobRunId: ctx.jobRunId ?? null,
    table: t.pending.table,
    processedAt: new Date().toISOString(),
  };
}

function success(
  ctx: RunContext,
  t: Taken,
  plan: EtlPlan,
  sources: SourceFigures[],
  rejectedLocation: string | undefined,
): UploadResult {
  const { maxRejectedRatio } = plan;
  const sum = (k: 'rowsRead' | 'rowsRejected') => sources.reduce((s, x) => s + x[k], 0);
  const rowsRead = sum('rowsRead');
  const rowsRejected = sum('rowsRejected');
  // A file's share of the new keys (batch-counts.ts figuresBySource: none for a file whose rows a newer version of
  // the same keys replaced in the same run, or whose rows replaced stored ones), held between none and its valid
  // rows (as the Glue job's upload_success).
  const rowsWritten = sources.reduce(
    (s, x) => s + Math.min(Math.max(0, x.rowsWritten), x.rowsRead - x.rowsRejected),
    0,
  );
  const figures: EtlTableFigures = {
    table: t.pending.table,
    schemaVersion: plan.version,
    rowsRead,
    rowsWritten,
    rowsRejected,
    duplicatesRemoved: rowsRead - rowsRejected - rowsWritten,
    ...listedPartitions(sources.flatMap((s) => s.partitions)),
    ...(rowsRejected > 0 && rejectedLocation ? { rejectedLocation } : {}),
    maxRejectedRatio,
  };
  const rejectedRatio = rowsRead > 0 ? rowsRejected / rowsRead : 0;
  return {
    ...base(ctx, t),
    ...figures,
    status: 'SUCCEEDED',
    rejectedRatio,
    rejectedAboveThreshold: rejectedRatio > maxRejectedRatio,
    rejectedAbove: rejectedAboveText([figures]),
    tables: [figures],
  };
}

function failure(ctx: RunContext, t: Taken, error: string, cause: string[]): UploadResult {
  const table = ctx.tables.find((x) => x.name === t.pending.table);
  return {
    ...base(ctx, t),
    status: 'FAILED',
    error,
    cause: cause.join(''),
    schemaVersion: table?.version ?? null,
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    duplicatesRemoved: 0,
    partitions: [],
    partitionCount: 0,
    maxRejectedRatio: table?.maxRejectedRatio ?? 0,
    rejectedRatio: 0,
    rejectedAboveThreshold: false,
    rejectedAbove: '',
    tables: [],
  };
}

/**
 * Why the upload's file is no longer the version that was accepted (another was written under its name since: it
 * has its own execution, and is checked on its own), or undefined. The version id is the local store's (inode and
 * change time); a different one with the accepted content (its etag) is still that version.
 */
async function replacedSinceAccepted(
  pending: PendingUpload,
  files: InputFile[],
): Promise<string | undefined> {
  const file = files.find((f) => f.key === pending.key);
  if (!file || (!pending.versionId && !pending.etag)) return undefined;
  const now = localVersionId(await fs.stat(file.file));
  if (pending.versionId && now === pending.versionId) return undefined;
  if (pending.etag && (await md5File(file.file)) === pending.etag) return undefined;
  return (
    `input '${pending.key}' was replaced after it was accepted (accepted version ${pending.versionId ?? pending.etag}, ` +
    `now ${now}): this version is no longer there to load; the file now under that name has an execution of its own`
  );
}

/** An upload ready to run: its files, resolved, and their size. */
interface Ready {
  t: Taken;
  files: InputFile[];
  bytes: number;
}

/** The first gzip input of an upload that is not a complete stream, as its reason (gzip-check.ts). */
async function firstGzipProblem(files: InputFile[]): Promise<string | undefined> {
  for (const f of files) {
    if (!f.gz) continue;
    const problem = await gzipProblem(f.file);
    if (problem) return `'${f.key}' is ${problem}`;
  }
  return undefined;
}

/** The runs of this process, by run id: which one took what (PendingUpload takenIn). */
const runsInThisProcess = new Map<string, string>();

/**
 * The uploads run `runId` took, given back: a run stopped with the local lake (the state machine runs its execution
 * again at the next start) is no attempt of theirs — three stops during a long run gave a valid file up
 * (Etl.UploadGivenUp). A run that dies (a crash) keeps its attempts: it may be what a file makes happen.
 */
export async function releaseUploadsTakenBy(lakeDir: string, runId: string): Promise<void> {
  // This process's last run of that id: not what an earlier run of the same execution took before it died.
  const takenIn = runsInThisProcess.get(runId);
  if (takenIn === undefined) return;
  runsInThisProcess.delete(runId);
  const dir = path.join(lakeDir, 'curated', ...pendingUploadsPrefix.split('/'));
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    const p = await readJsonFile<PendingUpload>(file).catch(() => undefined);
    if (!p || p.takenBy !== runId || p.takenIn !== takenIn) continue;
    const { takenBy: _run, takenIn: _in, ...rest } = p;
    const released: PendingUpload = { ...rest, attempts: Math.max(0, (p.attempts ?? 1) - 1) };
    await writeFileDurably(file, JSON.stringify(released, null, 2));
  }
}

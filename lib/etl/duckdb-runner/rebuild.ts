/**
 * Mode 'rebuild': every raw object of a table again through the current plan, in batches of bounded size, merged with
 * the table's rows by reloadMergeSql — a dataset's uploads (uploads/<dataset>/, those the upload check accepted:
 * accepted-uploads.ts), an
 * event type's raw objects (the compaction manifests then list them all). Then every partition no raw object
 * touched is rewritten from its rows, through the plan's existingSql. So existing rows are never dropped (a row
 * whose raw object is gone stays as it is), a renamed column gets its old values in every partition, and a second
 * rebuild changes no row (but a dataset's lake_ingested_at). Each batch is swapped in with its journal, as any.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { TableDef } from '../../catalog/tables';
import { classifyKey, UPLOADS_PREFIX } from '../../uploads/key';
import { buildPlan } from '../plan';
import type { RebuildSummary } from '../run';
import { listedPartitions, restoredUploadsKey, type RestoredUploads } from '../upload-queue';
import { writeFileDurably } from '../../durable-fs';
import { md5File } from '../../objects/local';
import { logger } from '../../logger';
import { acceptedUploads, notAccepted } from './accepted-uploads';
import { inputFormat } from './args';
import { runBatch, type RunContext } from './batch';
import { bySize } from './batching';
import { EtlJobError } from './errors';
import { deliveredBeforeTables, loadRawEvents, rawEventObjects } from './events';
import { tablePartitions } from './existing';
import { addFigures, emptyFigures, tableFigures, type TableTally } from './figures';
import { listFiles } from './fs-util';
import { reloadInBatches } from './reload';
import { openProgress, resumedNote } from './reload-progress';
import { rebuildingStateKey, type ReloadProgress } from '../rejected';
import { rawEventsPrefix } from '../plans';
import type { InputFile } from './readers/types';
import { byCodePoint } from '../../code-point-order';

export interface RebuildTaken {
  inputs: string[];
  tally: TableTally;
  rebuild: RebuildSummary;
}

/** Why a key under uploads/<dataset>/ is no upload of the dataset (as validateUpload sees it), or undefined. */
export function notAnUpload(key: string, dataset: string): string | undefined {
  const c = classifyKey(key);
  if (c.kind === 'ignored') return c.reason;
  if (c.problem) return c.problem;
  if (c.dataset !== dataset) return `not under ${UPLOADS_PREFIX}${dataset}/`;
  try {
    inputFormat(key);
  } catch (e) {
    if (e instanceof EtlJobError) return e.message;
    throw e;
  }
  return undefined;
}

async function uploadsOf(
  ctx: RunContext,
  table: TableDef,
): Promise<{ inputs: { input: InputFile; bytes: number }[]; skipped: string[] }> {
  const prefix = `${UPLOADS_PREFIX}${table.name}/`;
  const inputs: { input: InputFile; bytes: number }[] = [];
  const skipped: string[] = [];
  const accepted = await acceptedUploads(ctx.curatedDir, table.name);
  // No record at all of the table's uploads (the curated zone lost, or restored without _state/): the files are
  // read as the upload check takes them by name, said so — a lake rebuilt from its raw zone alone loses no upload.
  const byName = accepted.size === 0;
  if (byName)
    logger.warn(
      'rebuild: no record of accepted uploads (curated _state/uploads/): every upload of the table is read by its name',
      { table: table.name },
    );
  const reasons: { key: string; reason: string }[] = [];
  for (const rel of await listFiles(path.join(ctx.rawDir, prefix))) {
    const key = prefix + rel;
    const file = path.join(ctx.rawDir, ...key.split('/'));
    const reason =
      notAnUpload(key, table.name) ?? (byName ? undefined : await notAccepted(accepted, key, file));
    if (reason !== undefined) {
      skipped.push(key);
      reasons.push({ key, reason });
      continue;
    }
    const { format, gz } = inputFormat(key);
    inputs.push({ input: { key, file, format, gz }, bytes: (await fs.stat(file)).size });
  }
  if (byName && inputs.length) {
    // Recorded as accepted before any is read: a later rebuild (or this one run again) reads them again, even when
    // uploads checked since have records of their own.
    const record: RestoredUploads = {
      table: table.name,
      runId: ctx.runId,
      // On the clock the runs' results are stamped by (uploads.ts processedAt): the order they were loaded in.
      restoredAt: new Date().toISOString(),
      uploads: [],
    };
    // One file at a time (a dataset may hold thousands of uploads: no file descriptor each at once).
    for (const { input } of inputs) record.uploads.push({ key: input.key, etag: await md5File(input.file) });
    await writeFileDurably(
      path.join(ctx.curatedDir, ...restoredUploadsKey(ctx.runId).split('/')),
      JSON.stringify(record),
      { exclusive: false },
    );
  }
  if (reasons.length)
    logger.warn("rebuild: files under the dataset's uploads/ not read", {
      table: table.name,
      count: reasons.length,
      skipped: reasons.slice(0, SKIPPED_REASONS_LOGGED),
    });
  return { inputs, skipped };
}

/** How many skipped files the rebuild's warning names, with their reasons (the summary lists their keys). */
const SKIPPED_REASONS_LOGGED = 20;

export async function runRebuild(
  ctx: RunContext,
  table: TableDef,
  maxBatchBytes: number,
): Promise<RebuildTaken> {
  const plan = buildPlan(table);
  const tally = emptyFigures(plan);
  let inputs: string[] = [];
  let skipped: string[];
  // This rebuild run again (its process died): the objects whose batches are in already are not read again.
  const progress = await openProgress<ReloadProgress>(ctx, rebuildingStateKey(table.name), async () => ({
    runId: ctx.runId,
    done: [],
  }));
  const notDone = (key: string) => !progress.done.has(key);
  if (table.kind === 'events') {
    const all = (await rawEventObjects(ctx, table)).sort(
      (a, b) => byCodePoint(a.date, b.date) || byCodePoint(a.key, b.key),
    );
    // One delivered after the run read its tables is left to the next compaction (events.ts runEvents says why).
    const objects = all.filter((o) => deliveredBeforeTables(ctx, o));
    const prefix = rawEventsPrefix(table.name);
    // Listed as skipped: those delivered after the run read its tables too (the next compaction takes them).
    const read = new Set(objects.map((o) => o.key));
    skipped = (await listFiles(path.join(ctx.rawDir, prefix)))
      .map((r) => prefix + r)
      .filter((k) => !read.has(k));
    resumedNote(
      table.name,
      progress,
      objects.map((o) => o.key),
    );
    inputs = await loadRawEvents(
      ctx,
      table,
      objects.filter((o) => notDone(o.key)),
      maxBatchBytes,
      tally,
      { reload: true },
      skipped,
      progress.outcome,
    );
  } else {
    const uploads = await uploadsOf(ctx, table);
    skipped = uploads.skipped;
    resumedNote(
      table.name,
      progress,
      uploads.inputs.map((u) => u.input.key),
    );
    const toRead = uploads.inputs.filter((u) => notDone(u.input.key));
    inputs.push(
      ...(await reloadInBatches(ctx, table, plan, toRead, maxBatchBytes, tally, skipped, progress.outcome)),
    );
  }
  // The partitions no raw object went to: rewritten from their rows (renamed columns filled), in bounded groups.
  const untouched = (await tablePartitions(ctx.curatedDir, plan)).filter(
    (p) => !tally.partitions.has(p.name),
  );
  let partitionsRewritten = 0;
  for (const group of bySize(untouched, maxBatchBytes)) {
    const figures = await runBatch(ctx, table, plan, [], { reload: true, rewrite: group.map((p) => p.name) });
    addFigures(tally, figures);
    partitionsRewritten += figures.partitions.length;
  }
  await progress.close();
  const listed = listedPartitions(skipped); // sorted, capped as partitions are
  return {
    inputs,
    tally,
    rebuild: {
      table: table.name,
      sources: inputs.length,
      skipped: listed.partitions,
      skippedCount: listed.partitionCount,
      partitionsRewritten,
      figures: tableFigures(tally),
    },
  };
}

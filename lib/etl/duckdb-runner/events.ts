/**
 * Mode 'events': the pending raw event objects of each table, compacted in batches of bounded size, with the
 * compaction manifests that record which objects are in the table. The raw objects and manifests of a table serve
 * replays and rebuilds too.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableDef } from '../../catalog/tables';
import { rawEventsFormat } from '../../layout';
import { buildPlan } from '../plan';
import { arrivalDateOf, compactionManifestKey, rawEventsPrefix } from '../plans';
import { logger } from '../../logger';
import { withoutCutGzip } from './gzip-check';
import { runBatch, type BatchOptions, type RunContext } from './batch';
import { listsVersion, readManifest, type BatchOutcome, type Manifest } from './batch-outcome';
import { bySize } from './batching';
import { failed, UnreadableInput } from './errors';
import { addFigures, emptyFigures, type TableTally } from './figures';
import { listFiles } from './fs-util';
import { writtenAfterTablesRead } from './tables-read';
import type { InputFile } from './readers/types';
import { byCodePoint } from '../../code-point-order';

/** A raw event object of a table: its key, arrival date, size and when it was written. */
export interface RawEventObject {
  key: string;
  date: string;
  bytes: number;
  modifiedMs: number;
}

/**
 * What tells a raw event object from another written under its key later (the compaction manifests record it): its
 * size, as the Glue job's (object_versions). A copy, a restore or a touch keeps it, where a modification time (or an
 * ETag under SSE-KMS) would have every object compacted again, its rejected rows recorded twice; an object put again
 * with other records all but always has another.
 */
const versionOf = (o: RawEventObject) => String(o.bytes);

/**
 * Whether a key is named as a delivery object: the declared extension, and a name that does not start with '_' —
 * the Glue job's Spark drops such a file from its listing even when its path is given (it would read no row of it,
 * and record it compacted): neither runtime compacts one (Firehose never names one so). resources/glue/etl_job.py
 * delivery_name.
 */
const deliveryName = (key: string) =>
  key.endsWith(rawEventsFormat.extension) && !key.slice(key.lastIndexOf('/') + 1).startsWith('_');

/** The warning for raw event objects no compaction takes (misnamed), as both runtimes log it. */
export const MISNAMED_WARNING = `raw event objects whose names do not end in ${rawEventsFormat.extension}, or start with '_' (Spark reads no such file), are not compacted: rename them`;

/**
 * Every raw event object of a table (delivery objects: named as one, deliveryName; no hidden segment), in key order;
 * the keys of other objects not hidden (no compaction takes them: an object moved back from errors/ as .jsonl) are
 * added to `misnamed` when given.
 */
export async function rawEventObjects(
  ctx: RunContext,
  table: TableDef,
  misnamed?: string[],
): Promise<RawEventObject[]> {
  const prefix = rawEventsPrefix(table.name);
  const visible = (await listFiles(path.join(ctx.rawDir, prefix)))
    .map((rel) => prefix + rel)
    .filter((k) => !k.split('/').some((s) => s.startsWith('.')));
  const keys = visible.filter(deliveryName);
  misnamed?.push(...visible.filter((k) => !deliveryName(k)));
  const out: RawEventObject[] = [];
  for (const key of keys) {
    const date = arrivalDateOf(key);
    if (!date) throw failed(`raw event object '${key}' has no arrival_date in its key`);
    const stat = await fs.stat(path.join(ctx.rawDir, key));
    out.push({ key, date, bytes: stat.size, modifiedMs: stat.mtimeMs });
  }
  return out;
}

/**
 * Whether a raw event object was written (delivered) before the run read its tables: one written after may hold events
 * accepted under a schema changed since, and is left to the next run (runEvents, rebuild.ts).
 */
export const deliveredBeforeTables = (ctx: RunContext, o: RawEventObject) =>
  !writtenAfterTablesRead(ctx, o.modifiedMs);

/** A raw event object as an input: the declared format of raw event objects (their names do not tell it). */
export const rawEventInput = (ctx: RunContext, key: string): InputFile => ({
  key,
  file: path.join(ctx.rawDir, ...key.split('/')),
  format: rawEventsFormat.format,
  gz: rawEventsFormat.gzip,
});

/**
 * Which of a table's raw event objects its compaction manifests list at the version they are now (compacted): one
 * listed at another version was written again under its key after it was compacted (an operator's second recovery
 * under a name used before) and is compacted again, its events deduplicated by id.
 */
export async function compactedObjects(
  ctx: RunContext,
  table: TableDef,
  objects: RawEventObject[],
): Promise<(o: RawEventObject) => boolean> {
  const manifests = new Map<string, { manifest: Manifest; listed: Set<string> }>();
  // None yet: nothing processed. Another shape is damaged, named (the Glue job's read_manifest the same): read as
  // empty, the whole day would be compacted again.
  for (const date of [...new Set(objects.map((o) => o.date))].sort()) {
    const manifest = await readManifest(path.join(ctx.curatedDir, compactionManifestKey(table.name, date)));
    manifests.set(date, { manifest, listed: new Set(manifest.processed) });
  }
  return (o) => {
    const m = manifests.get(o.date)!;
    return listsVersion(m.manifest, m.listed, o.key, versionOf(o));
  };
}

/**
 * A batch's objects as the keys to add to each manifest: recorded with the batch's swap (batch-outcome.ts), only once
 * their rows are in the table.
 */
function manifestAdditions(table: TableDef, batch: RawEventObject[]): NonNullable<BatchOutcome['manifests']> {
  const byDate = new Map<string, RawEventObject[]>();
  for (const p of batch) byDate.set(p.date, [...(byDate.get(p.date) ?? []), p]);
  return [...byDate]
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([date, objects]) => ({
      key: compactionManifestKey(table.name, date),
      processed: objects.map((o) => o.key),
      versions: Object.fromEntries(objects.map((o) => [o.key, versionOf(o)])),
    }));
}

/**
 * Runs raw event objects of a table through its plan in batches of bounded size, adding each batch to the manifests
 * with the batch's swap, once its rows are in the table (a crash before re-runs those objects: deduplicated by event id).
 */
export async function loadRawEvents(
  ctx: RunContext,
  table: TableDef,
  objects: RawEventObject[],
  maxBatchBytes: number,
  tally: TableTally,
  opts: BatchOptions = {},
  skipped?: string[],
  /** More that a batch of these keys came to, recorded with its swap beside the manifests (a rebuild's progress). */
  outcome?: (keys: string[]) => BatchOutcome,
): Promise<string[]> {
  const plan = buildPlan(table);
  const compacted = await compactedObjects(ctx, table, objects);
  const inputs: string[] = [];
  // Read again (a rebuild): the objects a compaction took first, then those none took yet, whose conflicting copies
  // of an id are recorded as a compaction records them (batch.ts).
  const groups = opts.reload
    ? [
        { objects: objects.filter(compacted), opts },
        { objects: objects.filter((o) => !compacted(o)), opts: { ...opts, conflicts: true } },
      ]
    : [{ objects, opts }];
  for (const group of groups)
    for (const all of bySize(group.objects, maxBatchBytes)) {
      // An object that is not a whole gzip stream is skipped, as an upload's is (reload.ts; the Glue job too: Spark
      // would fail the whole run), checked batch by batch: read again, it is listed in `skipped`; compacted, it is
      // named in a warning and stays pending, so that it does not stop its table's compaction and those after it.
      const batch = await withoutCutGzip(
        all.map((o) => ({ ...o, file: path.join(ctx.rawDir, ...o.key.split('/')) })),
        () => rawEventsFormat.gzip,
        opts.reload ? skipped : undefined,
        opts.reload
          ? undefined
          : (key, problem) =>
              logger.warn('a raw event object that cannot be read as rows is skipped; it stays pending', {
                table: table.name,
                key,
                problem,
              }),
      );
      if (!batch.length) continue;
      const figures = await runBatch(
        ctx,
        table,
        plan,
        batch.map((p) => rawEventInput(ctx, p.key)),
        {
          ...group.opts,
          outcome: () => ({
            manifests: manifestAdditions(table, batch),
            ...outcome?.(batch.map((p) => p.key)),
          }),
        },
      ).catch((e: unknown) => {
        // A raw object that does not read fails the run, naming it (README "Damaged state files").
        if (e instanceof UnreadableInput) throw failed(`${table.name}: ${e.key}: ${e.message}`, e);
        throw e;
      });
      addFigures(tally, figures);
      inputs.push(...batch.map((p) => p.key));
    }
  return inputs;
}

export async function runEvents(
  ctx: RunContext,
  tables: TableDef[],
  maxBatchBytes: number,
): Promise<{ inputs: string[]; figures: TableTally[]; objectsLeft: number }> {
  const inputs: string[] = [];
  const figures: TableTally[] = [];
  let objectsLeft = 0;
  for (const table of [...tables].sort((a, b) => byCodePoint(a.name, b.name))) {
    const f = emptyFigures(buildPlan(table));
    figures.push(f);
    const misnamed: string[] = [];
    const objects = await rawEventObjects(ctx, table, misnamed);
    if (misnamed.length)
      logger.warn(MISNAMED_WARNING, {
        table: table.name,
        objects: misnamed.length,
        first: misnamed.sort()[0],
      });
    const compacted = await compactedObjects(ctx, table, objects);
    // Arrival order within a day (key order), days in order. An object delivered after the run read its tables may
    // hold events accepted under a schema changed since, which this run's plan would read without their new fields:
    // left to the next run, which reads the tables again (the Glue job the same, by LastModified).
    const notCompacted = objects.filter((o) => !compacted(o));
    const late = notCompacted.filter((o) => !deliveredBeforeTables(ctx, o));
    objectsLeft += late.length;
    if (late.length)
      logger.info('raw event objects written after the run read its tables are left for the next run', {
        table: table.name,
        objects: late.length,
        first: late[0]!.key,
        writtenAt: new Date(late[0]!.modifiedMs).toISOString(),
      });
    const pending = notCompacted
      .filter((o) => deliveredBeforeTables(ctx, o))
      .sort((a, b) => byCodePoint(a.date, b.date) || byCodePoint(a.key, b.key));
    inputs.push(...(await loadRawEvents(ctx, table, pending, maxBatchBytes, f)));
  }
  return { inputs, figures, objectsLeft };
}

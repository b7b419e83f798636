/**
 * Mode 'replay': the raw objects that rejected rows of a table came from, again through the current plan.
 *
 * The rejected files of the table (rejected/table_name=<t>/…) that no earlier replay took — nor this run wrote — are
 * read for their source_file keys; each raw object that still exists is read again: a dataset's as an upload would
 * be, an event type's regardless of the compaction manifests, both merged by reloadMergeSql (rows already curated
 * stay what they are, rows now valid arrive; rows that still fail go to this run's own rejected file, with their
 * current reason). Objects that no longer exist, and uploads replaced since their rows were rejected
 * (accepted-uploads.ts runsReplacedSince), are reported as missing, not read — an upload replaced by content that
 * had rejected rows of its own is reported and read again, for those. The files taken are recorded in
 * _state/replayed/<table>.json after the data is in; meanwhile _state/replaying/<table>.json holds what it took and
 * the objects whose batches are in (recorded with each batch's swap), so that the replay run again after a crash
 * reads only the rest: read again, their rows that still fail were recorded twice under its run id. A copy of an
 * event id recorded as a conflict is not recorded again (recorded-conflicts.ts): it counts among duplicates removed.
 */
import { writeFileDurably } from '../../durable-fs';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { TableDef } from '../../catalog/tables';
import { ID_CONFLICT_REASON } from '../event-conflicts';
import { buildPlan } from '../plan';
import {
  rejectedTablePrefix,
  replayedStateKey,
  replayingStateKey,
  type ReplayedState,
  type ReplayingState,
} from '../rejected';
import type { ReplaySummary } from '../run';
import { listedPartitions } from '../upload-queue';
import type { RunContext } from './batch';
import { EtlErrorName, EtlJobError } from './errors';
import { rawEventInput } from './events';
import { emptyFigures, tableFigures, type TableTally } from './figures';
import { damagedStateFile, listFiles, readJsonFile } from './fs-util';
import type { InputFile } from './readers/types';
import { recordedConflicts } from './recorded-conflicts';
import { reloadInBatches } from './reload';
import { openProgress, resumedNote } from './reload-progress';
import { resolveInputs, resolveObject } from './resolve-inputs';
import { queueRecords, runsReplacedSince } from './accepted-uploads';
import { md5File } from '../../objects/local';

export interface ReplayTaken {
  inputs: string[];
  tally: TableTally;
  replay: ReplaySummary;
}

/** The table's rejected files (curated keys), sorted: JSON files, no hidden names. */
export async function rejectedFiles(ctx: RunContext, table: string): Promise<string[]> {
  const prefix = rejectedTablePrefix(table);
  return (await listFiles(path.join(ctx.curatedDir, prefix)))
    .filter(
      (rel) => rel.endsWith('.json') && !rel.split('/').some((s) => s.startsWith('.') || s.startsWith('_')),
    )
    .map((rel) => prefix + rel);
}

/**
 * The distinct source_file keys of rejected files, sorted, each with the runs that rejected its rows; the records of
 * copies rejected for their event id (ID_CONFLICT_REASON) left out.
 */
async function sourcesOf(ctx: RunContext, files: string[]): Promise<Map<string, Set<string>>> {
  const sources = new Map<string, Set<string>>();
  for (const key of files) {
    const lines = readline.createInterface({
      input: createReadStream(path.join(ctx.curatedDir, key)),
      crlfDelay: Infinity,
    });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let r: { source_file?: unknown; run_id?: unknown; reason?: unknown };
      try {
        r = JSON.parse(line) as typeof r;
      } catch (e) {
        throw damagedStateFile(`${key} at line ${n}`, e);
      }
      // JSON, but no record (null, a number, an array): damaged as a line that is not JSON is.
      if (typeof r !== 'object' || r === null || Array.isArray(r))
        throw new Error(
          `${key} at line ${n} is damaged (not a rejected record: ${line.slice(0, 40)}); README "Damaged state ` +
            'files" says what to do with it',
        );
      if (typeof r.source_file !== 'string' || r.source_file === '') continue;
      // A copy whose event id names another, stored event is not replayed (no schema change can load it: the stored
      // row stays); read again, it was rejected again, and every later replay of the table failed on it.
      if (r.reason === ID_CONFLICT_REASON) continue;
      const runs = sources.get(r.source_file) ?? new Set<string>();
      if (typeof r.run_id === 'string') runs.add(r.run_id);
      sources.set(r.source_file, runs);
    }
  }
  return new Map([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A run's entry of ReplayedState.read as far as it reads ({key: ETag}), or {}. */
const readsOf = (entry: unknown): Record<string, string> =>
  typeof entry === 'object' && entry !== null && !Array.isArray(entry)
    ? Object.fromEntries(Object.entries(entry).filter(([, v]) => typeof v === 'string'))
    : {};

async function writeReplayedState(
  file: string,
  replayed: string[],
  read: NonNullable<ReplayedState['read']>,
): Promise<void> {
  const next: ReplayedState = { replayed, ...(Object.keys(read).length ? { read } : {}) };
  await writeFileDurably(file, JSON.stringify(next, null, 2) + '\n');
}

export async function runReplay(
  ctx: RunContext,
  table: TableDef,
  maxBatchBytes: number,
): Promise<ReplayTaken> {
  const plan = buildPlan(table);
  const tally = emptyFigures(plan);
  const stateFile = path.join(ctx.curatedDir, replayedStateKey(table.name));
  const state = await readJsonFile<ReplayedState>(stateFile);
  const replayed = new Set(Array.isArray(state?.replayed) ? state.replayed : []);
  const earlierReads =
    typeof state?.read === 'object' && state.read !== null && !Array.isArray(state.read) ? state.read : {};
  // This replay run again (its process died): the files it took, and the objects whose batches are in already.
  const progress = await openProgress<ReplayingState>(
    ctx,
    replayingStateKey(table.name),
    async () => ({
      runId: ctx.runId,
      taken: (await rejectedFiles(ctx, table.name)).filter(
        (k) => !replayed.has(k) && !ctx.rejectedWritten.has(k),
      ),
      done: [],
    }),
    (found) => Array.isArray(found.taken),
  );
  // A file taken that is gone since (moved aside as damaged: README "Damaged state files") is no longer read.
  const listedNow = new Set(progress.resumed ? await rejectedFiles(ctx, table.name) : progress.state.taken);
  const taken = progress.state.taken.filter((k) => listedNow.has(k));
  const { done } = progress;

  const present: { input: InputFile; bytes: number }[] = [];
  const missing: string[] = [];
  // An upload replaced since its rows were rejected is reported with the missing ones: reading the new content
  // cannot bring those rows back (they stay in the rejected store, with their reason).
  const records = table.kind === 'events' ? [] : await queueRecords(ctx.curatedDir, table.name);
  const sources = await sourcesOf(ctx, taken);
  const reads: Record<string, string> = {};
  resumedNote(table.name, progress, [...sources.keys()]);
  for (const [key, runs] of sources) {
    if (done.has(key)) continue;
    let input: InputFile;
    try {
      // Raw event objects have the declared format (their names do not tell it); uploads the one their name tells.
      input =
        table.kind === 'events'
          ? { ...rawEventInput(ctx, key), file: await resolveObject(ctx.rawDir, key) }
          : (await resolveInputs(ctx.rawDir, [key]))[0]!;
    } catch (e) {
      if (e instanceof EtlJobError && e.name === EtlErrorName.EntityNotFound) {
        missing.push(key);
        continue;
      }
      throw e;
    }
    if (table.kind !== 'events') {
      const etag = await md5File(input.file);
      // Rows of a run that read other content are gone with it: the upload is listed; it is read again only for
      // the runs that read what it holds now (an upload replaced by content with rejected rows of its own).
      const replaced = runsReplacedSince(records, key, runs, etag, earlierReads);
      if (replaced.length > 0) missing.push(key);
      if (replaced.length > 0 && replaced.length === runs.size) continue;
      // The content this run reads: the rows it rejects again come from it (ReplayedState.read).
      reads[key] = etag;
    }
    present.push({ input, bytes: (await fs.stat(input.file)).size });
  }

  // What this run reads, recorded before any batch (with what an attempt of it that died read: ReplayedState.read):
  // a replay that dies, or fails, after some of its batches has said which content their rows came from, and a later
  // replay tells an upload replaced since then.
  const runReads = { ...readsOf(earlierReads[ctx.runId]), ...reads };
  if (Object.keys(reads).length > 0)
    await writeReplayedState(stateFile, [...replayed], { ...earlierReads, [ctx.runId]: runReads });
  // A copy of an event id that now parses but says another thing than the stored row is recorded with that reason
  // (one recorded so already, in any rejected file of the table, is not): rows that still fail go to this run's
  // rejected file with their current reason.
  const recorded =
    table.kind === 'events'
      ? await recordedConflicts(
          ctx.curatedDir,
          await rejectedFiles(ctx, table.name),
          new Set(present.map((p) => p.input.key)),
          plan.primaryKey[0]!,
        )
      : [];
  // An object that no longer reads as rows (a gzip stream cut short) is reported with the missing ones: its rows
  // cannot come back from it.
  const unreadable: string[] = [];
  const inputs = await reloadInBatches(
    ctx,
    table,
    plan,
    present,
    maxBatchBytes,
    tally,
    unreadable,
    progress.outcome,
    { recorded },
  );
  missing.push(...unreadable);
  if (taken.length > 0)
    await writeReplayedState(stateFile, [...new Set([...replayed, ...taken])].sort(), {
      ...earlierReads,
      ...(Object.keys(runReads).length ? { [ctx.runId]: runReads } : {}),
    });
  await progress.close();
  const listed = listedPartitions(missing); // sorted, capped as partitions are
  return {
    inputs,
    tally,
    replay: {
      table: table.name,
      rejectedFiles: taken.length,
      sources: present.length - unreadable.length,
      missing: listed.partitions,
      missingCount: listed.partitionCount,
      figures: tableFigures(tally),
    },
  };
}

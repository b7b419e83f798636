/**
 * Reading raw objects again through a table's current plan (a replay, a rebuild): in batches of bounded size, each
 * an ordinary batch run with `reload` (the merge keeps the version of each key it would have kept anyway).
 */
import type { TableDef } from '../../catalog/tables';
import { logger } from '../../logger';
import type { EtlPlan } from '../plan';
import { runBatch, type RunContext } from './batch';
import type { BatchOutcome } from './batch-outcome';
import { bySize } from './batching';
import { InputReadFailed, UnreadableInput } from './errors';
import { addFigures, type TableTally } from './figures';
import { withoutCutGzip } from './gzip-check';
import type { InputFile } from './readers/types';
import type { RecordedConflict } from './recorded-conflicts';

/**
 * Runs `inputs` in batches of at most `maxBatchBytes`, adding each batch's figures to `tally`; the keys read. A file that
 * cannot be read as rows is left out and added to `skipped`.
 */
export async function reloadInBatches(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  inputs: { input: InputFile; bytes: number }[],
  maxBatchBytes: number,
  tally: TableTally,
  skipped: string[] = [],
  /** What a batch of these keys came to, recorded with its swap (batch-outcome.ts). */
  outcome?: (keys: string[]) => BatchOutcome,
  /**
   * Record copies of an event id with other data than the stored row (a replay's: their current reason), but for
   * those recorded so already.
   */
  conflicts: false | { recorded: readonly RecordedConflict[] } = false,
): Promise<string[]> {
  const read: string[] = [];
  for (const batch of bySize(inputs, maxBatchBytes)) {
    // A file that cannot be read as rows (a gzip stream cut short, a quote never closed) is skipped, as its own
    // upload failed: the batch runs again without it.
    const files = await withoutCutGzip(
      batch.map((b) => b.input),
      (f) => f.gz,
      skipped,
      (key, problem) => warnSkipped(table, key, { problem }),
    );
    read.push(...(await runReadable(ctx, table, plan, files, tally, skipped, outcome, conflicts)));
  }
  return read;
}

/** Runs `files` as one batch, without those that cannot be read (added to `skipped`); the keys read. */
async function runReadable(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  files: InputFile[],
  tally: TableTally,
  skipped: string[],
  outcome?: (keys: string[]) => BatchOutcome,
  conflicts: false | { recorded: readonly RecordedConflict[] } = false,
): Promise<string[]> {
  for (;;) {
    if (files.length === 0) return [];
    const keys = files.map((f) => f.key);
    try {
      addFigures(
        tally,
        await runBatch(ctx, table, plan, files, {
          reload: true,
          ...(conflicts ? { conflicts: true, recordedConflicts: conflicts.recorded } : {}),
          ...(outcome ? { outcome: () => outcome(keys) } : {}),
        }),
      );
      return keys;
    } catch (e) {
      if (e instanceof InputReadFailed && files.length > 1) {
        // DuckDB did not say which file: one by one.
        const read: string[] = [];
        for (const f of files)
          read.push(...(await runReadable(ctx, table, plan, [f], tally, skipped, outcome, conflicts)));
        return read;
      }
      if (!(e instanceof UnreadableInput)) throw e;
      warnSkipped(table, e.key, { reason: e.message });
      skipped.push(e.key);
      files = files.filter((f) => f.key !== e.key);
    }
  }
}

/** A raw object read again that does not read as rows is skipped, named (the Glue job's run_batches prints the same). */
const warnSkipped = (table: TableDef, key: string, why: { problem: string } | { reason: string }) =>
  logger.warn('a raw object that cannot be read as rows is skipped (its own run failed it too)', {
    table: table.name,
    key,
    ...why,
  });

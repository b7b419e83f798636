/**
 * Reading raw objects again through a table's current plan (a replay, a rebuild): in batches of bounded size, each
 * an ordinary batch run with `reload` (the merge keeps the version of each key it would have kept anyway).
 */
import type { TableDef } from '../../catalog/tables';
import type { EtlPlan } from '../plan';
import { runBatch, type RunContext } from './batch';
import { bySize } from './batching';
import { UnreadableInput } from './errors';
import { addFigures, type TableTally } from './figures';
import { withoutCutGzip } from './gzip-check';
import type { InputFile } from './readers/types';

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
): Promise<string[]> {
  const read: string[] = [];
  for (const batch of bySize(inputs, maxBatchBytes)) {
    // A file that cannot be read as rows (a gzip stream cut short, a quote never closed) is skipped, as its own
    // upload failed: the batch runs again without it.
    let files = await withoutCutGzip(
      batch.map((b) => b.input),
      (f) => f.gz,
      skipped,
    );
    for (;;) {
      if (files.length === 0) break;
      try {
        addFigures(tally, await runBatch(ctx, table, plan, files, { reload: true }));
        break;
      } catch (e) {
        if (!(e instanceof UnreadableInput)) throw e;
        skipped.push(e.key);
        files = files.filter((f) => f.key !== e.key);
      }
    }
    read.push(...files.map((f) => f.key));
  }
  return read;
}

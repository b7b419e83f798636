/**
 * Reading raw objects again through a table's current plan (a replay, a rebuild): in batches of bounded size, each
 * an ordinary batch run with `reload` (the merge keeps the version of each key it would have kept anyway).
 */
import type { TableDef } from '../../catalog/tables';
import type { EtlPlan } from '../plan';
import { runBatch, type RunContext } from './batch';
import { bySize } from './batching';
import { addFigures, type TableTally } from './figures';
import type { InputFile } from './readers/types';

/** Runs `inputs` in batches of at most `maxBatchBytes`, adding each batch's figures to `tally`; the keys read. */
export async function reloadInBatches(
  ctx: RunContext,
  table: TableDef,
  plan: EtlPlan,
  inputs: { input: InputFile; bytes: number }[],
  maxBatchBytes: number,
  tally: TableTally,
): Promise<string[]> {
  const read: string[] = [];
  for (const batch of bySize(inputs, maxBatchBytes)) {
    const files = batch.map((b) => b.input);
    addFigures(tally, await runBatch(ctx, table, plan, files, { reload: true }));
    read.push(...files.map((f) => f.key));
  }
  return read;
}

/**
 * The figures of a batch, and how they add up to a table's figures in the run summary and to an upload's result.
 */
import type { EtlPlan } from '../plan';
import type { EtlTableFigures } from '../run';
import { listedPartitions } from '../upload-queue';

/** One input object's share of a batch. */
export interface SourceFigures {
  rowsRead: number;
  rowsRejected: number;
  /** Its rows the merge kept whose key the table did not have (its share of the new keys: batch-counts.ts). */
  rowsWritten: number;
  partitions: string[];
}

export interface BatchFigures {
  rowsRead: number;
  rowsRejected: number;
  existingRows: number;
  mergedRows: number;
  partitions: string[];
  rejectedLocation?: string;
  /** By raw key (tables with a lake_source_file column). */
  sources?: Record<string, SourceFigures>;
}

/** A table's figures while a run adds batches to them: every partition is kept until the summary lists them. */
export interface TableTally extends Omit<EtlTableFigures, 'partitions' | 'partitionCount'> {
  partitions: Set<string>;
}

export function emptyFigures(plan: EtlPlan): TableTally {
  return {
    table: plan.table,
    schemaVersion: plan.version,
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    duplicatesRemoved: 0,
    partitions: new Set(),
    maxRejectedRatio: plan.maxRejectedRatio,
  };
}

export function addFigures(f: TableTally, b: BatchFigures): void {
  f.rowsRead += b.rowsRead;
  f.rowsRejected += b.rowsRejected;
  // New keys; never below 0 (a table an earlier version left with one key in two partitions has more stored rows
  // than keys, which the merge brings back to one).
  const written = Math.max(0, b.mergedRows - b.existingRows);
  f.rowsWritten += written;
  f.duplicatesRemoved += b.rowsRead - b.rowsRejected - written;
  for (const p of b.partitions) f.partitions.add(p);
  if (b.rejectedLocation) f.rejectedLocation = b.rejectedLocation;
}

/** The tally as the summary reports it: partitions listed up to the cap, with their count. */
export function tableFigures(f: TableTally): EtlTableFigures {
  return { ...f, ...listedPartitions([...f.partitions]) };
}

/** One tally per table, in the order of their first appearance: a run's parts that loaded the same table, added. */
export function combinedFigures(tallies: TableTally[]): TableTally[] {
  const byTable = new Map<string, TableTally>();
  for (const t of tallies) {
    const total = byTable.get(t.table);
    if (!total) {
      byTable.set(t.table, { ...t, partitions: new Set(t.partitions) });
      continue;
    }
    total.rowsRead += t.rowsRead;
    total.rowsWritten += t.rowsWritten;
    total.rowsRejected += t.rowsRejected;
    total.duplicatesRemoved += t.duplicatesRemoved;
    for (const p of t.partitions) total.partitions.add(p);
    if (t.rejectedLocation) total.rejectedLocation = t.rejectedLocation;
  }
  return [...byTable.values()];
}

type RejectedShare = {
  table: string;
  rowsRead: number;
  rowsRejected: number;
  rowsWritten: number;
  maxRejectedRatio: number;
};

/** A table's rejected share is above what it allows. */
export const rejectedAbove = (f: Omit<RejectedShare, 'table'>) =>
  f.rowsRead > 0 && f.rowsRejected / f.rowsRead > f.maxRejectedRatio;

/**
 * What the rejected-rows notice says (lib/etl/run.ts rejectedAbove): each table of `tables` above its threshold, once,
 * as "<table>: r of n rows rejected, above its maxRejectedRatio, w new rows loaded", "; "-joined ('' when none): each
 * table's own figures (the run's rowsWritten counts every table). The Glue job writes the same text
 * (rejected_above_text).
 */
export function rejectedAboveText(tables: RejectedShare[]): string {
  const named = new Set<string>();
  const out: string[] = [];
  for (const t of tables) {
    if (!rejectedAbove(t) || named.has(t.table)) continue;
    named.add(t.table);
    out.push(
      `${t.table}: ${t.rowsRejected} of ${t.rowsRead} rows rejected, above its maxRejectedRatio, ` +
        `${t.rowsWritten} new rows loaded`,
    );
  }
  return out.join('; ');
}

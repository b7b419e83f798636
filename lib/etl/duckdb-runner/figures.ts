/**
 * The figures of a batch, and how they add up to a table's figures in the run summary.
 */
import type { EtlPlan } from '../plan';
import type { EtlTableFigures } from '../run';

export interface BatchFigures {
  rowsRead: number;
  rowsRejected: number;
  existingRows: number;
  mergedRows: number;
  partitions: string[];
  rejectedLocation?: string;
}

export function emptyFigures(plan: EtlPlan): EtlTableFigures {
  return {
    table: plan.table,
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    duplicatesRemoved: 0,
    partitions: [],
    maxRejectedRatio: plan.maxRejectedRatio,
  };
}

export function addFigures(f: EtlTableFigures, b: BatchFigures): void {
  f.rowsRead += b.rowsRead;
  f.rowsRejected += b.rowsRejected;
  f.rowsWritten += b.mergedRows - b.existingRows;
  f.duplicatesRemoved += b.rowsRead - b.rowsRejected + b.existingRows - b.mergedRows;
  f.partitions = [...new Set([...f.partitions, ...b.partitions])].sort();
  if (b.rejectedLocation) f.rejectedLocation = b.rejectedLocation;
}

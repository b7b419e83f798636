/**
 * The names a renamed column had: what the catalog (table-from-schema.ts), ingest (lib/schema-registry.ts), the
 * upload check and the OpenAPI document all read a second rename by (C renamed from B, and B recorded as renamed
 * from A: C takes B, then A). No imports but a type's: every bundle may carry it.
 */

import type { ColumnDef } from './types';

/** What is read of a table's recorded history (schemas/history/<table>.json): its columns' renames. */
export interface RecordedRenames {
  columns: { name: string; renamedFrom?: string }[];
}

/**
 * The names a column renamed from `renamedFrom` had, newest first: renamedFrom, then what the history records that
 * one was renamed from, and so on.
 */
export function formerNamesOf(
  name: string,
  renamedFrom: string,
  history: RecordedRenames | null | undefined,
): string[] {
  const names: string[] = [];
  for (let prev: string | undefined = renamedFrom; prev && prev !== name && !names.includes(prev);) {
    names.push(prev);
    prev = history?.columns.find((c) => c.name === prev)?.renamedFrom;
  }
  return names;
}

/** A column's former names, newest first (the recorded chain, else its renamedFrom): the order the ETL reads them in. */
export const columnFormerNames = (c: Pick<ColumnDef, 'formerNames' | 'renamedFrom'>): string[] =>
  c.formerNames ?? (c.renamedFrom ? [c.renamedFrom] : []);

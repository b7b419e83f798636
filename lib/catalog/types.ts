/**
 * The lake's table model: what every curated table is, derived from schemas/ (lib/catalog/tables.ts) and recorded
 * in schemas/history/ (lib/catalog/history.ts). Types only.
 *
 * Types: string → string (date → date, date-time → timestamp), integer → bigint (or the width x-lake.type declares:
 * tinyint, smallint, int), a string with x-lake.type decimal(p,s) → decimal(p,s), number → double,
 * boolean → boolean; objects and arrays are kept as JSON text (string). See lib/catalog/lake-types.ts.
 */
import type { LakeType } from './lake-types';

export type { LakeType } from './lake-types';

/** The rules a value must meet (from its JSON Schema), as columns, the history and the schemas carry them. */
export interface ValueRules {
  enum?: (string | number | boolean)[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  /**
   * The property's other validation keywords (exclusiveMaximum, const, multipleOf, maxItems, format, the rules
   * inside a JSON column, …) as canonical JSON: the compatibility check cannot judge whether a change of them
   * narrows, so adding or changing one is refused (lib/catalog/other-rules.ts).
   */
  otherRules?: string;
}

export interface ColumnDef extends ValueRules {
  name: string;
  type: LakeType;
  /** Where the value comes from in an input row: a top-level field, or a path (events: ['data', 'x']). */
  source: string[];
  /**
   * Other places the value may come from, tried in order when `source` is absent: the old name of a renamed column
   * (x-lake.renamedFrom), so that files and events still using it fill the new column.
   */
  alternatives?: string[][];
  required: boolean;
  /** The value is JSON text of an object or array. */
  json?: boolean;
  /** The property's JSON type includes "null": an explicit null is accepted (and stored as NULL). */
  nullable?: true;
  description?: string;
  /** Added by the pipeline, not read from the input (lineage, schema version). */
  generated?: boolean;
  /** A generated column's value, the same for every row a plan writes (lake_schema_version). */
  constant?: number;
  /** Still in the schema, still accepted, kept; marked for consumers ("deprecated": true in the schema). */
  deprecated?: boolean;
  /**
   * No longer in the schema (x-lake.retired, or renamed): never written again, but kept in the table with the
   * values stored before (a schema change never removes a stored value).
   */
  retired?: boolean;
  /** This column is the new name of `renamedFrom` (x-lake.renamedFrom). */
  renamedFrom?: string;
  /**
   * Every name the column had before, newest first, through the recorded renames (C renamed from B, B from A:
   * [B, A]): its alternatives, and where a rewrite takes a stored value from when the column has none.
   */
  formerNames?: string[];
  /**
   * The table version that recorded this column's rename (x-lake.renamedFrom), or the one the local lake first used
   * it at before it was recorded (lib/catalog/schema-check.ts renamesInUseSince): rows written from then on hold its
   * own value (null included: a value cleared on purpose) and take none from its former names. Absent while the
   * rename is neither recorded nor used (the version being built is the first that writes it).
   */
  renamedInVersion?: number;
  /**
   * For each of formerNames, the table version that recorded its rename away (to the next newer name; the first is
   * renamedInVersion): only rows written before it hold their value under that name. Null where none records it.
   */
  formerNameVersions?: (number | null)[];
  /**
   * A retired column whose leaving the schema did not declare (neither x-lake.retired nor a rename): kept all the
   * same, and refused by the compatibility check (lib/catalog/compat.ts). Not part of the history.
   */
  undeclared?: boolean;
}

export interface PartitionKeyDef {
  name: string;
  type: 'string';
  /** The column whose UTC date (yyyy-MM-dd) is the partition value. */
  fromColumn: string;
}

export type UploadFormat = 'csv' | 'json' | 'jsonl' | 'parquet';

export interface TableDef {
  name: string;
  kind: 'events' | 'dataset';
  description: string;
  columns: ColumnDef[];
  partitionKeys: PartitionKeyDef[];
  primaryKey: string[];
  /** Among rows with the same key, the one with the greatest value here wins (ties: the newest input). */
  latestBy?: string;
  /** Key prefix of the table in the curated bucket (ends with '/'). */
  prefix: string;
  /** Accepted upload formats (datasets). */
  formats: UploadFormat[];
  maxFileBytes: number;
  /** Share of rejected rows above which a run is reported as REJECTED_ROWS_ABOVE_THRESHOLD. */
  maxRejectedRatio: number;
  /**
   * The schema version of the table (schemas/history/<table>.json): what every row it writes records in
   * lake_schema_version. The recorded version, or the next one while a compatible change is not recorded yet.
   */
  version: number;
  /** A table this one is the new major version of (x-lake.supersedes): both stay queryable. */
  supersedes?: string;
  /**
   * An event type whose data takes keys it does not declare (its schema's additionalProperties is not false): events
   * accepted under it may carry any key with any value, so a property added later is refused (lib/catalog/compat.ts).
   */
  takesUndeclaredKeys?: true;
  /**
   * The schema's keywords about the whole record that the check does not judge rule by rule ($defs, allOf, if/then,
   * dependentRequired, minProperties, patternProperties, …: lib/catalog/other-rules.ts tableRulesOf), as canonical
   * JSON: one added or changed may narrow and is refused, one removed relaxes.
   */
  tableRules?: string;
}

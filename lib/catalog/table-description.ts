/**
 * What GET /tables answers (lib/catalog/describe.ts makes it on both runtimes). Types only, without imports: the
 * console (console/) reads the same declarations.
 */

export interface ColumnDescription {
  name: string;
  /** The Hive/Athena type: string, bigint, double, boolean, date, timestamp. */
  type: string;
  /** Required in the schema (present in every row the schema accepts). */
  required: boolean;
  /** JSON text of an object or array (Athena: json_extract on it). */
  json?: true;
  /** The column's comment in the catalog (at most 255 characters). */
  description?: string;
  deprecated?: true;
  /** No longer in the schema: kept with the values stored before. */
  retired?: true;
  /** The column's former name: rows written before the rename had their value under it. */
  renamedFrom?: string;
  /** Added by the lake (lineage, schema version), not read from the input. */
  generated?: true;
}

export interface PartitionKeyDescription {
  name: string;
  type: string;
  /** The column whose UTC date (yyyy-MM-dd) is the partition value (absent: lake_rejected's table_name). */
  from?: string;
}

export interface TableDescription {
  name: string;
  /** events and dataset: the lake's tables (schemas/); rejected: lake_rejected, the rows the ETL rejected. */
  kind: 'events' | 'dataset' | 'rejected';
  description: string;
  version: number;
  supersedes?: string;
  location: string;
  partitionKeys: PartitionKeyDescription[];
  primaryKey: string[];
  latestBy?: string;
  columns: ColumnDescription[];
}

export interface TableListing {
  database: string;
  tables: TableDescription[];
}

/**
 * What the ETL engines make of a Parquet schema's types, at any depth of a column: the types Glue's Spark 3.5 cannot
 * read at all (its ParquetToSparkSchemaConverter refuses the whole file, "Illegal Parquet type"), and the values
 * nested in a struct, list or map that the engines write into a JSON column as different JSON — the local runner
 * with DuckDB's to_json, the Glue job with Spark's to_json (JacksonGenerator).
 */
import type { parquetSchema, SchemaElement } from 'hyparquet';

export type SchemaNode = ReturnType<typeof parquetSchema>;

/** The logical type's name; legacy converted types by the name of the logical type that replaced them. */
export function logicalName(el: SchemaElement): string | undefined {
  const lt = el.logical_type as { type?: string } | undefined;
  if (lt) {
    if (lt.type === 'NULL') return 'UNKNOWN'; // the Parquet specification's name of the null type
    if (lt.type) return lt.type;
    // A logical type this reader does not know: hyparquet leaves its Thrift struct ({ field_<id>: … }).
    const id = Object.keys(lt)
      .map((k) => /^field_(\d+)$/.exec(k)?.[1])
      .find(Boolean);
    return `LOGICAL_${id ?? '?'}`;
  }
  const converted = el.converted_type;
  if (!converted) return undefined;
  if (converted.startsWith('TIMESTAMP_')) return 'TIMESTAMP';
  if (converted === 'UTF8') return 'STRING';
  if (converted.startsWith('INT_') || converted.startsWith('UINT_')) return 'INTEGER';
  if (converted.startsWith('TIME_')) return 'TIME';
  return converted;
}

/**
 * Whether Spark 3.5 reads a Parquet type (a leaf's physical type, undefined for a group, and its logical type). As
 * its schema converter: an annotation on BOOLEAN, FLOAT, DOUBLE or INT96 is not looked at; INT32 takes integers,
 * DATE and DECIMAL; INT64 integers, DECIMAL and TIMESTAMP (not in nanoseconds: ParquetColumn.nanosecondTimestamps);
 * BYTE_ARRAY text (STRING, ENUM, JSON), BSON and DECIMAL; FIXED_LEN_BYTE_ARRAY DECIMAL; a group LIST and MAP. Any
 * other annotation is an illegal type to it: TIME (DuckDB writes TIME and TIMETZ so), UUID, INTERVAL, FLOAT16, the null
 * type UNKNOWN (pyarrow writes a column of nulls so), VARIANT, GEOMETRY, GEOGRAPHY, and any type newer than this
 * reader (LOGICAL_<id>). A whitelist: a type Spark 3.5 does not know is one it cannot read.
 */
export function sparkReads(physical: string | undefined, logical: string | undefined): boolean {
  if (logical === undefined) return true;
  switch (physical) {
    case undefined:
      return ['LIST', 'MAP', 'MAP_KEY_VALUE'].includes(logical);
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
    case 'INT96':
      return true;
    case 'INT32':
      return ['INTEGER', 'DATE', 'DECIMAL'].includes(logical);
    case 'INT64':
      return ['INTEGER', 'DECIMAL', 'TIMESTAMP'].includes(logical);
    case 'BYTE_ARRAY':
      return ['STRING', 'ENUM', 'JSON', 'BSON', 'DECIMAL'].includes(logical);
    case 'FIXED_LEN_BYTE_ARRAY':
      return logical === 'DECIMAL';
    default:
      return false;
  }
}

/** A Parquet type Spark 3.5 cannot read, as the upload check names it. */
export const describeUnreadable = (logical: string): string =>
  logical === 'TIME' ? 'TIME (of day)' : logical === 'UNKNOWN' ? 'UNKNOWN (the null type)' : logical;

/** Whether a schema node or a node under it is TIMESTAMP(NANOS). */
export function holdsNanosecondTimestamps(node: SchemaNode): boolean {
  const lt = node.element?.logical_type as { type?: string; unit?: string } | undefined;
  if (lt?.type === 'TIMESTAMP' && lt.unit === 'NANOS') return true;
  return node.children.some(holdsNanosecondTimestamps);
}

/** A field under a column (its path inside the column) of a type Spark 3.5 cannot read. */
export interface NestedUnreadable {
  path: string;
  logical: string;
}

/** Under a group: the first field, group or leaf, whose type Spark 3.5 cannot read (sparkReads). */
export function nestedSparkUnreadable(node: SchemaNode, path: string[] = []): NestedUnreadable | undefined {
  for (const child of node.children) {
    const el = child.element;
    const at = [...path, el.name];
    const group = child.children.length > 0;
    const logical = logicalName(el);
    if (logical !== undefined && !sparkReads(group ? undefined : el.type, logical))
      return { path: at.join('.'), logical };
    const inner = group ? nestedSparkUnreadable(child, at) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/**
 * A value under a column (its path inside the column) that the engines write into a JSON column as different JSON: a
 * timestamp (DuckDB '2026-01-01 10:00:00+00', Spark '2026-01-01T10:00:00.000Z') or bytes (DuckDB as text, Spark in
 * base64).
 */
export interface NestedJsonDifference {
  path: string;
  type: 'timestamp' | 'binary';
}

/** Under a group: the first leaf whose JSON the engines write differently (NestedJsonDifference). */
export function nestedJsonDiffers(node: SchemaNode, path: string[] = []): NestedJsonDifference | undefined {
  for (const child of node.children) {
    const el = child.element;
    const at = [...path, el.name];
    if (child.children.length > 0) {
      const inner = nestedJsonDiffers(child, at);
      if (inner) return inner;
      continue;
    }
    const logical = logicalName(el);
    if (logical === 'TIMESTAMP' || el.type === 'INT96') return { path: at.join('.'), type: 'timestamp' };
    const bytes = el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY';
    if (bytes && !['STRING', 'ENUM', 'JSON', 'DECIMAL'].includes(logical ?? ''))
      return { path: at.join('.'), type: 'binary' };
  }
  return undefined;
}

/**
 * What the ETL engines make of a Parquet schema's types, at any depth of a column: the types Glue's Spark 3.5 cannot
 * read at all (its ParquetToSparkSchemaConverter refuses the whole file, "Illegal Parquet type"), and the values
 * nested in a struct, list or map that the engines write into a JSON column as different JSON — the local runner
 * with DuckDB's to_json, the Glue job with Spark's to_json (JacksonGenerator).
 */
import type { parquetSchema, SchemaElement } from 'hyparquet';
import { decimalBeyondEngines, type DecimalBeyondEngines } from './parquet-decimals';

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
  /** A DECIMAL of more digits than the engines read (./parquet-decimals.ts). */
  decimal?: DecimalBeyondEngines;
}

/**
 * Under a group: the first field, group or leaf, whose type Spark 3.5 cannot read (sparkReads), or a DECIMAL of more
 * digits than it reads there.
 */
export function nestedSparkUnreadable(node: SchemaNode, path: string[] = []): NestedUnreadable | undefined {
  for (const child of node.children) {
    const el = child.element;
    const at = [...path, el.name];
    const group = child.children.length > 0;
    const logical = logicalName(el);
    if (logical !== undefined && !sparkReads(group ? undefined : el.type, logical))
      return { path: at.join('.'), logical };
    const decimal = group ? undefined : decimalBeyondEngines(el);
    if (decimal) return { path: at.join('.'), logical: 'DECIMAL', decimal };
    const inner = group ? nestedSparkUnreadable(child, at) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/**
 * The type of a map's keys that the engines write as different JSON object keys. DuckDB's to_json writes a key as
 * its cast to text; Spark's JacksonGenerator as the key's internal value's toString:
 *  - date: '2026-01-01'; Spark the day count since 1970 ('20454');
 *  - timestamp (and INT96): '2026-01-01 10:00:00'; Spark the microseconds since 1970 ('1767261600000000');
 *  - float (FLOAT, DOUBLE): '1e-05'; Spark Java's '1.0E-5' (and '10000000.0' against '1.0E7');
 *  - decimal of scale above 6: '0.00000005'; Spark Java's BigDecimal '5E-8' (at scale 6 or less both plain digits);
 *  - bytes: as text; Spark the Java array's name ('[B@1b6d3586');
 *  - nested (a struct, list or map as the key): DuckDB's text of it, Spark its internal row's.
 * Text (STRING, ENUM, JSON), integers of any width and BOOLEAN keys are the same text on both.
 */
export type MapKeyType = 'date' | 'timestamp' | 'float' | 'decimal' | 'bytes' | 'nested';

/**
 * A value under a column (its path inside the column) that the engines write into a JSON column as different JSON:
 *  - timestamp (and INT96): DuckDB '2026-01-01 10:00:00+00', Spark '2026-01-01T10:00:00.000Z';
 *  - binary (bytes without a text annotation, BSON): DuckDB as text, Spark in base64;
 *  - float (a 32-bit FLOAT): DuckDB widens it to a double (0.10000000149011612), Spark writes the float (0.1);
 *  - json (BYTE_ARRAY annotated JSON): DuckDB writes the JSON value it holds ({"a":1}), Spark a string of its text
 *    ("{\"a\":1}": its reader takes JSON as a string);
 *  - mapKey: a map's keys of a type written as different text (MapKeyType).
 * DECIMAL, DOUBLE, integers, BOOLEAN, DATE and text are the same JSON value on both (a decimal's or double's text may
 * differ, 5E-8 against 0.00000005, as docs/sql-dialect.md says of JSON numbers).
 */
export type NestedJsonDifference =
  | { path: string; type: 'timestamp' | 'binary' | 'float' | 'json' }
  | { path: string; type: 'mapKey'; keyType: MapKeyType };

const isMap = (logical: string | undefined) => logical === 'MAP' || logical === 'MAP_KEY_VALUE';

/** A map key's type the engines write as different text, or undefined (MapKeyType). */
function mapKeyDiffers(key: SchemaNode): MapKeyType | undefined {
  if (key.children.length > 0) return 'nested';
  const el = key.element;
  const logical = logicalName(el);
  if (el.type === 'INT96' || logical === 'TIMESTAMP') return 'timestamp';
  if (el.type === 'FLOAT' || el.type === 'DOUBLE') return 'float';
  if (logical === 'DATE') return 'date';
  if (logical === 'DECIMAL') {
    const lt = el.logical_type;
    const scale = lt?.type === 'DECIMAL' ? lt.scale : el.scale;
    return (scale ?? 0) > 6 ? 'decimal' : undefined;
  }
  const bytes = el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY';
  if (bytes && !['STRING', 'ENUM', 'JSON'].includes(logical ?? '')) return 'bytes';
  return undefined;
}

/** A leaf value's type the engines write as different JSON, or undefined (NestedJsonDifference). */
function valueDiffers(el: SchemaElement): 'timestamp' | 'binary' | 'float' | 'json' | undefined {
  const logical = logicalName(el);
  if (logical === 'TIMESTAMP' || el.type === 'INT96') return 'timestamp';
  if (el.type === 'FLOAT') return 'float';
  if (logical === 'JSON') return 'json';
  const bytes = el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY';
  if (bytes && !['STRING', 'ENUM', 'DECIMAL'].includes(logical ?? '')) return 'binary';
  return undefined;
}

/**
 * Under a group: the first value or map key whose JSON the engines write differently (NestedJsonDifference).
 * `keyValue`: the node is a map's repeated key_value group, whose first field is the key (a MAP_KEY_VALUE annotation
 * on it, as older writers put, is no map of its own: Spark reads the map from the group above).
 */
export function nestedJsonDiffers(
  node: SchemaNode,
  path: string[] = [],
  keyValue = false,
): NestedJsonDifference | undefined {
  const key = keyValue ? node.children[0] : undefined;
  const map = !keyValue && isMap(logicalName(node.element));
  for (const child of node.children) {
    const at = [...path, child.element.name];
    if (child === key) {
      const keyType = mapKeyDiffers(child);
      if (keyType) return { path: at.join('.'), type: 'mapKey', keyType };
      continue;
    }
    if (child.children.length > 0) {
      const inner = nestedJsonDiffers(child, at, map);
      if (inner) return inner;
      continue;
    }
    const type = valueDiffers(child.element);
    if (type) return { path: at.join('.'), type };
  }
  return undefined;
}

/**
 * The Parquet check: the footer's schema (2-3 range reads, ./parquet.ts) names the dataset's columns, with physical
 * and logical types each column's values can be read from exactly, written with encodings and codecs the Glue job's
 * reader decodes; a file of no rows is empty.
 */
import { decimalOf, isIntegerType } from '../catalog/lake-types';
import type { ColumnDef } from '../catalog/tables';
import type { Dataset } from '../dataset-registry';
import type { ObjectStore } from '../objects/types';
import { checkColumnNames, columnsByName } from './check-columns';
import { headerMismatch, malformed } from './findings';
import { type ParquetColumn, ParquetFormatError, readParquetFooter } from './parquet';
import { decimalBeyondEnginesText } from './parquet-decimals';
import { describeUnreadable, type NestedJsonDifference, sparkReads } from './parquet-types';
import { type Finding, type SampleLimits, UploadErrorCode } from './types';

const describeParquetType = (c: ParquetColumn) =>
  c.group
    ? `a nested ${c.logical ?? 'group'}`
    : `Parquet ${c.physical ?? '?'}${c.logical ? ` (${c.logical})` : ''}`;

const UNREADABLE = ': the Glue job (Spark 3.5) cannot read it (the local engine could)';
const DECIMAL_INSTEAD =
  'write it with at most 38 digits (in a BYTE_ARRAY or a FIXED_LEN_BYTE_ARRAY of 16 bytes; 18 in INT64, 9 in INT32), or the';

/** How the engines write a nested value into a JSON column (NestedJsonDifference), and what to write instead. */
function nestedJsonProblem(d: NestedJsonDifference): string {
  const at = `in its field ${d.path}: the ETL engines write `;
  switch (d.type) {
    case 'timestamp':
      return (
        `holds a timestamp ${at}it into the JSON column as different text (the local engine ` +
        "'2026-01-01 10:00:00+00', the Glue job (Spark) '2026-01-01T10:00:00.000Z'); write that field as a string in " +
        'the file'
      );
    case 'binary':
      return (
        `holds bytes ${at}them into the JSON column as different text (the local engine as text, the Glue job ` +
        '(Spark) in base64); write that field as a string in the file'
      );
    case 'float':
      return (
        `holds a 32-bit float (Parquet FLOAT) ${at}it into the JSON column as different numbers (the local engine ` +
        'widens it to a double, 0.10000000149011612, the Glue job (Spark) writes the float, 0.1); write that field ' +
        'as a DOUBLE in the file'
      );
    case 'json':
      return (
        `holds JSON text (Parquet JSON) ${at}it into the JSON column as different values (the local engine the ` +
        'JSON value it holds, {"a":1}, the Glue job (Spark) a string of its text, "{\\"a\\":1}"); write that ' +
        'field as a string (Parquet STRING) or as a struct in the file'
      );
    case 'mapKey':
      return (
        `holds a map whose keys are ${MAP_KEYS[d.keyType]} ${at}them into the JSON column as different object ` +
        "keys; write the map's keys as text in the file"
      );
  }
}

/** A map's keys the engines write as different text (MapKeyType), with how each writes them. */
const MAP_KEYS = {
  date: "dates (the local engine '2026-01-01', the Glue job (Spark) the day count '20454')",
  timestamp:
    "timestamps (the local engine '2026-01-01 10:00:00', the Glue job (Spark) the microseconds '1767261600000000')",
  float: "floating-point numbers (the local engine '1e-05', the Glue job (Spark) '1.0E-5')",
  decimal: "decimals of scale above 6 (the local engine '0.00000005', the Glue job (Spark) '5E-8')",
  bytes: "bytes (the local engine as text, the Glue job (Spark) a Java object's name, '[B@1b6d3586')",
  nested: 'structs, lists or maps (each engine writes its own text of them)',
} as const;

/** Why a Parquet column cannot hold a lake column's values, or undefined if it can. */
export function parquetTypeProblem(pc: ParquetColumn, col: ColumnDef): string | undefined {
  const p = pc.physical;
  const l = pc.logical;
  if (pc.nanosecondTimestamps)
    return (
      'holds timestamps in nanoseconds (Parquet TIMESTAMP(NANOS)): the Glue job (Spark 3.5) cannot read them, and ' +
      'the lake keeps at most microseconds; write them in microseconds or milliseconds'
    );
  if (!sparkReads(p, l)) return `is Parquet ${describeUnreadable(l!)}${UNREADABLE}; write the column as text`;
  if (pc.decimalBeyondEngines)
    return `is ${decimalBeyondEnginesText(pc.decimalBeyondEngines)}; ${DECIMAL_INSTEAD} column as text`;
  if (pc.nestedSparkUnreadable) {
    const { path, logical, decimal } = pc.nestedSparkUnreadable;
    if (decimal)
      return `holds ${decimalBeyondEnginesText(decimal)} in its field ${path}; ${DECIMAL_INSTEAD} field as text`;
    return `holds Parquet ${describeUnreadable(logical)} in its field ${path}${UNREADABLE}; write that field as text`;
  }
  const text = p === 'BYTE_ARRAY' && (l === undefined || l === 'STRING' || l === 'ENUM' || l === 'JSON');
  if (col.json && pc.nestedJsonDiffers) return nestedJsonProblem(pc.nestedJsonDiffers);
  if (col.json)
    return pc.group || text
      ? undefined
      : `is ${describeParquetType(pc)}; it holds JSON (a struct, list or text)`;
  if (pc.group) return `is ${describeParquetType(pc)}; it holds a ${col.type}`;
  const integer = (p === 'INT32' || p === 'INT64') && (l === undefined || l === 'INTEGER');
  const decimal = l === 'DECIMAL';
  // Integers of any width, and integral decimals: the ETL checks each value against the column's range.
  if (isIntegerType(col.type))
    return text || integer || (decimal && (pc.scale ?? 0) === 0)
      ? undefined
      : `is ${describeParquetType(pc)}; it holds a ${col.type}`;
  // Decimals and integers are read as their exact text; a FLOAT or DOUBLE is not (a double holds no 0.1).
  if (decimalOf(col.type))
    return text || integer || decimal
      ? undefined
      : `is ${describeParquetType(pc)}; it holds a ${col.type}, which a binary floating-point value cannot give exactly`;
  let ok = false;
  switch (col.type) {
    case 'string':
      if (p === 'FLOAT' || p === 'DOUBLE')
        return (
          `is ${describeParquetType(pc)}; a floating-point value written as text differs between the engines (the ` +
          "Glue job writes Java's 1.0E-5, the local engine 1e-05): write the column as text, or declare it a number"
        );
      ok = true;
      break;
    case 'double':
      ok = text || integer || decimal || p === 'FLOAT' || p === 'DOUBLE';
      break;
    case 'boolean':
      ok = text || p === 'BOOLEAN';
      break;
    case 'date':
      ok = text || l === 'DATE';
      break;
    case 'timestamp':
      ok = text || l === 'TIMESTAMP' || p === 'INT96';
      break;
  }
  return ok ? undefined : `is ${describeParquetType(pc)}; it holds a ${col.type}`;
}

/** Checks a Parquet upload's framing and footer schema (2-3 range reads). */
export async function checkParquetUpload(
  store: ObjectStore,
  key: string,
  size: number,
  ds: Dataset,
  limits: SampleLimits,
): Promise<Finding | null> {
  let footer;
  try {
    footer = await readParquetFooter(
      { size, read: (s, e) => store.getRange('raw', key, s, e) },
      limits.parquetTailBytes,
      limits.parquetMaxFooterBytes,
    );
  } catch (e) {
    if (e instanceof ParquetFormatError) return malformed(`not a readable Parquet file: ${e.message}`);
    throw e;
  }
  const names = footer.columns.map((c) => c.name);
  const header = checkColumnNames(names, ds, { what: 'Parquet column' });
  if (header) return header;
  const byName = columnsByName(ds);
  for (let i = 0; i < footer.columns.length; i++) {
    const pc = footer.columns[i]!;
    const problem = parquetTypeProblem(pc, byName.get(pc.name)!);
    if (problem) return headerMismatch(`column '${pc.name}' ${problem}`, { column: i + 1, field: pc.name });
  }
  for (let i = 0; i < footer.columns.length; i++) {
    const name = footer.columns[i]!.name;
    const chunk = footer.sparkUnreadableChunks.get(name);
    if (!chunk) continue;
    return headerMismatch(
      'encoding' in chunk
        ? `column '${name}' is written with the ${chunk.encoding} encoding${UNREADABLE}; write the file without it ` +
            "(DuckDB: PARQUET_VERSION 'V1', the default; pyarrow: use_byte_stream_split=False)"
        : `column '${name}' is compressed with ${chunk.codec}${UNREADABLE}; write the file with snappy, gzip or zstd`,
      { column: i + 1, field: name },
    );
  }
  if (footer.numRows === 0n)
    return { code: UploadErrorCode.EmptyFile, message: 'the Parquet file has no rows' };
  return null;
}

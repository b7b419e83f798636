/**
 * The ETL transformation, defined once: SQL generated from a table's definition (lib/catalog/tables.ts) in the
 * dialect that Spark SQL (the Glue job, resources/glue/etl_job.py) and DuckDB (the local Glue runner) share.
 * Each engine only reads the input into a view and writes the results; every typing, rejection and
 * deduplication rule is in these statements.
 *
 * How an engine runs a plan:
 *  1. Read the input files into a view `raw_input` with one VARCHAR/STRING column per `input.columns` entry (the
 *     value at `path` in the row; nested objects/arrays as JSON text; absent → NULL) plus the columns
 *     `lake_source_file` (the object key) and `lake_ingested_at` (run start, ISO-8601 UTC).
 *  2. `typed`     := typedSql over raw_input: the table's columns typed, the partition column, reject_reason.
 *  3. rejectedSql over typed: the rows that failed, with their raw values (as JSON text) and the reason.
 *  4. `incoming`  := SELECT * FROM typed WHERE reject_reason IS NULL.
 *  5. `existing`  := the table's current rows in the partitions incoming touches (empty if none).
 *  6. mergeSql over incoming and existing: one row per primary key; these rows replace those partitions.
 *
 * Dialect rules kept by the generator: unquoted identifiers (checked by the catalog), string literals without
 * quotes or backslashes, regexp_like (native in Spark, a macro in DuckDB), TRY_CAST, CONCAT_WS, NULLIF,
 * ROW_NUMBER() OVER, UNION ALL. Timestamps are UTC: accepted with a trailing Z, +00:00 or no offset.
 */
import type { ColumnDef, TableDef } from '../catalog/tables';

export interface EtlPlan {
  table: string;
  kind: TableDef['kind'];
  input: { columns: { name: string; path: string[] }[] };
  /** Table columns in order, then partition keys. */
  outputColumns: string[];
  partitionKeys: string[];
  primaryKey: string[];
  prefix: string;
  maxRejectedRatio: number;
  typedSql: string;
  rejectedSql: string;
  mergeSql: string;
}

/** Statements an engine runs before a plan: DuckDB needs regexp_like, which Spark SQL has built in. */
export const DUCKDB_PRELUDE = ['CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)'];

// Years 1000-9999 (year 0 is 1 BC in DuckDB and would name a partition '0001-01-01 (BC)'); hours 00-23 (DuckDB
// reads 24:00:00 as the next day, Spark as invalid).
const DATE_RE = '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$';
/**
 * Dataset timestamps are UTC: a trailing Z, +00:00, or no offset (taken as UTC). Other offsets are refused by both
 * engines (DuckDB's TIMESTAMP cast would silently drop them) and by validateUpload's sample check, which uses this
 * same pattern (lib/dataset-registry.ts).
 */
export const UTC_TIMESTAMP_RE =
  '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?(Z|[+]00:00)?$';
const TIMESTAMP_RE = UTC_TIMESTAMP_RE;
const BIGINT_RE = '^-?[0-9]{1,18}$';
const DOUBLE_RE = '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$';

function literal(value: string | number | boolean, where: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (/['\\]/.test(value))
    throw new Error(`${where}: values used in ETL checks cannot contain quotes or backslashes`);
  return `'${value}'`;
}

interface ColumnRule {
  /** Typed value expression (NULL when invalid). */
  value: string;
  /** Conditions (on the raw text `v`) under which the row is rejected, with their reasons. */
  problems: [condition: string, reason: string][];
}

function rule(c: ColumnDef): ColumnRule {
  const v = c.name; // the raw text column in raw_input
  const where = `column ${c.name}`;
  const problems: [string, string][] = [];
  let valid: string;
  let value: string;
  switch (c.type) {
    case 'bigint':
      valid = `regexp_like(${v}, ${literal(BIGINT_RE, where)})`;
      value = `CAST(${v} AS BIGINT)`;
      problems.push([`NOT ${valid}`, 'not an integer']);
      break;
    case 'double':
      valid = `regexp_like(${v}, ${literal(DOUBLE_RE, where)})`;
      value = `CAST(${v} AS DOUBLE)`;
      problems.push([`NOT ${valid}`, 'not a number']);
      break;
    case 'boolean':
      valid = `lower(${v}) IN ('true', 'false')`;
      value = `(lower(${v}) = 'true')`;
      problems.push([`NOT ${valid}`, 'not true or false']);
      break;
    case 'date':
      valid = `(regexp_like(${v}, ${literal(DATE_RE, where)}) AND TRY_CAST(${v} AS DATE) IS NOT NULL)`;
      value = `TRY_CAST(${v} AS DATE)`;
      problems.push([`NOT ${valid}`, 'not a date (yyyy-MM-dd)']);
      break;
    case 'timestamp':
      valid = `(regexp_like(${v}, ${literal(TIMESTAMP_RE, where)}) AND TRY_CAST(${v} AS TIMESTAMP) IS NOT NULL)`;
      value = `TRY_CAST(${v} AS TIMESTAMP)`;
      problems.push([`NOT ${valid}`, 'not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.fff][Z|+00:00])']);
      break;
    case 'string':
      valid = 'true';
      value = v;
      break;
  }
  if (c.enum) {
    const values = c.enum.map((e) => literal(String(e), where)).join(', ');
    problems.push([`${v} NOT IN (${values})`, `not one of ${c.enum.join(', ')}`]);
  }
  if (c.pattern)
    problems.push([`NOT regexp_like(${v}, ${literal(c.pattern, where)})`, `does not match ${c.pattern}`]);
  if (c.maxLength !== undefined)
    problems.push([`length(${v}) > ${c.maxLength}`, `longer than ${c.maxLength}`]);
  if (c.minimum !== undefined && (c.type === 'bigint' || c.type === 'double')) {
    problems.push([`${valid} AND ${value} < ${literal(c.minimum, where)}`, `less than ${c.minimum}`]);
  }
  if (c.maximum !== undefined && (c.type === 'bigint' || c.type === 'double')) {
    problems.push([`${valid} AND ${value} > ${literal(c.maximum, where)}`, `greater than ${c.maximum}`]);
  }
  return { value: `CASE WHEN ${v} IS NOT NULL AND ${valid} THEN ${value} END`, problems };
}

export function buildPlan(table: TableDef): EtlPlan {
  const inputColumns = table.columns.filter((c) => !c.generated);
  const reasons: string[] = [];
  const selects: string[] = [];
  for (const c of inputColumns) {
    const r = rule(c);
    selects.push(`${r.value} AS ${c.name}`);
    if (c.required) reasons.push(`CASE WHEN ${c.name} IS NULL THEN '${c.name}: required' END`);
    for (const [cond, reason] of r.problems) {
      reasons.push(
        `CASE WHEN ${c.name} IS NOT NULL AND (${cond}) THEN ${literal(`${c.name}: ${reason}`, c.name)} END`,
      );
    }
  }
  for (const c of table.columns.filter((x) => x.generated)) {
    selects.push(
      c.type === 'timestamp' ? `CAST(${c.name} AS TIMESTAMP) AS ${c.name}` : `${c.name} AS ${c.name}`,
    );
  }
  const typedByName = new Map(inputColumns.map((c) => [c.name, rule(c).value]));
  for (const p of table.partitionKeys) {
    const source = typedByName.get(p.fromColumn);
    if (!source) throw new Error(`${table.name}: partition source ${p.fromColumn} is not an input column`);
    selects.push(`CAST(CAST(${source} AS DATE) AS STRING) AS ${p.name}`);
  }
  const rawColumns = [...inputColumns.map((c) => c.name), 'lake_source_file'];
  const typedSql = [
    'SELECT',
    '  ' + selects.join(',\n  ') + ',',
    `  NULLIF(CONCAT_WS('; ',\n    ${reasons.join(',\n    ')}), '') AS reject_reason,`,
    '  ' + rawColumns.map((n) => `${n} AS raw_${n}`).join(', '),
    'FROM raw_input',
  ].join('\n');

  const outputColumns = [...table.columns.map((c) => c.name), ...table.partitionKeys.map((p) => p.name)];
  const rejectedSql = [
    'SELECT',
    '  ' + rawColumns.map((n) => `raw_${n} AS ${n}`).join(', ') + ',',
    '  reject_reason',
    'FROM typed',
    'WHERE reject_reason IS NOT NULL',
  ].join('\n');

  // Which copy of a key wins: datasets — the greatest latestBy, then the newest run, then the last file name;
  // events — the first received (a repeated id is the same event sent again).
  const order =
    table.kind === 'events'
      ? 'received_at ASC, lake_rank ASC'
      : [
          table.latestBy ? `${table.latestBy} DESC NULLS LAST` : null,
          'lake_ingested_at DESC',
          'lake_source_file DESC',
          'lake_rank ASC',
        ]
          .filter(Boolean)
          .join(', ');
  const cols = outputColumns.join(', ');
  const mergeSql = [
    `SELECT ${cols}`,
    'FROM (',
    `  SELECT ${cols}, ROW_NUMBER() OVER (PARTITION BY ${table.primaryKey.join(', ')} ORDER BY ${order}) AS lake_row`,
    '  FROM (',
    `    SELECT ${cols}, 0 AS lake_rank FROM existing`,
    '    UNION ALL',
    `    SELECT ${cols}, 1 AS lake_rank FROM incoming`,
    '  ) candidates',
    ') ranked',
    'WHERE lake_row = 1',
  ].join('\n');

  return {
    table: table.name,
    kind: table.kind,
    input: { columns: inputColumns.map((c) => ({ name: c.name, path: c.source })) },
    outputColumns,
    partitionKeys: table.partitionKeys.map((p) => p.name),
    primaryKey: table.primaryKey,
    prefix: table.prefix,
    maxRejectedRatio: table.maxRejectedRatio,
    typedSql,
    rejectedSql,
    mergeSql,
  };
}

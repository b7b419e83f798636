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
 *  3. rejectedSql[engine] over typed, `lake_malformed` (the records that did not parse: lake_source_file,
 *     reject_reason, raw_record — their text) and `lake_run` (one row: run_id, rejected_at — the run start): one
 *     record per rejected row (lib/etl/rejected.ts REJECTED_COLUMNS), the raw values of a row that failed typing as
 *     a JSON object by input column name. The one expression the engines spell differently: DuckDB's
 *     to_json(struct_pack(...)) and Spark's to_json(struct(...)) write the same text (tests/etl/rejected-records.test.ts).
 *  4. `incoming`  := SELECT * FROM typed WHERE reject_reason IS NULL.
 *  5. `existing`  := existingSql over lake_existing_files, the table's current rows in the partitions incoming
 *                    touches (empty if none), every output column (NULL where a file lacks it).
 *  6. mergeSql over incoming and existing: one row per primary key; these rows replace those partitions. Runs that
 *     read raw objects again (replay, rebuild) use reloadMergeSql: the same rules, except that among copies of a key
 *     equal by latestBy the one from the object the table's row came from wins, and retired columns keep the values
 *     the table's row stored (a re-read never changes which version of a key the table keeps, nor loses a value; it
 *     only re-types the row).
 *
 * Dialect rules kept by the generator: unquoted identifiers (checked by the catalog), string literals without
 * quotes (backslashes are literal in both: Spark runs with escapedStringLiterals), regular expressions in the common
 * subset of RE2 and Java with ECMAScript's meaning (lib/etl/portable-regex.ts), regexp_like (native in Spark, a
 * macro in DuckDB), TRY_CAST, CONCAT_WS, NULLIF,
 * ROW_NUMBER() OVER, UNION ALL. Timestamps are UTC: accepted with a trailing Z, +00:00 or no offset.
 */
import type { ColumnDef, TableDef } from '../catalog/tables';
import { PatternError, portablePattern } from './portable-regex';
import { decimalOf, isIntegerType, isNumericType, sqlType, type DecimalType } from '../catalog/lake-types';
import {
  NOT_AN_INTEGER,
  NOT_A_DECIMAL,
  decimalOutOfRange,
  decimalScaleExceeded,
  integerOutOfRange,
} from '../catalog/value-checks';
import {
  DATE_PATTERN,
  DECIMAL_PATTERN,
  DOUBLE_PATTERN,
  INTEGER_PATTERN,
  UTC_TIMESTAMP_RE,
  decimalScalePattern,
} from './value-patterns';

export { UTC_TIMESTAMP_RE };

export interface EtlPlan {
  table: string;
  kind: TableDef['kind'];
  /** The table's schema version: every row the plan writes records it in lake_schema_version. */
  version: number;
  input: { columns: { name: string; path: string[] }[] };
  /** Table columns in order, then partition keys. */
  outputColumns: string[];
  partitionKeys: string[];
  primaryKey: string[];
  prefix: string;
  maxRejectedRatio: number;
  typedSql: string;
  /** Input columns whose raw text a rejected row keeps in raw_record (typed has them as raw_<name>). */
  rawRecordColumns: string[];
  /** The rejected records, per engine (the raw_record expression differs, its text does not). */
  rejectedSql: Record<SqlDialect, string>;
  /** `existing` from the view lake_existing_files (the table's current rows, every output column). */
  existingSql: string;
  mergeSql: string;
  /** mergeSql for raw objects read again (replay, rebuild). */
  reloadMergeSql: string;
}

export type SqlDialect = 'duckdb' | 'spark';

/** Statements an engine runs before a plan: DuckDB needs regexp_like, which Spark SQL has built in. */
export const DUCKDB_PRELUDE = ['CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)'];

const DATE_RE = portablePattern(DATE_PATTERN);
const TIMESTAMP_RE = portablePattern(UTC_TIMESTAMP_RE);
const INTEGER_RE = portablePattern(INTEGER_PATTERN);
const DECIMAL_RE = portablePattern(DECIMAL_PATTERN);
const DOUBLE_RE = portablePattern(DOUBLE_PATTERN);

/**
 * An SQL string literal both engines read the same: DuckDB takes backslashes literally, and so does Spark with
 * spark.sql.parser.escapedStringLiterals (set by the Glue job). Quotes would need engine-specific escaping: refused.
 */
function literal(value: string | number | boolean, where: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value.includes("'")) throw new Error(`${where}: values used in ETL checks cannot contain quotes`);
  return `'${value}'`;
}

/** A schema's pattern for regexp_like in both engines (lib/etl/portable-regex.ts), or an error naming the column. */
function patternLiteral(pattern: string, where: string): string {
  try {
    return literal(portablePattern(pattern), where);
  } catch (e) {
    if (e instanceof PatternError) throw new Error(`${where}: ${e.message}`);
    throw e;
  }
}

interface ColumnRule {
  /**
   * The typed value, from the raw text column of raw_input; NULL when the text is absent or invalid. For every type
   * but string, present text gives NULL exactly when it is invalid: integer and decimal texts are TRY_CAST behind
   * their pattern (NULL beyond the width's range in both engines; a decimal's scale is checked before, so the cast
   * never rounds a value the row keeps), a DOUBLE cast of a matching text never fails (huge values give Infinity),
   * date and timestamp are TRY_CAST behind their pattern, boolean takes only true/false.
   */
  typed: string;
  /**
   * Conditions under which the row is rejected, with their reasons, over the raw text `raw` and the typed value
   * `typed` (columns of typedSql's inner SELECT); checked only when the text is present.
   */
  problems: [condition: string, reason: string][];
}

function rule(c: ColumnDef, raw: string, typed: string, text: string): ColumnRule {
  const v = text; // the raw text in raw_input (the column, or its first present source)
  const where = `column ${c.name}`;
  const problems: [string, string][] = [];
  let value: string;
  if (isIntegerType(c.type)) {
    // Any number of digits; the width's range is the cast's (exact: TRY_CAST is NULL beyond it, never wraps).
    const integer = (x: string) => `regexp_like(${x}, ${literal(INTEGER_RE, where)})`;
    value = `CASE WHEN ${integer(v)} THEN TRY_CAST(${v} AS ${sqlType(c.type)}) END`;
    // A text that is not an integer is never cast (typed IS NULL): tested first, a valid row skips both regexes.
    problems.push([`${typed} IS NULL AND NOT ${integer(raw)}`, NOT_AN_INTEGER]);
    problems.push([`${typed} IS NULL AND ${integer(raw)}`, integerOutOfRange(c.type)]);
    return withRules(c, raw, typed, value, problems);
  }
  const decimal = decimalOf(c.type);
  if (decimal) {
    // Plain notation only; more decimal places than the scale are refused (never rounded), then the cast's range.
    const t = c.type as DecimalType;
    const syntax = (x: string) => `regexp_like(${x}, ${literal(DECIMAL_RE, where)})`;
    const scale = `regexp_like(${raw}, ${literal(portablePattern(decimalScalePattern(decimal.scale)), where)})`;
    value = `CASE WHEN ${syntax(v)} THEN TRY_CAST(${v} AS ${sqlType(c.type)}) END`;
    problems.push([`NOT ${syntax(raw)}`, NOT_A_DECIMAL]);
    problems.push([`${syntax(raw)} AND NOT ${scale}`, decimalScaleExceeded(t)]);
    problems.push([`${syntax(raw)} AND ${scale} AND ${typed} IS NULL`, decimalOutOfRange(t)]);
    return withRules(c, raw, typed, value, problems);
  }
  switch (c.type) {
    case 'double':
      value = `CASE WHEN regexp_like(${v}, ${literal(DOUBLE_RE, where)}) THEN CAST(${v} AS DOUBLE) END`;
      problems.push([`${typed} IS NULL`, 'not a number']);
      break;
    case 'boolean':
      value = `CASE lower(${v}) WHEN 'true' THEN true WHEN 'false' THEN false END`;
      problems.push([`${typed} IS NULL`, 'not true or false']);
      break;
    case 'date':
      value = `CASE WHEN regexp_like(${v}, ${literal(DATE_RE, where)}) THEN TRY_CAST(${v} AS DATE) END`;
      problems.push([`${typed} IS NULL`, 'not a date (yyyy-MM-dd)']);
      break;
    case 'timestamp':
      value = `CASE WHEN regexp_like(${v}, ${literal(TIMESTAMP_RE, where)}) THEN TRY_CAST(${v} AS TIMESTAMP) END`;
      problems.push([`${typed} IS NULL`, 'not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.fff][Z|+00:00])']);
      break;
    case 'string':
      value = v;
      break;
    default:
      throw new Error(`${where}: no ETL typing for type ${c.type}`);
  }
  return withRules(c, raw, typed, value, problems);
}

/** The schema's own rules (enum, pattern, maxLength, minimum, maximum) added to a column's typing problems. */
function withRules(
  c: ColumnDef,
  raw: string,
  typed: string,
  value: string,
  problems: [string, string][],
): ColumnRule {
  const where = `column ${c.name}`;
  if (c.enum) {
    const values = c.enum.map((e) => literal(String(e), where)).join(', ');
    problems.push([`${raw} NOT IN (${values})`, `not one of ${c.enum.join(', ')}`]);
  }
  if (c.pattern)
    problems.push([
      `NOT regexp_like(${raw}, ${patternLiteral(c.pattern, where)})`,
      `does not match ${c.pattern}`,
    ]);
  if (c.maxLength !== undefined)
    problems.push([`length(${raw}) > ${c.maxLength}`, `longer than ${c.maxLength}`]);
  // A NULL typed value (invalid text) makes these conditions NULL: only valid numbers are compared.
  if (c.minimum !== undefined && isNumericType(c.type)) {
    problems.push([`${typed} < ${literal(c.minimum, where)}`, `less than ${c.minimum}`]);
  }
  if (c.maximum !== undefined && isNumericType(c.type)) {
    problems.push([`${typed} > ${literal(c.maximum, where)}`, `greater than ${c.maximum}`]);
  }
  return { typed: value, problems };
}

/** The raw_input column of a column's n-th alternative source (x-lake.renamedFrom). */
const alternativeName = (c: ColumnDef, n: number) => `lake_alt_${c.name}_${n + 1}`;

export function buildPlan(table: TableDef): EtlPlan {
  // Read from the input: the schema's columns. Retired ones are written NULL (their stored values stay, in
  // existing rows); generated ones are the pipeline's own.
  const inputColumns = table.columns.filter((c) => !c.generated && !c.retired);
  const retiredColumns = table.columns.filter((c) => c.retired);
  const generatedColumns = table.columns.filter((c) => c.generated);
  const rawColumns = [...inputColumns.map((c) => c.name), 'lake_source_file'];
  // The raw text of a column: its own source, else its alternatives in order (a renamed column's old name).
  const text = (c: ColumnDef) =>
    c.alternatives?.length
      ? `COALESCE(${[c.name, ...c.alternatives.map((_, i) => alternativeName(c, i))].join(', ')})`
      : c.name;
  // typedSql is three SELECTs so that every pattern check and cast runs once per row: the inner one types each
  // input column (under its own name, its raw text as raw_<name>), the middle one derives the partition keys and
  // the reasons from those columns, the outer one keeps the raw texts of rejected rows only (the rejected records
  // are all that reads them; a valid row carries none of its text twice). (Spark keeps the projections apart: it
  // does not collapse projections whose expressions would be computed twice; DuckDB does not inline them.)
  // The reasons are spelled out only for a row that fails a check: `failing` is the same conditions OR'ed, which
  // both engines evaluate with short-circuit, and a check of a typed column tests the cheap `<typed> IS NULL` before
  // any pattern, so a valid row costs one evaluation of each check (README: Benchmark, where the ETL time goes).
  const inner: string[] = [];
  const reasons: string[] = [];
  const failing: string[] = [];
  for (const c of inputColumns) {
    const raw = `raw_${c.name}`;
    const r = rule(c, raw, c.name, text(c));
    inner.push(`${r.typed} AS ${c.name}`);
    if (c.required) {
      reasons.push(`CASE WHEN ${raw} IS NULL THEN '${c.name}: required' END`);
      failing.push(`${raw} IS NULL`);
    }
    for (const [cond, reason] of r.problems) {
      reasons.push(
        `CASE WHEN ${raw} IS NOT NULL AND (${cond}) THEN ${literal(`${c.name}: ${reason}`, c.name)} END`,
      );
      failing.push(`(${raw} IS NOT NULL AND (${cond}))`);
    }
  }
  for (const c of generatedColumns) {
    if (c.constant !== undefined)
      inner.push(`CAST(${literal(c.constant, c.name)} AS ${sqlType(c.type)}) AS ${c.name}`);
    else
      inner.push(
        c.type === 'timestamp' ? `CAST(${c.name} AS TIMESTAMP) AS ${c.name}` : `${c.name} AS ${c.name}`,
      );
  }
  inner.push(
    ...inputColumns.map((c) => `${text(c)} AS raw_${c.name}`),
    'lake_source_file AS raw_lake_source_file',
  );
  const outer = [
    ...inputColumns.map((c) => c.name),
    ...retiredColumns.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS ${c.name}`),
    ...generatedColumns.map((c) => c.name),
  ];
  const inputNames = new Set(inputColumns.map((c) => c.name));
  for (const p of table.partitionKeys) {
    if (!inputNames.has(p.fromColumn))
      throw new Error(`${table.name}: partition source ${p.fromColumn} is not an input column`);
    outer.push(`CAST(CAST(${p.fromColumn} AS DATE) AS STRING) AS ${p.name}`);
  }
  const outerNames = outer.map((e) => e.slice(e.lastIndexOf(' ') + 1));
  const rejectReason =
    reasons.length > 0
      ? `CASE WHEN ${failing.join('\n      OR ')}\n    THEN NULLIF(CONCAT_WS('; ',\n      ${reasons.join(',\n      ')}), '') END`
      : 'CAST(NULL AS STRING)';
  const typedSql = [
    'SELECT',
    '  ' + outerNames.join(', ') + ', reject_reason,',
    '  ' +
      rawColumns
        .map((n) =>
          n === 'lake_source_file'
            ? `raw_${n}`
            : `CASE WHEN reject_reason IS NOT NULL THEN raw_${n} END AS raw_${n}`,
        )
        .join(',\n  '),
    'FROM (',
    '  SELECT',
    '    ' + outer.join(',\n    ') + ',',
    `    ${rejectReason} AS reject_reason,`,
    '    ' + rawColumns.map((n) => `raw_${n}`).join(', '),
    '  FROM (',
    '    SELECT',
    '      ' + inner.join(',\n      '),
    '    FROM raw_input',
    '  ) lake_typed',
    ') lake_checked',
  ].join('\n');

  const outputColumns = [...table.columns.map((c) => c.name), ...table.partitionKeys.map((p) => p.name)];
  const rawRecordColumns = inputColumns.map((c) => c.name);
  const rejectedSql = {
    duckdb: rejectedRecordsSql(rawRecordSql('duckdb', rawRecordColumns), table.version),
    spark: rejectedRecordsSql(rawRecordSql('spark', rawRecordColumns), table.version),
  };

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
  const key = table.primaryKey.join(', ');
  const mergeSql = mergeStatement(cols, key, order);
  // Replay and rebuild: a copy from the object the table's row came from (lake_kept) wins over other copies equal by
  // latestBy, and a retired column — which no plan writes any more — keeps the value the table's row stored (a
  // re-read never loses one). Events keep the first received copy whatever was read again: mergeSql.
  const retired = table.columns.filter((c) => c.retired).map((c) => c.name);
  const reloadMergeSql =
    table.kind === 'events'
      ? mergeSql
      : mergeStatement(
          cols,
          key,
          [
            table.latestBy ? `${table.latestBy} DESC NULLS LAST` : null,
            'lake_kept DESC',
            'lake_ingested_at DESC',
            'lake_source_file DESC',
            'lake_rank ASC',
          ]
            .filter(Boolean)
            .join(', '),
          [
            `CASE WHEN lake_source_file = MAX(CASE WHEN lake_rank = 0 THEN lake_source_file END) OVER (PARTITION BY ${key}) THEN 1 ELSE 0 END AS lake_kept`,
            ...retired.map(
              (c) =>
                `MAX(CASE WHEN lake_rank = 0 THEN ${c} END) OVER (PARTITION BY ${key}) AS lake_stored_${c}`,
            ),
          ],
          Object.fromEntries(retired.map((c) => [c, `COALESCE(${c}, lake_stored_${c}) AS ${c}`])),
        );

  // The existing rows, as the engines read them from the table's files (view lake_existing_files, every output
  // column, NULL where a file lacks it): a renamed column takes its old column's stored value where it has none
  // (the old column keeps it too), so a rewritten partition carries old values into the new name.
  const existingSql = [
    'SELECT',
    '  ' +
      outputColumns
        .map((n) => {
          const c = table.columns.find((x) => x.name === n);
          return c?.renamedFrom ? `COALESCE(${n}, ${c.renamedFrom}) AS ${n}` : n;
        })
        .join(', '),
    'FROM lake_existing_files',
  ].join('\n');

  return {
    table: table.name,
    kind: table.kind,
    version: table.version,
    input: {
      columns: [
        ...inputColumns.map((c) => ({ name: c.name, path: c.source })),
        ...inputColumns.flatMap((c) =>
          (c.alternatives ?? []).map((path, i) => ({ name: alternativeName(c, i), path })),
        ),
      ],
    },
    outputColumns,
    partitionKeys: table.partitionKeys.map((p) => p.name),
    primaryKey: table.primaryKey,
    prefix: table.prefix,
    maxRejectedRatio: table.maxRejectedRatio,
    typedSql,
    rawRecordColumns,
    rejectedSql,
    existingSql,
    mergeSql,
    reloadMergeSql,
  };
}

/**
 * One row per primary key of existing ∪ incoming, the first by `order`, which may use `marks` (columns computed per
 * candidate); `output` replaces the expressions of some columns in the result.
 */
function mergeStatement(
  cols: string,
  key: string,
  order: string,
  marks: string[] = [],
  output: Record<string, string> = {},
): string {
  const names = cols.split(', ');
  const markNames = marks.map((m) => m.slice(m.lastIndexOf(' AS ') + 4));
  const candidates = [
    `SELECT ${cols}, 0 AS lake_rank FROM existing`,
    'UNION ALL',
    `SELECT ${cols}, 1 AS lake_rank FROM incoming`,
  ];
  const source = marks.length
    ? [
        '  FROM (',
        `    SELECT ${cols}, lake_rank, ${marks.join(', ')}`,
        '    FROM (',
        ...candidates.map((l) => `      ${l}`),
        '    ) candidates',
        '  ) marked',
      ]
    : ['  FROM (', ...candidates.map((l) => `    ${l}`), '  ) candidates'];
  const carried = markNames.filter((m) => Object.values(output).some((o) => o.includes(m)));
  return [
    `SELECT ${names.map((n) => output[n] ?? n).join(', ')}`,
    'FROM (',
    `  SELECT ${[cols, ...carried].join(', ')}, ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY ${order}) AS lake_row`,
    ...source,
    ') ranked',
    'WHERE lake_row = 1',
  ].join('\n');
}

/**
 * A rejected row's raw values as JSON text, {"<column>": "<raw text>" | null, ...} in input column order: DuckDB's
 * to_json of a struct, Spark's to_json of a struct with null fields kept. Both write compact JSON, escape '"', '\\'
 * and control characters alike (\b \t \n \f \r, others as \u00XX) and keep other characters as they are.
 */
export function rawRecordSql(dialect: SqlDialect, columns: string[]): string {
  return dialect === 'duckdb'
    ? `CAST(to_json(struct_pack(${columns.map((n) => `${n} := raw_${n}`).join(', ')})) AS STRING)`
    : `CAST(to_json(struct(${columns.map((n) => `raw_${n} AS ${n}`).join(', ')}), map('ignoreNullFields', 'false')) AS STRING)`;
}

/** The rejected records (lib/etl/rejected.ts REJECTED_COLUMNS) over typed, lake_malformed and lake_run. */
function rejectedRecordsSql(rawRecord: string, version: number): string {
  return [
    'SELECT',
    '  lake_run.run_id, lake_rejected_rows.source_file, lake_rejected_rows.reason, lake_rejected_rows.raw_record,',
    `  lake_run.rejected_at, CAST(${version} AS BIGINT) AS schema_version`,
    'FROM (',
    `  SELECT raw_lake_source_file AS source_file, reject_reason AS reason, ${rawRecord} AS raw_record`,
    '  FROM typed',
    '  WHERE reject_reason IS NOT NULL',
    '  UNION ALL',
    '  SELECT lake_source_file AS source_file, reject_reason AS reason, raw_record',
    '  FROM lake_malformed',
    ') lake_rejected_rows',
    'CROSS JOIN lake_run',
  ].join('\n');
}

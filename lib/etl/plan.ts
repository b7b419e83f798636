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
 *                    touches and in those that hold one of its keys under another partition value (empty if
 *                    none), every output column (NULL where a file lacks it).
 *  6. mergeSql over incoming and existing: one row per primary key, a dataset's retired columns keeping the values the
 *     table's row stored (no plan writes them: a file dropped again after a rename never erases one); these rows
 *     replace those partitions. Runs that read raw objects again (replay, rebuild) use reloadMergeSql: the same
 *     rules, except that among copies of a key equal by latestBy the one from the object the table's row came from
 *     wins (a re-read never changes which version of a key the table keeps, nor loses a value; it only re-types the
 *     row).
 *  7. Event tables: conflicts.countSql over incoming and `lake_merged` (mergeSql's rows): the incoming copies of an
 *     id whose data differs from the row kept for it (lib/etl/event-conflicts.ts); if any, conflicts.recordsSql[engine]
 *     (raw_input typed again, raw texts kept) gives their rejected records, written with those of 3.
 *
 * Dialect rules kept by the generator: unquoted identifiers (checked by the catalog), string literals without
 * quotes (backslashes are literal in both: Spark runs with escapedStringLiterals), regular expressions in the common
 * subset of RE2 and Java with ECMAScript's meaning (lib/etl/portable-regex.ts), regexp_like (native in Spark, a
 * macro in DuckDB), TRY_CAST, CONCAT_WS, NULLIF,
 * ROW_NUMBER() OVER, UNION ALL. Timestamps are UTC: accepted with a trailing Z, +00:00 or no offset.
 */
import type { ColumnDef, TableDef } from '../catalog/tables';
import { sqlType } from '../catalog/lake-types';
import { columnFormerNames } from '../catalog/former-names';
import { literal, nullRefusal, rule } from './column-rules';
import { refuseSharedPaths, withoutValueRules } from './plan-inputs';
import { conflictCountSql, conflictRowsSql, eventDataColumns, eventMergeCandidates } from './event-conflicts';
import { UTC_TIMESTAMP_RE } from './value-patterns';
import layout from '../lake-layout.json';

/** The lake's first partition day (lib/lake-layout.json), before which a partition value is rejected. */
const EARLIEST_PARTITION_DATE = layout.curated.earliestPartitionDate;
const DATASET_YEARS_AHEAD = layout.curated.datasetPartitionYearsAhead;
const AFTER_LAST_PARTITION =
  `more than ${DATASET_YEARS_AHEAD} years after the day of the run, beyond the last partition day Athena ` +
  'partition projection reads for a dataset (lib/lake-layout.json curated.datasetPartitionYearsAhead): replay the ' +
  'row when the date is nearer, or raise that setting';
const BEFORE_FIRST_PARTITION =
  `before ${EARLIEST_PARTITION_DATE}, the first partition day of the lake, where Athena partition projection ` +
  'starts (lib/lake-layout.json curated.earliestPartitionDate)';

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
  /**
   * Event tables: the incoming copies of an id whose data differs from the row the merge keeps
   * (lib/etl/event-conflicts.ts). Absent for datasets (and for an event type without data columns).
   */
  conflicts?: {
    /** Their count (column n), over incoming and lake_merged. */
    countSql: string;
    /** Their rejected records, per engine as rejectedSql, over raw_input (read again), lake_merged and lake_run. */
    recordsSql: Record<SqlDialect, string>;
  };
  /** `existing` from the view lake_existing_files (the table's current rows, every output column). */
  existingSql: string;
  mergeSql: string;
  /** mergeSql for raw objects read again (replay, rebuild). */
  reloadMergeSql: string;
}

export type SqlDialect = 'duckdb' | 'spark';

/** Statements an engine runs before a plan: DuckDB needs regexp_like, which Spark SQL has built in. */
export const DUCKDB_PRELUDE = ['CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)'];

/** The raw_input column of a column's n-th alternative source (x-lake.renamedFrom). */
const alternativeName = (c: ColumnDef, n: number) => `lake_alt_${c.name}_${n + 1}`;

export function buildPlan(table: TableDef): EtlPlan {
  // Read from the input: the schema's columns, and the retired ones that have a source (never required): new files
  // and events may not carry them (the upload check and ingest refuse them), but what was accepted before the
  // column was retired — events still in the stream, files replayed — keeps its value. A renamed-away column has
  // none (its new name reads it) and is written NULL; its stored values stay in existing rows. Generated ones are the
  // pipeline's own.
  const inputColumns = table.columns
    .filter((c) => !c.generated && (!c.retired || c.source.length > 0))
    .map((c) => (c.retired ? withoutValueRules({ ...c, required: false }) : c));
  const retiredColumns = table.columns.filter((c) => c.retired && c.source.length === 0);
  const generatedColumns = table.columns.filter((c) => c.generated);
  const rawColumns = [...inputColumns.map((c) => c.name), 'lake_source_file'];
  // The raw text of a column: its own source, else its alternatives in order (a renamed column's old name).
  const text = (c: ColumnDef) =>
    c.alternatives?.length
      ? `COALESCE(${[c.name, ...c.alternatives.map((_, i) => alternativeName(c, i))].join(', ')})`
      : c.name;
  // A retired column's type and recorded rules, over a value read since (a file queued or a row replayed after the
  // retirement, which nothing judged by them): a value that breaks them — one its type cannot read too — is not
  // stored (NULL), and the row loads (the raw object keeps it) — the column holds only values its rules took, should
  // it come back with them.
  const retiredRules = new Map<string, string[]>();
  for (const c of table.columns.filter((x) => x.retired && !x.generated && x.source.length > 0)) {
    const broken = rule({ ...c, required: false }, `raw_${c.name}`, c.name, text(c)).problems.map(([x]) => x);
    if (broken.length) retiredRules.set(c.name, broken);
  }
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
    // A required property whose type allows null takes an explicit null, as the validators do (the ETL cannot tell
    // a key left out from a null: both read as NULL; the upload check and ingest judge presence).
    if (c.required && !c.nullable) {
      reasons.push(`CASE WHEN ${raw} IS NULL THEN '${c.name}: required' END`);
      failing.push(`${raw} IS NULL`);
    }
    const refused = nullRefusal(c);
    if (refused) {
      reasons.push(`CASE WHEN ${raw} IS NULL THEN ${literal(`${c.name}: ${refused}`, c.name)} END`);
      failing.push(`${raw} IS NULL`);
    }
    // A retired column's problems store NULL in it (retiredRules), never reject the row.
    for (const [cond, reason] of c.retired ? [] : r.problems) {
      reasons.push(
        `CASE WHEN ${raw} IS NOT NULL AND (${cond}) THEN ${literal(`${c.name}: ${reason}`, c.name)} END`,
      );
      failing.push(`(${raw} IS NOT NULL AND (${cond}))`);
    }
    if (table.partitionKeys.some((p) => p.fromColumn === c.name)) {
      // Athena projects no partition before the lake's first day: such a row would be stored and never read.
      const early = `${c.name} IS NOT NULL AND CAST(${c.name} AS DATE) < DATE '${EARLIEST_PARTITION_DATE}'`;
      reasons.push(`CASE WHEN ${early} THEN ${literal(`${c.name}: ${BEFORE_FIRST_PARTITION}`, c.name)} END`);
      failing.push(`(${early})`);
      if (table.kind === 'dataset') {
        // Nor a dataset's beyond NOW+<years>YEARS (lib/catalog/glue.ts): stored, it would not be read until then.
        // The run's UTC date (both engines run in UTC) against Athena's NOW at any later query: never later.
        const late =
          `${c.name} IS NOT NULL AND CAST(${c.name} AS DATE) > ` +
          `current_date + INTERVAL ${DATASET_YEARS_AHEAD} YEARS`;
        reasons.push(`CASE WHEN ${late} THEN ${literal(`${c.name}: ${AFTER_LAST_PARTITION}`, c.name)} END`);
        failing.push(`(${late})`);
      }
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
    ...inputColumns.map((c) =>
      retiredRules.has(c.name)
        ? `CASE WHEN raw_${c.name} IS NOT NULL AND (${retiredRules.get(c.name)!.join(' OR ')}) ` +
          `THEN CAST(NULL AS ${sqlType(c.type)}) ELSE ${c.name} END AS ${c.name}`
        : c.name,
    ),
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
  // keepRaw: every row keeps its raw texts (the copies of event ids with other data, lib/etl/event-conflicts.ts).
  const typedStatement = (keepRaw: boolean) =>
    [
      'SELECT',
      '  ' + outerNames.join(', ') + ', reject_reason,',
      '  ' +
        rawColumns
          .map((n) =>
            n === 'lake_source_file' || keepRaw
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
  const typedSql = typedStatement(false);

  const outputColumns = [...table.columns.map((c) => c.name), ...table.partitionKeys.map((p) => p.name)];
  const rawRecordColumns = inputColumns.map((c) => c.name);
  // The rejected records of some rows, per engine (only the raw_record expression differs).
  const recordsSql = (rows: (rawRecord: string) => string) => ({
    duckdb: rejectedRecordsSql(rows(rawRecordSql('duckdb', rawRecordColumns)), table.version),
    spark: rejectedRecordsSql(rows(rawRecordSql('spark', rawRecordColumns)), table.version),
  });
  const rejectedSql = recordsSql(typedRejectedRowsSql);

  // Which copy of a key wins: datasets — the greatest latestBy, then the newest run, then the last file name;
  // events — the stored row against a copy with other data, else the first received (a repeated id is the same
  // event sent again: lib/etl/event-conflicts.ts).
  const key = table.primaryKey.join(', ');
  const dataColumns = eventDataColumns(table, outputColumns);
  const events =
    dataColumns.columns.length + dataColumns.retired.length > 0
      ? eventMergeCandidates(outputColumns, dataColumns, key)
      : undefined;
  const order =
    table.kind === 'events'
      ? (events?.order ?? 'received_at ASC, lake_rank ASC')
      : [
          table.latestBy ? `${table.latestBy} DESC NULLS LAST` : null,
          'lake_ingested_at DESC',
          'lake_source_file DESC',
          'lake_rank ASC',
        ]
          .filter(Boolean)
          .join(', ');
  const cols = outputColumns.join(', ');
  // A retired column — which no plan writes any more: its incoming value is NULL but for what a file accepted
  // before the retirement carries — keeps the value the table's row stored (a file dropped again after a rename
  // does not erase the old column). Events keep the first received copy: nothing of a stored row is replaced.
  const retired = table.columns.filter((c) => c.retired).map((c) => c.name);
  /** The value the table's row of the key stored in column c, on every candidate of the key. */
  const storedValue = (c: string) =>
    `MAX(CASE WHEN lake_rank = 0 THEN ${c} END) OVER (PARTITION BY ${key}) AS lake_stored_${c}`;
  const storedRetired = retired.map(storedValue);
  const keptRetired = Object.fromEntries(retired.map((c) => [c, `COALESCE(${c}, lake_stored_${c}) AS ${c}`]));
  const mergeSql =
    table.kind === 'events'
      ? mergeStatement(cols, key, order, [], {}, events?.candidates)
      : mergeStatement(cols, key, order, storedRetired, keptRetired);
  const typedWithRaw = typedStatement(true);
  const conflicts = events
    ? {
        countSql: conflictCountSql(dataColumns, key),
        recordsSql: recordsSql((rawRecord) => conflictRowsSql(dataColumns, key, typedWithRaw, rawRecord)),
      }
    : undefined;
  // Replay and rebuild: a copy from the object the table's row came from (lake_kept) wins over other copies equal by
  // latestBy; retired columns as in mergeSql. Events keep the first received copy whatever was read again: mergeSql.
  // The copy read again from the object the table's row came from keeps every value the row stored that it lacks:
  // a value kept in a column retired when that object was loaded (the object never carried it) stays when the
  // column has come back since; a former name's value carried into a renamed column too. Re-reading never loses a
  // stored value; a newer copy from another object (a replayed row) stands as read.
  const keyColumns = new Set(table.primaryKey);
  const reloadKept = table.columns
    .filter((c) => !c.retired && !keyColumns.has(c.name) && outputColumns.includes(c.name))
    .map((c) => c.name);
  const storedReloadKept = reloadKept.map(storedValue);
  // The stored row's own copy: from its object, and no value it read differs from one the row stored. Another copy
  // of the key in that object (a newer one rejected then, replayed now) stands as read: filled from the stored row,
  // it made a row that never was.
  const generated = new Set(table.columns.filter((c) => c.generated).map((c) => c.name));
  const storedCopy = [
    'lake_kept = 1',
    ...reloadKept
      .filter((c) => !generated.has(c))
      .map((c) => `(${c} IS NULL OR lake_stored_${c} IS NULL OR ${c} = lake_stored_${c})`),
  ].join(' AND ');
  const keptOnReload = Object.fromEntries(
    reloadKept.map((c) => [
      c,
      `CASE WHEN ${storedCopy} THEN COALESCE(${c}, lake_stored_${c}) ELSE ${c} END AS ${c}`,
    ]),
  );
  // Between copies equal by latestBy, the upload a later run loaded comes first (lake_upload_order, the view the
  // runner makes of lib/etl/upload-order.ts: an upload no run took yet counts as the newest), as in the run that
  // loaded it: a copy rejected then and replayed now takes the place of an earlier upload's stored row, whatever
  // the batches. Copies of one upload (the stored row's own, read again) then keep the stored row's version.
  const reloadMergeSql =
    table.kind === 'events'
      ? mergeSql
      : mergeStatement(
          cols,
          key,
          [
            table.latestBy ? `${table.latestBy} DESC NULLS LAST` : null,
            'lake_upload_at DESC NULLS FIRST',
            // Uploads one run took together: the greatest file name, as in that run (mergeSql).
            'CASE WHEN lake_upload_at IS NOT NULL THEN lake_source_file END DESC NULLS LAST',
            'lake_kept DESC',
            'lake_ingested_at DESC',
            'lake_source_file DESC',
            'lake_rank ASC',
          ]
            .filter(Boolean)
            .join(', '),
          [
            'lake_loaded_at AS lake_upload_at',
            `CASE WHEN lake_source_file = MAX(CASE WHEN lake_rank = 0 THEN lake_source_file END) OVER (PARTITION BY ${key}) THEN 1 ELSE 0 END AS lake_kept`,
            ...storedRetired,
            ...storedReloadKept,
          ],
          { ...keptRetired, ...keptOnReload },
          [
            'SELECT lake_candidates.*, lake_upload_order.upload_order AS lake_loaded_at FROM (',
            `  SELECT ${cols}, 0 AS lake_rank FROM existing`,
            '  UNION ALL',
            `  SELECT ${cols}, 1 AS lake_rank FROM incoming`,
            ') lake_candidates LEFT JOIN lake_upload_order ON lake_upload_order.upload_key = lake_candidates.lake_source_file',
          ],
        );

  // The existing rows, as the engines read them from the table's files (view lake_existing_files, every output
  // column, NULL where a file lacks it): a renamed column takes its former columns' stored value where it has none
  // (newest name first; they keep it too), so a rewritten partition carries old values into the new name — in rows
  // written before the rename only (lake_schema_version below the version that recorded it; rows of a lake written
  // before the lake recorded versions count as before): a row written since holds the column's own value, and a
  // null there is one its version sent (a value cleared), never to be filled again from the old name.
  const existingSql = [
    'SELECT',
    '  ' +
      outputColumns
        .map((n) => {
          const c = table.columns.find((x) => x.name === n);
          const former = c ? columnFormerNames(c) : [];
          if (!former.length) return n;
          const written = 'COALESCE(lake_schema_version, 0)';
          const since = c?.renamedInVersion ?? table.version;
          // A name renamed away earlier (C from B from A) holds values of rows written before that only: a row
          // written under B holds B's value, a null there cleared on purpose, never filled from A.
          let bound = since;
          const fills = former.map((f, k) => {
            const v = k === 0 ? since : Math.min(bound, c?.formerNameVersions?.[k] ?? bound);
            bound = v;
            return v < since ? `CASE WHEN ${written} < ${v} THEN ${f} END` : f;
          });
          return `CASE WHEN ${written} < ${since} THEN COALESCE(${n}, ${fills.join(', ')}) ELSE ${n} END AS ${n}`;
        })
        .join(', '),
    'FROM lake_existing_files',
  ].join('\n');

  const readPaths = [
    ...inputColumns.map((c) => ({ name: c.name, path: c.source, owner: c.name })),
    ...inputColumns.flatMap((c) =>
      (c.alternatives ?? []).map((path, i) => ({ name: alternativeName(c, i), path, owner: c.name })),
    ),
  ];
  refuseSharedPaths(table.name, readPaths);
  return {
    table: table.name,
    kind: table.kind,
    version: table.version,
    input: { columns: readPaths.map(({ name, path }) => ({ name, path })) },
    outputColumns,
    partitionKeys: table.partitionKeys.map((p) => p.name),
    primaryKey: table.primaryKey,
    prefix: table.prefix,
    maxRejectedRatio: table.maxRejectedRatio,
    typedSql,
    rawRecordColumns,
    rejectedSql,
    ...(conflicts ? { conflicts } : {}),
    existingSql,
    mergeSql,
    reloadMergeSql,
  };
}

/**
 * One row per primary key of existing ∪ incoming, the first by `order`, which may use `marks` (columns computed per
 * candidate); `output` replaces the expressions of some columns in the result; `candidates` replaces the statement
 * of the candidates (every column of cols, and lake_rank: 0 existing, 1 incoming).
 */
function mergeStatement(
  cols: string,
  key: string,
  order: string,
  marks: string[] = [],
  output: Record<string, string> = {},
  candidates: string[] = [
    `SELECT ${cols}, 0 AS lake_rank FROM existing`,
    'UNION ALL',
    `SELECT ${cols}, 1 AS lake_rank FROM incoming`,
  ],
): string {
  const names = cols.split(', ');
  const markNames = marks.map((m) => m.slice(m.lastIndexOf(' AS ') + 4));
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
 * and control characters alike (\b \t \n \f \r, others as \u00XX) and keep other characters as they are. A
 * field name is quoted for DuckDB: its struct_pack takes no keyword (position, values, offset, …) bare; Spark's
 * alias does (keywords are not reserved outside ANSI mode), as the Glue job's check of the SQL expects.
 */
export function rawRecordSql(dialect: SqlDialect, columns: string[]): string {
  return dialect === 'duckdb'
    ? `CAST(to_json(struct_pack(${columns.map((n) => `"${n}" := raw_${n}`).join(', ')})) AS STRING)`
    : `CAST(to_json(struct(${columns.map((n) => `raw_${n} AS ${n}`).join(', ')}), map('ignoreNullFields', 'false')) AS STRING)`;
}

/** The rejected records (lib/etl/rejected.ts REJECTED_COLUMNS) of rows (source_file, reason, raw_record), with lake_run. */
function rejectedRecordsSql(rowsSql: string, version: number): string {
  return [
    'SELECT',
    '  lake_run.run_id, lake_rejected_rows.source_file, lake_rejected_rows.reason, lake_rejected_rows.raw_record,',
    `  lake_run.rejected_at, CAST(${version} AS BIGINT) AS schema_version`,
    'FROM (',
    rowsSql,
    ') lake_rejected_rows',
    'CROSS JOIN lake_run',
  ].join('\n');
}

/** The rows of typed that failed typing, and the records of lake_malformed (that did not parse). */
function typedRejectedRowsSql(rawRecord: string): string {
  return [
    `  SELECT raw_lake_source_file AS source_file, reject_reason AS reason, ${rawRecord} AS raw_record`,
    '  FROM typed',
    '  WHERE reject_reason IS NOT NULL',
    '  UNION ALL',
    '  SELECT lake_source_file AS source_file, reject_reason AS reason, raw_record',
    '  FROM lake_malformed',
  ].join('\n');
}

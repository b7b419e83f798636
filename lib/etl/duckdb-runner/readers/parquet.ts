/**
 * Parquet inputs: each input column cast to text (nested values as JSON, their NaN and infinities as Spark writes them,
 * timestamps with time zone in UTC, bytes without a UTF8 annotation decoded as UTF-8, 32-bit floats widened to
 * doubles).
 */
import { NO_HIVE_PARTITIONS, sqlString } from '../../../duckdb-sql';
import { query } from '../duckdb';
import { lineageSql, pathSql } from './select-sql';
import type { InputFile, ReadContext, Segment } from './types';

/**
 * A nested value's JSON text with its non-finite doubles (NaN, Infinity, -Infinity) written as Spark's to_json writes
 * them — strings, "NaN" (Jackson's QUOTE_NON_NUMERIC_NUMBERS) — where DuckDB's to_json writes bare tokens, which are
 * no JSON. Only the text outside strings is touched (a string holding ":NaN," stays as it is).
 */
function nonFiniteQuoted(json: string): string {
  const pieces = `regexp_extract_all(${json}, '"(?:[^"\\\\]|\\\\.)*"|[^"]+')`;
  const quoted = `regexp_replace(t, '([\\[:,])(-?Infinity|NaN)', '\\1"\\2"', 'g')`;
  return (
    `CASE WHEN NOT regexp_matches(${json}, 'NaN|Infinity') THEN ${json} ELSE array_to_string(` +
    `list_transform(${pieces}, t -> CASE WHEN starts_with(t, '"') THEN t ELSE ${quoted} END), '') END`
  );
}

export async function parquetSegment(ctx: ReadContext, input: InputFile): Promise<Segment> {
  const source = `read_parquet(${sqlString(input.file)}, ${NO_HIVE_PARTITIONS})`;
  const cols: string[] = [];
  for (const c of ctx.plan.input.columns) {
    const expr = pathSql(c.path);
    // The column's type, or undefined when the file has no such column (or nested field).
    const type = await query(ctx.conn, `DESCRIBE SELECT ${expr} AS v FROM ${source}`).then(
      (rows) => String(rows[0]?.column_type),
      () => undefined,
    );
    if (type === undefined) cols.push(`CAST(NULL AS VARCHAR) AS ${c.name}`);
    else if (/^(STRUCT|MAP|UNION)\b/.test(type) || type.endsWith(']')) {
      cols.push(`${nonFiniteQuoted(`CAST(to_json(${expr}) AS VARCHAR)`)} AS ${c.name}`);
    } else if (type === 'BLOB') {
      // A BYTE_ARRAY written without the UTF8 annotation (older Hive and Impala writers): its bytes are the text, as
      // Spark reads it; CAST would write escapes (\xC3\xBC). Bytes that are not UTF-8 fail the run, naming decode.
      cols.push(`decode(${expr}) AS ${c.name}`);
    } else if (type === 'TIMESTAMP WITH TIME ZONE') {
      cols.push(`CAST(CAST(${expr} AS TIMESTAMP) AS VARCHAR) AS ${c.name}`); // UTC (the session time zone)
    } else if (type === 'FLOAT') {
      // A 32-bit float as its exact value, widened to a double, as the Glue job does (etl_job.py as_text): the
      // float's own shortest text is another double in each engine (DuckDB's 67194850 for 67194848, Java 17's
      // 2681.2812 for 2681.28125), and a number column would store those.
      cols.push(`CAST(CAST(${expr} AS DOUBLE) AS VARCHAR) AS ${c.name}`);
    } else cols.push(`CAST(${expr} AS VARCHAR) AS ${c.name}`);
  }
  return { sql: `SELECT ${cols.join(', ')}, ${lineageSql(ctx, input.key)} FROM ${source}` };
}

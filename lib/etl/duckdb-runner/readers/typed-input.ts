/**
 * A batch's inputs read and typed: the temp view raw_input (every input's segment), the temp table typed (the plan's
 * typedSql over it, materialised once), and one lake_malformed record per CSV line read_csv could not parse. A
 * read_json refusing a file as a whole sends the JSON inputs to the line-by-line fallback (json-fallback.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../../duckdb-sql';
import { query } from '../duckdb';
import { failed, InputReadFailed, UnreadableInput, withDiskFullNote } from '../errors';
import { CSV_LINE_TOO_LONG, MAX_CSV_LINE_BYTES } from './csv';
import { csvLineNumbers, csvRecordTexts } from './csv-record-texts';
import { mixedLineEnds } from './csv-line-ends';
import { rawSegments } from './raw-segments';
import type { InputFile, ReadContext, Segment } from './types';

/** DuckDB errors that are the run's, whatever it reads: memory, disk space, an interrupt, an internal error. */
const NOT_THE_INPUT = /^(Out of Memory|INTERNAL|FATAL|Interrupt)|No space left|Could not write/i;

/** Reads the inputs into typed and lake_malformed (which the caller created). */
export async function readTyped(readCtx: ReadContext, table: string, inputs: InputFile[]): Promise<void> {
  const { conn, plan } = readCtx;
  const hasJson = inputs.some((i) => i.format === 'json' || i.format === 'jsonl');
  let segments: Segment[] = [];
  for (let clean = false; ; clean = true) {
    segments = await rawSegments(readCtx, inputs, clean);
    const rawSql =
      segments.length > 0
        ? segments.map((s) => s.sql).join('\nUNION ALL\n')
        : `SELECT ${[...plan.input.columns.map((c) => c.name), 'lake_source_file', 'lake_ingested_at']
            .map((n) => `CAST(NULL AS VARCHAR) AS ${n}`)
            .join(', ')} WHERE false`;
    await conn.run(`CREATE OR REPLACE TEMP VIEW raw_input AS ${rawSql}`);
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE typed AS ${plan.typedSql}`);
      break;
    } catch (e) {
      const message = (e as Error).message;
      if (!clean && hasJson && /json/i.test(message)) {
        await conn.run('DELETE FROM lake_malformed');
        for (const s of segments) {
          if (s.csvRejects) {
            await conn.run(`DROP TABLE IF EXISTS ${s.csvRejects.table}`);
            await conn.run(`DROP TABLE IF EXISTS ${s.csvRejects.scan}`);
          }
        }
        continue;
      }
      if (/CSV Parser state machine reached an invalid state/.test(message))
        for (const input of inputs.filter((i) => i.format === 'csv')) {
          const mixed = await mixedLineEnds(input);
          if (mixed) throw new UnreadableInput(input.key, mixed);
        }
      // What the machine, not the input, is short of fails the run as before.
      if (NOT_THE_INPUT.test(message))
        throw failed(`${table}: reading the input failed: ${withDiskFullNote(message)}`, e);
      // One input DuckDB cannot read fails alone (its upload: Etl.InvalidInput, as on AWS; a reload skips it).
      if (inputs.length === 1) throw new UnreadableInput(inputs[0]!.key, `reading it failed: ${message}`);
      throw new InputReadFailed(`${table}: reading the input failed: ${message}`, e);
    }
  }
  for (const s of segments) if (s.csvRejects) await recordCsvRejects(conn, s.csvRejects);
}

/** The characters of a rejected line DuckDB keeps in its rejects table's csv_line (DuckDB 1.x: 10,000). */
const CSV_LINE_KEPT = 10_000;

/** The lines read_csv rejected in one CSV input, as lake_malformed records. */
async function recordCsvRejects(
  conn: DuckDBConnection,
  r: NonNullable<Segment['csvRejects']>,
): Promise<void> {
  // A quoted field never closed: read_csv takes the rest of the file as that field and stops, so the rows after
  // it would be neither loaded nor rejected. The file is not read as rows.
  const [open] = await query(
    conn,
    // (A quote closed and followed by more text, "a"b, is the same error on one line; the reading goes on.)
    `SELECT line, line_byte_position AS at, byte_position FROM ${r.table} WHERE error_type = 'UNQUOTED VALUE' ` +
      `AND error_message LIKE '%unterminated quote%' AND regexp_matches(csv_line, '[\r\n]') ORDER BY line LIMIT 1`,
  );
  if (open) {
    const at = Number(open.at);
    const line = (await csvLineNumbers(r.file, r.gz, [at])).get(at) ?? String(open.line);
    throw new UnreadableInput(
      r.key,
      `line ${String(line)}: a quoted field opened there (byte ${String(open.byte_position)}) is never ` +
        'closed, so everything after it reads as one value and the rows that follow cannot be read; close the ' +
        'quote and upload the file again',
    );
  }
  // A line that is not UTF-8, or one longer than the csv_line DuckDB keeps of it (CSV_LINE_KEPT characters): its
  // text read from the file (csv-record-texts.ts), not DuckDB's csv_line, which lost what followed the bad bytes or
  // its end. (A line over read_csv's maximum is cut, and its reason says so: readers/csv.ts.)
  const encoding = await query(
    conn,
    `SELECT DISTINCT line, line_byte_position AS at FROM ${r.table} WHERE (error_type = 'INVALID ENCODING' ` +
      `OR length(csv_line) >= ${CSV_LINE_KEPT}) AND line NOT IN ` +
      `(SELECT line FROM ${r.table} WHERE error_type = 'LINE SIZE OVER MAXIMUM')`,
  );
  const read =
    encoding.length > 0
      ? await csvRecordTexts(
          r.file,
          r.gz,
          encoding.map((e) => Number(e.at)),
          MAX_CSV_LINE_BYTES,
        )
      : undefined;
  const texts = read
    ? `(VALUES ${encoding.map((e) => `(${Number(e.line)}, ${sqlString(read.get(Number(e.at)) ?? '')})`).join(', ')})`
    : '(SELECT CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR) WHERE false)';
  // The line of the file each rejected record starts on: DuckDB's `line` counts records, one short for every quoted
  // line break before it (csv-record-texts.ts csvLineNumbers).
  const starts = await query(
    conn,
    `SELECT line, min(line_byte_position) AS at FROM ${r.table} GROUP BY line`,
  );
  if (starts.length === 0) return;
  const lineOf = await csvLineNumbers(
    r.file,
    r.gz,
    starts.map((x) => Number(x.at)).filter((n) => Number.isSafeInteger(n)),
  );
  const fileLines = `(VALUES ${starts
    .map((x) => `(${Number(x.line)}, ${lineOf.get(Number(x.at)) ?? Number(x.line)})`)
    .join(', ')})`;
  // One rejected record per bad CSV line (DuckDB may list several errors for one line, e.g. one per missing
  // column: the kinds, and the message of the first; an error of the whole line has no column). A line longer
  // than read_csv reads is one the Glue job (Spark) would read: the reason says so (readers/csv.ts).
  await conn.run(
    `INSERT INTO lake_malformed SELECT ${sqlString(r.key)}, ` +
      `'line ' || any_value(f.file_line) || ': ' || string_agg(DISTINCT error_type, ', ') || ' (' || ` +
      // (A record with too many fields has an error per extra field, each counting the fields up to it: the last
      // one's count is the record's.)
      `coalesce(CASE WHEN bool_and(error_type = 'TOO MANY COLUMNS') THEN arg_max(error_message, column_idx) END, ` +
      `arg_min(error_message, column_idx), min(error_message)) || ')' || ` +
      `CASE WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM') THEN ${sqlString(CSV_LINE_TOO_LONG)} ELSE '' END, ` +
      // (In a CRLF file read_csv's csv_line may start with the line ends before it: no record starts with one.)
      `coalesce(any_value(t.text), ltrim(coalesce(arg_min(csv_line, column_idx), min(csv_line)), chr(13) || chr(10))) ` +
      `FROM ${r.table} LEFT JOIN ${texts} t(line, text) USING (line) ` +
      `JOIN ${fileLines} f(line, file_line) USING (line) GROUP BY line ORDER BY line`,
  );
}

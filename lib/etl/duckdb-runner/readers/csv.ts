/**
 * CSV inputs: the header row, then read_csv with every column as text and DuckDB's rejects table for bad lines.
 */
import { NO_HIVE_PARTITIONS, sqlString } from '../../../duckdb-sql';
import { failed } from '../errors';
import { StringDecoder } from 'node:string_decoder';
import { withoutEmptyExtraFields } from './csv-extra-fields';
import { headBytes } from './input-stream';
import { lineageSql } from './select-sql';
import type { InputFile, ReadContext, Segment } from './types';

/**
 * Largest CSV line (DuckDB's default; its read buffer is 16 lines of this size); longer lines are rejected. The Glue
 * job's CSV_MAX_COLUMNS follows it: a record of as many fields as such a line holds is a malformed record there too.
 */
export const MAX_CSV_LINE_BYTES = 2 * 1024 * 1024;

/**
 * What a rejected CSV line longer than MAX_CSV_LINE_BYTES adds to its reason: Spark's CSV reader has no such limit,
 * so the Glue job would type and load the row; read_csv keeps only the line's first characters in its rejects.
 */
export const CSV_LINE_TOO_LONG =
  ': the local lake reads CSV lines of up to 2 MiB (DuckDB max_line_size), the Glue job (Spark) longer ones: on ' +
  "AWS this row would be typed and loaded; raw_record holds the line's first 10,000 characters, the upload the " +
  'whole line';

/**
 * The first record of a CSV text (RFC 4180) and where its line end stands, or undefined if it is not complete in
 * `text`.
 */
function firstCsvRecord(text: string): { fields: string[]; end: number } | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      fields.push(field);
      return { fields, end: i };
    } else field += ch;
  }
  return undefined;
}

/**
 * The empty lines before a CSV text's header (after a byte order mark): how many, and where the header starts. The
 * upload check skips them, and so does Spark (CSVUtils.filterCommentAndEmpty); read_csv is told to (skip). After a
 * byte order mark the upload check refuses them: Spark reads the mark's line as the header.
 */
function leadingEmptyLines(text: string): { lines: number; offset: number } {
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  let lines = 0;
  for (;;) {
    if (text[i] === '\r') i += text[i + 1] === '\n' ? 2 : 1;
    else if (text[i] === '\n') i++;
    else return { lines, offset: i };
    lines++;
  }
}

/** How a CSV text's first record ends, outside quotes (the file's line end: mixed ones are refused), or undefined. */
function firstLineEnd(text: string): 'LF' | 'CRLF' | 'CR' | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '\n') return 'LF';
    else if (!quoted && ch === '\r')
      return text[i + 1] === '\n' ? 'CRLF' : i + 1 < text.length ? 'CR' : undefined;
  }
  return undefined;
}

/** The header's fields, the empty lines before it and the file's line end. */
async function csvHeader(
  input: InputFile,
): Promise<{ header: string[]; skip: number; lineEnd: ReturnType<typeof firstLineEnd> }> {
  const decoder = new StringDecoder('utf8');
  let seen = '';
  const head = await headBytes(input.file, input.gz, MAX_CSV_LINE_BYTES, (chunk) => {
    seen += decoder.write(chunk);
    const rest = seen.slice(leadingEmptyLines(seen).offset);
    const first = firstCsvRecord(rest);
    // A CR at the end of what was read: the next byte tells CRLF from CR (the file's line end).
    return first !== undefined && !(rest[first.end] === '\r' && first.end === rest.length - 1);
  });
  const text = head.toString('utf8');
  const { lines, offset } = leadingEmptyLines(text);
  const rest = text.slice(offset);
  const record = (firstCsvRecord(rest) ?? (rest === '' ? undefined : firstCsvRecord(rest + '\n')))?.fields;
  if (!record && rest !== '') throw failed(`'${input.key}': the CSV header row is not complete`);
  return {
    header: (record ?? []).map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim()),
    skip: lines,
    lineEnd: firstLineEnd(rest),
  };
}

export async function csvSegment(ctx: ReadContext, input: InputFile): Promise<Segment | undefined> {
  const { header, skip, lineEnd } = await csvHeader(input);
  if (header.length === 0) return undefined; // an empty file
  // A quoted value's line breaks as the Glue job reads them: Spark's CSV reader detects the file's line end and
  // writes that line end inside a quoted value as \n (univocity's normalizeLineEndingsWithinQuotes). A CRLF or CR
  // is never in an unquoted value, so every value is rewritten.
  const value = (c: string) =>
    lineEnd === 'CRLF'
      ? `replace(${c}, chr(13) || chr(10), chr(10))`
      : lineEnd === 'CR'
        ? `replace(${c}, chr(13), chr(10))`
        : c;
  const position = new Map<string, number>();
  header.forEach((h, i) => {
    if (!position.has(h)) position.set(h, i);
  });
  // A file of one column: an empty line is no record to Spark's reader (univocity skips it), where DuckDB reads a row
  // without a value. Read with quoted NULLs off, the empty line is the NULL and is left out; a quoted empty value
  // ("") is '' then, NULL again as both engines read it.
  const oneColumn = header.length === 1;
  const cell = (i: number) => (oneColumn ? `NULLIF(c${i}, '')` : `c${i}`);
  const cols = ctx.plan.input.columns.map((c) => {
    const i = c.path.length === 1 ? position.get(c.path[0]!) : undefined;
    return `${i === undefined ? 'CAST(NULL AS VARCHAR)' : value(cell(i))} AS ${c.name}`;
  });
  // Records with more fields than the header, the extra ones empty: rejected here, as the Glue job rejects them.
  const copy = await withoutEmptyExtraFields(ctx, input, header.length, !oneColumn, lineEnd);
  const n = ctx.seq.n++;
  const rejects = {
    table: `lake_csv_rejects_${n}`,
    scan: `lake_csv_scans_${n}`,
    key: input.key,
    file: copy ?? input.file,
    gz: input.gz && !copy,
  };
  const columns = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const sql =
    `SELECT ${cols.join(', ')}, ${lineageSql(ctx, input.key)} FROM read_csv(${sqlString(rejects.file)}, ` +
    `header = true, skip = ${skip}, columns = {${columns}}, delim = ',', quote = '"', escape = '"', ` +
    'auto_detect = false, ' +
    `compression = ${rejects.gz ? "'gzip'" : "'none'"}, max_line_size = ${MAX_CSV_LINE_BYTES}, ` +
    `store_rejects = true, rejects_table = '${rejects.table}', rejects_scan = '${rejects.scan}', ${NO_HIVE_PARTITIONS}` +
    (oneColumn ? ', allow_quoted_nulls = false) WHERE c0 IS NOT NULL' : ')');
  return { sql, csvRejects: rejects };
}

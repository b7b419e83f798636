/**
 * The CSV check: the header names the dataset's columns; each sampled row has the header's fields, and each field is
 * typed by its column with the rules the ETL uses (lib/etl/column-rules.ts, lib/catalog/value-checks.ts) before the
 * row is checked against the dataset's JSON Schema. An empty field is an absent value.
 */
import { decimalOf, isIntegerType } from '../catalog/lake-types';
import type { ColumnDef } from '../catalog/tables';
import { exactValueProblem } from '../catalog/value-checks';
import { DOUBLE_OUT_OF_RANGE, doubleOutOfRange } from '../etl/value-patterns';
import type { Dataset } from '../dataset-registry';
import { parseJsonExact } from '../exact-json';
import { checkColumnNames, columnsByName } from './check-columns';
import { parsingChecker, RowTally, type TextChecker } from './check-rows';
import { CsvParser, CsvSyntaxError } from './csv';
import { firstRecordIncomplete, malformed } from './findings';
import { type Finding, type SampleLimits, UploadErrorCode } from './types';

const DOUBLE_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
/** Types one CSV field by its column (an empty field never gets here: it is absent). */
export function coerceCsvValue(text: string, col: ColumnDef): { value: unknown } | { error: string } {
  if (col.json) {
    try {
      // Numbers as written, for the check of integers inside it (lib/nested-exact-integers.ts).
      return { value: parseJsonExact(text) };
    } catch {
      return { error: 'is not JSON text' };
    }
  }
  if (isIntegerType(col.type) || decimalOf(col.type)) {
    const problem = exactValueProblem(text, col.type);
    if (problem) return { error: `is ${problem}: ${JSON.stringify(text)}` };
    // The JSON Schema's view of it (an integer's bounds are compared as a number; a decimal is its text).
    return { value: isIntegerType(col.type) ? Number(text) : text };
  }
  switch (col.type) {
    case 'double': {
      if (!DOUBLE_RE.test(text)) return { error: `is not a number: ${JSON.stringify(text)}` };
      const value = Number(text);
      return doubleOutOfRange(text, value)
        ? { error: `is ${DOUBLE_OUT_OF_RANGE}: ${JSON.stringify(text)}` }
        : { value };
    }
    case 'boolean': {
      const l = text.toLowerCase();
      return l === 'true' || l === 'false'
        ? { value: l === 'true' }
        : { error: `is not true or false: ${JSON.stringify(text)}` };
    }
    default:
      return { value: text };
  }
}
export function csvChecker(ds: Dataset, limits: SampleLimits): TextChecker {
  const byName = columnsByName(ds);
  const tally = new RowTally(ds);
  let header: ColumnDef[] | undefined;
  let names: string[] = [];
  const state: { finding: Finding | null } = { finding: null };
  const parser = new CsvParser((fields, line) => {
    if (!header) {
      state.finding = checkColumnNames(fields, ds, { line, what: 'column' });
      if (state.finding) return false;
      names = fields;
      header = fields.map((n) => byName.get(n)!);
      return true;
    }
    if (fields.length !== header.length) {
      // Rejected by both engines, with its line (Spark's reader makes it a malformed record): a bad row.
      tally.addUnread(line, `the row has ${fields.length} field(s); the header has ${header.length}`);
      return tally.rows < limits.rows;
    }
    const row: Record<string, unknown> = {};
    let problem: { field: string; message: string } | undefined;
    // A quoted value's line breaks as the ETL stores them: the file's own line end as LF (both engines: Spark's
    // reader, and the local runner after it, lib/etl/duckdb-runner/readers/csv.ts), so a maxLength or pattern is
    // judged on the value stored.
    const lineEnd = parser.lineEnd;
    for (let i = 0; i < fields.length; i++) {
      const written = fields[i]!;
      const text =
        lineEnd === 'CRLF'
          ? written.replaceAll('\r\n', '\n')
          : lineEnd === 'CR'
            ? written.replaceAll('\r', '\n')
            : written;
      const col = header[i]!;
      // Empty is absent, but in a required column that takes an explicit null ("type": [..., "null"]): its null, as
      // the ETL reads it (a CSV cannot tell the two apart; the header names the column). In an optional one it stays
      // absent, as the ETL takes it whatever the column's other rules (an enum without null).
      if (text === '') {
        if (col.nullable && col.required) row[col.name] = null;
        continue;
      }
      const typed = coerceCsvValue(text, col);
      if ('error' in typed) problem ??= { field: col.name, message: typed.error };
      else row[col.name] = typed.value;
    }
    tally.add(row, line, (f) => (names.indexOf(f) >= 0 ? names.indexOf(f) + 1 : undefined), problem);
    return tally.rows < limits.rows;
  });
  const checker = parsingChecker(parser, CsvSyntaxError, state, (complete) => {
    if (!header) {
      return complete
        ? { code: UploadErrorCode.EmptyFile, message: 'the file has no header row and no rows' }
        : firstRecordIncomplete(`no complete header row in the first ${limits.bytes} bytes`);
    }
    if (tally.rows === 0) {
      // A first row longer than the whole sample: read again with a larger one (check.ts).
      return complete
        ? { code: UploadErrorCode.EmptyFile, message: 'the file has a header row but no rows' }
        : firstRecordIncomplete(`no complete row after the header in the first ${limits.bytes} bytes`);
    }
    return tally.verdict();
  });
  // The text keeps a byte order mark (check.ts): a mark followed by empty lines before the header is refused. The
  // local runner skips the empty lines, but Spark's CSV reader (the Glue job) does not take the mark off a line of
  // its own and would read that line as the header: every row rejected, or worse.
  let first = true;
  let afterMark = false;
  return {
    get lines() {
      return checker.lines;
    },
    get full() {
      return checker.full;
    },
    finish: (complete) => checker.finish(complete),
    push(text) {
      if (first && text !== '') {
        first = false;
        afterMark = text.startsWith('\uFEFF');
        if (afterMark) text = text.slice(1);
      }
      if (afterMark && text !== '') {
        afterMark = false;
        if (text.startsWith('\n') || text.startsWith('\r')) {
          state.finding = malformed(
            'a byte order mark on a line of its own before the header: the Glue job (Spark) would read it as the ' +
              'header row; remove the empty lines after it (or the mark)',
            1,
          );
          return false;
        }
      }
      return checker.push(text);
    },
  };
}

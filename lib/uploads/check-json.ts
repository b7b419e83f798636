/**
 * The JSON and JSON-lines check: every sampled row is an object of Unicode text whose keys are the dataset's columns
 * (or old names of renamed ones), integers and decimals judged exactly by their source text (lib/exact-json.ts), the
 * row checked against the dataset's JSON Schema; every required column must appear in the sample. A null is absent.
 */
import { decimalOf, isIntegerType, type DecimalType, type IntegerType } from '../catalog/lake-types';
import type { Dataset } from '../dataset-registry';
import { integerProblem } from '../catalog/value-checks';
import { numberText, rememberedNumberAt } from '../exact-json';
import { doubleOutOfRange } from '../etl/value-patterns';
import { exactValueProblemAt } from '../schema-exact-types';
import { loneSurrogateIn } from '../unicode';
import { MAX_DATA_NESTING_SPARK, MAX_NUMBER_CHARS, nestedBeyond, numberDigits } from '../json-limits';
import { columnsByName, inputColumns, notAColumn } from './check-columns';
import { columnFormerNames } from '../catalog/former-names';
import { parsingChecker, RowTally, type TextChecker } from './check-rows';
import { firstRecordIncomplete, headerMismatch, malformed } from './findings';
import { JsonDocumentParser, JsonLinesParser, JsonSyntaxError } from './json';
import { type Finding, type SampleLimits, UploadErrorCode } from './types';

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

export function jsonChecker(ds: Dataset, limits: SampleLimits, lineDelimited: boolean): TextChecker {
  const columns = inputColumns(ds);
  const byName = columnsByName(ds);
  const known = new Set(columns.map((c) => c.name));
  const present = new Set<string>();
  const tally = new RowTally(ds);
  const state: { finding: Finding | null } = { finding: null };
  const onValue = (value: unknown, line: number, inArray = false): boolean => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      state.finding = malformed(`expected a JSON object (one row), got ${kindOf(value)}`, line);
      return false;
    }
    const surrogate = loneSurrogateIn(value);
    if (surrogate !== undefined) {
      state.finding = malformed(
        `${surrogate} holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair): not Unicode text`,
        line,
      );
      return false;
    }
    // A number below a double's smallest magnitude (1e-400), anywhere in the row: the ETL's JSON readers (DuckDB's here,
    // Spark's on Glue) read it as 0 before any rule sees it, and would store the row with 0 — another value. The file
    // is refused (1e400 is kept as written by both, and its row rejected by the ETL's rules).
    const tiny = rememberedNumberAt(value, (text, v) => v === 0 && doubleOutOfRange(text, v));
    if (tiny) {
      state.finding = {
        ...malformed(
          `${tiny.join('.')} is a number too small for a double (magnitudes from 4.9e-324): the ETL's JSON readers ` +
            '(DuckDB locally, Spark on Glue) read it as 0 and would store that; write 0, or send the file as CSV, ' +
            'where such a row is rejected with its reason',
          line,
        ),
        code: UploadErrorCode.RowInvalid,
        field: String(tiny[0]),
      };
      return false;
    }
    // Past Spark 3.5's JSON reader's limits (the Glue job's): it refuses the record, which the local runner and
    // ajv would read. The file is refused, as for a number too small for a double.
    // An element of a document's array is one level inside it, as Jackson counts the document's depth.
    const deep = nestedBeyond(value, MAX_DATA_NESTING_SPARK - (inArray ? 1 : 0));
    const long = deep
      ? undefined
      : rememberedNumberAt(value, (text) => numberDigits(text) > MAX_NUMBER_CHARS);
    const beyond = deep ?? long;
    if (beyond) {
      const what = deep
        ? `nested more than ${MAX_DATA_NESTING_SPARK} levels deep`
        : `a number written with more than ${MAX_NUMBER_CHARS} digits`;
      state.finding = {
        ...malformed(
          `${beyond.slice(0, 5).join('.')}${beyond.length > 5 ? '…' : ''} is ${what}: Spark's JSON reader (the ` +
            "Glue job's) refuses the record; send it flatter, or the number as a string",
          line,
        ),
        code: UploadErrorCode.RowInvalid,
        field: String(beyond[0]),
      };
      return false;
    }
    const row: Record<string, unknown> = {};
    /** Which name each column's value came from: 0 its own, then its former names, newest first. */
    const from = new Map<string, number>();
    let problem: { field: string; message: string } | undefined;
    for (const [k, v] of Object.entries(value)) {
      const column = byName.get(k)?.name;
      if (column === undefined) {
        state.finding = headerMismatch(
          `line ${line}: '${k}' is not a column of dataset ${ds.name}${notAColumn(ds, k, [...known])}; its columns: ${[...known].join(', ')}`,
          { line, field: k },
        );
        return false;
      }
      // null is absent, but in a required column that takes an explicit null ("type": [..., "null"]): its value there
      // (in an optional one it stays absent, as the ETL takes it whatever the column's other rules).
      if (v === null && !(byName.get(k)!.nullable && byName.get(k)!.required)) continue;
      // A row holding a renamed column under several of its names: the first value in the ETL's COALESCE order wins
      // (the new name, then its former names newest first), whichever key comes first; a null is not sent there.
      const rank = k === column ? 0 : 1 + columnFormerNames(byName.get(k)!).indexOf(k);
      if (v === null) {
        row[column] ??= null;
        present.add(column);
        continue;
      }
      const held = row[column];
      if (held !== undefined && held !== null && from.get(column)! <= rank) continue;
      row[column] = v;
      from.set(column, rank);
      present.add(column);
      // Integer widths and decimals, exactly: a 19-digit JSON number by its source text, never a rounded double.
      const t = byName.get(k)!.type;
      // An integer by its text as written, as the ETL reads a JSON number in an integer column (digits only:
      // 1.0 and 1e2 are no integers there; 9223372036854775808 is out of range).
      const exact =
        isIntegerType(t) && typeof v === 'number'
          ? integerProblem(numberText(value, k, v), t as IntegerType)
          : isIntegerType(t) || decimalOf(t)
            ? exactValueProblemAt(value, k, t as IntegerType | DecimalType)
            : undefined;
      if (exact) problem ??= { field: k, message: `is ${exact}` };
    }
    tally.add(row, line, () => undefined, problem);
    return tally.rows < limits.rows;
  };
  const parser = lineDelimited ? new JsonLinesParser(onValue) : new JsonDocumentParser(onValue);
  return parsingChecker(parser, JsonSyntaxError, state, (complete) => {
    if (tally.rows === 0) {
      return complete
        ? { code: UploadErrorCode.EmptyFile, message: 'the file has no rows' }
        : firstRecordIncomplete(`no complete JSON value in the first ${limits.bytes} bytes`);
    }
    const missing = columns.filter((c) => c.required && !present.has(c.name)).map((c) => c.name);
    if (missing.length > 0) {
      return headerMismatch(
        `required column(s) ${missing.map((n) => `'${n}'`).join(', ')} of dataset ${ds.name} ` +
          `appear in none of the first ${tally.rows} row(s)`,
        { field: missing[0]! },
      );
    }
    return tally.verdict();
  });
}

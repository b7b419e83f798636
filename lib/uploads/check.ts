/**
 * The content checks of an upload, per format, against its dataset (schemas/datasets/<name>.json):
 *
 *  - columns: a CSV header must name every required column, no unknown column and none twice; JSON rows may only
 *    use the dataset's columns and the sample must show every required one; a Parquet schema (from the footer)
 *    likewise, with physical/logical types the column's type can be read from;
 *  - rows (CSV, JSON): a sample (the first rows / bytes, see SampleLimits) must parse, and type-check with ajv
 *    against the dataset's JSON Schema. CSV values are typed by their column first, with the rules the ETL uses
 *    (lib/etl/plan.ts, lib/catalog/value-checks.ts): integers within their width's range (checked exactly, 19-digit
 *    bigints included), decimals in plain notation within their precision and scale, JSON-style numbers,
 *    true/false; an empty field is an absent value. A JSON null is an absent value too; JSON numbers are judged by
 *    their source text (lib/exact-json.ts), so no integer beyond 2^53 is rounded before it is checked. As the ETL rejects bad rows one by one and only fails a run above the
 *    dataset's x-lake.maxRejectedRatio, a file is refused (ROW_INVALID) when the share of failing rows in the
 *    sample is above that ratio; the reason names the first failing row.
 * Syntax problems (CSV quoting, a row with the wrong number of fields, invalid JSON, not UTF-8, corrupt gzip) refuse
 * the file at once (MALFORMED_FILE): no engine can read it.
 */
import { isWellFormed } from '../unicode';
import type { ErrorObject } from 'ajv';
import { decimalOf, isIntegerType, type DecimalType, type IntegerType } from '../catalog/lake-types';
import type { ColumnDef } from '../catalog/tables';
import { exactValueProblem } from '../catalog/value-checks';
import { exactValueProblemAt } from '../schema-exact-types';
import type { Dataset } from '../dataset-registry';
import type { ObjectStore } from '../objects/types';
import { CsvParser, CsvSyntaxError } from './csv';
import { JsonDocumentParser, JsonLinesParser, JsonSyntaxError } from './json';
import { type ParquetColumn, ParquetFormatError, readParquetFooter } from './parquet';
import { readTextSample, SampleReadError } from './sample';
import { type Finding, type SampleLimits, UploadErrorCode } from './types';

const DOUBLE_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

const inputColumns = (ds: Dataset) => ds.table.columns.filter((c) => !c.generated && !c.retired);

/**
 * The column a name in a file stands for: a column's own name, or the old name of a renamed column
 * (x-lake.renamedFrom) — files written before a rename still load, into the new column.
 */
function columnsByName(ds: Dataset): Map<string, ColumnDef> {
  const out = new Map(inputColumns(ds).map((c) => [c.name, c]));
  for (const c of inputColumns(ds)) if (c.renamedFrom && !out.has(c.renamedFrom)) out.set(c.renamedFrom, c);
  return out;
}

/** Types one CSV field by its column (an empty field never gets here: it is absent). */
export function coerceCsvValue(text: string, col: ColumnDef): { value: unknown } | { error: string } {
  if (col.json) {
    try {
      return { value: JSON.parse(text) };
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
    case 'double':
      return DOUBLE_RE.test(text)
        ? { value: Number(text) }
        : { error: `is not a number: ${JSON.stringify(text)}` };
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

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** The field and a message for the first ajv error of a row. */
export function describeRowError(errors: ErrorObject[] | null | undefined): {
  field?: string;
  message: string;
} {
  const e = errors?.[0];
  if (!e) return { message: 'does not match the schema' };
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof p.missingProperty === 'string') {
    return { field: p.missingProperty, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    return { field: p.additionalProperty, message: 'is not a column of the dataset' };
  }
  const field = e.instancePath ? unescapePointer(e.instancePath.split('/')[1] ?? '') : undefined;
  let message = e.message ?? e.keyword;
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
  return { ...(field ? { field } : {}), message };
}

/** Counts the sampled rows that fail, remembers the first, and judges the sample against maxRejectedRatio. */
class RowTally {
  rows = 0;
  invalid = 0;
  first: Finding | undefined;

  constructor(private readonly ds: Dataset) {}

  add(
    row: Record<string, unknown>,
    line: number,
    columnOf: (field: string) => number | undefined,
    problem?: { field: string; message: string },
  ): void {
    this.rows++;
    let p: { field?: string; message: string } | undefined = problem;
    if (!p && !this.ds.validate(row)) p = describeRowError(this.ds.validate.errors);
    if (!p) return;
    this.invalid++;
    if (this.first) return;
    const column = p.field ? columnOf(p.field) : undefined;
    this.first = {
      code: UploadErrorCode.RowInvalid,
      message: `line ${line}${column ? `, column ${column}` : ''}${p.field ? ` (${p.field})` : ''}: ${p.message}`,
      line,
      ...(column ? { column } : {}),
      ...(p.field ? { field: p.field } : {}),
    };
  }

  verdict(): Finding | null {
    if (!this.first || this.rows === 0) return null;
    const allowed = this.ds.table.maxRejectedRatio;
    if (this.invalid / this.rows <= allowed) return null;
    return {
      ...this.first,
      message:
        `${this.invalid} of the first ${this.rows} row(s) fail the schema of dataset ${this.ds.name} ` +
        `(at most ${+(allowed * 100).toFixed(2)}% may); first: ${this.first.message}`,
    };
  }
}

/** A checker of (decompressed) text, fed piece by piece. */
export interface TextChecker {
  /** False once it has seen enough (or found a problem). */
  push(text: string): boolean;
  /** `complete`: the whole file was pushed. The problem found, or null. */
  finish(complete: boolean): Finding | null;
  /** Lines seen so far (to place problems found outside the checker). */
  readonly lines: number;
}

const malformed = (message: string, line?: number, column?: number): Finding => ({
  code: UploadErrorCode.MalformedFile,
  message: line ? `line ${line}${column ? `, column ${column}` : ''}: ${message}` : message,
  ...(line ? { line } : {}),
  ...(column ? { column } : {}),
});

const headerMismatch = (message: string, extra: Partial<Finding> = {}): Finding => ({
  code: UploadErrorCode.HeaderMismatch,
  message,
  ...extra,
});

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Why a name is not a column: retired from the dataset (x-lake.retired), or a near miss of a column's name. */
function notAColumn(ds: Dataset, name: string, columns: string[]): string {
  const retired = (ds.schema as { 'x-lake'?: { retired?: string[] } })['x-lake']?.retired ?? [];
  return retired.includes(name)
    ? ` ('${name}' is retired (x-lake.retired): new files no longer carry it; its stored values stay in the table)`
    : didYouMean(name, columns);
}

function didYouMean(name: string, columns: string[]): string {
  const norm = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const match = columns.find((c) => c === norm);
  return match ? ` (did you mean '${match}'? names are exact: lower case, no spaces)` : '';
}

/** Header problems: nameless, repeated, unknown or missing columns. */
function checkColumnNames(
  names: string[],
  ds: Dataset,
  where: { line?: number; what: string },
): Finding | null {
  const columns = inputColumns(ds);
  const byName = columnsByName(ds);
  const known = new Set(columns.map((c) => c.name));
  const at = (i: number) => ({ ...(where.line ? { line: where.line } : {}), column: i + 1 });
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === '') return headerMismatch(`${where.what} ${i + 1} has no name`, at(i));
    const column = byName.get(name)?.name ?? name;
    const before = seen.get(column);
    if (before !== undefined) {
      const as =
        names[before] === name
          ? ''
          : ` (as '${names[before]}' and '${name}': a renamed column and its old name)`;
      return headerMismatch(
        `column '${column}' appears twice (${where.what}s ${before + 1} and ${i + 1})${as}`,
        {
          ...at(i),
          field: name,
        },
      );
    }
    seen.set(column, i);
  }
  const unknown = names.map((n, i) => [n, i] as const).filter(([n]) => !byName.has(n));
  if (unknown.length > 0) {
    const [name, i] = unknown[0]!;
    return headerMismatch(
      `unknown column(s) ${unknown.map(([n]) => `'${n}'`).join(', ')} for dataset ${ds.name}` +
        `${notAColumn(ds, name, [...known])}; its columns: ${[...known].join(', ')}`,
      { ...at(i), field: name },
    );
  }
  const missing = columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    return headerMismatch(
      `missing required column(s) ${missing.map((n) => `'${n}'`).join(', ')} of dataset ${ds.name}`,
      {
        ...(where.line ? { line: where.line } : {}),
        field: missing[0]!,
      },
    );
  }
  return null;
}

/** What the CSV and JSON parsers share: push text, end, and whether they have seen enough. */
interface StreamParser {
  push(text: string): void;
  end(): void;
  readonly done: boolean;
}

/**
 * A TextChecker around a streaming parser: counts lines, turns the parser's syntax errors into MALFORMED_FILE
 * findings, and asks `verdict` once the sample is read without a finding.
 */
function parsingChecker(
  parser: StreamParser,
  SyntaxErrorClass: new (...args: never[]) => Error & { line: number; column?: number },
  state: { finding: Finding | null },
  verdict: (complete: boolean) => Finding | null,
): TextChecker {
  let lines = 0;
  const fail = (e: unknown) => {
    if (e instanceof SyntaxErrorClass) state.finding = malformed(e.message, e.line, e.column);
    else throw e;
  };
  return {
    get lines() {
      return lines;
    },
    push(text) {
      lines += countLines(text);
      try {
        parser.push(text);
      } catch (e) {
        fail(e);
      }
      return !state.finding && !parser.done;
    },
    finish(complete) {
      if (!state.finding && complete) {
        try {
          parser.end();
        } catch (e) {
          fail(e);
        }
      }
      return state.finding ?? verdict(complete);
    },
  };
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
      state.finding = malformed(
        `the row has ${fields.length} field(s); the header has ${header.length}`,
        line,
      );
      return false;
    }
    const row: Record<string, unknown> = {};
    let problem: { field: string; message: string } | undefined;
    for (let i = 0; i < fields.length; i++) {
      const text = fields[i]!;
      if (text === '') continue; // empty = absent
      const col = header[i]!;
      const typed = coerceCsvValue(text, col);
      if ('error' in typed) problem ??= { field: col.name, message: typed.error };
      else row[col.name] = typed.value;
    }
    tally.add(row, line, (f) => (names.indexOf(f) >= 0 ? names.indexOf(f) + 1 : undefined), problem);
    return tally.rows < limits.rows;
  });
  return parsingChecker(parser, CsvSyntaxError, state, (complete) => {
    if (!header) {
      return complete
        ? { code: UploadErrorCode.EmptyFile, message: 'the file has no header row and no rows' }
        : malformed(`no complete header row in the first ${limits.bytes} bytes`);
    }
    if (tally.rows === 0) {
      // A first row longer than the whole sample: no dataset row is that long, and the engines refuse such lines.
      return complete
        ? { code: UploadErrorCode.EmptyFile, message: 'the file has a header row but no rows' }
        : malformed(`no complete row after the header in the first ${limits.bytes} bytes`);
    }
    return tally.verdict();
  });
}

/**
 * Where a parsed JSON row holds a lone surrogate in a string or a property name ("a string", "property 'x'", ...),
 * or undefined. Iterative: a row may be nested arbitrarily deep.
 */
function loneSurrogateIn(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, top] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return top ? `the value of '${top}'` : 'a string';
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push([x, top]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (!isWellFormed(k)) return 'a property name';
        stack.push([x, top || k]);
      }
    }
  }
  return undefined;
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

export function jsonChecker(ds: Dataset, limits: SampleLimits, lineDelimited: boolean): TextChecker {
  const columns = inputColumns(ds);
  const byName = columnsByName(ds);
  const known = new Set(columns.map((c) => c.name));
  const present = new Set<string>();
  const tally = new RowTally(ds);
  const state: { finding: Finding | null } = { finding: null };
  const onValue = (value: unknown, line: number): boolean => {
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
    const row: Record<string, unknown> = {};
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
      if (v === null) continue; // null = absent
      // A row holding both a renamed column and its old name: the new name wins, as in the ETL's COALESCE.
      if (k !== column && row[column] !== undefined) continue;
      row[column] = v;
      present.add(column);
      // Integer widths and decimals, exactly: a 19-digit JSON number by its source text, never a rounded double.
      const t = byName.get(k)!.type;
      const exact =
        isIntegerType(t) || decimalOf(t)
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
        : malformed(`no complete JSON value in the first ${limits.bytes} bytes`);
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

/** Checks the beginning of a CSV or JSON upload (range reads, see readTextSample). */
export async function checkTextUpload(
  store: ObjectStore,
  key: string,
  size: number,
  format: 'csv' | 'json' | 'jsonl',
  gzip: boolean,
  ds: Dataset,
  limits: SampleLimits,
): Promise<Finding | null> {
  const checker = format === 'csv' ? csvChecker(ds, limits) : jsonChecker(ds, limits, format === 'jsonl');
  let complete: boolean;
  try {
    ({ complete } = await readTextSample(
      store,
      'raw',
      key,
      size,
      gzip,
      limits,
      (t) => checker.push(t),
      (first) =>
        first.subarray(0, 4).toString('latin1') === 'PAR1'
          ? `this is a Parquet file, not ${format}`
          : undefined,
    ));
  } catch (e) {
    if (!(e instanceof SampleReadError)) throw e;
    return malformed(e.message, e.atTextByte > 0 ? checker.lines + 1 : undefined);
  }
  return checker.finish(complete);
}

const describeParquetType = (c: ParquetColumn) =>
  c.group
    ? `a nested ${c.logical ?? 'group'}`
    : `Parquet ${c.physical ?? '?'}${c.logical ? ` (${c.logical})` : ''}`;

/** Why a Parquet column cannot hold a lake column's values, or undefined if it can. */
export function parquetTypeProblem(pc: ParquetColumn, col: ColumnDef): string | undefined {
  const p = pc.physical;
  const l = pc.logical;
  const text = p === 'BYTE_ARRAY' && (l === undefined || l === 'STRING' || l === 'ENUM' || l === 'JSON');
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
  if (footer.numRows === 0n)
    return { code: UploadErrorCode.EmptyFile, message: 'the Parquet file has no rows' };
  return null;
}

/**
 * What the CSV and JSON checks share: the checker interface, the streaming parser around it (lines, syntax errors as
 * MALFORMED_FILE), and the tally of sampled rows judged against the dataset's JSON Schema and maxRejectedRatio.
 */
import type { ErrorObject } from 'ajv';
import type { Dataset } from '../dataset-registry';
import { malformed } from './findings';
import { nestedIntegerProblem } from '../nested-exact-integers';
import { type Finding, UploadErrorCode } from './types';

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * What a dataset's date and date-time formats take (lib/validators/formats.ts, the ETL's rules): a date-time with
 * another offset is a date-time, and ajv's "must match format" would not say why it is refused.
 */
const DATASET_FORMAT_RULES: Record<string, string> = {
  date: 'is not a date of the calendar (yyyy-MM-dd, years 1000 to 9999)',
  'date-time':
    'is not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff], T or a space, with Z, +00:00 or no offset, years 1000 to 9999, at most 6 fraction digits): convert other offsets to UTC',
};

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
  let message = (e.keyword === 'format' && DATASET_FORMAT_RULES[String(p.format)]) || e.message || e.keyword;
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
  return { ...(field ? { field } : {}), message };
}

/** An integer inside a JSON column written with a fraction (lib/nested-exact-integers.ts), as a row's problem. */
function nestedIntegerOf(
  schema: object,
  row: Record<string, unknown>,
): { field: string; message: string } | undefined {
  const found = nestedIntegerProblem(schema, row);
  if (!found) return undefined;
  const [field, ...inside] = found.path;
  return { field: String(field), message: `at ${inside.map((k) => `/${k}`).join('')}: ${found.message}` };
}

/** Counts the sampled rows that fail, remembers the first, and judges the sample against maxRejectedRatio. */
export class RowTally {
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
    if (!p) p = nestedIntegerOf(this.ds.schema, row);
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

  /**
   * A row neither engine reads as one (a CSV row with another number of fields than the header): a bad row of the
   * sample, as the ETL rejects it, not a file that cannot be read.
   */
  addUnread(line: number, message: string): void {
    this.rows++;
    this.invalid++;
    this.first ??= { code: UploadErrorCode.RowInvalid, message: `line ${line}: ${message}`, line };
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
  /** Every row of the sample was read, and no problem found: what follows is past the sample. */
  readonly full: boolean;
}

/**
 * The line ends in a piece of text — LF, CRLF or a CR alone, as both readers end lines (a CR-only file's lines too) —
 * `afterCR` when the piece before ended with a CR (an LF first here is that CRLF's).
 */
function countLineEnds(text: string, afterCR: boolean): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
    if (!(i === 0 ? afterCR : text.charCodeAt(i - 1) === 13)) n++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) n++;
  return n;
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
export function parsingChecker(
  parser: StreamParser,
  SyntaxErrorClass: new (...args: never[]) => Error & { line: number; column?: number },
  state: { finding: Finding | null },
  verdict: (complete: boolean) => Finding | null,
): TextChecker {
  let lines = 0;
  let afterCR = false;
  const fail = (e: unknown) => {
    if (e instanceof SyntaxErrorClass) state.finding = malformed(e.message, e.line, e.column);
    else throw e;
  };
  return {
    get lines() {
      return lines;
    },
    get full() {
      return !state.finding && parser.done;
    },
    push(text) {
      lines += countLineEnds(text, afterCR);
      if (text !== '') afterCR = text.endsWith('\r');
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

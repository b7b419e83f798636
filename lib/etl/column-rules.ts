/**
 * How the ETL plan (./plan.ts) types and checks one column: the SQL expression of its typed value from the raw text
 * and the conditions that reject a row, with their reasons — the type's own (integer and decimal syntax and range,
 * double, boolean, date, UTC timestamp) and the schema's rules (enum, pattern, maxLength, minimum, maximum), in the
 * dialect Spark SQL and DuckDB share.
 */
import type { ColumnDef } from '../catalog/tables';
import { otherRuleProblems } from './other-rule-checks';
import { patternProblems } from './pattern-problems';
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
  DOUBLE_OUT_OF_RANGE,
  DOUBLE_PATTERN,
  INTEGER_PATTERN,
  NONZERO_MANTISSA_PATTERN,
  UTC_TIMESTAMP_RE,
  decimalScalePattern,
} from './value-patterns';

const DATE_RE = portablePattern(DATE_PATTERN);
const TIMESTAMP_RE = portablePattern(UTC_TIMESTAMP_RE);
const INTEGER_RE = portablePattern(INTEGER_PATTERN);
const DECIMAL_RE = portablePattern(DECIMAL_PATTERN);
const DOUBLE_RE = portablePattern(DOUBLE_PATTERN);

/**
 * An SQL string literal both engines read the same: DuckDB takes backslashes literally, and so does Spark with
 * spark.sql.parser.escapedStringLiterals (set by the Glue job) — but only after its lexer has found where the literal
 * ends, by its rule '\'' ( ~('\''|'\\') | ('\\' .) )* '\'': a backslash there takes the next character with it,
 * a quote included. So no piece may hold a quote (DuckDB doubles it, Spark's lexer would take \' as one) nor end in
 * an unpaired backslash (Spark's lexer would pair it with the closing quote and read on): a text with either is its
 * pieces joined by chr(39) and chr(92), which both engines have ('don' || chr(39) || 't'). tests/etl/spark-sql-
 * grammar.test.ts lexes every plan with Spark's grammar.
 */
export function literal(value: string | number | boolean, where: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const parts: string[] = [];
  value.split("'").forEach((piece, i) => {
    if (i > 0) parts.push('chr(39)');
    // An odd run of backslashes at the end of a piece: its last one goes on its own.
    const unpaired = /\\*$/.exec(piece)![0].length % 2 === 1;
    const text = unpaired ? piece.slice(0, -1) : piece;
    if (text !== '' || parts.length === 0) parts.push(`'${text}'`);
    if (unpaired) parts.push('chr(92)');
  });
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
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

export interface ColumnRule {
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

export function rule(c: ColumnDef, raw: string, typed: string, text: string): ColumnRule {
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
      // 1e400 casts to Infinity and 1e-400 to 0 in both engines: refused, never stored clamped or rounded.
      problems.push([
        `abs(${typed}) = CAST('Infinity' AS DOUBLE) OR (${typed} = 0 AND ` +
          `regexp_like(${raw}, ${literal(portablePattern(NONZERO_MANTISSA_PATTERN), where)}))`,
        DOUBLE_OUT_OF_RANGE,
      ]);
      break;
    case 'boolean':
      value = `CASE lower(${v}) WHEN 'true' THEN true WHEN 'false' THEN false END`;
      problems.push([`${typed} IS NULL`, 'not true or false']);
      break;
    case 'date':
      value = `CASE WHEN regexp_like(${v}, ${literal(DATE_RE, where)}) THEN TRY_CAST(${v} AS DATE) END`;
      problems.push([`${typed} IS NULL`, 'not a date (yyyy-MM-dd, years 1000 to 9999)']);
      break;
    case 'timestamp':
      value = `CASE WHEN regexp_like(${v}, ${literal(TIMESTAMP_RE, where)}) THEN TRY_CAST(${v} AS TIMESTAMP) END`;
      problems.push([
        `${typed} IS NULL`,
        'not a UTC timestamp (yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+00:00], T or a space, years 1000 to 9999: at most 6 fraction digits)',
      ]);
      break;
    case 'string':
      value = v;
      break;
    default:
      throw new Error(`${where}: no ETL typing for type ${c.type}`);
  }
  return withRules(c, raw, typed, value, problems);
}

/**
 * Why a required column that takes an explicit null ("type": [..., "null"]) refuses its null, as ajv does at ingest
 * and in the upload check: an enum without null, or a const other than null. Undefined when it takes it (the ETL
 * cannot tell a key left out from a null: both are NULL, judged as the null the column takes).
 */
export function nullRefusal(c: ColumnDef): string | undefined {
  if (!c.required || !c.nullable) return undefined;
  if (c.enum && !(c.enum as unknown[]).includes(null)) return `null is not one of ${c.enum.join(', ')}`;
  const only =
    c.otherRules === undefined ? undefined : (JSON.parse(c.otherRules) as { const?: unknown }).const;
  if (only !== undefined && only !== null) return `null is not ${JSON.stringify(only)}`;
  return undefined;
}

/** The schema's own rules (enum, pattern, maxLength, minLength, minimum, maximum) added to a column's typing problems. */
function withRules(
  c: ColumnDef,
  raw: string,
  typed: string,
  value: string,
  problems: [string, string][],
): ColumnRule {
  const where = `column ${c.name}`;
  if (c.enum) {
    // A number column's enum by value (the raw text of 0.000001 may be 1e-06, of 1.0 may be 1), a boolean's too
    // (typing takes TRUE and True, as the upload check does); text by text. A null in the enum is no text: it takes
    // the column's null (nullRefusal), not the text "null".
    const listed = c.enum.filter((e) => (e as unknown) !== null);
    const byValue =
      (isNumericType(c.type) && listed.every((e) => typeof e === 'number')) ||
      (c.type === 'boolean' && listed.every((e) => typeof e === 'boolean'));
    const values = listed.map((e) => literal(byValue ? e : String(e), where)).join(', ');
    problems.push([
      listed.length ? `${byValue ? typed : raw} NOT IN (${values})` : 'TRUE',
      `not one of ${c.enum.join(', ')}`,
    ]);
  }
  if (c.pattern)
    problems.push(
      ...patternProblems(c, raw, patternLiteral(c.pattern, where), c.pattern, `does not match ${c.pattern}`),
    );
  if (c.maxLength !== undefined)
    problems.push([`length(${raw}) > ${c.maxLength}`, `longer than ${c.maxLength}`]);
  // An empty text is a value (not absent) in a JSON file: a minLength of 1 refuses it, as the sample check does.
  if (c.minLength !== undefined && c.minLength > 0)
    problems.push([`length(${raw}) < ${c.minLength}`, `shorter than ${c.minLength}`]);
  // A NULL typed value (invalid text) makes these conditions NULL: only valid numbers are compared.
  if (c.minimum !== undefined && isNumericType(c.type)) {
    problems.push([`${typed} < ${literal(c.minimum, where)}`, `less than ${c.minimum}`]);
  }
  if (c.maximum !== undefined && isNumericType(c.type)) {
    problems.push([`${typed} > ${literal(c.maximum, where)}`, `greater than ${c.maximum}`]);
  }
  problems.push(...otherRuleProblems(c, raw, typed, literal));
  return { typed: value, problems };
}

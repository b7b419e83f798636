/**
 * Typed literals (<type> '<text>') as Athena reads them. DuckDB reads DECIMAL '0.12345' as a cast to its default
 * DECIMAL(18,3) (0.123); Trino gives a decimal literal the precision and scale its digits have (decimal(5,5),
 * 0.12345: io.trino.spi.type.Decimals.parse, leading zeros not counted, at least 1), and fails one that is not a
 * decimal ('1e2') or has more than 38 digits. JSON '…' is json_parse of the text; the other types' literals are the
 * cast of the text, written as CAST so that the casts' own rewrites (calls.ts) read it as Athena does.
 */
import { sqlString } from '../../duckdb-sql';
import { tokenize } from '../sql-guard/lexer';
import { decimalDigits } from '../sql-guard/numeric-literals';
import { LocalDialectError } from './local-error';
import { applyEdits, isSymbol, type Edit } from './tokens';

/** A typed literal Athena fails at analysis: the query fails with Trino's message. */
export class InvalidLiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLiteralError';
  }
}

/** Types whose literal is the cast of its text (DuckDB's type name). */
const CAST_TYPES: Record<string, string> = {
  double: 'DOUBLE',
  real: 'REAL',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  int: 'INTEGER',
  smallint: 'SMALLINT',
  tinyint: 'TINYINT',
  boolean: 'BOOLEAN',
  varchar: 'VARCHAR',
};

const DECIMAL_LITERAL = /^([+-]?)([0-9]+)?(?:\.([0-9]+)?)?$/;
const MAX_PRECISION = 38;

/** The DuckDB cast of a DECIMAL literal's text, with Trino's precision and scale. */
export function decimalLiteral(text: string): string {
  const m = DECIMAL_LITERAL.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined))
    throw new InvalidLiteralError(`'${text}' is not a valid DECIMAL literal`);
  const scale = (m[3] ?? '').length;
  const precision = Math.max(1, decimalDigits(m[2] ?? '', m[3] ?? ''));
  if (precision > MAX_PRECISION) throw new InvalidLiteralError('Value exceeds maximum precision');
  return `CAST(${sqlString(text)} AS DECIMAL(${precision}, ${scale}))`;
}

/** A TIME literal's text with a zone after the time: `01:02:03.456 +01:00`, `01:02:03 UTC`. */
const TIME_WITH_ZONE =
  /^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{1,2}(?::?\d{2})?|[A-Za-z][\w/+-]*)\s*$/;

/** The statement with its typed literals written as DuckDB reads them as Athena does (the module comment). */
export function rewriteTypedLiterals(sql: string): string {
  if (!/\b(decimal|double|real|bigint|integer|int|smallint|tinyint|boolean|varchar|json|time)\s*'/i.test(sql))
    return sql;
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k]!;
    const literal = tokens[k + 1]!;
    if (t.kind !== 'word' || literal.kind !== 'string' || isSymbol(tokens[k - 1], '.')) continue;
    const type = t.text.toLowerCase();
    const text = literal.text.slice(1, -1).replace(/''/g, "'");
    let sqlText: string | undefined;
    if (type === 'time' && TIME_WITH_ZONE.test(text)) {
      throw new LocalDialectError(
        `TIME '${text}'`,
        'Athena reads a time literal with a zone as time with time zone; DuckDB reads it as a time and drops the ' +
          "zone. Write the time without it, or a timestamp: TIMESTAMP '2024-01-01 01:02:03 +01:00'",
      );
    }
    if (type === 'decimal') sqlText = decimalLiteral(text);
    else if (type === 'json') sqlText = `json_parse(${literal.text})`;
    else if (CAST_TYPES[type]) sqlText = `CAST(${literal.text} AS ${CAST_TYPES[type]})`;
    if (sqlText) edits.push({ start: t.start, end: literal.end, text: sqlText });
  }
  return applyEdits(sql, edits);
}

/**
 * Plain decimal literals with Trino's precision: Trino does not count the zeros before the point (0.5 is
 * decimal(1,1), 007.50 decimal(3,2), 0.1 + 0.2 decimal(2,1)); DuckDB counts them (decimal(2,1) …), and reads a
 * literal of 38 digits after `0.` as a double (39 digits to it). Without its leading zeros (.5, 7.50) DuckDB gives
 * the literal Trino's type; the value is the same. Run last, so that refusals quote the literal as written.
 */
export function decimalLiteralsAsTrino(sql: string): string {
  if (!/\b0\d*\.\d/.test(sql)) return sql;
  const edits: Edit[] = [];
  for (const t of tokenize(sql).tokens) {
    const m = t.kind === 'number' ? /^0+(\d*\.\d+)$/.exec(t.text) : null;
    if (m) edits.push({ start: t.start, end: t.end, text: m[1]! });
  }
  return applyEdits(sql, edits);
}

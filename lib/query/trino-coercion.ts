/**
 * Trino's implicit coercion of one type to another (a lag default to its value's type, a recursion step's column to
 * its anchor's): the same type, a wider integer, an integer or decimal into a decimal that holds its digits or into a
 * floating-point type, real into double, a date into a timestamp. One rule, in two forms: coercesTo over Trino's type
 * names (lib/query/duckdb/mixed-operands.ts, which binds the types first) and coercibleSql over DuckDB's typeof text,
 * for a check the query makes as it runs (lib/query/dialect/recursive-ctes.ts).
 */

/** Trino's integer types, narrowest first, and the decimal digits each holds. */
export const INTEGER_TYPES = ['tinyint', 'smallint', 'integer', 'bigint'];
const INTEGER_DIGITS = [3, 5, 10, 19];
export const decimalOf = (t: string) =>
  /^decimal\((\d+),(\d+)\)$/.exec(t)?.slice(1).map(Number) as [number, number] | undefined;

/**
 * Whether a value of Trino type `from` coerces implicitly to `to` (Trino's type coercion): the same type, a wider
 * integer, an integer or decimal into a decimal that holds its digits or into real or double, real into double, a
 * date into a timestamp, a timestamp into one with time zone.
 */
export function coercesTo(from: string, to: string): boolean {
  if (from === to) return true;
  const fi = INTEGER_TYPES.indexOf(from);
  const ti = INTEGER_TYPES.indexOf(to);
  const fd = decimalOf(from);
  const td = decimalOf(to);
  if (fi >= 0 && ti >= 0) return fi <= ti;
  if ((fi >= 0 || fd) && (to === 'real' || to === 'double')) return true;
  if (fi >= 0 && td) return INTEGER_DIGITS[fi]! <= td[0] - td[1];
  if (fd && td) return fd[1] <= td[1] && fd[0] - fd[1] <= td[0] - td[1];
  if (from === 'real') return to === 'double';
  if (from === 'date') return to.startsWith('timestamp');
  return from === 'timestamp' && to === 'timestamp with time zone';
}

const INTEGERS = `[${INTEGER_TYPES.map((t) => `'${t.toUpperCase()}'`).join(', ')}]`;

/**
 * SQL: whether a value of DuckDB type `from` (typeof's text) coerces implicitly to `to` as Trino coerces a recursion
 * step's column to the anchor's: the same type, a wider integer, an integer or decimal into a decimal that holds its
 * digits or into a floating-point type, real into double, date into timestamp; NULL into anything. (DuckDB has no
 * varchar(n): a text column passes, where Trino refuses a longer varchar than the anchor's literal.)
 */
export function coercibleSql(from: string, to: string): string {
  const decimal = (t: string, i: number) =>
    `CAST(regexp_extract(${t}, '^DECIMAL\\((\\d+),(\\d+)\\)$', ${i}) AS INTEGER)`;
  const isDecimal = (t: string) => `regexp_matches(${t}, '^DECIMAL\\(')`;
  const integerDigits = `[${INTEGER_DIGITS.join(', ')}][list_position(${INTEGERS}, ${from})]`;
  return (
    `(${from} = ${to} OR ${from} = 'NULL' ` +
    `OR (list_contains(${INTEGERS}, ${from}) AND (list_position(${INTEGERS}, ${from}) <= list_position(${INTEGERS}, ${to}) ` +
    `OR ${to} IN ('FLOAT', 'DOUBLE') OR (${isDecimal(to)} AND ${integerDigits} <= ${decimal(to, 1)} - ${decimal(to, 2)}))) ` +
    `OR (${isDecimal(from)} AND (${to} IN ('FLOAT', 'DOUBLE') OR (${isDecimal(to)} AND ${decimal(from, 2)} <= ${decimal(to, 2)} ` +
    `AND ${decimal(from, 1)} - ${decimal(from, 2)} <= ${decimal(to, 1)} - ${decimal(to, 2)}))) ` +
    `OR (${from} = 'FLOAT' AND ${to} = 'DOUBLE') OR (${from} = 'DATE' AND regexp_matches(${to}, '^TIMESTAMP')))`
  );
}

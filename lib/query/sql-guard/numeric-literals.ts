/**
 * Literals as Athena (Trino) reads them. A number run into letters (1abc, 10d, 1e3x) is Trino's DIGIT_IDENTIFIER, a
 * syntax error ("identifiers must not start with a digit"), where DuckDB reads the number and the letters as a
 * column alias — `SELECT 0x1F` answered 0, named x1F. Two string literals in a row are a syntax error in Trino,
 * where DuckDB joins them ('a' 'b' is 'ab', as in PostgreSQL).
 *
 * Integer literals: a literal of digits only is a bigint (Trino's LongLiteral), and one
 * beyond a bigint fails the statement ("Invalid numeric literal"), where DuckDB reads it as a 128-bit integer or a
 * decimal and answers. Refused here, on both runtimes, with what to write instead. The least bigint is written
 * with its sign (-9223372036854775808), which Trino's grammar reads as one literal; 2^63 after a `-` is taken for
 * it (a subtraction of 2^63, which Trino refuses, is left to the engine).
 *
 * Decimal literals of more than 38 digits fail the statement too (refuseInvalidDecimalLiterals).
 *
 * Row counts: LIMIT, OFFSET and FETCH FIRST take an integer literal only in Trino's grammar (rowCount:
 * INTEGER_VALUE), so LIMIT 1.5 is a syntax error on Athena, where DuckDB rounds it (LIMIT 1.5 answered two rows).
 */
import { refuse, type Token } from './lexer';

export function refuseInvalidIntegerLiterals(sql: string, tokens: Token[]): void {
  tokens.forEach((t, k) => {
    if (t.kind !== 'number' || !/^[0-9]{19,}$/.test(t.text)) return;
    const excess = BigInt(t.text) - 2n ** 63n;
    if (excess < 0n || (excess === 0n && tokens[k - 1]?.text === '-')) return;
    refuse(
      sql,
      t.start,
      `Invalid numeric literal: ${t.text}: beyond a bigint (Athena fails it); write DECIMAL '${t.text}' or ${t.text}e0`,
    );
  });
}

/**
 * The digits of a decimal written with this integer part and fraction, as Trino counts them (Decimals.parse): the
 * integer part's leading zeros not counted. Its precision is this, at least 1.
 */
export const decimalDigits = (integral: string, fraction: string): number =>
  integral.replace(/^0+/, '').length + fraction.length;

/**
 * Decimal literals: a number with a point and no exponent is a decimal (Trino's DecimalLiteral), of as many digits
 * as it has less the integer part's leading zeros; beyond 38 Trino fails the statement ("'…' is not a valid
 * DECIMAL literal"), where DuckDB reads it as a double and answers.
 */
export function refuseInvalidDecimalLiterals(sql: string, tokens: Token[]): void {
  for (const t of tokens) {
    const parts = t.kind === 'number' ? /^([0-9]*)\.([0-9]*)$/.exec(t.text) : null;
    if (!parts) continue;
    const digits = decimalDigits(parts[1]!, parts[2]!);
    if (digits > 38)
      refuse(
        sql,
        t.start,
        `'${t.text}' is not a valid DECIMAL literal: ${digits} digits, where a decimal has at most 38 (Athena fails ` +
          `this query; DuckDB would read a double): write ${t.text}e0 for a double, or at most 38 digits`,
      );
  }
}

/** Refuses a LIMIT, OFFSET or FETCH FIRST/NEXT row count written with a fraction or an exponent. */
export function refuseFractionalRowCounts(sql: string, tokens: Token[]): void {
  const word = (k: number, ...w: string[]) =>
    tokens[k]?.kind === 'word' && w.includes(tokens[k]!.text.toLowerCase());
  tokens.forEach((t, k) => {
    if (t.kind !== 'number' || /^[0-9]+$/.test(t.text)) return;
    const clause = word(k - 1, 'limit', 'offset')
      ? tokens[k - 1]!.text.toUpperCase()
      : word(k - 2, 'fetch') && word(k - 1, 'first', 'next')
        ? `FETCH ${tokens[k - 1]!.text.toUpperCase()}`
        : undefined;
    if (clause)
      refuse(
        sql,
        t.start,
        `${clause} ${t.text}: Athena (Trino) takes an integer row count there and fails this query (a syntax ` +
          `error), where DuckDB would round it: write ${clause} with an integer`,
      );
  });
}

/** A number token as Trino's grammar reads one: digits, a fraction, an exponent. */
const NUMBER = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

export function refuseMalformedLiterals(sql: string, tokens: Token[]): void {
  tokens.forEach((t, k) => {
    if (t.kind === 'number' && !NUMBER.test(t.text)) {
      // Newer Trino versions read 0x1F, 0o17, 0b101 and 1_000 as integers; the lake reads none of them alike.
      const based = /^0[xXbBoO][0-9a-fA-F_]+$/.test(t.text) || /^[0-9][0-9_]*[0-9]$/.test(t.text);
      refuse(
        sql,
        t.start,
        based
          ? `${t.text}: the local engine reads no hexadecimal, octal or binary literal and no digit separator ` +
              `(DuckDB would read a number and a column alias): write the integer in plain decimal digits`
          : `${t.text}: identifiers must not start with a digit; surround the identifier with double quotes ` +
              `(Athena fails this query; DuckDB would read a number and a column alias)`,
      );
    }
    if (t.kind === 'string' && tokens[k + 1]?.kind === 'string')
      refuse(
        sql,
        tokens[k + 1]!.start,
        'two string literals in a row: Athena (Trino) fails this query (a syntax error), where DuckDB would join ' +
          "them: write one literal, or join them with || ('a' || 'b')",
      );
  });
}

/**
 * Integer literals as Athena (Trino) reads them: a literal of digits only is a bigint (Trino's LongLiteral), and one
 * beyond a bigint fails the statement ("Invalid numeric literal"), where DuckDB reads it as a 128-bit integer or a
 * decimal and answers. Refused here, on both runtimes, with what to write instead. The least bigint is written
 * with its sign (-9223372036854775808), which Trino's grammar reads as one literal; 2^63 after a `-` is taken for
 * it (a subtraction of 2^63, which Trino refuses, is left to the engine).
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

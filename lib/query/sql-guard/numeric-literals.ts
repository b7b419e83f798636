/**
 * Integer literals as Athena (Trino) reads them: a literal of digits only is a bigint (Trino's LongLiteral), and one
 * beyond a bigint fails the statement ("Invalid numeric literal"), where DuckDB reads it as a 128-bit integer or a
 * decimal and answers. Refused here, on both runtimes, with what to write instead. The least bigint is written
 * with its sign (-9223372036854775808), which Trino's grammar reads as one literal.
 */
import { refuse, type Token } from './lexer';

const BIGINT_MAX = 2n ** 63n - 1n;

/** Words after which a `-` is a sign, not a subtraction (the start of an operand). */
const BEFORE_OPERAND = new Set([
  'select',
  'where',
  'and',
  'or',
  'not',
  'when',
  'then',
  'else',
  'by',
  'in',
  'between',
  'like',
  'on',
  'having',
  'values',
  'is',
  'distinct',
  'all',
  'return',
  'limit',
  'offset',
]);

/** Whether the `-` at k is a sign: nothing before it, an opening or an operator, or a keyword. */
function isSign(tokens: Token[], k: number): boolean {
  if (tokens[k]?.text !== '-') return false;
  const before = tokens[k - 1];
  if (!before) return true;
  if (before.kind === 'symbol') return before.text !== ')' && before.text !== ']';
  return before.kind === 'word' && BEFORE_OPERAND.has(before.text.toLowerCase());
}

export function refuseInvalidIntegerLiterals(sql: string, tokens: Token[]): void {
  tokens.forEach((t, k) => {
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.text)) return;
    const value = BigInt(t.text);
    if (value <= BIGINT_MAX || (value === BIGINT_MAX + 1n && isSign(tokens, k - 1))) return;
    refuse(
      sql,
      t.start,
      `Invalid numeric literal: ${t.text}: Athena (Trino) reads an integer literal as a bigint ` +
        '(-9223372036854775808 to 9223372036854775807) and fails the query beyond it; write a decimal ' +
        `(DECIMAL '${t.text}', up to 38 digits) or a double (${t.text}e0)`,
    );
  });
}

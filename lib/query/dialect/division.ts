/**
 * Division and remainder by zero, answered as Athena answers them. With Trino's integer division (DuckDB's
 * integer_division), DuckDB's `a / b` and `a % b` are NULL for a zero `b` of any type; Athena fails an integer or
 * decimal division or remainder ("Division by zero"), answers Infinity or NaN for a double or real division and NaN
 * for a double or real remainder (DuckDB's too), and answers NULL whenever an operand is NULL. Every `a / b` becomes
 * trino_div(a, b) and every `a % b` trino_mod(a, b) (./macros.ts): the same values, Athena's error where Athena
 * fails, and an error that names the difference for a double or real divided by zero (DuckDB cannot give Infinity
 * there without changing the type of every other division) — never another answer.
 *
 * The operands are Trino's (its grammar: `*`, `/` and `%` bind looser than unary signs and tighter than everything
 * else, left to right): the right operand is any unary signs and a primary expression, the left one the `*`, `/`,
 * `%` chain before the operator, so `a * b / c * d` is trino_div(a * b, c) * d and `a / b / c`
 * trino_div(trino_div(a, b), c). An operator whose operands the token reader cannot delimit is left as written; an
 * INTERVAL literal divided fails naming the difference (DuckDB cannot divide an interval).
 */
import type { Token } from '../sql-guard/lexer';
import { tokenize } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { applyPieces, isSymbol, isWord, primaryEnd, primaryStart, type Piece } from './tokens';

/**
 * The deepest divisions and remainders may nest in one another (as operands of each other): each macro writes its
 * operands two or three times, so the expression DuckDB binds grows as 3^depth (measured: 12 levels took 12 s to
 * plan, 16 more than 5 minutes; 10 levels of % stay near a second).
 */
export const MAX_NESTED_DIVISIONS = 10;

/** The first token of the primary expression ending at `last`, a call's FILTER (…) and OVER (…) / OVER w included. */
function windowedPrimaryStart(tokens: Token[], last: number): number {
  let first = primaryStart(tokens, last);
  for (;;) {
    if (first < 0) return -1;
    if (isWord(tokens[first], 'over', 'filter') && isSymbol(tokens[first + 1], '('))
      first = primaryStart(tokens, first - 1);
    else if (first === last && isWord(tokens[first - 1], 'over')) first = primaryStart(tokens, first - 2);
    else return first;
  }
}

/** The first token of the left operand of the operator at `op`: the `*` `/` `%` chain before it, unary signs included. */
function leftOperandStart(tokens: Token[], op: number): number {
  let end = op - 1;
  for (;;) {
    let first = windowedPrimaryStart(tokens, end);
    if (first < 0) return -1;
    // A sign after something that is no operand (an operator, a keyword, a bracket, the start) is unary.
    while (isSymbol(tokens[first - 1], '-', '+') && primaryStart(tokens, first - 2) < 0) first--;
    if (!isSymbol(tokens[first - 1], '*', '/', '%')) return first;
    end = first - 2;
  }
}

/** How many operations' operand spans hold one another at most (1: none inside another). */
function nestingDepth(spans: { first: number; last: number }[]): number {
  let deepest = 0;
  for (const s of spans) {
    const around = spans.filter((o) => o !== s && o.first <= s.first && s.last <= o.last).length;
    deepest = Math.max(deepest, around + 1);
  }
  return deepest;
}

/** Every `a / b` as trino_div(a, b) and every `a % b` as trino_mod(a, b) (see the module comment). */
export function guardDivisions(sql: string): string {
  if (!sql.includes('/') && !sql.includes('%')) return sql;
  const { tokens } = tokenize(sql);
  const pieces: Piece[] = [];
  const spans: { first: number; last: number }[] = [];
  for (let k = 0; k < tokens.length; k++) {
    if (!isSymbol(tokens[k], '/', '%')) continue;
    const first = leftOperandStart(tokens, k);
    let rightFirst = k + 1;
    while (isSymbol(tokens[rightFirst], '-', '+')) rightFirst++;
    const last = primaryEnd(tokens, rightFirst);
    if (first < 0 || last < 0) continue;
    if (isWord(tokens[first], 'interval'))
      throw new LocalDialectError(
        `an INTERVAL divided (${sql.slice(tokens[first]!.start, tokens[last]!.end)})`,
        "Athena divides an interval (INTERVAL '3' DAY / 2 is 1 12:00:00.000), DuckDB does not: multiply it by the " +
          "inverse where that is exact (INTERVAL '3' DAY * 0.5)",
      );
    spans.push({ first, last });
    const name = tokens[k]!.text === '/' ? 'trino_div(' : 'trino_mod(';
    const start = tokens[first]!.start;
    // Calls opened at one position: the later operator's is the outer one (left to right).
    pieces.push({ start, end: start, text: name, rank: 1 - k / tokens.length });
    pieces.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: ',', rank: 2 });
    pieces.push({ start: tokens[last]!.end, end: tokens[last]!.end, text: ')', rank: 0 });
  }
  if (nestingDepth(spans) > MAX_NESTED_DIVISIONS) {
    throw new LocalDialectError(
      `more than ${MAX_NESTED_DIVISIONS} divisions or remainders nested in one another`,
      'the local engine checks each for a zero divisor with an expression that repeats its operands, which grows ' +
        'exponentially with the nesting; compute part of it in a subquery',
    );
  }
  return applyPieces(sql, pieces);
}

/**
 * The offsets of a ROWS frame (`ROWS 2 PRECEDING`, `ROWS BETWEEN 1 PRECEDING AND 3 FOLLOWING`), as Trino judges
 * them, where DuckDB answers each of these otherwise, without an error:
 *  - an offset that is no whole number fails the analysis ("Window frame ROWS start value type must be exact
 *    numeric type with scale 0 (actual decimal(2,1))": ExpressionAnalyzer); DuckDB rounds 1.5 to 2;
 *  - a negative or NULL offset fails the query ("Window frame offset value must not be negative or null":
 *    QueryPlanner's frame offset check); DuckDB gives an empty frame (NULL sums, counts of 0).
 * An offset that is no literal is refused by name: the local engine cannot check it row by row. RANGE and GROUPS
 * frames are refused by the guard (docs/sql-dialect.md).
 */
import type { Token } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import { isSymbol, isWord } from './tokens';
import { integerLiteral } from './window-navigation';

interface Bound {
  /** The offset's tokens (none for UNBOUNDED and CURRENT ROW). */
  first: number;
  last: number;
  /** The word after the bound. */
  next: number;
}

/** The frame bound starting at token j, or undefined when the tokens there are no bound. */
function boundAt(tokens: Token[], j: number): Bound | undefined {
  if (isWord(tokens[j], 'unbounded', 'current')) return { first: j, last: j - 1, next: j + 2 };
  let depth = 0;
  for (let p = j; p < tokens.length; p++) {
    const t = tokens[p]!;
    if (isSymbol(t, '(', '[')) depth++;
    else if (isSymbol(t, ')', ']') && --depth < 0) return undefined;
    else if (depth === 0 && isSymbol(t, ',')) return undefined;
    else if (depth === 0 && isWord(t, 'preceding', 'following'))
      return p > j ? { first: j, last: p - 1, next: p + 1 } : undefined;
  }
  return undefined;
}

/** Trino's type of a number literal that is no integer: decimal(p,s) for 1.5, double for 1e0. */
function literalType(text: string): string {
  if (/e/i.test(text)) return 'double';
  const [whole = '', fraction = ''] = text.split('.');
  const digits = whole.replace(/^0+/, '').length + fraction.length;
  return `decimal(${Math.max(digits, fraction.length, 1)},${fraction.length})`;
}

/** A number literal that is no integer (1.5, -1.5, +1e0), as its one number token, or undefined. */
function nonIntegerLiteral(tokens: Token[], bound: Bound): Token | undefined {
  const first = isSymbol(tokens[bound.first], '-', '+') ? bound.first + 1 : bound.first;
  const only = first === bound.last ? tokens[first] : undefined;
  return only?.kind === 'number' && !/^\d+$/.test(only.text) ? only : undefined;
}

/** Trino's analysis first: an offset's type (of each bound, start then end). */
function checkOffsetType(tokens: Token[], bound: Bound, end: 'start' | 'end'): void {
  if (bound.last < bound.first) return;
  const literal = nonIntegerLiteral(tokens, bound);
  if (literal)
    throw new Error(
      `Window frame ROWS ${end} value type must be exact numeric type with scale 0 (actual ${literalType(literal.text)})`,
    );
}

/** Then its value, as the query runs: negative or NULL fails. */
function checkOffsetValue(sql: string, tokens: Token[], bound: Bound): void {
  if (bound.last < bound.first) return;
  const value = integerLiteral(tokens, bound.first, bound.last);
  if (value !== undefined) {
    if (value < 0) throw new Error('Window frame offset value must not be negative or null');
    return;
  }
  const text = sql.slice(tokens[bound.first]!.start, tokens[bound.last]!.end);
  throw new LocalDialectError(
    `ROWS … ${text} ${tokens[bound.next - 1]!.text.toUpperCase()}`,
    'Athena fails the query where a frame offset is negative or NULL, where DuckDB answers with an empty frame; ' +
      'the local engine takes an integer literal only',
  );
}

/** Throws Athena's failure (or the local engine's refusal) of the ROWS frame at token k, if it has one. */
export function refuseFrameOffsets(sql: string, tokens: Token[], k: number): void {
  if (!isWord(tokens[k], 'rows') || isSymbol(tokens[k - 1], '.')) return;
  const between = isWord(tokens[k + 1], 'between');
  const start = boundAt(tokens, between ? k + 2 : k + 1);
  if (!start) return;
  let end: Bound | undefined;
  if (between) {
    if (!isWord(tokens[start.next], 'and')) return;
    end = boundAt(tokens, start.next + 1);
    if (!end) return;
  }
  checkOffsetType(tokens, start, 'start');
  if (end) checkOffsetType(tokens, end, 'end');
  checkOffsetValue(sql, tokens, start);
  if (end) checkOffsetValue(sql, tokens, end);
}

/**
 * Subscripts answered as Athena answers them. Trino fails `array[i]` past the end ("Array subscript must be less
 * than or equal to array length: 3 > 2"), at 0 ("SQL array indices start at 1") and below ("Array subscript is
 * negative: -1"), and `map[key]` for a missing key ("Key not present in map: b"); DuckDB answers NULL, or for a
 * negative index the element counted from the end. Every `x[i]` (not ARRAY[…], the constructor) becomes
 * trino_subscript(x, i) (./macros.ts), which fails where Trino fails and is x[i] otherwise; element_at(x, i) stays
 * NULL where there is nothing, as in Trino.
 */
import { tokenize } from '../sql-guard/lexer';
import { applyPieces, closing, insideCall, isSymbol, isWord, primaryStart, type Piece } from './tokens';

/** Every subscript x[i] as trino_subscript(x, i) (see the module comment). */
export function guardSubscripts(sql: string): string {
  if (!sql.includes('[')) return sql;
  const { tokens } = tokenize(sql);
  const pieces: Piece[] = [];
  for (let k = 0; k < tokens.length; k++) {
    if (!isSymbol(tokens[k], '[') || isWord(tokens[k - 1], 'array')) continue;
    const first = primaryStart(tokens, k - 1);
    const close = closing(tokens, k);
    if (first < 0 || close < 0) continue;
    const start = tokens[first]!.start;
    // Subscripts of one operand open at one position: the later one is the outer call (x[1][2]).
    // Inside try() a subscript with nothing there is NULL, as Trino's try() answers (trino_try_subscript).
    const name = insideCall(tokens, k, 'try') ? 'trino_try_subscript(' : 'trino_subscript(';
    pieces.push({ start, end: start, text: name, rank: 1 - k / tokens.length });
    pieces.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: ', ', rank: 2 });
    pieces.push({ start: tokens[close]!.start, end: tokens[close]!.end, text: ')', rank: 0 });
  }
  return applyPieces(sql, pieces);
}

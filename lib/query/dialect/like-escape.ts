/**
 * `LIKE … ESCAPE …` as Athena checks it. Trino fails a pattern in which the escape character is followed by anything
 * but `%`, `_` or itself, or stands last ("Escape character must be followed by '%', '_' or the escape character
 * itself"), and an escape that is not one character ("Escape string must be a single character"), both
 * INVALID_FUNCTION_ARGUMENT; DuckDB reads an escaped ordinary character as itself and takes an empty escape, so it
 * answered such queries with rows. A string-literal pattern and escape are checked here, before anything runs; any
 * other pattern is checked row by row by trino_like_pattern (./macros.ts), which stands in for the pattern.
 */
import { tokenize, type Token } from '../sql-guard/lexer';
import { applyEdits, closing, isSymbol, isWord, primaryEnd, stringLiteral, type Edit } from './tokens';

export const ESCAPE_FOLLOWED = "Escape character must be followed by '%', '_' or the escape character itself";
export const ESCAPE_SINGLE = 'Escape string must be a single character';

/** The text of a string literal standing alone in tokens first..last, parentheses around it dropped ('x', (('x'))). */
function literalSpan(tokens: Token[], first: number, last: number): string | undefined {
  while (isSymbol(tokens[first], '(') && closing(tokens, first) === last) {
    first++;
    last--;
  }
  return first === last ? stringLiteral(tokens[first]) : undefined;
}

/** Throws Trino's error for a pattern that is not valid with this escape character (one character). */
export function checkLikePattern(pattern: string, escape: string): void {
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== escape) continue;
    const next = chars[i + 1];
    if (next !== '%' && next !== '_' && next !== escape) throw new Error(ESCAPE_FOLLOWED);
    i++;
  }
}

/** The index of the LIKE whose pattern ends just before the ESCAPE at `k`, or -1. */
function likeBefore(tokens: Token[], k: number): number {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (isSymbol(t, ')', ']')) depth++;
    else if (isSymbol(t, '(', '[')) {
      if (depth === 0) return -1;
      depth--;
    } else if (depth === 0) {
      if (isWord(t, 'like')) return j;
      if (
        isSymbol(t, ',') ||
        isWord(t, 'and', 'or', 'where', 'when', 'then', 'else', 'select', 'on', 'having')
      )
        return -1;
    }
  }
  return -1;
}

/** The statement with each LIKE's escape checked (see the module comment). */
export function guardLikeEscapes(sql: string): string {
  if (!/\bescape\b/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const edits: Edit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    if (!isWord(tokens[k], 'escape')) continue;
    const like = likeBefore(tokens, k);
    const escapeLast = primaryEnd(tokens, k + 1);
    if (like < 0 || like + 1 >= k || escapeLast < 0) continue;
    const escape = literalSpan(tokens, k + 1, escapeLast);
    if (escape !== undefined && [...escape].length !== 1) throw new Error(ESCAPE_SINGLE);
    const pattern = literalSpan(tokens, like + 1, k - 1);
    if (escape !== undefined && pattern !== undefined) {
      checkLikePattern(pattern, escape);
      continue;
    }
    // A pattern or an escape known only row by row: the pattern checked by the macro as each row reads it.
    const escapeSql = sql.slice(tokens[k + 1]!.start, tokens[escapeLast]!.end);
    edits.push({
      start: tokens[like + 1]!.start,
      end: tokens[k - 1]!.end,
      text: `trino_like_pattern((${sql.slice(tokens[like + 1]!.start, tokens[k - 1]!.end)}), (${escapeSql}))`,
    });
  }
  return applyEdits(sql, edits);
}

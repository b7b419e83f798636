/**
 * Window partitions by expression, for the guard's one grammar. node-sql-parser 5.4's Trino grammar reads only
 * column names after PARTITION BY: `OVER (PARTITION BY date_trunc('month', ts) ORDER BY …)`, `PARTITION BY x + 1`,
 * which Athena runs, are refused with a parse error.
 *
 * liftPartitionExpressions splits the text the parser reads into pieces, as ./subqueries.ts does: the statement
 * with each such expression replaced by a column name of the same length (p___…), and one piece per expression,
 * `SELECT` followed by the expression where it stands (every piece as long as the text, blank elsewhere, so that
 * the parser's offsets stay those of the statement). The guard checks every piece as it checks a statement: the
 * expression's functions and names are checked, never skipped. An expression holding a SELECT is not lifted (the
 * grammar then refuses the statement: failing closed).
 */
import { tokenize, type Token } from './lexer';

const word = (t: Token | undefined): string | undefined =>
  t?.kind === 'word' ? t.text.toLowerCase() : undefined;

/** What ends a PARTITION BY list at its own depth. */
const LIST_END = new Set(['order', 'rows', 'range', 'groups']);

/** A column name the grammar reads: a word or quoted name, optionally qualified (t.x, "t"."x"). */
function isColumnName(tokens: Token[]): boolean {
  return (
    tokens.every((t, i) =>
      i % 2 === 0 ? t.kind === 'word' || t.kind === 'quoted' : t.kind === 'symbol' && t.text === '.',
    ) && tokens.length % 2 === 1
  );
}

/** The spans (start, end offsets) of the PARTITION BY expressions that are not column names. */
function expressionSpans(tokens: Token[]): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (word(tokens[i]) !== 'partition' || word(tokens[i + 1]) !== 'by') continue;
    let depth = 0;
    let first = i + 2;
    for (let j = first; j <= tokens.length; j++) {
      const t = tokens[j];
      const atEnd =
        t === undefined || (depth === 0 && (t.text === ',' || t.text === ')' || LIST_END.has(word(t) ?? '')));
      if (atEnd) {
        const expr = tokens.slice(first, j);
        if (expr.length > 0 && !isColumnName(expr) && !expr.some((x) => word(x) === 'select')) {
          spans.push([expr[0]!.start, expr[expr.length - 1]!.end]);
        }
        if (t?.text !== ',') break;
        first = j + 1;
        continue;
      }
      if (t.text === '(' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === ']') depth--;
    }
  }
  return spans;
}

/**
 * The pieces of `text` (see above): [statement, ...lifted expressions]; just [text] when no partition is by an
 * expression. Throws what the lexer throws for text it refuses.
 */
export function liftPartitionExpressions(text: string): string[] {
  const spans = expressionSpans(tokenize(text).tokens);
  if (spans.length === 0) return [text];
  const statement = text.split('');
  const pieces: string[] = [];
  for (const [start, end] of spans) {
    for (let k = start; k < end; k++) statement[k] = k === start ? 'p' : '_';
    const piece = Array.from({ length: text.length }, (_, k) =>
      k >= start && k < end ? text[k]! : /[\r\n]/.test(text[k]!) ? text[k]! : ' ',
    );
    piece.splice(0, 6, ...'SELECT');
    pieces.push(piece.join(''));
  }
  return [statement.join(''), ...pieces];
}

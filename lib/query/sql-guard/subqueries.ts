/**
 * Expression subqueries, for the guard's one grammar. node-sql-parser 5.4's Trino grammar refuses a parenthesised
 * SELECT inside an expression — a scalar subquery `(SELECT max(x) FROM t)`, `EXISTS (SELECT …)`,
 * `x > ALL (SELECT …)` — with "invalid column clause with select statement" (an action of its expression rule
 * throws before the alternative that would read the subquery is tried). It reads every other place a query can be
 * in: `FROM (SELECT …)`, CTE bodies, set operands (and `IN (SELECT …)` mostly: see QUERY_PAREN_AFTER).
 *
 * liftSubqueries splits the text the parser reads into pieces the grammar can read: the statement with each
 * expression subquery `(SELECT …)` replaced by `(0)` (the EXISTS or ANY/SOME/ALL before it blanked), and each
 * lifted subquery's own statement, with its own subqueries lifted the same way. Every piece is as long as the text,
 * blank outside its part, so that the parser's offsets in any piece are offsets in the statement. Every character
 * of the statement except the lifted parentheses and those keywords is in exactly one piece, and the guard checks
 * every piece as it checks a statement: a lifted subquery is checked, never skipped (failing closed: a subquery
 * taken for a FROM item is left in place, where the grammar refuses it, and a FROM item taken for a subquery
 * leaves `FROM (0)`, which it refuses too).
 */
import { QueryNotAllowedError } from './errors';
import { tokenize, type Token } from './lexer';

/** Expression subqueries a statement may hold (each one is checked as a statement of its own). */
const MAX_SUBQUERIES = 200;

/** What a parenthesis opened: a query's own (FROM item, CTE body, set operand), an expression, a lifted subquery. */
type ParenKind = 'query' | 'expr' | 'lifted';

interface Frame {
  kind: ParenKind;
  /** The clause the tokens at this depth are in (select, from, where, …), as far as it matters here. */
  clause: string;
  /** For a lifted subquery: its piece. */
  piece?: number;
}

interface Piece {
  /** The parent piece (-1: the statement), and the span of the parenthesised subquery in it. */
  parent: number;
  start: number;
  end: number;
  /** Keyword tokens before the parenthesis that are blanked in the parent (EXISTS, ANY, SOME, ALL). */
  blank: Token[];
}

const CLAUSES = new Set([
  'select',
  'from',
  'join',
  'on',
  'using',
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'with',
  'values',
]);
/**
 * A parenthesis after these opens a query's own parenthesis, never an expression's. Not IN: the grammar reads
 * `IN (SELECT …)`, except when the select list starts with a parenthesis — `IN (SELECT (x) + 1 …)` — which it takes
 * for a call of a function named SELECT; an IN subquery is lifted like the others.
 */
const QUERY_PAREN_AFTER = new Set(['from', 'join', 'lateral', 'as', 'union', 'intersect', 'except']);
const SET_OPERATORS = new Set(['union', 'intersect', 'except']);
/** Before a subquery in an expression, blanked with it: `EXISTS (…)`, `x = ANY (…)`, `x > ALL (…)`. */
const QUANTIFIERS = new Set(['any', 'some', 'all']);
const COMPARISON_SYMBOLS = new Set(['=', '<', '>']);

const word = (t: Token | undefined): string | undefined =>
  t?.kind === 'word' ? t.text.toLowerCase() : undefined;

/**
 * The pieces of `text` (see above): [statement, ...lifted subqueries]; just [text] when it has no expression
 * subquery. Throws what the lexer throws for text it refuses (the caller then reports its own parse error).
 */
export function liftSubqueries(text: string): string[] {
  const pieces = expressionSubqueries(text);
  if (pieces === undefined) return [text];
  return liftedTexts(text, pieces);
}

/**
 * How deep expression subqueries nest in `text`: 0 for none, 1 for `(SELECT …)` in an expression, 2 for one inside
 * that one's expressions, … (subqueries in FROM, CTE bodies and set operands do not count). Throws what the lexer
 * throws for text it refuses.
 */
export function expressionSubqueryDepth(text: string): number {
  const pieces = expressionSubqueries(text) ?? [];
  const depths: number[] = [];
  // A piece's parent comes before it.
  pieces.forEach((p, n) => (depths[n] = p.parent < 0 ? 1 : depths[p.parent]! + 1));
  return Math.max(0, ...depths);
}

/** The expression subqueries of `text` (see above), or undefined for none or text whose parentheses do not close. */
function expressionSubqueries(text: string): Piece[] | undefined {
  const { tokens } = tokenize(text);
  const pieces: Piece[] = [];
  const stack: Frame[] = [{ kind: 'query', clause: '' }];
  const top = () => stack[stack.length - 1]!;
  const currentPiece = () => {
    for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.piece !== undefined) return stack[k]!.piece!;
    return -1;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const w = word(t);
    // `a IS DISTINCT FROM b` is no FROM clause.
    if (w !== undefined && CLAUSES.has(w) && !(w === 'from' && word(tokens[i - 1]) === 'distinct')) {
      top().clause = w === 'join' ? 'from' : w;
      continue;
    }
    if (t.text === ')') {
      const frame = stack.length > 1 ? stack.pop()! : undefined;
      if (frame?.kind === 'lifted') {
        const p = pieces[frame.piece!]!;
        p.end = t.end;
      }
      continue;
    }
    if (t.text !== '(') continue;

    const next = word(tokens[i + 1]);
    const place = placeOf(tokens, i, top());
    if ((next === 'select' || next === 'with') && place === 'expr') {
      const prev = tokens[i - 1];
      const prevWord = word(prev);
      const quantified =
        prevWord === 'exists' ||
        (prevWord !== undefined && QUANTIFIERS.has(prevWord) && isComparison(tokens[i - 2]));
      // Each piece is parsed whole (as long as the statement): the checking time grows with their number squared.
      if (pieces.length === MAX_SUBQUERIES)
        throw new QueryNotAllowedError(
          `more than ${MAX_SUBQUERIES} subqueries in expressions: the guard checks each one as a statement; join ` +
            'the tables or compute the values in a WITH query once',
        );
      pieces.push({ parent: currentPiece(), start: t.start, end: -1, blank: quantified ? [prev!] : [] });
      stack.push({ kind: 'lifted', clause: '', piece: pieces.length - 1 });
      continue;
    }
    stack.push({ kind: place, clause: '' });
  }
  return pieces.length === 0 || pieces.some((p) => p.end < 0) ? undefined : pieces;
}

/** The statement with its subqueries lifted, then each subquery with its own lifted (see above). */
function liftedTexts(text: string, pieces: Piece[]): string[] {
  const blankOut = (chars: string[], start: number, end: number) => {
    for (let k = start; k < end; k++) chars[k] = ' ';
  };
  const texts: string[] = [];
  for (let n = -1; n < pieces.length; n++) {
    const own = n < 0 ? undefined : pieces[n]!;
    const chars = text.split('');
    if (own) {
      // Only the subquery between its parentheses.
      blankOut(chars, 0, own.start + 1);
      blankOut(chars, own.end - 1, chars.length);
    }
    for (const child of pieces) {
      if (child.parent !== n) continue;
      blankOut(chars, child.start, child.end);
      chars[child.start] = '(';
      chars[child.start + 1] = '0';
      chars[child.end - 1] = ')';
      for (const b of child.blank) blankOut(chars, b.start, b.end);
    }
    texts.push(chars.join(''));
  }
  return texts;
}

/** The comparison before a quantifier: `=`, `<>`, `>=`, `!=`, … (the lexer's symbols are one character). */
function isComparison(t: Token | undefined): boolean {
  return t?.kind === 'symbol' && COMPARISON_SYMBOLS.has(t.text);
}

/**
 * Where the parenthesis tokens[i] stands: a query's own place (the statement's start, the FROM list, a CTE body,
 * a set operand, a parenthesis nested in one of these) or an expression (an IN list among them).
 */
function placeOf(tokens: Token[], i: number, enclosing: Frame): 'query' | 'expr' {
  const prev = tokens[i - 1];
  if (prev === undefined) return 'query';
  const prevWord = word(prev);
  if (prevWord !== undefined && QUERY_PAREN_AFTER.has(prevWord)) return 'query';
  // UNION ALL (…), INTERSECT DISTINCT (…); not count(DISTINCT (…)), SELECT ALL (…) or x > ALL (…).
  if ((prevWord === 'all' || prevWord === 'distinct') && SET_OPERATORS.has(word(tokens[i - 2]) ?? '')) {
    return 'query';
  }
  if (prev.text === ',' && enclosing.kind !== 'expr' && enclosing.clause === 'from') return 'query';
  if (prev.text === '(' && enclosing.kind === 'query' && enclosing.clause === '') return 'query';
  return 'expr';
}

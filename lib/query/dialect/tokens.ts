/**
 * The structure of a checked statement at the token level (the guard's lexer, lib/query/sql-guard/lexer.ts): balanced
 * parentheses, function calls and their arguments, the operand to the left of a postfix operator, and the
 * syntactic context of an expression. The dialect rewrites (lib/query/dialect/) use it to edit the statement text
 * surgically: strings and comments are single tokens, so they are never touched.
 */
import type { Token } from '../sql-guard/lexer';
import { closing } from '../sql-guard/token';

/** The index of the token closing the bracket opened at `open` (`(` or `[`), or -1 (../sql-guard/token.ts). */
export { closing };

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t?.kind === 'word' && (words.length === 0 || words.includes(t.text.toLowerCase()));

export const isSymbol = (t: Token | undefined, ...symbols: string[]): boolean =>
  t?.kind === 'symbol' && symbols.includes(t.text);

/** The text of a string literal token ('it''s' → it's), or undefined for any other token. */
export const stringLiteral = (t: Token | undefined): string | undefined =>
  t?.kind === 'string' ? t.text.slice(1, -1).replace(/''/g, "'") : undefined;

/** A name: a word or a quoted identifier. */
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'quoted';

/** The index of the token opening the bracket closed at `close`, or -1. */
export function opening(tokens: Token[], close: number): number {
  const c = tokens[close]?.text;
  const o = c === ')' ? '(' : c === ']' ? '[' : '';
  if (!o) return -1;
  let depth = 0;
  for (let j = close; j >= 0; j--) {
    const t = tokens[j]!.text;
    if (tokens[j]!.kind !== 'symbol') continue;
    if (t === c) depth++;
    else if (t === o && --depth === 0) return j;
  }
  return -1;
}

/** Whether token k is inside the parentheses of a call to `name` (at any depth: try(f(x[1]))). */
export function insideCall(tokens: Token[], k: number, name: string): boolean {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind !== 'symbol') continue;
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '(' || t.text === '[') {
      if (depth > 0) depth--;
      else if (t.text === '(' && isWord(tokens[j - 1], name)) return true;
    }
  }
  return false;
}

/** A token range, inclusive. */
export interface Span {
  first: number;
  last: number;
}

export interface Call {
  name: string;
  /** The name token. */
  at: number;
  open: number;
  close: number;
  args: Span[];
}

/** The call whose name is at `at` (a word followed by `(`), with its top-level arguments. */
export function callAt(tokens: Token[], at: number): Call | undefined {
  if (!isWord(tokens[at]) || !isSymbol(tokens[at + 1], '(')) return undefined;
  const open = at + 1;
  const close = closing(tokens, open);
  if (close < 0) return undefined;
  const args: Span[] = [];
  let start = open + 1;
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!;
    if (t.kind !== 'symbol') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) {
      args.push({ first: start, last: j - 1 });
      start = j + 1;
    }
  }
  if (close > open + 1) args.push({ first: start, last: close - 1 });
  return { name: tokens[at]!.text.toLowerCase(), at, open, close, args };
}

/** Words that end an expression to their left (never the end of a primary expression). */
const NOT_OPERAND_END = new Set([
  'select',
  'distinct',
  'all',
  'from',
  'where',
  'and',
  'or',
  'not',
  'on',
  'by',
  'having',
  'when',
  'then',
  'else',
  'in',
  'is',
  'like',
  'between',
  'as',
  'case',
  'join',
  'with',
  'values',
  'return',
  'using',
]);
const TYPED_LITERAL = new Set(['timestamp', 'date', 'time', 'interval', 'decimal', 'real', 'double', 'json']);

/**
 * The first token of the primary expression that ends at `last` (Trino's `valueExpression AT TIME ZONE …` binds
 * tighter than every operator, so its left operand is a primary expression): a literal (with its type keyword), a
 * column reference (a.b.c), a call or CAST(…), a parenthesised expression, a subscript x[i], CASE … END. -1 when
 * the tokens do not end a primary expression.
 */
export function primaryStart(tokens: Token[], last: number): number {
  const t = tokens[last];
  if (!t) return -1;
  let first: number;
  if (isSymbol(t, ')', ']')) {
    const open = opening(tokens, last);
    if (open < 0) return -1;
    first = open;
    const before = tokens[open - 1];
    if (t.text === ']') {
      // x[i], ARRAY[…], or f(…)[i]
      if (isWord(before, 'array')) return open - 1;
      const base = primaryStart(tokens, open - 1);
      return base < 0 ? -1 : base;
    }
    if (before?.kind === 'word' && !NOT_OPERAND_END.has(before.text.toLowerCase())) first = open - 1;
    else if (before?.kind === 'quoted') first = open - 1;
  } else if (t.kind === 'string') {
    first = last;
    if (isWord(tokens[last - 1]) && TYPED_LITERAL.has(tokens[last - 1]!.text.toLowerCase())) first = last - 1;
  } else if (t.kind === 'number') {
    first = last;
  } else if (isWord(t, 'end')) {
    // CASE … END
    let depth = 0;
    for (let j = last; j >= 0; j--) {
      if (isWord(tokens[j], 'end')) depth++;
      else if (isWord(tokens[j], 'case') && --depth === 0) return j;
    }
    return -1;
  } else if (t.kind === 'word' || t.kind === 'quoted') {
    if (t.kind === 'word' && NOT_OPERAND_END.has(t.text.toLowerCase())) return -1;
    // INTERVAL '3' DAY, INTERVAL '1-2' YEAR TO MONTH: the literal, its unit(s) included.
    const unit = isWord(tokens[last - 1], 'to') ? last - 2 : last;
    if (tokens[unit - 1]?.kind === 'string' && isWord(tokens[unit - 2], 'interval')) return unit - 2;
    first = last;
  } else {
    return -1;
  }
  // Qualified names: a.b.c
  while (isSymbol(tokens[first - 1], '.') && isName(tokens[first - 2])) {
    first -= 2;
  }
  return first;
}

/** The last token of CASE … END opened at `first`, or -1. */
function caseEnd(tokens: Token[], first: number): number {
  let depth = 0;
  for (let j = first; j < tokens.length; j++) {
    if (isWord(tokens[j], 'case')) depth++;
    else if (isWord(tokens[j], 'end') && --depth === 0) return j;
  }
  return -1;
}

/**
 * The last token of the primary expression that begins at `first` (primaryStart's counterpart): a literal (with its
 * type keyword), a column reference (a.b.c), a call or CAST(…) with its FILTER (…) and OVER (…) / OVER name, a
 * parenthesised expression, ARRAY[…], CASE … END, each followed by any subscripts x[i] and field references .f.
 * -1 when the tokens do not begin one (an INTERVAL literal, whose unit words follow its string, is not read).
 */
export function primaryEnd(tokens: Token[], first: number): number {
  const t = tokens[first];
  let last: number;
  if (!t) return -1;
  if (isSymbol(t, '(')) last = closing(tokens, first);
  else if (isWord(t, 'case')) last = caseEnd(tokens, first);
  else if (isWord(t, 'array') && isSymbol(tokens[first + 1], '[')) last = closing(tokens, first + 1);
  else if (isWord(t, 'interval')) return -1;
  else if (isWord(t) && TYPED_LITERAL.has(t.text.toLowerCase()) && tokens[first + 1]?.kind === 'string')
    last = first + 1;
  else if (t.kind === 'string' || t.kind === 'number') last = first;
  else if (isName(t)) {
    if (t.kind === 'word' && NOT_OPERAND_END.has(t.text.toLowerCase())) return -1;
    last = first;
    while (isSymbol(tokens[last + 1], '.') && isName(tokens[last + 2])) last += 2;
    if (isSymbol(tokens[last + 1], '(')) {
      last = closing(tokens, last + 1);
      if (last >= 0 && isWord(tokens[last + 1], 'filter') && isSymbol(tokens[last + 2], '('))
        last = closing(tokens, last + 2);
      if (last >= 0 && isWord(tokens[last + 1], 'over')) {
        if (isSymbol(tokens[last + 2], '(')) last = closing(tokens, last + 2);
        else if (isName(tokens[last + 2])) last += 2;
        else return -1;
      }
    }
  } else return -1;
  while (last >= 0) {
    if (isSymbol(tokens[last + 1], '[')) last = closing(tokens, last + 1);
    else if (isSymbol(tokens[last + 1], '.') && isName(tokens[last + 2])) last += 2;
    else break;
  }
  return last;
}

/** The enclosing call of a span that is one whole argument: the call and the argument's index. */
export function enclosingCall(tokens: Token[], span: Span): { call: Call; index: number } | undefined {
  const after = tokens[span.last + 1];
  if (!isSymbol(after, ')', ',')) return undefined;
  // Walk left at depth 0 to the call's opening parenthesis.
  let depth = 0;
  for (let j = span.first - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind !== 'symbol') continue;
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '[') depth--;
    else if (t.text === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const call = callAt(tokens, j - 1);
      if (!call) return undefined;
      const index = call.args.findIndex((a) => a.first === span.first && a.last === span.last);
      return index < 0 ? undefined : { call, index };
    }
  }
  return undefined;
}

/** Paren depth at token index `at` (0 = top level of the statement). */
export function depthAt(tokens: Token[], at: number): number {
  let depth = 0;
  for (let j = 0; j < at; j++) {
    if (isSymbol(tokens[j], '(')) depth++;
    else if (isSymbol(tokens[j], ')')) depth--;
  }
  return depth;
}

/** An edit of the statement text (character offsets). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Edits in order of position, the longer first at one position. */
const byPosition = (a: Edit, b: Edit) => a.start - b.start || b.end - a.end;

/** Applies non-overlapping edits in `order` (an edit that starts inside one already applied is skipped). */
export function applyEdits<E extends Edit>(
  sql: string,
  edits: E[],
  order: (a: E, b: E) => number = byPosition,
): string {
  const sorted = [...edits].sort(order);
  let out = '';
  let cursor = 0;
  for (const e of sorted) {
    if (e.start < cursor) continue;
    out += sql.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + sql.slice(cursor);
}

/** The statement text of a token span. */
export const spanText = (sql: string, tokens: Token[], s: Span): string =>
  sql.slice(tokens[s.first]!.start, tokens[s.last]!.end);

/**
 * An edit where calls wrap operands (division.ts, subscripts.ts): text put before the text at `start` (start ===
 * end) or in place of `start`..`end`, ordered by `rank` among the pieces at one position.
 */
export interface Piece extends Edit {
  /** Closing ")" first (0), then the calls' names (outer first, between 0 and 1), then 2. */
  rank: number;
}

/** Applies pieces in order of position, then rank (several calls may open at one position: a(b(x…). */
export const applyPieces = (sql: string, pieces: Piece[]): string =>
  applyEdits(sql, pieces, (a, b) => a.start - b.start || a.rank - b.rank);

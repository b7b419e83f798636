/**
 * Where each CTE name can be read. A name a WITH defines covers its query expression only: from the end of its own
 * body (its whole body too under WITH RECURSIVE) — so the later CTEs of the same WITH and the query after them — to
 * the end of the parenthesis the WITH stands in (the statement's end at the top). Outside that, the same name is not
 * the CTE: the engine would read it as a catalog object or a file (`FROM (WITH pg_settings AS (…) SELECT …) s,
 * pg_settings`), so the guard must not take it for one. Read from the statement's tokens, so that the subqueries
 * parsed apart from it (parse.ts; their offsets are the statement's) are judged by where they stand.
 */
import type { Token } from './lexer';

export interface CteScope {
  /** The CTE's name, lower case, without quotes. */
  name: string;
  /** Offsets in the submitted text where it is the CTE: [from, to). */
  from: number;
  to: number;
}

/** A name token's identifier, lower case (Trino folds quoted identifiers too); undefined for anything else. */
function identifier(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'word') return t.text.toLowerCase();
  if (t.kind === 'quoted' && t.text.startsWith('"'))
    return t.text.slice(1, -1).replace(/""/g, '"').toLowerCase();
  return undefined;
}

const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;
const isSymbol = (t: Token | undefined, s: string) => t?.kind === 'symbol' && t.text === s;

/** Every CTE the statement's WITH clauses define, each with where it is in scope. */
export function cteScopes(tokens: Token[], textEnd: number): CteScope[] {
  // The matching closing parenthesis of each opening one (by token index).
  const closing = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (isSymbol(tokens[i], '(')) open.push(i);
    else if (isSymbol(tokens[i], ')') && open.length) closing.set(open.pop()!, i);
  }
  // The end of the parenthesis each token stands in (the text's end at the top).
  const enclosingEnd: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (isSymbol(tokens[i], ')')) stack.pop();
    const inside = stack.at(-1);
    const close = inside === undefined ? undefined : closing.get(inside);
    enclosingEnd.push(close === undefined ? textEnd : tokens[close]!.start);
    if (isSymbol(tokens[i], '(')) stack.push(i);
  }

  const scopes: CteScope[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'with')) continue;
    const to = enclosingEnd[i]!;
    let j = i + 1;
    const recursive = isWord(tokens[j], 'recursive');
    if (recursive) j++;
    // name [(columns)] AS [[NOT] MATERIALIZED] ( body ) [, …]
    for (;;) {
      const name = identifier(tokens[j]);
      if (name === undefined) break;
      j++;
      if (isSymbol(tokens[j], '(')) {
        const close = closing.get(j);
        if (close === undefined) break;
        j = close + 1;
      }
      if (!isWord(tokens[j], 'as')) break;
      j++;
      if (isWord(tokens[j], 'not')) j++;
      if (isWord(tokens[j], 'materialized')) j++;
      if (!isSymbol(tokens[j], '(')) break;
      const close = closing.get(j);
      if (close === undefined) break;
      // Its own body reads it only when the body is a UNION (a recursive CTE's seed and step): otherwise the engine
      // reads the name there as whatever else it is (a catalog view), as DuckDB does even under WITH RECURSIVE.
      const readsItself = recursive && unionAtTop(tokens, j, close, closing);
      scopes.push({ name, from: readsItself ? tokens[j]!.start : tokens[close]!.end, to });
      j = close + 1;
      if (!isSymbol(tokens[j], ',')) break;
      j++;
    }
  }
  return scopes;
}

/** Whether the tokens between an opening parenthesis and its closing one hold UNION outside any inner parenthesis. */
function unionAtTop(tokens: Token[], open: number, close: number, closing: Map<number, number>): boolean {
  for (let k = open + 1; k < close; k++) {
    if (isSymbol(tokens[k], '(')) k = closing.get(k) ?? close;
    else if (isWord(tokens[k], 'union')) return true;
  }
  return false;
}

/** Whether `name` at `offset` (in the submitted text) is a CTE there. */
export function isCteAt(scopes: readonly CteScope[], name: string, offset: number): boolean {
  return scopes.some((s) => s.name === name && offset >= s.from && offset < s.to);
}

/** The guard's tokens, as the lexer (lexer.ts) reads them and the parser's rewrites (parser-rewrites.ts) use them. */

/** `backquoted`: a Hive DDL name in backticks, read only where asked (the metadata statements, tokenize's option). */
export type TokenKind = 'word' | 'quoted' | 'backquoted' | 'string' | 'number' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** Source text (for words: as written; quoted identifiers and strings: with their quotes). */
  text: string;
  start: number;
  end: number;
}

export interface Lexed {
  tokens: Token[];
  /** The statement without a trailing semicolon (and what follows it: whitespace and comments). */
  body: string;
  /** `body` with backslashes inside string literals replaced, for the parser (which reads \' as an escape). */
  forParser: string;
  /** Where each block comment (/* … *\/) starts, in `sql`. */
  blockComments: number[];
}

/** Whether the token at k is the word w (any case). */
export const isWordAt = (tokens: Token[], k: number, w: string) =>
  tokens[k]?.kind === 'word' && tokens[k]!.text.toLowerCase() === w;

/** Words after a table reference in FROM that are no alias of it (a join, a clause, a set operation). */
export const NOT_A_TABLE_ALIAS: ReadonlySet<string> = new Set([
  'as',
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'on',
  'using',
  'group',
  'order',
  'having',
  'limit',
  'offset',
  'fetch',
  'union',
  'intersect',
  'except',
  'window',
  'tablesample',
  'unnest',
  'lateral',
]);

/** The index of the token closing the bracket opened at `open` (`(` or `[`), or -1. */
export function closing(tokens: Token[], open: number): number {
  const o = tokens[open]?.text;
  const c = o === '(' ? ')' : o === '[' ? ']' : '';
  if (!c) return -1;
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (tokens[j]!.kind !== 'symbol') continue;
    if (t === o) depth++;
    else if (t === c && --depth === 0) return j;
  }
  return -1;
}

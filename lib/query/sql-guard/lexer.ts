/**
 * Pass 1 of the guard: a lexer with the string, identifier and comment rules Athena (Trino) and DuckDB share. It
 * finds statement boundaries itself and refuses the constructs on which engines and the parser could disagree about
 * where a string or comment ends (index.ts has the whole picture).
 */
import { isWellFormed } from '../../unicode';
import { QueryNotAllowedError } from './errors';
import { rewriteForParser } from './parser-rewrites';
import { isWordAt, type Lexed, type Token } from './token';

export type { Lexed, Token, TokenKind } from './token';

/** The backtick's refusal outside the metadata statements (Athena's SELECT reads double-quoted names). */
export const BACKTICK_REFUSAL = 'backtick-quoted identifiers are not Athena SQL; use double quotes';

export const MAX_NESTING = 64;

/**
 * The line and column (from 1) of a UTF-16 offset, in characters as Trino's parser counts them (ANTLR's code point
 * stream: an emoji is one column, not two).
 */
export function positionOf(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: [...before.slice(before.lastIndexOf('\n') + 1)].length + 1 };
}

/** Refuses the query at `offset`; `syntax`: Athena fails it as a syntax error too (its lexer or grammar). */
export function refuse(sql: string, offset: number, reason: string, syntax = true): never {
  const pos = positionOf(sql, offset);
  throw new QueryNotAllowedError(`${reason} (line ${pos.line}, column ${pos.column})`, pos, syntax);
}

const CONTROL_CHARACTERS = 'control characters are not allowed';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isWordStart = (c: string) => /[A-Za-z_\u00c0-\uffff]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_\u00c0-\uffff]/.test(c);

/**
 * Words of other dialects that the parser's PostgreSQL grammar (its fallback) reads and DuckDB answers, but Athena
 * does not have: refused on both runtimes with what to write instead, as Athena would fail them.
 */
function refuseOtherDialects(sql: string, tokens: Token[]): void {
  const word = (k: number, w: string) => isWordAt(tokens, k, w);
  // ILIKE as an operator: between an operand and a pattern (a column named ilike is left to the parser).
  const operand = (t: Token | undefined) =>
    !!t &&
    t.text !== ',' &&
    t.text !== '(' &&
    !['select', 'distinct', 'from', 'as', 'by'].includes(t.text.toLowerCase());
  for (let k = 0; k < tokens.length; k++) {
    if (word(k, 'ilike') && operand(tokens[k - 1]) && operand(tokens[k + 1]) && tokens[k + 1]!.text !== ')')
      refuse(sql, tokens[k]!.start, 'ILIKE is not Athena SQL: write lower(x) LIKE lower(pattern)');
    // Trino's grammar: ORDER BY … [OFFSET n [ROW|ROWS]] [LIMIT …|FETCH …], OFFSET first.
    if (word(k, 'limit') && (tokens[k + 1]?.kind === 'number' || word(k + 1, 'all')) && word(k + 2, 'offset'))
      refuse(
        sql,
        tokens[k + 2]!.start,
        `LIMIT … OFFSET is not Athena SQL (Athena fails it; DuckDB answers): write OFFSET ${tokens[k + 3]?.text ?? 'n'} ` +
          `LIMIT ${tokens[k + 1]!.text}, OFFSET before LIMIT`,
      );
    if (word(k, 'distinct') && word(k + 1, 'on') && tokens[k + 2]?.text === '(')
      refuse(
        sql,
        tokens[k]!.start,
        'DISTINCT ON is not Athena SQL: keep the first row of each group with row_number() OVER (PARTITION BY … ' +
          'ORDER BY …) = 1 in a subquery',
      );
  }
}

/** Where the quoted text opened at `i` ends (after its closing quote; a doubled quote is one inside), or refuses. */
function quotedEnd(sql: string, i: number, unterminated: string): number {
  const quote = sql[i]!;
  for (let j = i + 1; ;) {
    const q = sql.indexOf(quote, j);
    if (q < 0) refuse(sql, i, unterminated);
    if (sql[q + 1] !== quote) return q + 1;
    j = q + 2;
  }
}

/** Splits SQL into tokens with the rules Athena and DuckDB share; refuses what they could read differently. */
export function tokenize(sql: string, opts: { backquotes?: boolean } = {}): Lexed {
  const tokens: Token[] = [];
  const blockComments: number[] = [];
  let forParser = '';
  let depth = 0;
  let brackets = 0;
  let end = sql.length; // end of the (single) statement
  let ended = false;
  let i = 0;
  const n = sql.length;
  // The parser's copy; comments are blanked in it, so that it sees no text the guard did not read.
  const chars = sql.split('');
  // The engines read SQL as a C string: a NUL would end it early (mid-string, mid-comment).
  const nul = sql.indexOf('\0');
  if (nul >= 0) refuse(sql, nul, CONTROL_CHARACTERS);
  // A UTF-16 surrogate without its pair is no Unicode text: the engines would read another character (U+FFFD).
  if (!isWellFormed(sql))
    refuse(
      sql,
      sql.search(LONE_SURROGATE),
      'a lone UTF-16 surrogate (such as \\ud800) is not Unicode text',
      false,
    );
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (isSpace(c)) {
      if (c === '\f' || c === '\v')
        refuse(
          sql,
          i,
          `a ${c === '\f' ? 'form feed' : 'vertical tab'} outside a string or comment: Athena (Trino) reads spaces, tabs and ` +
            'line ends only there and fails this query (DuckDB would answer): write a space',
        );
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      // Ends at a line end, \r as much as \n (Trino, DuckDB and the parser all end it there).
      let e = i + 2;
      while (e < n && sql[e] !== '\n' && sql[e] !== '\r') e++;
      chars.fill(' ', i, (i = e));
      continue;
    }
    if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) refuse(sql, i, 'unterminated comment');
      if (sql.slice(i + 2, close).includes('/*')) {
        refuse(sql, i, 'nested comments are not allowed (engines disagree about where they end)');
      }
      blockComments.push(i);
      chars.fill(' ', i, (i = close + 2));
      continue;
    }
    if (ended) {
      refuse(sql, i, 'only one statement per query is allowed (found more after a semicolon)', false);
    }
    if (c === "'") {
      const j = quotedEnd(sql, i, 'unterminated string literal');
      tokens.push({ kind: 'string', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === '"') {
      const j = quotedEnd(sql, i, 'unterminated quoted identifier');
      const text = sql.slice(i, j);
      if (text.includes('\\')) refuse(sql, i, 'backslashes are not allowed in quoted identifiers', false);
      tokens.push({ kind: 'quoted', text, start: i, end: j });
      i = j;
      continue;
    }
    if (c === '`' && opts.backquotes) {
      // Hive's rule: `` inside is one backtick.
      const j = quotedEnd(sql, i, 'unterminated quoted identifier');
      tokens.push({ kind: 'backquoted', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql[j]!)) j++;
      const text = sql.slice(i, j);
      if (sql[j] === "'" && text.toLowerCase() === 'e') {
        refuse(
          sql,
          i,
          "E'...' escape strings are not allowed (not Athena SQL; DuckDB reads backslash escapes in them)",
        );
      }
      // Trino's grammar: an unquoted name is ASCII letters, digits and _ (its LETTER is [A-Z]); DuckDB reads any.
      const other = text.search(/[^A-Za-z0-9_]/);
      if (other >= 0)
        refuse(
          sql,
          i + other,
          `${text}: an unquoted name of Athena (Trino) holds ASCII letters, digits and _ only, and Athena fails ` +
            `this query (DuckDB would answer): quote it ("${text}")`,
        );
      tokens.push({ kind: 'word', text, start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j]!)) {
        // exponent sign: 1e-5
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '-' || sql[j + 1] === '+')) j++;
        j++;
      }
      tokens.push({ kind: 'number', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === ';') {
      // The statement ends here; only whitespace and comments may follow.
      end = i;
      ended = true;
      i++;
      continue;
    }
    if (c === '/' && next === '/') refuse(sql, i, "'//' is not an operator in Athena SQL");
    if (c === ':' && next === ':')
      refuse(
        sql,
        i,
        "'::' casts are not Athena SQL (DuckDB and PostgreSQL read them): write CAST(x AS type)",
      );
    if (c === '$') refuse(sql, i, "'$' (dollar quoting or parameters) is not allowed");
    if (c === '?')
      refuse(sql, i, 'parameter placeholders (?) are not allowed; put the values in the query', false);
    if (c === '`') refuse(sql, i, BACKTICK_REFUSAL);
    if (c === '\\') refuse(sql, i, 'a backslash outside a string literal is not allowed');
    if (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) refuse(sql, i, CONTROL_CHARACTERS);
    if (c === '(') {
      depth++;
      if (depth > MAX_NESTING)
        refuse(sql, i, `parentheses are nested deeper than ${MAX_NESTING} levels`, false);
    } else if (c === ')') {
      depth--;
    } else if (c === '[') {
      // Subscripts nested without end: each one's closing bracket is looked for (parser-rewrites.ts), which took
      // the guard seconds for thousands.
      brackets++;
      if (brackets > MAX_NESTING)
        refuse(sql, i, `brackets are nested deeper than ${MAX_NESTING} levels`, false);
    } else if (c === ']') {
      brackets--;
    }
    tokens.push({ kind: 'symbol', text: c, start: i, end: i + 1 });
    i++;
  }
  const body = sql.slice(0, end).trim();
  const offset = sql.slice(0, end).length - sql.slice(0, end).trimStart().length;
  const replace = (start: number, stop: number, text: string) => {
    for (let k = start; k < stop; k++) chars[k] = k - start < text.length ? text[k - start]! : ' ';
  };
  refuseOtherDialects(sql, tokens);
  for (const t of tokens) {
    // Backslashes inside string literals are plain characters in Athena and DuckDB (but escapes to the parser).
    if (t.kind === 'string' && t.text.includes('\\')) replace(t.start, t.end, t.text.replace(/\\/g, '_'));
  }
  rewriteForParser(tokens, replace);
  forParser = chars.slice(offset, offset + body.length).join('');
  return { tokens, body, forParser, blockComments };
}
